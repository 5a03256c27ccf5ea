package app

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// sendJSON sends a JSON request with a session (and its CSRF header).
func sendJSON(tb testing.TB, a *App, s testSession, method, target string, body any) (int, string) {
	tb.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			tb.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, target, r)
	req.Header.Set("Content-Type", "application/json")
	s.apply(req)
	resp, err := a.Fiber().Test(req, -1)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// postForm posts a form as a browser does (the CSRF token in a field).
func postForm(tb testing.TB, a *App, s testSession, target string, form url.Values) (int, string, string) {
	tb.Helper()
	form.Set("csrf", s.csrf)
	req := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range s.cookies {
		req.AddCookie(c)
	}
	resp, err := a.Fiber().Test(req, -1)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// auditHas reports whether the audit log has an entry with this actor,
// action, target and result.
func auditHas(tb testing.TB, a *App, actor, action, target string, ok bool) bool {
	tb.Helper()
	entries, err := a.db.AuditQuery(tb.Context(), data.AuditFilter{Limit: 1000})
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		if e.Actor == actor && e.Action == action && e.Target == target && e.OK == ok {
			return true
		}
	}
	return false
}

func TestAdminUsersJSONLifecycle(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	admin := loginAs(t, a, domain.RoleAdmin)

	status, body := sendJSON(t, a, admin, "POST", "/api/v1/admin/users", map[string]string{"name": "carol", "role": "viewer", "password": "carol-password-1"})
	if status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	if strings.Contains(body, "$2a$") || strings.Contains(body, "carol-password-1") || strings.Contains(body, `"password"`) {
		t.Errorf("the answer shows the password or its hash: %s", body)
	}
	if status, body := sendJSON(t, a, admin, "POST", "/api/v1/admin/users", map[string]string{"name": "carol", "role": "viewer", "password": "carol-password-1"}); status != http.StatusConflict {
		t.Errorf("create twice: %d %s", status, body)
	}
	if status, _ := sendJSON(t, a, admin, "POST", "/api/v1/admin/users", map[string]string{"name": "dave", "role": "boss", "password": "dave-password-1"}); status != http.StatusBadRequest {
		t.Errorf("unknown role: %d", status)
	}

	// carol logs in; a change of role ends her session.
	carol := loginWith(t, a, "carol", "carol-password-1")
	if status, _ := sendJSON(t, a, carol, "GET", "/api/v1/me", nil); status != 200 {
		t.Fatalf("carol is not logged in: %d", status)
	}
	status, body = sendJSON(t, a, admin, "POST", "/api/v1/admin/users/carol", map[string]string{"role": "manager"})
	if status != 200 || !strings.Contains(body, `"role":"manager"`) {
		t.Fatalf("set role: %d %s", status, body)
	}
	if status, _ := sendJSON(t, a, carol, "GET", "/api/v1/me", nil); status != http.StatusUnauthorized {
		t.Errorf("carol's session outlived her change of role: %d", status)
	}
	carol = loginWith(t, a, "carol", "carol-password-1")
	if _, body := sendJSON(t, a, carol, "GET", "/api/v1/me", nil); !strings.Contains(body, `"role":"manager"`) {
		t.Errorf("carol's new session: %s", body)
	}

	// Disabled: logged out, and cannot log in.
	if status, body := sendJSON(t, a, admin, "POST", "/api/v1/admin/users/carol", map[string]bool{"disabled": true}); status != 200 || !strings.Contains(body, `"disabled":true`) {
		t.Fatalf("disable: %d %s", status, body)
	}
	if status, _ := sendJSON(t, a, carol, "GET", "/api/v1/me", nil); status != http.StatusUnauthorized {
		t.Errorf("a disabled account stays logged in: %d", status)
	}
	if status := tryLogin(t, a, "carol", "carol-password-1"); status != http.StatusUnauthorized {
		t.Errorf("a disabled account logs in: %d", status)
	}
	if status, _ := sendJSON(t, a, admin, "POST", "/api/v1/admin/users/carol", map[string]bool{"disabled": false}); status != 200 {
		t.Errorf("enable: %d", status)
	}
	if status := tryLogin(t, a, "carol", "carol-password-1"); status != http.StatusSeeOther {
		t.Errorf("an enabled account cannot log in: %d", status)
	}

	// Deleted: gone from the list, its audit entries stay.
	if status, body := sendJSON(t, a, admin, "DELETE", "/api/v1/admin/users/carol", nil); status != 200 {
		t.Fatalf("delete: %d %s", status, body)
	}
	_, body = sendJSON(t, a, admin, "GET", "/api/v1/admin/users", nil)
	if strings.Contains(body, `"carol"`) {
		t.Errorf("carol is still listed: %s", body)
	}
	if status, _ := sendJSON(t, a, admin, "DELETE", "/api/v1/admin/users/carol", nil); status != http.StatusNotFound {
		t.Errorf("delete twice: %d", status)
	}
	for _, action := range []string{"user.create", "user.role", "user.disable", "user.enable", "user.delete"} {
		if !auditHas(t, a, "admin", action, "carol", true) {
			t.Errorf("no audit entry admin %s carol", action)
		}
	}
	if !auditHas(t, a, "carol", "login", "", true) {
		t.Error("carol's own audit entries went with her account")
	}
	if !auditHas(t, a, "admin", "user.create", "dave", false) {
		t.Error("a refused change is not audited")
	}
}

