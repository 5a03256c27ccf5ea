package app

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/views"
)

// overlap holds the builds of a page cache until n requests have arrived:
// each request reports once, when it starts a build or when it starts
// waiting for one, so the n requests overlap for sure, without sleeps.
// Builds started after the release (by requests whose shared build was not
// kept) are counted and go through.
type overlap struct {
	arrived chan string // "build KEY" or "wait KEY"
	release chan struct{}
	builds  atomic.Int32
	waits   atomic.Int32
}

func holdBuilds(tb testing.TB, pc *pageCache, n int) *overlap {
	tb.Helper()
	o := &overlap{arrived: make(chan string, 4*n), release: make(chan struct{})}
	pc.onBuild = func(key string) {
		o.builds.Add(1)
		o.arrived <- "build " + key
		<-o.release
	}
	pc.onWait = func(key string) {
		o.waits.Add(1)
		o.arrived <- "wait " + key
	}
	tb.Cleanup(func() { pc.onBuild, pc.onWait = nil, nil })
	return o
}

// await waits until n requests have arrived, and returns what each did.
func (o *overlap) await(tb testing.TB, n int) []string {
	tb.Helper()
	var got []string
	for len(got) < n {
		select {
		case e := <-o.arrived:
			got = append(got, e)
		case <-time.After(time.Minute): // a guard against a hang, not a timing assertion
			tb.Fatalf("only %d of %d requests reached the page cache: %q", len(got), n, got)
		}
	}
	return got
}

type cacheResponse struct {
	status  int
	body    string
	header  http.Header
	cookies []*http.Cookie
}

// concurrentGets sends n GETs of target at once, with session s.
func concurrentGets(tb testing.TB, a *App, s testSession, target string, n int) (chan cacheResponse, *sync.WaitGroup) {
	tb.Helper()
	out := make(chan cacheResponse, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			out <- sendAs(tb, a, s, httptest.NewRequest("GET", target, nil))
		})
	}
	return out, &wg
}

// sendAs sends a request with session s (safe from any goroutine: it
// reports errors with Error, not Fatal).
func sendAs(tb testing.TB, a *App, s testSession, req *http.Request) cacheResponse {
	s.apply(req)
	resp, err := a.Fiber().Test(req, -1)
	if err != nil {
		tb.Error(err)
		return cacheResponse{}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Error(err)
	}
	return cacheResponse{resp.StatusCode, string(b), resp.Header, resp.Cookies()}
}

func collect(out chan cacheResponse, wg *sync.WaitGroup) []cacheResponse {
	wg.Wait()
	close(out)
	var rs []cacheResponse
	for r := range out {
		rs = append(rs, r)
	}
	return rs
}

func countPrefix(events []string, prefix string) int {
	n := 0
	for _, e := range events {
		if strings.HasPrefix(e, prefix) {
			n++
		}
	}
	return n
}

