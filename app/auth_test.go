package app

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

var paramRE = regexp.MustCompile(`:[A-Za-z_]+|\*`)

// concrete turns a route pattern into a path that matches it.
func concrete(pattern string) string { return paramRE.ReplaceAllString(pattern, "x") }

// TestEveryRouteHasARule fails when a route is registered past the route
// table (app/routes.go), or is matched by another line of it: such a route
// would answer 404 to everyone, or be let through on another route's rule.
func TestEveryRouteHasARule(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	table := a.routes()
	for _, r := range a.Fiber().GetRoutes(true) {
		if r.Method == "USE" || r.Method == "HEAD" || r.Method == "CONNECT" || r.Method == "TRACE" || r.Method == "OPTIONS" {
			continue
		}
		if rule, ok := table.match(r.Method, concrete(r.Path)); !ok || !rule.is(r.Method, r.Path) {
			t.Errorf("route %s %s has no rule of its own in the route table (matched: %v %s %s)", r.Method, r.Path, ok, rule.method, rule.pattern)
		}
	}
}

// TestRouteRoleMatrix sends every rule's request as anonymous and as each
// role, and checks who is let through.
func TestRouteRoleMatrix(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	roles := []string{"", domain.RoleViewer, domain.RoleManager, domain.RoleAdmin}
	for _, rule := range a.routes() {
		for _, role := range roles {
			req := httptest.NewRequest(rule.method, concrete(rule.pattern), nil)
			if role != "" {
				loginAs(t, a, role).apply(req)
			}
			resp, err := a.Fiber().Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			denied := resp.Header.Get(deniedHeader) != ""
			wantDenied := rule.need != accessPublic && rule.need != accessToken && domain.RoleRank(role) < domain.RoleRank(string(rule.need))
			if rule.need == accessToken { // checked by the handler, never by session
				if resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("%s %s as %q without a token: %d, want 401", rule.method, rule.pattern, role, resp.StatusCode)
				}
				continue
			}
			if denied != wantDenied {
				t.Errorf("%s %s as %q: status %d (denied %v), want denied %v", rule.method, rule.pattern, role, resp.StatusCode, denied, wantDenied)
			}
		}
	}
}

func TestUnruledPathsAreRefused(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	for _, p := range []string{"/admin/secret", "/api/v1/internal", "/.env"} {
		if status, _, _ := get(t, a.Fiber(), p); status != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, status)
		}
	}
}

func TestStateChangesNeedTheCSRFToken(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	s := loginAs(t, a, domain.RoleAdmin)
	for name, token := range map[string]string{"missing": "", "wrong": "not-the-token"} {
		req := httptest.NewRequest("POST", "/api/v1/sources/x/run", nil)
		for _, c := range s.cookies {
			req.AddCookie(c)
		}
		if token != "" {
			req.Header.Set(csrfHeader, token)
		}
		resp, err := a.Fiber().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s CSRF token: status %d, want 403", name, resp.StatusCode)
		}
	}
	// The same request with the token passes the gate (and finds no source).
	req := httptest.NewRequest("POST", "/api/v1/sources/x/run", nil)
	s.apply(req)
	resp, _ := a.Fiber().Test(req, -1)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("with the CSRF token: status %d, want 404 (no such source)", resp.StatusCode)
	}
	// A login form posted without the token it was served with is refused.
	form := url.Values{"name": {"admin"}, "password": {testPassword("admin")}}
	req = httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, _ := a.Fiber().Test(req, -1); resp.StatusCode != http.StatusForbidden {
		t.Errorf("login without CSRF token: status %d, want 403", resp.StatusCode)
	}
}

