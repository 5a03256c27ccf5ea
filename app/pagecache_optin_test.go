package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/gofiber/fiber/v2"
)

// A route that says nothing about caching is built for every request.
func TestPageCacheRouteWithoutCachePolicyIsNeverKept(t *testing.T) {
	for _, tc := range []struct {
		rule  route
		runs  int32
		cache string
	}{
		{route{method: "GET", pattern: "/*", need: accessViewer}, 3, cacheUnreachable},
		{route{method: "GET", pattern: "/*", need: accessViewer, cache: cacheNever}, 3, cacheUnreachable},
		{route{method: "GET", pattern: "/*", need: accessViewer, cache: cachePerRole}, 1, cacheHit},
	} {
		pc := newPageCache(time.Minute, 0, 1<<20, func(data.DataKind) (uint64, uint64) { return 1, 0 })
		var runs atomic.Int32
		f := testCacheAppWith(pc, tc.rule, func(c *fiber.Ctx) error {
			runs.Add(1)
			return c.SendString("page")
		})
		var last cacheResponse
		for range 3 {
			last = testCacheGet(t, f, "/page", "viewer", "someone")
		}
		if runs.Load() != tc.runs || last.header.Get(cacheHeader) != tc.cache {
			t.Errorf("cache %+v: the handler ran %d times for 3 requests (X-Cache %q), want %d (%q)",
				tc.rule.cache, runs.Load(), last.header.Get(cacheHeader), tc.runs, tc.cache)
		}
	}
}

// The key is the canonical route and the sorted query: spellings of one
// page share an entry, different pages never do.
func TestPageCacheKeyIsTheCanonicalRoute(t *testing.T) {
	pc := newPageCache(time.Minute, 0, 1<<20, func(data.DataKind) (uint64, uint64) { return 1, 0 })
	rule := route{method: "GET", pattern: "/members/:slug", need: accessViewer, cache: cachePerRoleUnlessDownload}
	var runs atomic.Int32
	f := testCacheAppWith(pc, rule, func(c *fiber.Ctx) error {
		runs.Add(1)
		return c.SendString(c.Params("slug") + " at " + c.Query("at"))
	})
	get := func(target string) cacheResponse { return testCacheGet(t, f, target, "viewer", "x") }
	first := get("/members/acme?at=2026-06-01&segment=b")
	for _, same := range []string{"/Members/acme?at=2026-06-01&segment=b", "/MEMBERS/acme/?segment=b&at=2026-06-01"} {
		if r := get(same); r.body != first.body || r.header.Get(cacheHeader) != cacheHit {
			t.Errorf("%s: %q (X-Cache %q), want the kept %q", same, r.body, r.header.Get(cacheHeader), first.body)
		}
	}
	for _, other := range []string{"/members/ACME?at=2026-06-01&segment=b", "/members/acme?at=2026-06-02&segment=b",
		"/members/acme?at=2026-06-01&at=2026-06-02&segment=b", "/members/acme?at=2026-06-02&at=2026-06-01&segment=b"} {
		if r := get(other); r.header.Get(cacheHeader) != cacheMiss {
			t.Errorf("%s: X-Cache %q, want a build of its own", other, r.header.Get(cacheHeader))
		}
	}
	// A download (?format=) is built every time: each one is audited.
	before := runs.Load()
	get("/members/acme?format=csv")
	get("/members/acme?format=csv")
	if got := runs.Load() - before; got != 2 {
		t.Errorf("two downloads ran the handler %d times, want 2", got)
	}
}

// The routes that are per user or per session never opt in; every route
// that does is a GET for signed-in viewers.
func TestPageCachePolicyOptsInOnlySharedPages(t *testing.T) {
	table := newTestApp(t, datatest.MustOpenDB(t)).routes()
	for _, r := range table {
		if r.cache == cacheNever {
			continue
		}
		if r.method != "GET" || r.need == accessPublic || r.need == accessToken {
			t.Errorf("%s %s (%s) is cached", r.method, r.pattern, r.need)
		}
		for _, personal := range []string{"/api/v1/me", "/admin", "/api/v1/admin", "/login", "/logout", "/sources", "/api/v1/sources", "/members.csv", "/account"} {
			if r.pattern == personal || strings.HasPrefix(r.pattern, personal+"/") {
				t.Errorf("%s %s is per user, per session or live, and is cached", r.method, r.pattern)
			}
		}
	}
	if rule, ok := table.match("GET", "/members"); !ok || !rule.cache.perRole {
		t.Errorf("GET /members: %+v, want it kept per role", rule)
	}
}

var adminCSRFFieldRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// The review's finding: two users of the same role, asking for their own
// pages under mixed-case paths, each get their own — not the other's name
// or CSRF token.
func TestPerUserPagesAreNotSharedWithinARole(t *testing.T) {
	db := seededDB(t)
	a := newTestApp(t, db)
	ctx := context.Background()
	for _, u := range []struct{ name, role string }{{"viewer2", domain.RoleViewer}, {"admin2", domain.RoleAdmin}} {
		if _, err := AddUser(ctx, db, u.name, u.role, testPassword(u.role)); err != nil {
			t.Fatal(err)
		}
	}
	login := func(name, role string) testSession {
		s := loginAs(t, a, role)
		if name == role {
			return s
		}
		// loginAs logs in the account named after the role: log in the
		// second account the same way, by name.
		return loginNamed(t, a, name, testPassword(role))
	}
	for _, path := range []string{"/api/v1/me", "/API/V1/ME", "/Api/v1/Me/"} {
		for _, name := range []string{"viewer", "viewer2"} {
			s := login(name, domain.RoleViewer)
			r := sendAs(t, a, s, httptest.NewRequest("GET", path, nil))
			var me struct {
				Name string `json:"name"`
			}
			if err := json.Unmarshal([]byte(r.body), &me); err != nil || me.Name != name {
				t.Errorf("%s as %s: %d %q, want %s's own", path, name, r.status, r.body, name)
			}
		}
	}
	for _, path := range []string{"/admin/users", "/Admin/users", "/ADMIN/USERS/"} {
		for _, name := range []string{"admin", "admin2"} {
			s := login(name, domain.RoleAdmin)
			r := sendAs(t, a, s, httptest.NewRequest("GET", path, nil))
			m := adminCSRFFieldRE.FindStringSubmatch(r.body)
			if r.status != http.StatusOK || m == nil || m[1] != s.csrf {
				t.Errorf("%s as %s: %d, CSRF field %v, want the session's own %q", path, name, r.status, m, s.csrf)
			}
		}
	}
}

// loginNamed logs in through the login form as any account (loginAs logs
// in the account named after a role).
func loginNamed(tb testing.TB, a *App, name, password string) testSession {
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
	if resp, err = a.Fiber().Test(req, -1); err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		tb.Fatalf("login as %s: status %d", name, resp.StatusCode)
	}
	s.collect(resp)
	return s
}