func TestPageCacheConcurrentMissesBuildOnce(t *testing.T) {
	db := seededDB(t)
	a := newTestApp(t, db)
	viewer := loginAs(t, a, "viewer")
	s, err := views.BuildScores(context.Background(), db, demoEnd)
	if err != nil {
		t.Fatal(err)
	}
	slug := s.Members[0].Slug
	const n = 8
	for _, target := range []string{"/members", "/api/v1/members", "/members/" + slug, "/api/v1/members/" + slug, "/", "/api/v1/overview", "/api/v1/scores"} {
		t.Run(target, func(t *testing.T) {
			o := holdBuilds(t, a.pages, n)
			out, wg := concurrentGets(t, a, viewer, target, n)
			events := o.await(t, n)
			if got, want := countPrefix(events, "build"), 1; got != want {
				t.Errorf("%d requests at once started %d builds, want %d: %q", n, got, want, events)
			}
			close(o.release)
			rs := collect(out, wg)
			if got, want := len(rs), n; got != want {
				t.Fatalf("%d responses, want %d", got, want)
			}
			if got, want := o.builds.Load(), int32(1); got != want {
				t.Errorf("builds after the release: %d, want %d", got, want)
			}
			misses := 0
			for _, r := range rs {
				if got, want := r.status, http.StatusOK; got != want {
					t.Fatalf("status %d, want %d: %.200s", got, want, r.body)
				}
				if r.body != rs[0].body || r.body == "" {
					t.Errorf("bodies differ (%d and %d bytes)", len(r.body), len(rs[0].body))
				}
				if got, want := r.header.Get("Content-Type"), rs[0].header.Get("Content-Type"); got != want || got == "" {
					t.Errorf("Content-Type %q, want %q", got, want)
				}
				if got, want := r.header.Get("Content-Security-Policy"), contentSecurityPolicy; got != want {
					t.Errorf("Content-Security-Policy %q, want ours", got)
				}
				switch r.header.Get(cacheHeader) {
				case cacheMiss:
					misses++
				case cacheHit:
				default:
					t.Errorf("X-Cache %q", r.header.Get(cacheHeader))
				}
			}
			if got, want := misses, 1; got != want {
				t.Errorf("X-Cache: %d misses, want %d (the others are served the build's response)", got, want)
			}
			// The page is kept: one more request builds nothing.
			if r := sendAs(t, a, viewer, httptest.NewRequest("GET", target, nil)); r.header.Get(cacheHeader) != cacheHit || r.body != rs[0].body {
				t.Errorf("a later request: X-Cache %q, same body %v; want a hit", r.header.Get(cacheHeader), r.body == rs[0].body)
			}
			if got, want := o.builds.Load(), int32(1); got != want {
				t.Errorf("builds: %d, want %d", got, want)
			}
		})
	}
}

// The response served to the requests that waited is the build's, but
// the cookies are each request's own: the session's CSRF cookie is set by
// the gate before the cache.
func TestPageCacheCookiesStayWithTheirRequest(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	sessions := []testSession{loginAs(t, a, "viewer"), loginAs(t, a, "viewer"), loginAs(t, a, "viewer")}
	if sessions[0].csrf == sessions[1].csrf || sessions[0].csrf == "" {
		t.Fatalf("two logins share the CSRF token %q", sessions[0].csrf)
	}
	o := holdBuilds(t, a.pages, len(sessions))
	out := make(chan struct {
		s testSession
		r cacheResponse
	}, len(sessions))
	var wg sync.WaitGroup
	for _, s := range sessions {
		wg.Go(func() {
			out <- struct {
				s testSession
				r cacheResponse
			}{s, sendAs(t, a, s, httptest.NewRequest("GET", "/members", nil))}
		})
	}
	o.await(t, len(sessions))
	close(o.release)
	wg.Wait()
	close(out)
	for sr := range out {
		var got string
		for _, c := range sr.r.cookies {
			if c.Name == csrfCookie {
				got = c.Value
			}
		}
		if want := sr.s.csrf; got != want {
			t.Errorf("X-Cache %s: CSRF cookie %q, want the session's own %q", sr.r.header.Get(cacheHeader), got, want)
		}
	}
	// A hit, too.
	r := sendAs(t, a, sessions[2], httptest.NewRequest("GET", "/members", nil))
	if got, want := r.header.Get(cacheHeader), cacheHit; got != want {
		t.Fatalf("X-Cache %q, want %q", got, want)
	}
	for _, c := range r.cookies {
		if c.Name == csrfCookie && c.Value != sessions[2].csrf {
			t.Errorf("hit: CSRF cookie %q, want the session's own %q", c.Value, sessions[2].csrf)
		}
	}
}

