package app

import (
	"strings"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/gofiber/fiber/v2"
)

// access is what a route needs.
type access string

const (
	accessPublic  access = "public" // anyone (health checks, static assets, the login page)
	accessToken   access = "token"  // an ingest token, checked by the handler (never a session)
	accessViewer  access = access(domain.RoleViewer)
	accessManager access = access(domain.RoleManager)
	accessAdmin   access = access(domain.RoleAdmin)
)

// route is one line of the route table (app/routes.go): what the router
// registers, what the gate lets through and what the page cache may keep.
type route struct {
	method string
	// pattern is the path; ":name" matches one segment, a final "*" the
	// rest: such a route is a tree, served by a middleware mounted at the
	// pattern's prefix (the static files).
	pattern string
	need    access
	cache   cachePolicy // the zero value: never kept by the page cache
	handler fiber.Handler
	// api is an /api/v1 route's summary in app/openapi.json, so that the
	// table says what each API call is; TestOpenAPIDescribesTheRouteTable
	// holds the two equal. Empty for pages.
	api string
}

// cachePolicy says whether the page cache (app/pagecache.go) may keep a
// route's responses. Caching is opt-in: a route that says nothing is built
// for every request, so that a page made for one user (their name, their
// CSRF token) is never served to another.
type cachePolicy struct {
	// perRole: the response depends only on the viewer's role, the data,
	// the path and the query, never on who the viewer is or their session.
	perRole bool
	// unlessQuery names a query parameter that makes the request a
	// download (each one is audited, so each one is built).
	unlessQuery string
	// shows is the data the responses show, whose writes make their kept
	// copies old; zero: all of it (data.AllData). A route that shows less
	// keeps its copies through the writes of the rest: an import
	// committing several times a second does not rebuild it each time.
	// TestNoUsagePagesShowNoUsage and TestMemberPagesShowNoUnownedUsage
	// hold the routes that say so to it.
	shows data.DataKind
}

// reads is the data the responses of a route show (cachePolicy.shows).
func (p cachePolicy) reads() data.DataKind {
	if p.shows == 0 {
		return data.AllData
	}
	return p.shows
}

var (
	cacheNever                 = cachePolicy{}
	cachePerRole               = cachePolicy{perRole: true}
	cachePerRoleUnlessDownload = cachePolicy{perRole: true, unlessQuery: "format"}
	// The scores and the members, with no usage figure beyond the usage's
	// first and last day (which every usage write that moves them
	// advances OtherData for).
	cacheScoresPerRole               = cachePolicy{perRole: true, shows: data.OtherData}
	cacheScoresPerRoleUnlessDownload = cachePolicy{perRole: true, unlessQuery: "format", shows: data.OtherData}
	// One member's page: of the usage, only its member's (its consumers')
	// and which days hold calls, so an access log of clients no member
	// owns, on days already holding calls, does not rebuild it.
	cacheMemberPerRole = cachePolicy{perRole: true, shows: data.OtherData | data.MemberUsageData}
)

// routeTable is the routes in the order they are tried: the first rule
// that matches a request decides, as the router calls the first handler
// registered for it.
type routeTable []route

// localRoute is where resolve keeps a request's rule (c.Locals:
// server-side only, never set from the request).
const localRoute = "ecopulse.route"

// routedRequest is a request's rule, resolved once.
type routedRequest struct {
	rule route
	ok   bool
}

// resolve finds a request's rule before any other middleware runs: the
// metrics, the body reader, the gate, the page cache and the rate limiters
// all decide on the same matched rule (method and pattern), never on the
// raw path, whose case, trailing and doubled slashes the router ignores.
func (t routeTable) resolve(c *fiber.Ctx) error {
	r := &routedRequest{}
	r.rule, r.ok = t.match(c.Method(), c.Path())
	c.Locals(localRoute, r)
	return c.Next()
}

// routeOf returns the rule resolve found for a request; false when no rule
// matches it.
func routeOf(c *fiber.Ctx) (route, bool) {
	if r, ok := c.Locals(localRoute).(*routedRequest); ok {
		return r.rule, r.ok
	}
	return route{}, false
}

// is reports whether a rule is the one of method and pattern.
func (r route) is(method, pattern string) bool {
	return r.method == method && r.pattern == pattern
}

// match returns the rule of a request. HEAD is read as GET.
func (t routeTable) match(method, path string) (route, bool) {
	if method == "HEAD" {
		method = "GET"
	}
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	for _, r := range t {
		if r.method == method && matchPattern(r.pattern, path) {
			return r, true
		}
	}
	return route{}, false
}

// canonicalPath is a request's path as its rule reads it: the pattern's
// own segments where the pattern is literal (the router ignores their
// case), the request's segments where it has a parameter or a final "*",
// no trailing slash. Two requests the router sends to the same handler
// with the same parameters have the same canonical path.
func (r route) canonicalPath(path string) string {
	ps := strings.Split(strings.Trim(r.pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	out := make([]string, 0, len(ps))
	for i, p := range ps {
		switch {
		case p == "*":
			out = append(out, xs[min(i, len(xs)):]...)
		case strings.HasPrefix(p, ":") && i < len(xs):
			out = append(out, xs[i])
		default:
			out = append(out, p)
		}
	}
	return "/" + strings.Join(out, "/")
}

// matchPattern matches a path against a route pattern, segment by segment.
func matchPattern(pattern, path string) bool {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	for i, p := range ps {
		if p == "*" {
			return true
		}
		if i >= len(xs) {
			return false
		}
		switch {
		case strings.HasPrefix(p, ":"):
			if xs[i] == "" {
				return false
			}
		case !strings.EqualFold(p, xs[i]):
			return false
		}
	}
	return len(ps) == len(xs)
}