// loginWith logs in through the form with any account.
func loginWith(tb testing.TB, a *App, name, password string) testSession {
	tb.Helper()
	s, status := loginAttempt(tb, a, name, password)
	if status != http.StatusSeeOther {
		tb.Fatalf("login as %s: %d", name, status)
	}
	return s
}

func tryLogin(tb testing.TB, a *App, name, password string) int {
	tb.Helper()
	_, status := loginAttempt(tb, a, name, password)
	return status
}

func loginAttempt(tb testing.TB, a *App, name, password string) (testSession, int) {
	tb.Helper()
	var s testSession
	resp, err := a.Fiber().Test(httptest.NewRequest("GET", "/login", nil), -1)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	s.collect(resp)
	form := url.Values{"name": {name}, "password": {password}, "csrf": {s.csrf}}
	req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	s.apply(req)
	resp, err = a.Fiber().Test(req, -1)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	s.collect(resp)
	return s, resp.StatusCode
}

func TestAdminCannotLockThemselvesOrEveryoneOut(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	admin := loginAs(t, a, domain.RoleAdmin)
	for _, change := range []map[string]any{{"role": "viewer"}, {"disabled": true}} {
		if status, body := sendJSON(t, a, admin, "POST", "/api/v1/admin/users/admin", change); status != http.StatusBadRequest {
			t.Errorf("own account %v: %d %s", change, status, body)
		}
	}
	if status, _ := sendJSON(t, a, admin, "DELETE", "/api/v1/admin/users/admin", nil); status != http.StatusBadRequest {
		t.Errorf("delete own account: %d", status)
	}
	// A second admin may not remove the last other admin either…
	if _, err := AddUser(t.Context(), a.db, "root2", domain.RoleAdmin, "root2-password"); err != nil {
		t.Fatal(err)
	}
	root2 := loginWith(t, a, "root2", "root2-password")
	if status, _ := sendJSON(t, a, root2, "POST", "/api/v1/admin/users/admin", map[string]bool{"disabled": true}); status != 200 {
		t.Fatalf("disable one of two admins: %d", status)
	}
	// …now root2 is the last enabled admin: admin (disabled) cannot be the
	// one to act, and root2 cannot demote itself.
	if status, _ := sendJSON(t, a, root2, "POST", "/api/v1/admin/users/root2", map[string]string{"role": "viewer"}); status != http.StatusBadRequest {
		t.Errorf("last admin demotes itself: %d", status)
	}
	if n, _ := a.db.CountAdmins(t.Context()); n != 1 {
		t.Errorf("enabled admins = %d, want 1", n)
	}
	// A manager may not call any of it.
	manager := loginAs(t, a, domain.RoleManager)
	if status, _ := sendJSON(t, a, manager, "GET", "/api/v1/admin/users", nil); status != http.StatusForbidden {
		t.Errorf("manager lists users: %d", status)
	}
}

