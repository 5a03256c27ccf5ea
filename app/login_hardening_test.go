package app

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// newLoginTestApp is a test app without the per-address rate limit of
// failed logins, so that the throttle itself is what the tests see.
func newLoginTestApp(tb testing.TB) *App {
	tb.Helper()
	cfg := config.Default()
	cfg.Auth.RateLimits.Login.Max = 0
	return newConfiguredApp(tb, datatest.MustOpenDB(tb), cfg)
}

// loginPageToken fetches the login page as a new visitor: its cookies and
// the form's CSRF token.
func loginPageToken(tb testing.TB, a *App) testSession {
	tb.Helper()
	var s testSession
	resp, err := a.Fiber().Test(httptest.NewRequest("GET", "/login", nil), -1)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	s.collect(resp)
	return s
}

// postLogin posts the login form with s's cookies (and no CSRF header: the
// token, if any, is in form).
func postLogin(tb testing.TB, a *App, s testSession, target string, form url.Values) (*http.Response, string) {
	tb.Helper()
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
	return resp, string(b)
}

func failedLoginRows(tb testing.TB, a *App) (rows int, total int64, longest int) {
	tb.Helper()
	entries, err := a.db.AuditQuery(tb.Context(), data.AuditFilter{Action: "login", Limit: data.AuditMaxLimit})
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		if !e.OK {
			rows++
			total += e.Count
			longest = max(longest, len(e.Actor), len(e.Detail))
		}
	}
	return rows, total, longest
}

// TestOversizedLoginFieldsAreRefusedFirst (finding 1): a huge name, password
// or next is refused with 400 and the login page, before the throttle, the
// audit log or the database see it.
func TestOversizedLoginFieldsAreRefusedFirst(t *testing.T) {
	a := newLoginTestApp(t)
	sessionsBefore, _ := a.db.Sessions().CountSessions(t.Context())
	// (Bodies over the server's body limit are refused earlier still, 413.)
	for field, size := range map[string]int{"name": 4 << 10, "password": maxLoginPasswordLen + 1, "next": maxNextLen + 1} {
		s := loginPageToken(t, a)
		form := url.Values{"name": {"admin"}, "password": {"wrong password"}, "next": {"/"}, "csrf": {s.csrf}}
		form.Set(field, "/"+strings.Repeat("x", size))
		resp, body := postLogin(t, a, s, "/login", form)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Too long") || !strings.Contains(body, `action="/login"`) {
			t.Errorf("%s of %d bytes: %d, want 400 and the login page with an error", field, size, resp.StatusCode)
		}
		if len(body) > 64<<10 {
			t.Errorf("%s of %d bytes: the answer has %d bytes (the field echoed?)", field, size, len(body))
		}
	}
	if n := a.throttle.size(t.Context()); n != 0 {
		t.Errorf("the throttle keeps %d keys after refused oversized logins, want 0", n)
	}
	if rows, _, _ := failedLoginRows(t, a); rows != 0 {
		t.Errorf("%d failed-login audit rows for refused oversized logins, want 0", rows)
	}
	if n, _ := a.db.Sessions().CountSessions(t.Context()); n != sessionsBefore {
		t.Errorf("sessions %d → %d", sessionsBefore, n)
	}
}

// TestThrottleKeysAreBounded (finding 1): distinct names cannot grow the
// throttle's rows without bound, a look-up stores nothing, and quiet keys
// are forgotten (their rows deleted by a later failure).
func TestThrottleKeysAreBounded(t *testing.T) {
	ctx := t.Context()
	db := datatest.MustOpenDB(t)
	const bound = 40
	th := throttle{db: db, secret: &cachedSecret{}, maxKeys: bound}
	now := time.Now()
	for i := range bound + 30 {
		if err := th.fail(ctx, "name-"+strconv.Itoa(i), "192.0.2."+strconv.Itoa(i%5), now); err != nil {
			t.Fatal(err)
		}
	}
	if n := th.size(ctx); n > bound {
		t.Errorf("%d keys after %d distinct names, want at most %d", n, bound+30, bound)
	}

	fresh := throttle{db: datatest.MustOpenDB(t), secret: &cachedSecret{}}
	for i := range 100 {
		if _, _, err := fresh.blocked(ctx, "name-"+strconv.Itoa(i), "192.0.2.1", now); err != nil {
			t.Fatal(err)
		}
	}
	if n := fresh.size(ctx); n != 0 {
		t.Errorf("%d keys after 100 look-ups without a failure, want 0", n)
	}

	// Quiet keys are forgotten: they block nothing, and the next failure
	// deletes their rows.
	if err := fresh.fail(ctx, "a", "192.0.2.1", now); err != nil {
		t.Fatal(err)
	}
	later := now.Add(2 * throttleWindow)
	if blocked, _, _ := fresh.blocked(ctx, "a", "192.0.2.1", later); blocked {
		t.Error("a failure two windows ago still blocks")
	}
	if err := fresh.fail(ctx, "b", "192.0.2.2", later); err != nil {
		t.Fatal(err)
	}
	if n := fresh.size(ctx); n != 2 {
		t.Errorf("%d keys after a failure two windows after the only other one, want 2 (its own)", n)
	}
}

