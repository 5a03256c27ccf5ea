package app

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func TestChangeOwnPassword(t *testing.T) {
	a := newLoginTestApp(t)
	here := loginWith(t, a, "viewer", testPassword("viewer"))
	elsewhere := loginWith(t, a, "viewer", testPassword("viewer"))

	status, _, page := fetch(t, a, here, "/account/password")
	if status != 200 || !strings.Contains(page, `name="current"`) || !strings.Contains(page, `name="repeat"`) {
		t.Fatalf("the page: %d", status)
	}
	for name, form := range map[string]url.Values{
		"wrong current":  {"current": {"not my password"}, "new": {"new-password-1"}, "repeat": {"new-password-1"}},
		"repeat differs": {"current": {testPassword("viewer")}, "new": {"new-password-1"}, "repeat": {"new-password-2"}},
		"too short":      {"current": {testPassword("viewer")}, "new": {"short"}, "repeat": {"short"}},
		"unchanged":      {"current": {testPassword("viewer")}, "new": {testPassword("viewer")}, "repeat": {testPassword("viewer")}},
	} {
		if status, _, body := postForm(t, a, here, "/account/password", form); status != http.StatusBadRequest || !strings.Contains(body, `role="alert"`) {
			t.Errorf("%s: %d, want 400 and the page with the error", name, status)
		}
	}
	if !auditHas(t, a, "viewer", "user.password", "viewer", false) {
		t.Error("a refused change is not audited")
	}
	// Without the CSRF token: refused by the gate.
	if status, _ := sendJSON(t, a, testSession{cookies: here.cookies}, "POST", "/api/v1/me/password", map[string]string{"current": testPassword("viewer"), "new": "new-password-1"}); status != http.StatusForbidden {
		t.Errorf("without CSRF token: %d, want 403", status)
	}
	status, _, body := postForm(t, a, here, "/account/password", url.Values{"current": {testPassword("viewer")}, "new": {"new-password-1"}, "repeat": {"new-password-1"}})
	if status != 200 || !strings.Contains(body, "password is changed") {
		t.Fatalf("change: %d", status)
	}
	if status, _ := sendJSON(t, a, here, "GET", "/api/v1/me", nil); status != 200 {
		t.Errorf("the session that changed the password: %d, want it kept", status)
	}
	if status, _ := sendJSON(t, a, elsewhere, "GET", "/api/v1/me", nil); status != http.StatusUnauthorized {
		t.Errorf("another session of the account: %d, want 401 (ended)", status)
	}
	if status := tryLogin(t, a, "viewer", testPassword("viewer")); status != http.StatusUnauthorized {
		t.Errorf("the old password: %d", status)
	}
	again := loginWith(t, a, "viewer", "new-password-1")
	// JSON twin.
	if status, body := sendJSON(t, a, again, "POST", "/api/v1/me/password", map[string]string{"current": "new-password-1", "new": "new-password-2"}); status != 200 {
		t.Errorf("JSON change: %d %s", status, body)
	}
	loginWith(t, a, "viewer", "new-password-2")
	if !auditHas(t, a, "viewer", "user.password", "viewer", true) {
		t.Error("the change is not audited")
	}
}

