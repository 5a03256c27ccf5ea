package app

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// A route added to the table without a cache policy is built for every
// request; the same route with cachePerRole is built once for a role.
func TestTableRouteIsCachedOnlyWhenItOptsIn(t *testing.T) {
	db := datatest.MustOpenDB(t)
	for _, tc := range []struct {
		name   string
		cache  cachePolicy
		bodies []string // of two requests
		builds int32
		xcache string // the second answer's
	}{
		{"no cache policy", cachePolicy{}, []string{"build 1", "build 2"}, 2, cacheUnreachable},
		{"cachePerRole", cachePerRole, []string{"build 1", "build 1"}, 1, cacheHit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newTestApp(t, db)
			var builds atomic.Int32
			counter := route{method: "GET", pattern: "/test/counter", need: accessViewer, cache: tc.cache,
				handler: func(c *fiber.Ctx) error { return c.SendString(fmt.Sprint("build ", builds.Add(1))) }}
			a.fiber = a.newFiberWith(append(a.routes(), counter))
			s := loginAs(t, a, domain.RoleViewer)
			var last cacheResponse
			for i, want := range tc.bodies {
				last = sendAs(t, a, s, httptest.NewRequest("GET", "/test/counter", nil))
				if last.status != http.StatusOK || last.body != want {
					t.Errorf("request %d: %d %q, want %q", i+1, last.status, last.body, want)
				}
			}
			if got := last.header.Get(cacheHeader); got != tc.xcache {
				t.Errorf("second request: X-Cache %q, want %q", got, tc.xcache)
			}
			if got := builds.Load(); got != tc.builds {
				t.Errorf("%d builds for two requests as a viewer, want %d", got, tc.builds)
			}
		})
	}
}

// TestNoRuleIsShadowed fails when a line of the table is never reached
// because a line before it matches all its requests (/projects/:slug before
// /projects/new), or the table names a route twice: the first line that
// matches decides, for the gate as for the router.
func TestNoRuleIsShadowed(t *testing.T) {
	table := newTestApp(t, datatest.MustOpenDB(t)).routes()
	for _, r := range table {
		got, ok := table.match(r.method, concrete(r.pattern))
		if !ok || !got.is(r.method, r.pattern) {
			t.Errorf("%s %s (as %s) is decided by %s %s", r.method, r.pattern, concrete(r.pattern), got.method, got.pattern)
		}
	}
	// The order is what holds /projects/new and /members/new apart from
	// the member and the agreement they would otherwise name.
	for _, p := range []string{"/projects/new", "/members/new"} {
		if got, _ := table.match("GET", p); got.pattern != p || got.need != accessManager {
			t.Errorf("GET %s is decided by %s (%s), want its own manager rule", p, got.pattern, got.need)
		}
	}
}

// TestRouterRegistersTheTable fails when a line of the table is not
// registered with the router as it says (a tree as a middleware at its
// prefix), so that its rule would guard nothing.
func TestRouterRegistersTheTable(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	registered := map[string]bool{}
	for _, r := range a.Fiber().GetRoutes() { // middleware too: the trees
		registered[r.Method+" "+r.Path] = true
	}
	for _, r := range a.routes() {
		key := r.method + " " + r.pattern
		if prefix, tree := strings.CutSuffix(r.pattern, "/*"); tree {
			key = r.method + " " + prefix // a middleware is listed under every method
		}
		if !registered[key] {
			t.Errorf("%s %s is in the table but not registered (%s)", r.method, r.pattern, key)
		}
		if r.method == "GET" && !strings.HasSuffix(r.pattern, "/*") && !registered["HEAD "+r.pattern] {
			t.Errorf("GET %s answers no HEAD", r.pattern)
		}
	}
}