// TestFailedLoginsAreCountedOnOneAuditRow (finding 1): a guesser adds a row
// per name, reason and address, not a row per try, and a long name is cut.
func TestFailedLoginsAreCountedOnOneAuditRow(t *testing.T) {
	a := newLoginTestApp(t)
	long := strings.Repeat("n", maxLoginNameLen)
	for range 30 {
		for _, name := range []string{"admin", long} {
			s := loginPageToken(t, a)
			resp, _ := postLogin(t, a, s, "/login", url.Values{"name": {name}, "password": {"wrong password"}, "csrf": {s.csrf}})
			if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("failed login: %d", resp.StatusCode)
			}
		}
	}
	rows, total, longest := failedLoginRows(t, a)
	if rows > 4 || total != 60 {
		t.Errorf("60 failed logins of 2 names from one address: %d rows counting %d, want at most 4 rows (wrong, throttled) counting 60", rows, total)
	}
	if longest > data.AuditFieldMax {
		t.Errorf("an audit field of %d bytes, want at most %d", longest, data.AuditFieldMax)
	}
}

// TestAuditPagesAreBounded (finding 1): the audit page and its JSON show at
// most one bounded page, with a link to the next.
func TestAuditPagesAreBounded(t *testing.T) {
	a := newLoginTestApp(t)
	for i := range 1200 {
		if err := a.db.Audit(t.Context(), data.AuditEntry{Actor: "x" + strconv.Itoa(i), Action: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	admin := loginAs(t, a, domain.RoleAdmin)
	if status, _ := sendJSON(t, a, admin, "GET", "/api/v1/admin/audit?limit=100000", nil); status != http.StatusBadRequest {
		t.Errorf("limit 100000: %d, want 400", status)
	}
	status, body := sendJSON(t, a, admin, "GET", "/api/v1/admin/audit", nil)
	page := decode[struct {
		Entries []data.AuditEntry `json:"entries"`
		Next    int64             `json:"next_before"`
	}](t, body)
	if status != 200 || len(page.Entries) != data.AuditDefaultLimit || page.Next == 0 {
		t.Fatalf("first page: %d, %d entries, next %d", status, len(page.Entries), page.Next)
	}
	seen := len(page.Entries)
	for page.Next != 0 {
		_, body = sendJSON(t, a, admin, "GET", "/api/v1/admin/audit?limit=1000&before="+strconv.FormatInt(page.Next, 10), nil)
		page = decode[struct {
			Entries []data.AuditEntry `json:"entries"`
			Next    int64             `json:"next_before"`
		}](t, body)
		seen += len(page.Entries)
	}
	if seen < 1200 {
		t.Errorf("paging saw %d entries, want all 1200+", seen)
	}
	status, _, html := fetch(t, a, admin, "/admin/audit")
	if rows := strings.Count(html, "<tr data-action="); status != 200 || rows != data.AuditDefaultLimit || !strings.Contains(html, `rel="next"`) {
		t.Errorf("audit page: %d, %d rows, next link %v; want %d rows and a next link", status, rows, strings.Contains(html, `rel="next"`), data.AuditDefaultLimit)
	}
}

// TestAnonymousLoginPagesStoreNoSession (finding 3).
func TestAnonymousLoginPagesStoreNoSession(t *testing.T) {
	a := newLoginTestApp(t)
	before, err := a.db.Sessions().CountSessions(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for range 1000 {
		resp, err := a.Fiber().Test(httptest.NewRequest("GET", "/login", nil), -1)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET /login: %v %v", resp, err)
		}
		resp.Body.Close()
	}
	if after, _ := a.db.Sessions().CountSessions(t.Context()); after != before {
		t.Errorf("1000 anonymous GET /login: sessions %d → %d, want no new row", before, after)
	}
	// The login still works, and stores exactly one session.
	s := loginWith(t, a, "viewer", testPassword("viewer"))
	if status, _ := sendJSON(t, a, s, "GET", "/api/v1/me", nil); status != 200 {
		t.Errorf("after login: /api/v1/me %d", status)
	}
	if after, _ := a.db.Sessions().CountSessions(t.Context()); after != before+1 {
		t.Errorf("a login: sessions %d → %d, want one more", before, after)
	}
}

// TestLoginCSRFIsASignedDoubleSubmitCookie (finding 3): the login POST needs
// the page's token in the form body (or header), equal to the cookie and
// signed by this server.
func TestLoginCSRFIsASignedDoubleSubmitCookie(t *testing.T) {
	a := newLoginTestApp(t)
	good := loginPageToken(t, a)
	nonce, _, _ := strings.Cut(good.csrf, ".")
	forged := nonce + ".AAAA" // the right shape, a wrong signature
	other := loginPageToken(t, a)
	withCookie := func(tok string) testSession {
		return testSession{cookies: []*http.Cookie{{Name: csrfCookie, Value: tok}}}
	}
	creds := func(tok string) url.Values {
		v := url.Values{"name": {"viewer"}, "password": {testPassword("viewer")}}
		if tok != "" {
			v.Set("csrf", tok)
		}
		return v
	}
	for name, tc := range map[string]struct {
		s      testSession
		target string
		form   url.Values
	}{
		"no token":                     {good, "/login", creds("")},
		"no cookie":                    {testSession{}, "/login", creds(good.csrf)},
		"forged, cookie and field":     {withCookie(forged), "/login", creds(forged)},
		"made up, cookie and field":    {withCookie("x.y"), "/login", creds("x.y")},
		"field of another visitor":     {good, "/login", creds(other.csrf)},
		"token in the query string":    {good, "/login?csrf=" + url.QueryEscape(good.csrf), creds("")},
		"an old key's token, restored": {withCookie(signedWith([]byte("another server's key"), nonce)), "/login", creds(signedWith([]byte("another server's key"), nonce))},
	} {
		if resp, _ := postLogin(t, a, tc.s, tc.target, tc.form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", name, resp.StatusCode)
		}
	}
	if resp, _ := postLogin(t, a, good, "/login", creds(good.csrf)); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the page's own token: %d, want 303", resp.StatusCode)
	}
	// The key is kept in the database: a restarted server (a new App on the
	// same database) accepts the tokens of pages served before.
	b, err := New(config.Default(), a.db, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	b.ready.Store(true)
	page := loginPageToken(t, a)
	if resp, _ := postLogin(t, b, page, "/login", creds(page.csrf)); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a token of the page before a restart: %d, want 303", resp.StatusCode)
	}
}

func signedWith(key []byte, nonce string) string { return nonce + "." + signNonce(key, nonce) }

// TestCSRFTokenOnlyFromHeaderOrBody (finding 15): fasthttp's FormValue also
// reads the query string; a token there is refused.
func TestCSRFTokenOnlyFromHeaderOrBody(t *testing.T) {
	a := newLoginTestApp(t)
	s := loginWith(t, a, "viewer", testPassword("viewer"))
	req := httptest.NewRequest("POST", "/logout?csrf="+url.QueryEscape(s.csrf), nil)
	for _, c := range s.cookies {
		req.AddCookie(c)
	}
	resp, _ := a.Fiber().Test(req, -1)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("CSRF token in the query string: %d, want 403", resp.StatusCode)
	}
	status, _, _ := postForm(t, a, s, "/logout", url.Values{})
	if status != http.StatusSeeOther {
		t.Errorf("CSRF token in the form body: %d, want 303", status)
	}
}

// TestStrangerCannotLockOutTheAdmin (finding 9): 50 failures from one
// address delay that address, more and more, but the admin logs in from
// another; and one address cannot try many names either.
func TestStrangerCannotLockOutTheAdmin(t *testing.T) {
	a := newLoginTestApp(t)
	clock := time.Now()
	a.throttle.clock = func() time.Time { return clock }
	base := serveTestApp(t, a)
	attacker, owner := clientFrom(t, "127.0.0.2"), clientFrom(t, "127.0.0.3")

	failures, lastWait, firstWait := 0, 0, 0
	for range 50 {
		status, hdr, _ := loginOver(t, attacker, base, "admin", "wrong password", "")
		switch status {
		case http.StatusUnauthorized:
			failures++
		case http.StatusTooManyRequests:
			wait, err := strconv.Atoi(hdr.Get("Retry-After"))
			if err != nil || wait < lastWait || wait > int(throttleMaxDelay/time.Second)+1 {
				t.Fatalf("Retry-After %q after %d s: want growing, at most the cap", hdr.Get("Retry-After"), lastWait)
			}
			if firstWait == 0 {
				firstWait = wait
			}
			lastWait = wait
			clock = clock.Add(time.Duration(wait) * time.Second) // the attacker waits, then tries again
		default:
			t.Fatalf("attempt from the attacker: %d", status)
		}
	}
	if failures < throttleFreeFailures+2 || lastWait <= firstWait {
		t.Errorf("%d failures, Retry-After %d s → %d s: want the delay to grow", failures, firstWait, lastWait)
	}
	loginOver(t, attacker, base, "admin", "wrong password", "") // the clock was moved past the last delay
	if status, _, _ := loginOver(t, attacker, base, "admin", testPassword("admin"), ""); status != http.StatusTooManyRequests {
		t.Errorf("the attacker's address with the right password right after a failure: %d, want 429", status)
	}
	if status, _, _ := loginOver(t, owner, base, "admin", testPassword("admin"), ""); status != http.StatusSeeOther {
		t.Errorf("the admin from another address: %d, want 303 (logged in)", status)
	}

	// One address trying many names: the per-address limit.
	spray := clientFrom(t, "127.0.0.4")
	for i := range maxAddressFailures {
		if status, _, _ := loginOver(t, spray, base, "nobody-"+strconv.Itoa(i), "wrong password", ""); status != http.StatusUnauthorized {
			t.Fatalf("spray %d: %d", i, status)
		}
	}
	if status, _, _ := loginOver(t, spray, base, "viewer", testPassword("viewer"), ""); status != http.StatusTooManyRequests {
		t.Errorf("after %d failures of many names from one address: %d, want 429", maxAddressFailures, status)
	}
}