func TestAdminResetForcesANewPassword(t *testing.T) {
	a := newLoginTestApp(t)
	admin := loginAs(t, a, domain.RoleAdmin)
	before := loginWith(t, a, "viewer", testPassword("viewer"))

	if status, _ := sendJSON(t, a, admin, "POST", "/api/v1/admin/users/admin/password", map[string]string{}); status != http.StatusBadRequest {
		t.Errorf("reset one's own password: %d, want 400 (use /account/password)", status)
	}
	status, body := sendJSON(t, a, admin, "POST", "/api/v1/admin/users/viewer/password", map[string]string{})
	reset := decode[struct {
		Password   string `json:"password"`
		MustChange bool   `json:"must_change_password"`
	}](t, body)
	if status != 200 || len(reset.Password) < minPasswordLen || !reset.MustChange {
		t.Fatalf("reset: %d %s", status, body)
	}
	if status, _ := sendJSON(t, a, before, "GET", "/api/v1/me", nil); status != http.StatusUnauthorized {
		t.Errorf("the user's session outlived the reset: %d", status)
	}
	if !auditHas(t, a, "admin", "user.password.reset", "viewer", true) {
		t.Error("the reset is not audited")
	}
	entries, _ := a.db.AuditLog(t.Context(), 50)
	for _, e := range entries {
		if strings.Contains(e.Detail, reset.Password) {
			t.Errorf("the temporary password is in the audit log: %+v", e)
		}
	}

	// The user logs in with it, and is sent to change it before anything else.
	s, status := loginAttempt(t, a, "viewer", reset.Password)
	if status != http.StatusSeeOther {
		t.Fatalf("login with the temporary password: %d", status)
	}
	if status, loc, _ := get3(t, a, s, "/members"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/account/password") {
		t.Errorf("a page before the change: %d → %q, want a redirect to /account/password", status, loc)
	}
	if status, body := sendJSON(t, a, s, "GET", "/api/v1/overview", nil); status != http.StatusForbidden || !strings.Contains(body, "new password") {
		t.Errorf("an API call before the change: %d %s, want 403 saying why", status, body)
	}
	if status, _, page := fetch(t, a, s, "/account/password"); status != 200 || !strings.Contains(page, "choose your own") {
		t.Errorf("the change page: %d", status)
	}
	if status, body := sendJSON(t, a, s, "POST", "/api/v1/me/password", map[string]string{"current": reset.Password, "new": "my-own-password"}); status != 200 {
		t.Fatalf("change: %d %s", status, body)
	}
	if status, _ := sendJSON(t, a, s, "GET", "/api/v1/overview", nil); status != 200 {
		t.Errorf("after the change: %d, want 200", status)
	}

	// The page button: the users page shows the temporary password once.
	status, _, page := postForm(t, a, admin, "/admin/users/manager/password", url.Values{})
	if status != 200 || !regexp.MustCompile(`class="token-secret">[^<]{10,}<`).MatchString(page) {
		t.Errorf("reset from the page: %d, no temporary password shown", status)
	}
}

// get3 sends a GET with a session and returns status, Location and body.
func get3(tb testing.TB, a *App, s testSession, target string) (int, string, string) {
	tb.Helper()
	req, _ := http.NewRequest("GET", target, nil)
	s.apply(req)
	resp, err := a.Fiber().Test(req, -1)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), b.String()
}

// TestFirstAdminMustChangeTheGeneratedPassword: the password printed once
// to the log works only to choose another.
func TestFirstAdminMustChangeTheGeneratedPassword(t *testing.T) {
	var logged bytes.Buffer
	a, err := New(config.Default(), datatest.MustOpenDB(t), slog.New(slog.NewTextHandler(&logged, nil)))
	if err != nil {
		t.Fatal(err)
	}
	a.ready.Store(true)
	if err := a.ensureAccounts(t.Context()); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`password=(\S+)`).FindStringSubmatch(logged.String())
	if m == nil {
		t.Fatalf("no password in the log:\n%s", logged.String())
	}
	s, status := loginAttempt(t, a, "admin", m[1])
	if status != http.StatusSeeOther {
		t.Fatalf("first login: %d", status)
	}
	if status, loc, _ := get3(t, a, s, "/admin/users"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/account/password") {
		t.Errorf("the first admin before changing the password: %d → %q", status, loc)
	}
}

// TestDemoAccountLivesOnlyWithTheDemo (finding 11).
func TestDemoAccountLivesOnlyWithTheDemo(t *testing.T) {
	a := newLoginTestApp(t)
	ctx := t.Context()
	a.demo = &demoFeed{}
	if err := a.ensureAccounts(ctx); err != nil {
		t.Fatal(err)
	}
	s := loginWith(t, a, demoUser, demoPassword)

	a.demo = nil // the next start, without --demo
	if err := a.ensureAccounts(ctx); err != nil {
		t.Fatal(err)
	}
	if status := tryLogin(t, a, demoUser, demoPassword); status != http.StatusUnauthorized {
		t.Errorf("demo/demo without --demo: %d, want 401", status)
	}
	if status, _ := sendJSON(t, a, s, "GET", "/api/v1/me", nil); status != http.StatusUnauthorized {
		t.Errorf("a demo session outlived the demo: %d", status)
	}
	if !auditHas(t, a, "system", "user.disable", demoUser, true) {
		t.Error("disabling the demo account is not audited")
	}

	a.demo = &demoFeed{} // --demo again
	if err := a.ensureAccounts(ctx); err != nil {
		t.Fatal(err)
	}
	loginWith(t, a, demoUser, demoPassword)

	// An account of someone's own named demo (not the demo password) is left alone.
	b := newLoginTestApp(t)
	if _, err := AddUser(ctx, b.db, demoUser, domain.RoleViewer, "a real password"); err != nil {
		t.Fatal(err)
	}
	if err := b.ensureAccounts(ctx); err != nil {
		t.Fatal(err)
	}
	loginWith(t, b, demoUser, "a real password")
}

