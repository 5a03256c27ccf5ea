package app

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data/datatest"
)

// clientFrom is an HTTP client whose connections leave from a loopback
// address of its own (127.0.0.0/8 is all loopback), with a cookie jar.
func clientFrom(tb testing.TB, addr string) *http.Client {
	tb.Helper()
	jar, _ := cookiejar.New(nil)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(addr)}, Timeout: 5 * time.Second}
	return &http.Client{
		Jar:           jar,
		Transport:     &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       10 * time.Second,
	}
}

var csrfFieldRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// loginOver logs in over HTTP through the login form and returns the answer.
func loginOver(tb testing.TB, c *http.Client, base, name, password, accept string) (int, http.Header, string) {
	tb.Helper()
	resp, err := c.Get(base + "/login")
	if err != nil {
		tb.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfFieldRE.FindSubmatch(page)
	if m == nil {
		tb.Fatal("no CSRF field on the login page")
	}
	form := url.Values{"name": {name}, "password": {password}, "csrf": {string(m[1])}}
	req, _ := http.NewRequest("POST", base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err = c.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestRateLimitFailedLoginsPerAddress(t *testing.T) {
	cfg := config.Default()
	cfg.Auth.RateLimits.Login = config.Limit{Max: 3, Window: time.Hour}
	a := newConfiguredApp(t, datatest.MustOpenDB(t), cfg)
	base := serveTestApp(t, a)
	attacker, office, other := clientFrom(t, "127.0.0.2"), clientFrom(t, "127.0.0.3"), clientFrom(t, "127.0.0.4")

	// Different accounts, so that the per-account throttle is not what stops them.
	for i := 0; i < 3; i++ {
		if status, _, _ := loginOver(t, attacker, base, "nobody-"+strconv.Itoa(i), "wrong password", ""); status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i+1, status)
		}
	}
	status, hdr, body := loginOver(t, attacker, base, "viewer", testPassword("viewer"), "application/json")
	if status != http.StatusTooManyRequests {
		t.Fatalf("4th attempt: %d, want 429", status)
	}
	if n, err := strconv.Atoi(hdr.Get("Retry-After")); err != nil || n <= 0 || n > 3600 {
		t.Errorf("Retry-After %q, want seconds within the window", hdr.Get("Retry-After"))
	}
	var answer struct {
		Error      string `json:"error"`
		RetryAfter int    `json:"retry_after"`
	}
	if err := json.Unmarshal([]byte(body), &answer); err != nil || answer.Error == "" || answer.RetryAfter <= 0 {
		t.Errorf("429 body %q: want JSON with error and retry_after", body)
	}
	// A browser gets the login page with the reason.
	if status, _, page := loginOver(t, attacker, base, "viewer", testPassword("viewer"), "text/html,*/*"); status != http.StatusTooManyRequests || !strings.Contains(page, "Too many login attempts") {
		t.Errorf("browser: %d", status)
	}
	// Another address is not limited.
	if status, _, _ := loginOver(t, other, base, "nobody", "wrong password", ""); status != http.StatusUnauthorized {
		t.Errorf("another address: %d, want 401", status)
	}
	// Successful logins are not counted: an office behind one address logs in many times.
	for i := 0; i < 6; i++ {
		if status, _, _ := loginOver(t, office, base, "viewer", testPassword("viewer"), ""); status != http.StatusSeeOther {
			t.Fatalf("office login %d: %d", i+1, status)
		}
	}
	if !auditHas(t, a, "viewer", "login", "", false) {
		t.Error("the limited attempt is not audited")
	}
}

func TestRateLimitIngestPerToken(t *testing.T) {
	cfg := config.Default()
	cfg.Auth.RateLimits.Ingest = config.Limit{Max: 2, Window: time.Hour}
	db := datatest.MustOpenDB(t)
	a := newConfiguredApp(t, db, cfg)
	a.rateNow = func() time.Time { return time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC) } // one window for the test
	busy, calm := newToken(t, db, "busy", ""), newToken(t, db, "calm", "")
	for i := 0; i < 2; i++ {
		if status, body := post(t, a, busy, ndjson(2, demoEnd), nil); status != http.StatusAccepted {
			t.Fatalf("request %d: %d %s", i+1, status, body)
		}
	}
	status, body := post(t, a, busy, ndjson(2, demoEnd), nil)
	if status != http.StatusTooManyRequests || !strings.Contains(body, `"retry_after"`) {
		t.Fatalf("3rd request: %d %s, want 429 JSON", status, body)
	}
	if status, _ := post(t, a, calm, ndjson(2, demoEnd), nil); status != http.StatusAccepted {
		t.Errorf("another token: %d, want 202", status)
	}
	// The limited batch was not stored: 2 accepted batches + 1 of the calm token.
	if got := totalCalls(t, db, demoEnd); got != 6 {
		t.Errorf("calls stored = %d, want 6", got)
	}
	// Guessing tokens is limited per address (app.Test's address is shared).
	for i := 0; i < 2; i++ {
		if status, _ := post(t, a, "ep_guess"+strconv.Itoa(i), "{}", nil); status != http.StatusUnauthorized {
			t.Errorf("bad token %d: %d, want 401", i, status)
		}
	}
	if status, _ := post(t, a, "ep_guess", "{}", nil); status != http.StatusTooManyRequests {
		t.Errorf("third bad token from one address: %d, want 429", status)
	}
}