func TestPageCacheRolesNeverShare(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	viewer, manager := loginAs(t, a, "viewer"), loginAs(t, a, "manager")

	// The viewer's build is held; the manager's request for the same URL
	// does not wait for it, it builds its own.
	viewerKey := make(chan string, 1)
	release := make(chan struct{})
	var builds atomic.Int32
	a.pages.onBuild = func(key string) {
		builds.Add(1)
		if strings.HasPrefix(key, "viewer|") {
			viewerKey <- key
			<-release
		}
	}
	waited := make(chan string, 1)
	a.pages.onWait = func(key string) { waited <- key }
	t.Cleanup(func() { a.pages.onBuild, a.pages.onWait = nil, nil })

	viewerDone := make(chan cacheResponse, 1)
	go func() { viewerDone <- sendAs(t, a, viewer, httptest.NewRequest("GET", "/members", nil)) }()
	<-viewerKey
	managerDone := make(chan cacheResponse, 1)
	go func() { managerDone <- sendAs(t, a, manager, httptest.NewRequest("GET", "/members", nil)) }()
	var mr cacheResponse
	select {
	case mr = <-managerDone:
	case key := <-waited:
		close(release)
		t.Fatalf("the manager's request waited for a build of %q", key)
	}
	close(release)
	vr := <-viewerDone
	if got, want := builds.Load(), int32(2); got != want {
		t.Errorf("builds: %d, want %d (one per role)", got, want)
	}
	for _, r := range []cacheResponse{vr, mr} {
		if r.status != http.StatusOK || r.header.Get(cacheHeader) != cacheMiss {
			t.Errorf("status %d, X-Cache %q; want 200 and a miss", r.status, r.header.Get(cacheHeader))
		}
	}

	// Each role is then served its own entry.
	a.pages.onWait = nil
	for _, c := range []struct {
		s    testSession
		want string
	}{{viewer, vr.body}, {manager, mr.body}} {
		r := sendAs(t, a, c.s, httptest.NewRequest("GET", "/members", nil))
		if r.header.Get(cacheHeader) != cacheHit || r.body != c.want {
			t.Errorf("X-Cache %q, the role's own body %v; want a hit on the role's own entry", r.header.Get(cacheHeader), r.body == c.want)
		}
	}
	if got, want := builds.Load(), int32(2); got != want {
		t.Errorf("builds: %d, want %d", got, want)
	}
	a.pages.mu.Lock()
	keys := len(a.pages.entries)
	a.pages.mu.Unlock()
	if got, want := keys, 2; got != want {
		t.Errorf("%d entries, want %d", got, want)
	}
}

func TestPageCacheWriteChangesKey(t *testing.T) {
	db := seededDB(t)
	a := newTestApp(t, db)
	viewer := loginAs(t, a, "viewer")
	s, err := views.BuildScores(context.Background(), db, demoEnd)
	if err != nil {
		t.Fatal(err)
	}
	target := "/members/" + s.Members[0].Slug
	var builds atomic.Int32
	a.pages.onBuild = func(string) { builds.Add(1) }
	t.Cleanup(func() { a.pages.onBuild = nil })
	get := func() cacheResponse {
		t.Helper()
		r := sendAs(t, a, viewer, httptest.NewRequest("GET", target, nil))
		if r.status != http.StatusOK {
			t.Fatalf("GET %s = %d: %.200s", target, r.status, r.body)
		}
		return r
	}

	get()
	if r := get(); r.header.Get(cacheHeader) != cacheHit {
		t.Fatalf("repeat: X-Cache %q, want a hit", r.header.Get(cacheHeader))
	}
	before := db.Version()
	renameMember(t, db, s.Members[0].Slug, "Renamed While Cached Ltd")
	if db.Version() == before {
		t.Fatalf("a rename left the data version at %d", before)
	}
	r := get()
	if got, want := r.header.Get(cacheHeader), cacheMiss; got != want {
		t.Errorf("after a write: X-Cache %q, want %q", got, want)
	}
	if !strings.Contains(r.body, "Renamed While Cached Ltd") {
		t.Errorf("after a write the page does not show the new name")
	}
	if got, want := builds.Load(), int32(2); got != want {
		t.Errorf("builds: %d, want %d", got, want)
	}

	// A build under way for the old version is not shared with a request
	// made after a write.
	held := make(chan string, 1)
	release := make(chan struct{})
	var holding atomic.Bool
	a.pages.onBuild = func(key string) {
		builds.Add(1)
		if holding.CompareAndSwap(false, true) { // the first build is held, the next go through
			held <- key
			<-release
		}
	}
	waited := make(chan string, 1)
	a.pages.onWait = func(key string) { waited <- key }
	t.Cleanup(func() { a.pages.onWait = nil })
	firstDone := make(chan cacheResponse, 1)
	go func() { firstDone <- sendAs(t, a, viewer, httptest.NewRequest("GET", target+"?tab=1", nil)) }()
	oldKey := <-held
	oldVersion := db.VersionOf(routeCache(t, a, "GET", "/members/:slug").reads()) // the versions a member's page keys on
	renameMember(t, db, s.Members[0].Slug, "Renamed Again Ltd")
	var second cacheResponse
	secondDone := make(chan cacheResponse, 1)
	go func() { secondDone <- sendAs(t, a, viewer, httptest.NewRequest("GET", target+"?tab=1", nil)) }()
	select {
	case second = <-secondDone:
	case key := <-waited:
		close(release)
		t.Fatalf("after a write, a request waited for the build of %q", key)
	}
	close(release)
	<-firstDone
	if !strings.Contains(second.body, "Renamed Again Ltd") || second.header.Get(cacheHeader) != cacheMiss {
		t.Errorf("after a write during a build: X-Cache %q, new name shown %v", second.header.Get(cacheHeader), strings.Contains(second.body, "Renamed Again Ltd"))
	}
	if want := fmt.Sprintf("viewer|%d|", oldVersion); !strings.HasPrefix(oldKey, want) {
		t.Errorf("held build's key %q, want it to start with %q (the version before the write)", oldKey, want)
	}
}