// TestLoginGivesANewSessionID checks session fixation: the session id a
// visitor had before logging in is not the one that is logged in.
func TestLoginGivesANewSessionID(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	var before testSession
	resp, _ := a.Fiber().Test(httptest.NewRequest("GET", "/login", nil), -1)
	before.collect(resp)
	if cookieValue(before, sessionCookie) != "" {
		t.Fatal("the login page set a session cookie: anonymous visits must store nothing")
	}
	// An attacker plants a session id of their choosing in the victim's
	// browser: the login must not log that id in.
	const oldID = "planted-by-an-attacker"
	before.cookies = append(before.cookies, &http.Cookie{Name: sessionCookie, Value: oldID})
	form := url.Values{"name": {"viewer"}, "password": {testPassword("viewer")}, "csrf": {before.csrf}}
	req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	before.apply(req)
	resp, _ = a.Fiber().Test(req, -1)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	after := before
	after.collect(resp)
	newID := cookieValue(after, sessionCookie)
	if newID == "" || newID == oldID {
		t.Errorf("session id before login %q, after %q: want a new one", oldID, newID)
	}
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie && (!c.HttpOnly || c.SameSite != http.SameSiteLaxMode) {
			t.Errorf("session cookie: HttpOnly %v SameSite %v", c.HttpOnly, c.SameSite)
		}
	}
	// The old id is not logged in.
	old := httptest.NewRequest("GET", "/api/v1/me", nil)
	old.AddCookie(&http.Cookie{Name: sessionCookie, Value: oldID})
	if resp, _ := a.Fiber().Test(old, -1); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("pre-login session id: status %d, want 401", resp.StatusCode)
	}
	// Logging out ends the session.
	req = httptest.NewRequest("POST", "/logout", nil)
	after.apply(req)
	if resp, _ := a.Fiber().Test(req, -1); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("logout: %d", resp.StatusCode)
	}
	me := httptest.NewRequest("GET", "/api/v1/me", nil)
	me.AddCookie(&http.Cookie{Name: sessionCookie, Value: newID})
	if resp, _ := a.Fiber().Test(me, -1); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("after logout: status %d, want 401", resp.StatusCode)
	}
	entries, err := a.db.AuditLog(t.Context(), 10)
	if err != nil {
		t.Fatal(err)
	}
	var sawLogin, sawLogout bool
	for _, e := range entries {
		sawLogin = sawLogin || (e.Action == "login" && e.Actor == "viewer" && e.OK)
		sawLogout = sawLogout || e.Action == "logout"
	}
	if !sawLogin || !sawLogout {
		t.Errorf("audit log lacks the login or logout: %+v", entries)
	}
}

func cookieValue(s testSession, name string) string {
	for _, c := range s.cookies {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func TestLoginIsThrottledAndAudited(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	try := func(password string) int {
		var s testSession
		resp, _ := a.Fiber().Test(httptest.NewRequest("GET", "/login", nil), -1)
		s.collect(resp)
		form := url.Values{"name": {"viewer"}, "password": {password}, "csrf": {s.csrf}}
		req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		s.apply(req)
		resp, _ = a.Fiber().Test(req, -1)
		return resp.StatusCode
	}
	for i := 0; i < throttleFreeFailures; i++ {
		if got := try("wrong password"); got != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d, want 401", i+1, got)
		}
	}
	if got := try(testPassword("viewer")); got != http.StatusTooManyRequests {
		t.Errorf("right after %d failures from the same address: status %d, want 429", throttleFreeFailures, got)
	}
	entries, _ := a.db.AuditLog(t.Context(), 20)
	var failed int64
	for _, e := range entries {
		if e.Action == "login" && !e.OK {
			failed += e.Count
		}
	}
	if failed < throttleFreeFailures {
		t.Errorf("audit log counts %d failed logins, want ≥ %d", failed, throttleFreeFailures)
	}
}

func TestRedirectAfterLoginStaysOnSite(t *testing.T) {
	for in, want := range map[string]string{
		"/members?x=1":         "/members?x=1",
		"//evil.example/":      "/",
		"https://evil.example": "/",
		"/\\evil.example":      "/",
		"":                     "/",
		"/ok\r\nSet-Cookie:x":  "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAnonymousPagesRedirectToLoginAndAPIsSay401(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	resp, _ := a.Fiber().Test(httptest.NewRequest("GET", "/?at=2026-01-01", nil), -1)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next="+url.QueryEscape("/?at=2026-01-01") {
		t.Errorf("anonymous page: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = a.Fiber().Test(httptest.NewRequest("GET", "/api/v1/overview", nil), -1)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous API: %d, want 401", resp.StatusCode)
	}
}
