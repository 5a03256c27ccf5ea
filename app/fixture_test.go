package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/crypto/bcrypt"

	"github.com/ecopulse/ecopulse/collectors/demo"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// demoEnd is the fixed last day of the test ecosystem: tests never depend on
// the wall clock.
var demoEnd = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// seededDB returns a private copy of a demo database scored over its last
// five weeks. The demo is seeded and scored once per test binary.
func seededDB(tb testing.TB) *data.DB {
	tb.Helper()
	return datatest.Open(tb, datatest.Seeded(tb, "scored_demo", seedScoredDemo))
}

func seedScoredDemo(ctx context.Context, db *data.DB) error {
	if _, err := demo.Seed(ctx, db, demo.Options{Seed: 1, Days: 180, End: demoEnd, Members: 40}); err != nil {
		return err
	}
	_, err := NewScorer(db, config.Default().Scoring, quietLogger()).ScoreRange(ctx, demoEnd.AddDate(0, 0, -35), demoEnd)
	return err
}

func init() { bcryptCost = bcrypt.MinCost } // tests need no slow hashes

// testPassword is the password of the test accounts: one per role, named
// after the role.
func testPassword(role string) string { return "password-of-" + role }

func newTestApp(tb testing.TB, db *data.DB) *App {
	tb.Helper()
	a, err := New(config.Default(), db, quietLogger())
	if err != nil {
		tb.Fatal(err)
	}
	a.ready.Store(true)
	withTestAccounts(tb, a)
	return a
}

// withTestAccounts gives an app one account per role and logs its test
// requests in as the manager.
func withTestAccounts(tb testing.TB, a *App) {
	tb.Helper()
	db := a.db
	for _, role := range []string{domain.RoleViewer, domain.RoleManager, domain.RoleAdmin} {
		if _, err := db.UserByName(context.Background(), role); err == nil {
			continue
		}
		if _, err := AddUser(context.Background(), db, role, role, testPassword(role)); err != nil {
			tb.Fatal(err)
		}
	}
	testSessions.Store(a.Fiber(), loginAs(tb, a, domain.RoleManager))
}

// testSession is a logged-in client: its cookies and CSRF token.
type testSession struct {
	cookies []*http.Cookie
	csrf    string
}

// testSessions holds the session requests through get() carry, per app.
var testSessions sync.Map // *fiber.App → testSession

func (s testSession) apply(req *http.Request) {
	for _, c := range s.cookies {
		req.AddCookie(c)
	}
	if s.csrf != "" && req.Method != "GET" {
		req.Header.Set(csrfHeader, s.csrf)
	}
}

// collect keeps the cookies a response sets.
func (s *testSession) collect(resp *http.Response) {
	for _, c := range resp.Cookies() {
		kept := s.cookies[:0]
		for _, old := range s.cookies {
			if old.Name != c.Name {
				kept = append(kept, old)
			}
		}
		s.cookies = kept
		if c.MaxAge >= 0 && c.Value != "" {
			s.cookies = append(s.cookies, c)
		}
		if c.Name == csrfCookie {
			s.csrf = c.Value
		}
	}
}

// loginAs logs in through the login form as the test account of a role.
func loginAs(tb testing.TB, a *App, role string) testSession {
	tb.Helper()
	var s testSession
	resp, err := a.Fiber().Test(httptest.NewRequest("GET", "/login", nil), -1)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	s.collect(resp)
	form := url.Values{"name": {role}, "password": {testPassword(role)}, "csrf": {s.csrf}}
	req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	s.apply(req)
	resp, err = a.Fiber().Test(req, -1)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		tb.Fatalf("login as %s: status %d", role, resp.StatusCode)
	}
	s.collect(resp)
	return s
}

// do sends a request through the Fiber app with the app's test session.
func do(tb testing.TB, f *fiber.App, req *http.Request) *http.Response {
	tb.Helper()
	if s, ok := testSessions.Load(f); ok {
		s.(testSession).apply(req)
	}
	resp, err := f.Test(req, -1)
	if err != nil {
		tb.Fatal(err)
	}
	return resp
}

// get performs a request through the Fiber app (no network), logged in as
// the app's test session, and returns the response and its body.
func get(tb testing.TB, f *fiber.App, target string) (int, string, map[string][]string) {
	tb.Helper()
	req := httptest.NewRequest("GET", target, nil)
	if s, ok := testSessions.Load(f); ok {
		s.(testSession).apply(req)
	}
	resp, err := f.Test(req, -1)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, string(body), resp.Header
}