func TestPageCacheKeepsOnly200(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	viewer := loginAs(t, a, "viewer")
	const n = 4
	o := holdBuilds(t, a.pages, n)
	out, wg := concurrentGets(t, a, viewer, "/members/no-such-member", n)
	events := o.await(t, n)
	if got, want := countPrefix(events, "build"), 1; got != want {
		t.Errorf("%d requests at once started %d builds, want %d", n, got, want)
	}
	close(o.release)
	for _, r := range collect(out, wg) {
		if got, want := r.status, http.StatusNotFound; got != want {
			t.Errorf("status %d, want %d", got, want)
		}
		if got := r.header.Get(cacheHeader); got == cacheHit || got == cacheMiss {
			t.Errorf("a 404: X-Cache %q", got)
		}
		if !strings.Contains(r.body, "no-such-member") && !strings.Contains(strings.ToLower(r.body), "not found") {
			t.Errorf("a 404 without its error page: %.200s", r.body)
		}
	}
	// A 404 is not shared: each request that waited built its own.
	if got, want := o.builds.Load(), int32(n); got != want {
		t.Errorf("builds: %d, want %d", got, want)
	}
	r := sendAs(t, a, viewer, httptest.NewRequest("GET", "/members/no-such-member", nil))
	if got := r.header.Get(cacheHeader); r.status != http.StatusNotFound || got == cacheHit {
		t.Errorf("a later request: status %d, X-Cache %q", r.status, got)
	}
	if got, want := o.builds.Load(), int32(n+1); got != want {
		t.Errorf("builds: %d, want %d", got, want)
	}
	a.pages.mu.Lock()
	entries := len(a.pages.entries)
	a.pages.mu.Unlock()
	if entries != 0 {
		t.Errorf("%d entries after only 404s", entries)
	}
}

func TestPageCacheUncachedRoutes(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	admin := loginAs(t, a, "admin")
	var builds atomic.Int32
	a.pages.onBuild = func(string) { builds.Add(1) }
	t.Cleanup(func() { a.pages.onBuild = nil })
	for _, target := range []string{
		"/api/v1/me", "/sources", "/api/v1/sources", "/admin/users", "/api/v1/admin/users",
		"/projects/new", "/members.csv", "/api/v1/members?format=json", "/healthz", "/readyz", "/login",
		"/static/app.js",
	} {
		for range 2 {
			r := sendAs(t, a, admin, httptest.NewRequest("GET", target, nil))
			if got := r.header.Get(cacheHeader); got == cacheHit || got == cacheMiss {
				t.Errorf("GET %s (%d): X-Cache %q", target, r.status, got)
			}
		}
	}
	// Requests that ask for no stored answer, and writes, are not cached either.
	req := httptest.NewRequest("GET", "/members", nil)
	req.Header.Set("Cache-Control", "no-store")
	if r := sendAs(t, a, admin, req); r.status != http.StatusOK || r.header.Get(cacheHeader) != "" {
		t.Errorf("no-store: status %d, X-Cache %q", r.status, r.header.Get(cacheHeader))
	}
	req = httptest.NewRequest("POST", "/members", nil)
	if r := sendAs(t, a, admin, req); r.header.Get(cacheHeader) == cacheMiss || r.header.Get(cacheHeader) == cacheHit {
		t.Errorf("POST: X-Cache %q", r.header.Get(cacheHeader))
	}
	if got := builds.Load(); got != 0 {
		t.Errorf("%d cacheable builds of uncached routes", got)
	}
	a.pages.mu.Lock()
	entries := len(a.pages.entries)
	a.pages.mu.Unlock()
	if entries != 0 {
		t.Errorf("%d entries after uncached routes only", entries)
	}
}