func TestAdminPagesAndForms(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	admin := loginAs(t, a, domain.RoleAdmin)
	status, _, page := fetch(t, a, admin, "/admin/users")
	if status != 200 || !strings.Contains(page, `data-user="viewer"`) || !strings.Contains(page, `name="csrf" value="`+admin.csrf+`"`) {
		t.Fatalf("users page: %d, rows or CSRF token missing", status)
	}
	status, loc, _ := postForm(t, a, admin, "/admin/users", url.Values{"name": {"erin"}, "role": {"manager"}, "password": {"erin-password-1"}})
	if status != http.StatusSeeOther || loc != "/admin/users" {
		t.Fatalf("add form: %d → %q", status, loc)
	}
	status, _, body := postForm(t, a, admin, "/admin/users", url.Values{"name": {"frank"}, "role": {"viewer"}, "password": {"short"}})
	if status != http.StatusBadRequest || !strings.Contains(body, "at least 10 characters") {
		t.Errorf("short password: %d", status)
	}
	for _, step := range []struct{ path, form string }{
		{"/admin/users/erin/role", "admin"}, {"/admin/users/erin/disable", ""}, {"/admin/users/erin/enable", ""}, {"/admin/users/erin/delete", ""},
	} {
		if status, loc, body := postForm(t, a, admin, step.path, url.Values{"role": {step.form}}); status != http.StatusSeeOther || loc != "/admin/users" {
			t.Errorf("%s: %d %.200s", step.path, status, body)
		}
	}
	// Without the CSRF token the gate refuses.
	req := httptest.NewRequest("POST", "/admin/users/viewer/delete", nil)
	for _, c := range admin.cookies {
		req.AddCookie(c)
	}
	if resp, _ := a.Fiber().Test(req, -1); resp.StatusCode != http.StatusForbidden {
		t.Errorf("delete without CSRF token: %d", resp.StatusCode)
	}

	// Tokens: the secret is on the creation response only, and works.
	status, _, page = postForm(t, a, admin, "/admin/tokens", url.Values{"name": {"gateway"}, "allow": {""}})
	if status != http.StatusCreated {
		t.Fatalf("create token: %d %.300s", status, page)
	}
	secret := secretRE.FindString(page)
	if secret == "" {
		t.Fatal("no secret on the creation page")
	}
	if s, _ := post(t, a, secret, ndjson(3, demoEnd), nil); s != http.StatusAccepted {
		t.Errorf("ingest with the new token: %d", s)
	}
	if _, _, page := fetch(t, a, admin, "/admin/tokens"); strings.Contains(page, secret) || !strings.Contains(page, `data-token="gateway"`) {
		t.Error("the tokens page shows the secret again, or not the token")
	}
	if status, loc, _ := postForm(t, a, admin, "/admin/tokens/gateway/revoke", url.Values{}); status != http.StatusSeeOther || loc != "/admin/tokens" {
		t.Errorf("revoke form: %d %q", status, loc)
	}
	if s, _ := post(t, a, secret, ndjson(3, demoEnd), nil); s != http.StatusUnauthorized {
		t.Errorf("ingest with a revoked token: %d", s)
	}
	if status, _, page := postForm(t, a, admin, "/admin/tokens", url.Values{"name": {"bad/name"}}); status != http.StatusBadRequest || secretRE.MatchString(page) {
		t.Errorf("token with a slash in its name: %d", status)
	}
	for _, action := range []string{"token.create", "token.revoke"} {
		if !auditHas(t, a, "admin", action, "gateway", true) {
			t.Errorf("no audit entry %s gateway", action)
		}
	}
	entries, _ := a.db.AuditQuery(t.Context(), data.AuditFilter{Action: "token"})
	for _, e := range entries {
		if strings.Contains(e.Detail, secret) || strings.Contains(e.Target, secret) {
			t.Error("the audit log holds a token secret")
		}
	}

	// Audit page: newest first, filtered.
	status, _, page = fetch(t, a, admin, "/admin/audit?actor=admin&action=user")
	if status != 200 {
		t.Fatalf("audit page: %d", status)
	}
	del, add := strings.Index(page, `data-action="user.delete"`), strings.Index(page, `data-action="user.create"`)
	if del < 0 || add < 0 || del > add {
		t.Errorf("audit page: user.delete at %d, user.create at %d: want both, newest first", del, add)
	}
	if strings.Contains(page, `data-action="token.create"`) || strings.Contains(page, `data-action="login"`) {
		t.Error("the action filter lets other actions through")
	}
}

