package app

import (
	"strings"

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

type routeRule struct {
	method  string
	pattern string // path; ":name" matches one segment, a final "*" the rest
	need    access
	cache   cachePolicy // the zero value: never kept by the page cache
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
}

var (
	cacheNever                 = cachePolicy{}
	cachePerRole               = cachePolicy{perRole: true}
	cachePerRoleUnlessDownload = cachePolicy{perRole: true, unlessQuery: "format"}
)

// routePolicy is the one table of who may call what. A request that matches
// no rule is refused, and TestEveryRouteHasARule fails when a route is
// registered without one.
var routePolicy = []routeRule{
	{"GET", "/healthz", accessPublic, cacheNever},
	{"GET", "/readyz", accessPublic, cacheNever},
	// The Prometheus scrape needs no session, like the health checks: its
	// labels are route patterns, configured source names and status
	// classes, never member, consumer or user data. Where the listen
	// address is reachable by untrusted clients, keep /metrics off the
	// reverse proxy (README, "Operating").
	{"GET", "/metrics", accessPublic, cacheNever},
	{"GET", "/static/*", accessPublic, cacheNever},
	{"GET", "/login", accessPublic, cacheNever},
	{"POST", "/login", accessPublic, cacheNever},              // CSRF-checked by the handler
	{"GET", "/login/oidc", accessPublic, cacheNever},          // single sign-on: to the identity provider (app/oidc.go)
	{"GET", "/login/oidc/callback", accessPublic, cacheNever}, // …and back: state, nonce and PKCE checked by the handler
	{"POST", "/logout", accessViewer, cacheNever},
	{"POST", "/api/v1/ingest/api-calls", accessToken, cacheNever},

	{"GET", "/", accessViewer, cachePerRole},
	{"GET", "/api/v1/me", accessViewer, cacheNever},
	// Everyone's own password (app/account.go): never cached, it is per user.
	{"GET", "/account/password", accessViewer, cacheNever},
	{"POST", "/account/password", accessViewer, cacheNever},
	{"POST", "/api/v1/me/password", accessViewer, cacheNever},
	{"GET", "/api/v1/overview", accessViewer, cachePerRole},
	{"GET", "/how-scores-work", accessViewer, cachePerRole}, // docs/scoring.md as a page (app/routes_howscores.go)
	{"GET", "/api/v1/scores", accessViewer, cachePerRole},
	{"GET", "/api/v1/api-usage", accessViewer, cachePerRole},

	// Ecosystem pages and cooperation agreements (app/routes_ecosystem.go,
	// app/routes_agreements.go). /projects/new comes before /projects/:slug:
	// the first rule that matches decides.
	{"GET", "/api-usage", accessViewer, cachePerRole},
	{"GET", "/api/v1/api-usage/breakdown", accessViewer, cachePerRole},
	{"GET", "/community", accessViewer, cachePerRole},
	{"GET", "/api/v1/community", accessViewer, cachePerRole},
	{"GET", "/projects", accessViewer, cachePerRole},
	{"GET", "/projects/new", accessManager, cacheNever},
	{"POST", "/projects/new", accessManager, cacheNever},
	{"GET", "/projects/:slug", accessViewer, cachePerRole},
	{"GET", "/projects/:slug/edit", accessManager, cacheNever},
	{"POST", "/projects/:slug/edit", accessManager, cacheNever},
	{"GET", "/api/v1/projects", accessViewer, cachePerRole},
	{"POST", "/api/v1/projects", accessManager, cacheNever},
	{"GET", "/api/v1/projects/:slug", accessViewer, cachePerRole},
	{"PUT", "/api/v1/projects/:slug", accessManager, cacheNever},
	{"GET", "/api/v1/openapi.json", accessViewer, cachePerRole}, // describes the API to the people who may call it

	{"GET", "/members", accessViewer, cachePerRole},
	{"GET", "/members.csv", accessViewer, cacheNever},
	// /members/new before /members/:slug: the first rule that matches decides.
	{"GET", "/members/new", accessManager, cacheNever},
	{"POST", "/members/new", accessManager, cacheNever},
	{"GET", "/members/:slug/edit", accessManager, cacheNever},
	{"POST", "/members/:slug/edit", accessManager, cacheNever},
	{"POST", "/members/:slug/archive", accessManager, cacheNever},
	{"POST", "/members/:slug/restore", accessManager, cacheNever},
	{"POST", "/members/:slug/merge", accessManager, cacheNever},
	{"GET", "/members/:slug", accessViewer, cachePerRole},
	{"GET", "/api/v1/members", accessViewer, cachePerRoleUnlessDownload},
	{"GET", "/api/v1/members/:slug", accessViewer, cachePerRole},
	// API consumers and their members (app/consumers.go): managers map.
	{"POST", "/api-usage/consumers/map", accessManager, cacheNever},
	{"GET", "/api/v1/consumers", accessViewer, cacheNever},
	{"POST", "/api/v1/consumers/map", accessManager, cacheNever},
	{"PUT", "/api/v1/consumers/:key", accessManager, cacheNever},
	// People and the members they work for (app/people.go): managers assign.
	{"POST", "/community/assign", accessManager, cacheNever},
	{"POST", "/community/domains", accessManager, cacheNever},
	{"GET", "/api/v1/people/unaffiliated", accessViewer, cacheNever},
	{"POST", "/api/v1/people/assign", accessManager, cacheNever},
	{"GET", "/api/v1/affiliation/domains", accessViewer, cacheNever},
	{"POST", "/api/v1/affiliation/domains", accessManager, cacheNever},
	{"DELETE", "/api/v1/affiliation/domains/:id", accessManager, cacheNever},
	// Managing members (app/members_manage.go): managers.
	{"POST", "/api/v1/members", accessManager, cacheNever},
	{"PUT", "/api/v1/members/:slug", accessManager, cacheNever},
	{"POST", "/api/v1/members/:slug/archive", accessManager, cacheNever},
	{"POST", "/api/v1/members/:slug/restore", accessManager, cacheNever},
	{"POST", "/api/v1/members/:slug/merge", accessManager, cacheNever},
	{"GET", "/network", accessViewer, cachePerRole},
	{"GET", "/api/v1/network", accessViewer, cachePerRole},

	{"GET", "/snapshots", accessViewer, cachePerRole},
	{"GET", "/snapshots/:week", accessViewer, cachePerRole},
	{"GET", "/api/v1/snapshots", accessViewer, cachePerRole},
	{"GET", "/api/v1/snapshots/:week", accessViewer, cachePerRoleUnlessDownload},
	{"GET", "/api/v1/alerts", accessViewer, cachePerRole},
	{"GET", "/api/v1/alerts/:id", accessViewer, cachePerRole},
	// The alert inbox (app/alerts_inbox.go): viewers read, managers act.
	// Its pages carry the session's CSRF token in their forms: never kept.
	{"GET", "/alerts", accessViewer, cacheNever},
	{"GET", "/alerts/:id", accessViewer, cacheNever},
	{"POST", "/alerts/:id/acknowledge", accessManager, cacheNever},
	{"POST", "/alerts/:id/assign", accessManager, cacheNever},
	{"POST", "/alerts/:id/snooze", accessManager, cacheNever},
	{"POST", "/alerts/:id/resolve", accessManager, cacheNever},
	{"POST", "/api/v1/alerts/:id/acknowledge", accessManager, cacheNever},
	{"POST", "/api/v1/alerts/:id/assign", accessManager, cacheNever},
	{"POST", "/api/v1/alerts/:id/snooze", accessManager, cacheNever},
	{"POST", "/api/v1/alerts/:id/resolve", accessManager, cacheNever},

	{"GET", "/sources", accessViewer, cacheNever},
	{"GET", "/api/v1/sources", accessViewer, cacheNever},
	{"GET", "/sources/:name/rejected", accessViewer, cacheNever},
	{"GET", "/api/v1/sources/:name/rejected", accessViewer, cacheNever},
	{"POST", "/sources/:name/run", accessManager, cacheNever},
	{"POST", "/api/v1/sources/:name/run", accessManager, cacheNever},

	// Administration (app/admin.go): accounts, ingest tokens, audit log.
	{"GET", "/admin/users", accessAdmin, cacheNever},
	{"POST", "/admin/users", accessAdmin, cacheNever},
	{"POST", "/admin/users/:name/role", accessAdmin, cacheNever},
	{"POST", "/admin/users/:name/disable", accessAdmin, cacheNever},
	{"POST", "/admin/users/:name/enable", accessAdmin, cacheNever},
	{"POST", "/admin/users/:name/delete", accessAdmin, cacheNever},
	{"POST", "/admin/users/:name/password", accessAdmin, cacheNever}, // reset (app/account.go)
	{"GET", "/admin/tokens", accessAdmin, cacheNever},
	{"POST", "/admin/tokens", accessAdmin, cacheNever},
	{"POST", "/admin/tokens/:name/revoke", accessAdmin, cacheNever},
	{"GET", "/admin/audit", accessAdmin, cacheNever},
	{"GET", "/api/v1/admin/users", accessAdmin, cacheNever},
	{"POST", "/api/v1/admin/users", accessAdmin, cacheNever},
	{"POST", "/api/v1/admin/users/:name", accessAdmin, cacheNever},
	{"POST", "/api/v1/admin/users/:name/password", accessAdmin, cacheNever},
	{"DELETE", "/api/v1/admin/users/:name", accessAdmin, cacheNever},
	{"GET", "/api/v1/admin/tokens", accessAdmin, cacheNever},
	{"POST", "/api/v1/admin/tokens", accessAdmin, cacheNever},
	{"DELETE", "/api/v1/admin/tokens/:name", accessAdmin, cacheNever},
	{"GET", "/api/v1/admin/audit", accessAdmin, cacheNever},
}

// localRoute is where routeOf keeps a request's rule (c.Locals:
// server-side only, never set from the request).
const localRoute = "ecopulse.route"

// routedRequest is a request's rule, resolved once.
type routedRequest struct {
	rule routeRule
	ok   bool
}

// routeOf returns the rule of a request, resolving it once: the gate, the
// body reader, the rate limiters and the page cache all decide on the same
// matched rule (method and pattern), never on the raw path, whose case,
// trailing and doubled slashes the router ignores.
func routeOf(c *fiber.Ctx) (routeRule, bool) {
	if r, ok := c.Locals(localRoute).(*routedRequest); ok {
		return r.rule, r.ok
	}
	r := &routedRequest{}
	r.rule, r.ok = policyFor(c.Method(), c.Path())
	c.Locals(localRoute, r)
	return r.rule, r.ok
}

// is reports whether a rule is the one of method and pattern.
func (r routeRule) is(method, pattern string) bool {
	return r.method == method && r.pattern == pattern
}

// policyFor returns the rule of a request. HEAD is read as GET.
func policyFor(method, path string) (routeRule, bool) {
	if method == "HEAD" {
		method = "GET"
	}
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	for _, r := range routePolicy {
		if r.method == method && matchPattern(r.pattern, path) {
			return r, true
		}
	}
	return routeRule{}, false
}

// canonicalPath is a request's path as its rule reads it: the pattern's
// own segments where the pattern is literal (the router ignores their
// case), the request's segments where it has a parameter or a final "*",
// no trailing slash. Two requests the router sends to the same handler
// with the same parameters have the same canonical path.
func (r routeRule) canonicalPath(path string) string {
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