func TestUserPasswdCommand(t *testing.T) {
	db := datatest.MustOpenDB(t)
	a := newTestApp(t, db)
	s := loginAs(t, a, domain.RoleViewer)
	var out bytes.Buffer
	env := &Env{Config: config.Default(), Log: quietLogger(), Out: &out}
	env.Config.DB = db.Path()
	if err := UserSetPassword(t.Context(), env, "viewer", "short"); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("a short password: %v, want EINVALID", err)
	}
	if err := UserSetPassword(t.Context(), env, "nobody", "long-enough-1"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("no such user: %v", err)
	}
	if err := UserSetPassword(t.Context(), env, "viewer", "long-enough-1"); err != nil {
		t.Fatal(err)
	}
	if status, _ := sendJSON(t, a, s, "GET", "/api/v1/me", nil); status != http.StatusUnauthorized {
		t.Errorf("a session outlived `user passwd`: %d", status)
	}
	loginWith(t, a, "viewer", "long-enough-1")
	if entries, _ := db.AuditQuery(t.Context(), data.AuditFilter{Actor: "cli", Action: "user.password"}); len(entries) != 1 {
		t.Errorf("audit: %d entries, want 1", len(entries))
	}
}

// TestDestructiveActionsAskForConfirmation: delete, disable and revoke
// forms carry data-confirm, which the static JS turns into a question (the
// CSP allows no inline script); the actions stay audited.
func TestDestructiveActionsAskForConfirmation(t *testing.T) {
	a := newLoginTestApp(t)
	admin := loginAs(t, a, domain.RoleAdmin)
	if status, _ := sendJSON(t, a, admin, "POST", "/api/v1/admin/tokens", map[string]string{"name": "gw"}); status != http.StatusCreated {
		t.Fatal(status)
	}
	_, _, users := fetch(t, a, admin, "/admin/users")
	_, _, tokens := fetch(t, a, admin, "/admin/tokens")
	for what, re := range map[string]string{
		"delete":  `action="/admin/users/viewer/delete" class="inline-form" data-confirm="[^"]+"`,
		"disable": `action="/admin/users/viewer/disable" class="inline-form" data-confirm="[^"]+"`,
		"reset":   `action="/admin/users/viewer/password" class="inline-form" data-confirm="[^"]+"`,
	} {
		if !regexp.MustCompile(re).MatchString(users) {
			t.Errorf("the %s form asks no confirmation", what)
		}
	}
	if !regexp.MustCompile(`action="/admin/tokens/gw/revoke" class="inline-form" data-confirm="[^"]+"`).MatchString(tokens) {
		t.Error("the revoke form asks no confirmation")
	}
	js, err := os.ReadFile("../views/static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), "getAttribute('data-confirm')") || !strings.Contains(string(js), "window.confirm(") {
		t.Error("app.js does not handle data-confirm")
	}
	postForm(t, a, admin, "/admin/users/viewer/disable", url.Values{})
	postForm(t, a, admin, "/admin/tokens/gw/revoke", url.Values{})
	postForm(t, a, admin, "/admin/users/viewer/delete", url.Values{})
	for _, action := range []string{"user.disable", "token.revoke", "user.delete"} {
		target := "viewer"
		if action == "token.revoke" {
			target = "gw"
		}
		if !auditHas(t, a, "admin", action, target, true) {
			t.Errorf("%s is not audited", action)
		}
	}
}