func TestRateLimitsCanBeTurnedOff(t *testing.T) {
	cfg := config.Default()
	cfg.Auth.RateLimits = config.RateLimitConfig{}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	a := newConfiguredApp(t, datatest.MustOpenDB(t), cfg)
	for i := 0; i < 12; i++ { // more than the default limit of 10
		if status := tryLogin(t, a, "nobody-"+strconv.Itoa(i), "wrong"); status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, status)
		}
	}
	if d := config.DefaultRateLimitConfig(); d.Login.Max <= 0 || d.Ingest.Max <= 0 {
		t.Error("rate limits are off by default")
	}
}

// The router ignores case, trailing and doubled slashes and an empty query,
// so every spelling of POST /login is a login, and each is counted.
func TestRateLimitCountsEverySpellingOfLogin(t *testing.T) {
	cfg := config.Default()
	cfg.Auth.RateLimits.Login = config.Limit{Max: 3, Window: time.Hour}
	a := newConfiguredApp(t, datatest.MustOpenDB(t), cfg)
	base := serveTestApp(t, a)
	c := clientFrom(t, "127.0.0.6")
	attempt := func(path string, i int) int {
		t.Helper()
		return wrongLoginAt(t, c, base, path, "", "nobody-"+strconv.Itoa(i))
	}
	for i, path := range []string{"/LOGIN", "/Login/", "/login//?"} {
		if status := attempt(path, i); status == http.StatusTooManyRequests || status < 400 {
			t.Fatalf("POST %s (attempt %d): %d, want a failed login", path, i+1, status)
		}
	}
	for i, path := range []string{"/login", "/LOGIN", "/Login/", "/login//?", "/lOgIn"} {
		if status := attempt(path, 10+i); status != http.StatusTooManyRequests {
			t.Errorf("POST %s after 3 failures under other spellings: %d, want 429", path, status)
		}
	}
}

// wrongLoginAt posts a wrong password for name to path (a spelling of
// /login), with the login form's CSRF token and, unless xff is "", an
// X-Forwarded-For header, and returns the status.
func wrongLoginAt(tb testing.TB, c *http.Client, base, path, xff, name string) int {
	tb.Helper()
	resp, err := c.Get(base + "/login")
	if err != nil {
		tb.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfFieldRE.FindSubmatch(page)
	if m == nil {
		tb.Fatal("no CSRF field on the login page")
	}
	form := url.Values{"name": {name}, "password": {"wrong password"}, "csrf": {string(m[1])}}
	req, _ := http.NewRequest("POST", base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	if resp, err = c.Do(req); err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