// testCacheApp is a bare Fiber app with the page cache and one handler
// that counts its runs: the viewer's role comes from X-Role, every path's
// rule opts in to the cache, and a middleware before the cache sets a
// cookie of the request's own (X-Who).
func testCacheApp(pc *pageCache, handler fiber.Handler) *fiber.App {
	return testCacheAppWith(pc, route{method: "GET", pattern: "/*", need: accessViewer, cache: cachePerRole}, handler)
}

// testCacheAppWith is testCacheApp with every request matched to rule.
func testCacheAppWith(pc *pageCache, rule route, handler fiber.Handler) *fiber.App {
	f := fiber.New(fiber.Config{Immutable: true})
	f.Use(func(c *fiber.Ctx) error {
		c.Locals(localRoute, &routedRequest{rule: rule, ok: true})
		c.Locals("viewer", &viewer{Role: c.Get("X-Role")})
		c.Cookie(&fiber.Cookie{Name: "who", Value: c.Get("X-Who")})
		return c.Next()
	})
	f.Use(pc.handle)
	f.Get("/*", handler)
	return f
}

func testCacheGet(tb testing.TB, f *fiber.App, target, role, who string) cacheResponse {
	req := httptest.NewRequest("GET", target, nil)
	req.Header.Set("X-Role", role)
	req.Header.Set("X-Who", who)
	resp, err := f.Test(req, -1)
	if err != nil {
		tb.Error(err)
		return cacheResponse{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return cacheResponse{resp.StatusCode, string(b), resp.Header, resp.Cookies()}
}

// The handlers run once for n requests at once, and every request gets the
// status, body, content type and headers the handler set — but its own
// cookie, set before the cache.
func TestPageCacheHandlerRunsOnce(t *testing.T) {
	pc := newPageCache(time.Minute, 0, 1<<20, func(data.DataKind) (uint64, uint64) { return 7, 0 })
	var runs atomic.Int32
	release := make(chan struct{})
	f := testCacheApp(pc, func(c *fiber.Ctx) error {
		runs.Add(1)
		<-release
		c.Set(fiber.HeaderCacheControl, "private, max-age=300")
		c.Set(fiber.HeaderContentType, "application/x-test")
		return c.SendString("built for " + c.Get("X-Who") + " at " + c.OriginalURL())
	})
	const n = 6
	arrived := make(chan struct{}, n)
	pc.onBuild = func(string) { arrived <- struct{}{} }
	pc.onWait = func(string) { arrived <- struct{}{} }
	type whoResponse struct {
		who string
		r   cacheResponse
	}
	out := make(chan whoResponse, n)
	var wg sync.WaitGroup
	for i := range n {
		who := fmt.Sprint("client-", i)
		wg.Go(func() { out <- whoResponse{who, testCacheGet(t, f, "/page?q=1", "viewer", who)} })
	}
	for range n {
		<-arrived
	}
	close(release)
	wg.Wait()
	close(out)
	var first string
	i := 0
	for wr := range out {
		r := wr.r
		if i == 0 {
			first = r.body
		}
		i++
		if r.status != http.StatusOK || r.body != first || !strings.HasPrefix(r.body, "built for client-") {
			t.Errorf("status %d, body %q (first %q)", r.status, r.body, first)
		}
		if got, want := r.header.Get("Content-Type"), "application/x-test"; got != want {
			t.Errorf("Content-Type %q, want %q", got, want)
		}
		if got, want := r.header.Get("Cache-Control"), "private, max-age=300"; got != want {
			t.Errorf("Cache-Control %q, want %q", got, want)
		}
		// Each client gets its own cookie back, not the builder's.
		if len(r.cookies) != 1 || r.cookies[0].Value != wr.who {
			t.Errorf("%s got cookies %v (Set-Cookie %q), want only who=%s", wr.who, r.cookies, r.header.Values("Set-Cookie"), wr.who)
		}
	}
	if got, want := runs.Load(), int32(1); got != want {
		t.Errorf("the handler ran %d times for %d requests at once, want %d", got, want, n)
	}
	r := testCacheGet(t, f, "/page?q=1", "viewer", "late-client")
	if len(r.cookies) != 1 || r.cookies[0].Value != "late-client" {
		t.Errorf("a hit: cookies %v, want only who=late-client", r.cookies)
	}
	if got, want := runs.Load(), int32(1); got != want {
		t.Errorf("the handler ran %d times, want %d", got, want)
	}
}

func TestPageCacheOnly200sAreKept(t *testing.T) {
	pc := newPageCache(time.Minute, 0, 1<<20, func(data.DataKind) (uint64, uint64) { return 1, 0 })
	var runs atomic.Int32
	f := testCacheApp(pc, func(c *fiber.Ctx) error {
		runs.Add(1)
		switch c.Path() {
		case "/accepted":
			return c.Status(http.StatusAccepted).SendString("later")
		case "/redirect":
			return c.Redirect("/elsewhere", http.StatusSeeOther)
		case "/error":
			return fiber.NewError(http.StatusInternalServerError, "broken")
		}
		return c.SendString("ok")
	})
	for _, target := range []string{"/accepted", "/redirect", "/error"} {
		before := runs.Load()
		first := testCacheGet(t, f, target, "viewer", "a")
		second := testCacheGet(t, f, target, "viewer", "a")
		if first.status == http.StatusOK || second.status != first.status {
			t.Errorf("GET %s: %d then %d", target, first.status, second.status)
		}
		if got, want := runs.Load()-before, int32(2); got != want {
			t.Errorf("GET %s twice ran the handler %d times, want %d", target, got, want)
		}
	}
}

func TestPageCacheExpiryAndBound(t *testing.T) {
	now := time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
	const ttl = time.Minute
	body := strings.Repeat("x", 1000)
	// Room for two entries, not three.
	pc := newPageCache(ttl, 0, 2*(pageEntryOverhead+1100), func(data.DataKind) (uint64, uint64) { return 1, 0 })
	pc.now = func() time.Time { return now }
	runs := map[string]int{}
	var mu sync.Mutex
	f := testCacheApp(pc, func(c *fiber.Ctx) error {
		mu.Lock()
		runs[c.Path()]++
		mu.Unlock()
		return c.SendString(body)
	})
	get := func(target string) string {
		t.Helper()
		return testCacheGet(t, f, target, "viewer", "a").header.Get(cacheHeader)
	}
	if got, want := get("/a"), cacheMiss; got != want {
		t.Fatalf("/a: X-Cache %q, want %q", got, want)
	}
	get("/b")
	if got, want := get("/a"), cacheHit; got != want { // /a is now the most recently used
		t.Errorf("/a again: X-Cache %q, want %q", got, want)
	}
	get("/c") // evicts /b, the least recently used
	if got, want := get("/a"), cacheHit; got != want {
		t.Errorf("/a after /c: X-Cache %q, want %q", got, want)
	}
	if got, want := get("/b"), cacheMiss; got != want {
		t.Errorf("/b after /c: X-Cache %q, want %q (evicted)", got, want)
	}
	pc.mu.Lock()
	size, n := pc.size, pc.lru.Len()
	pc.mu.Unlock()
	if size > pc.maxBytes || n != 2 {
		t.Errorf("%d entries of %d bytes, bound %d", n, size, pc.maxBytes)
	}

	now = now.Add(ttl - time.Second)
	if got, want := get("/a"), cacheHit; got != want {
		t.Errorf("/a before its TTL: X-Cache %q, want %q", got, want)
	}
	now = now.Add(time.Second)
	if got, want := get("/a"), cacheMiss; got != want {
		t.Errorf("/a at its TTL: X-Cache %q, want %q", got, want)
	}
	if got, want := runs["/a"], 2; got != want {
		t.Errorf("/a built %d times, want %d", got, want)
	}

	// A body larger than the whole cache is served, not kept.
	big := newPageCache(ttl, 0, 100, func(data.DataKind) (uint64, uint64) { return 1, 0 })
	fb := testCacheApp(big, func(c *fiber.Ctx) error { return c.SendString(body) })
	if r := testCacheGet(t, fb, "/big", "viewer", "a"); r.status != http.StatusOK || r.body != body || r.header.Get(cacheHeader) != cacheUnreachable {
		t.Errorf("a body over the bound: status %d, whole %v, X-Cache %q", r.status, r.body == body, r.header.Get(cacheHeader))
	}
}

// A page requested in the last refresh period of its life is built again
// by that request, while the others are still served the entry: none of
// them waits, and nothing older than the TTL is served.
func TestPageCacheRefreshesBeforeExpiry(t *testing.T) {
	start := time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
	var clock atomic.Int64 // seconds after start
	pc := newPageCache(time.Minute, 10*time.Second, 1<<20, func(data.DataKind) (uint64, uint64) { return 1, 0 })
	pc.now = func() time.Time { return start.Add(time.Duration(clock.Load()) * time.Second) }
	var runs atomic.Int32
	f := testCacheApp(pc, func(c *fiber.Ctx) error {
		return c.SendString(fmt.Sprint("build ", runs.Add(1)))
	})
	get := func() cacheResponse { return testCacheGet(t, f, "/page", "viewer", "a") }

	if r := get(); r.body != "build 1" || r.header.Get(cacheHeader) != cacheMiss {
		t.Fatalf("first: %q, X-Cache %q", r.body, r.header.Get(cacheHeader))
	}
	clock.Store(49) // 11 s left: served as is
	if r := get(); r.body != "build 1" || r.header.Get(cacheHeader) != cacheHit {
		t.Fatalf("at 49 s: %q, X-Cache %q; want a hit on build 1", r.body, r.header.Get(cacheHeader))
	}

	clock.Store(51) // 9 s left: the next request rebuilds
	held := make(chan struct{})
	release := make(chan struct{})
	pc.onBuild = func(string) {
		close(held)
		<-release
	}
	waited := make(chan string, 1)
	pc.onWait = func(key string) { waited <- key }
	refreshed := make(chan cacheResponse, 1)
	go func() { refreshed <- get() }()
	select {
	case <-held:
	case r := <-refreshed:
		t.Fatalf("at 51 s: %q, X-Cache %q; want the request to build the page again", r.body, r.header.Get(cacheHeader))
	}
	other := make(chan cacheResponse, 1)
	go func() { other <- get() }()
	select {
	case r := <-other:
		if r.body != "build 1" || r.header.Get(cacheHeader) != cacheHit {
			t.Errorf("during the refresh: %q, X-Cache %q; want a hit on build 1", r.body, r.header.Get(cacheHeader))
		}
	case key := <-waited:
		t.Errorf("during the refresh a request waited for the build of %q", key)
	}
	close(release)
	if r := <-refreshed; r.body != "build 2" || r.header.Get(cacheHeader) != cacheMiss {
		t.Errorf("the refreshing request: %q, X-Cache %q; want build 2, a miss", r.body, r.header.Get(cacheHeader))
	}
	pc.onBuild, pc.onWait = nil, nil

	clock.Store(100) // past build 1's end, within build 2's
	if r := get(); r.body != "build 2" || r.header.Get(cacheHeader) != cacheHit {
		t.Errorf("at 100 s: %q, X-Cache %q; want a hit on build 2", r.body, r.header.Get(cacheHeader))
	}
	clock.Store(111) // build 2 (made at 51 s) has expired: nothing older than the TTL is served
	if r := get(); r.body != "build 3" || r.header.Get(cacheHeader) != cacheMiss {
		t.Errorf("at 111 s: %q, X-Cache %q; want build 3, a miss", r.body, r.header.Get(cacheHeader))
	}
	if got, want := runs.Load(), int32(3); got != want {
		t.Errorf("%d builds, want %d", got, want)
	}
}

// Kept pages go compressed to clients that accept gzip — the one that
// built the page too — and as they are to the others; small or binary
// bodies never are. The handler still runs once.
func TestPageCacheSendsGzipToClientsThatAcceptIt(t *testing.T) {
	pc := newPageCache(time.Minute, 0, 1<<20, func(data.DataKind) (uint64, uint64) { return 3, 0 })
	var runs atomic.Int32
	big := strings.Repeat("<tr><td>member</td><td>98.9</td></tr>\n", 200)
	f := testCacheApp(pc, func(c *fiber.Ctx) error {
		runs.Add(1)
		switch c.Path() {
		case "/small":
			c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
			return c.SendString("<p>small</p>")
		case "/binary":
			c.Set(fiber.HeaderContentType, "application/octet-stream")
			return c.SendString(big)
		}
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return c.SendString(big)
	})
	get := func(target, accept string) (http.Header, string) {
		t.Helper()
		req := httptest.NewRequest("GET", target, nil)
		req.Header.Set("X-Role", "viewer")
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		resp, err := f.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s: a gzip body that does not open: %v", target, err)
			}
			if b, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		return resp.Header, string(b)
	}
	for i, accept := range []string{"gzip, deflate, br", "", "gzip"} { // a miss, then hits
		h, body := get("/big", accept)
		if body != big {
			t.Fatalf("request %d (Accept-Encoding %q): body of %d bytes differs from the page's %d", i, accept, len(body), len(big))
		}
		if got, want := h.Get("Content-Encoding") == "gzip", accept != ""; got != want {
			t.Errorf("request %d (Accept-Encoding %q): compressed = %v, want %v", i, accept, got, want)
		}
		if !strings.Contains(h.Get("Vary"), "Accept-Encoding") {
			t.Errorf("request %d: Vary %q does not name Accept-Encoding (a shared cache would mix the two bodies)", i, h.Get("Vary"))
		}
	}
	if got := runs.Load(); got != 1 {
		t.Errorf("the handler ran %d times for three requests of one page, want 1", got)
	}
	for _, target := range []string{"/small", "/binary"} {
		if h, _ := get(target, "gzip"); h.Get("Content-Encoding") != "" {
			t.Errorf("%s sent with Content-Encoding %q, want none", target, h.Get("Content-Encoding"))
		}
	}

	// A page only clients without gzip asked for is never compressed; the
	// first gzip request compresses it once, and the copy counts in the
	// cache's bound.
	size := func() int {
		pc.mu.Lock()
		defer pc.mu.Unlock()
		return pc.size
	}
	get("/other", "")
	before := size()
	get("/other", "gzip")
	after := size()
	if after <= before {
		t.Errorf("cache size %d after the first gzip request, %d before: the compressed copy is not counted", after, before)
	}
	get("/other", "gzip")
	if got := size(); got != after {
		t.Errorf("cache size %d after a second gzip request, want %d: compressed again?", got, after)
	}
}

// A page built by a request that accepts gzip is kept already compressed:
// the requests that find it are sent the compressed copy at once, never
// left waiting for the builder to compress it. A page built for a client
// without gzip is kept as it is (compressed by the first request that
// takes gzip).
func TestPageCacheKeepsPagesCompressedByTheirBuilder(t *testing.T) {
	pc := newPageCache(time.Minute, 0, 1<<20, func(data.DataKind) (uint64, uint64) { return 3, 0 })
	big := strings.Repeat("<tr><td>member</td><td>98.9</td></tr>\n", 200)
	kept := map[string]bool{} // path → compressed when kept
	pc.onKeep = func(p *cachedPage) { kept[p.key] = p.gzipped != nil }
	f := testCacheApp(pc, func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return c.SendString(big)
	})
	for _, target := range []string{"/gzip", "/plain"} {
		req := httptest.NewRequest("GET", target, nil)
		req.Header.Set("X-Role", "viewer")
		if target == "/gzip" {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		resp, err := f.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if len(kept) != 2 {
		t.Fatalf("kept %d pages, want 2: %v", len(kept), kept)
	}
	for key, compressed := range kept {
		if want := strings.Contains(key, "/gzip"); compressed != want {
			t.Errorf("%s kept compressed = %v, want %v", key, compressed, want)
		}
	}
}

// routeCache returns the cache policy of the route method pattern.
func routeCache(t *testing.T, a *App, method, pattern string) cachePolicy {
	t.Helper()
	for _, r := range a.routes() {
		if r.method == method && r.pattern == pattern {
			return r.cache
		}
	}
	t.Fatalf("no route %s %s", method, pattern)
	return cachePolicy{}
}