var secretRE = regexp.MustCompile(`ep_[A-Za-z0-9_-]{43}`)

func TestAdminTokensAndAuditJSON(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	admin := loginAs(t, a, domain.RoleAdmin)
	status, body := sendJSON(t, a, admin, "POST", "/api/v1/admin/tokens", map[string]string{"name": "kong", "allow": "10.0.0.0/8, 192.0.2.7"})
	if status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	var created struct{ Name, Allow, Secret string }
	json.Unmarshal([]byte(body), &created)
	if created.Secret == "" || created.Allow != "10.0.0.0/8,192.0.2.7/32" {
		t.Errorf("created: %+v", created)
	}
	// From 0.0.0.0 (app.Test's address), the allow list refuses it.
	if s, _ := post(t, a, created.Secret, ndjson(1, demoEnd), nil); s != http.StatusForbidden {
		t.Errorf("ingest from outside the allow list: %d", s)
	}
	if status, _ := sendJSON(t, a, admin, "POST", "/api/v1/admin/tokens", map[string]string{"name": "x", "allow": "not-an-ip"}); status != http.StatusBadRequest {
		t.Errorf("bad allow list: %d", status)
	}
	if status, _ := sendJSON(t, a, admin, "POST", "/api/v1/admin/tokens", map[string]any{"name": "x", "scope": "admin"}); status != http.StatusBadRequest {
		t.Errorf("unknown field: %d", status)
	}
	_, body = sendJSON(t, a, admin, "GET", "/api/v1/admin/tokens", nil)
	if !strings.Contains(body, `"name":"kong"`) || strings.Contains(body, created.Secret) {
		t.Errorf("list: %s", body)
	}
	if status, _ := sendJSON(t, a, admin, "DELETE", "/api/v1/admin/tokens/kong", nil); status != 200 {
		t.Errorf("revoke: %d", status)
	}
	if status, _ := sendJSON(t, a, admin, "DELETE", "/api/v1/admin/tokens/kong", nil); status != http.StatusNotFound {
		t.Errorf("revoke twice: %d", status)
	}
	_, body = sendJSON(t, a, admin, "GET", "/api/v1/admin/audit?action=token&actor=admin", nil)
	var got struct{ Entries []data.AuditEntry }
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range got.Entries {
		actions = append(actions, e.Action+":"+e.Target)
	}
	if want := "token.revoke:kong,token.revoke:kong,token.create:x,token.create:kong"; strings.Join(actions, ",") != want {
		t.Errorf("audit = %v, want %s (newest first)", actions, want)
	}
	if status, _ := sendJSON(t, a, admin, "GET", "/api/v1/admin/audit?limit=0", nil); status != http.StatusBadRequest {
		t.Errorf("limit 0: %d", status)
	}
}
