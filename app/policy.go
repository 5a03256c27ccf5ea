package app

import (
	"strings"

	"github.com/ecopulse/ecopulse/data"
)

// access is what a route needs.
type access string

const (
	accessPublic  access = "public" // anyone (health checks, static assets, the login page)
	accessToken   access = "token"  // an ingest token, checked by the handler (never a session)
	accessViewer  access = access(data.RoleViewer)
	accessManager access = access(data.RoleManager)
	accessAdmin   access = access(data.RoleAdmin)
)

type routeRule struct {
	method  string
	pattern string // path; ":name" matches one segment, a final "*" the rest
	need    access
}

// routePolicy is the one table of who may call what. A request that matches
// no rule is refused, and TestEveryRouteHasARule fails when a route is
// registered without one.
var routePolicy = []routeRule{
	{"GET", "/healthz", accessPublic},
	{"GET", "/readyz", accessPublic},
	// The Prometheus scrape needs no session, like the health checks: its
	// labels are route patterns, configured source names and status
	// classes, never member, consumer or user data. Where the listen
	// address is reachable by untrusted clients, keep /metrics off the
	// reverse proxy (README, "Operating").
	{"GET", "/metrics", accessPublic},
	{"GET", "/static/*", accessPublic},
	{"GET", "/login", accessPublic},
	{"POST", "/login", accessPublic},              // CSRF-checked by the handler
	{"GET", "/login/oidc", accessPublic},          // single sign-on: to the identity provider (app/oidc.go)
	{"GET", "/login/oidc/callback", accessPublic}, // …and back: state, nonce and PKCE checked by the handler
	{"POST", "/logout", accessViewer},
	{"POST", "/api/v1/ingest/api-calls", accessToken},

	{"GET", "/", accessViewer},
	{"GET", "/api/v1/me", accessViewer},
	// Everyone's own password (app/account.go).
	{"GET", "/account/password", accessViewer},
	{"POST", "/account/password", accessViewer},
	{"POST", "/api/v1/me/password", accessViewer},
	{"GET", "/api/v1/overview", accessViewer},
	{"GET", "/api/v1/scores", accessViewer},
	{"GET", "/api/v1/api-usage", accessViewer},

	// Ecosystem pages and cooperation agreements (app/routes_ecosystem.go,
	// app/routes_agreements.go). /projects/new comes before /projects/:slug:
	// the first rule that matches decides.
	{"GET", "/api-usage", accessViewer},
	{"GET", "/api/v1/api-usage/breakdown", accessViewer},
	{"GET", "/community", accessViewer},
	{"GET", "/api/v1/community", accessViewer},
	{"GET", "/projects", accessViewer},
	{"GET", "/projects/new", accessManager},
	{"POST", "/projects/new", accessManager},
	{"GET", "/projects/:slug", accessViewer},
	{"GET", "/projects/:slug/edit", accessManager},
	{"POST", "/projects/:slug/edit", accessManager},
	{"GET", "/api/v1/projects", accessViewer},
	{"POST", "/api/v1/projects", accessManager},
	{"GET", "/api/v1/projects/:slug", accessViewer},
	{"PUT", "/api/v1/projects/:slug", accessManager},
	{"GET", "/api/v1/openapi.json", accessViewer}, // describes the API to the people who may call it

	{"GET", "/members", accessViewer},
	{"GET", "/members.csv", accessViewer},
	{"GET", "/members/:slug", accessViewer},
	{"GET", "/api/v1/members", accessViewer},
	{"GET", "/api/v1/members/:slug", accessViewer},
	{"GET", "/network", accessViewer},
	{"GET", "/api/v1/network", accessViewer},

	{"GET", "/snapshots", accessViewer},
	{"GET", "/snapshots/:week", accessViewer},
	{"GET", "/api/v1/snapshots", accessViewer},
	{"GET", "/api/v1/snapshots/:week", accessViewer},
	{"GET", "/api/v1/alerts", accessViewer},

	{"GET", "/sources", accessViewer},
	{"GET", "/api/v1/sources", accessViewer},
	{"POST", "/sources/:name/run", accessManager},
	{"POST", "/api/v1/sources/:name/run", accessManager},

	// Administration (app/admin.go): accounts, ingest tokens, audit log.
	{"GET", "/admin/users", accessAdmin},
	{"POST", "/admin/users", accessAdmin},
	{"POST", "/admin/users/:name/role", accessAdmin},
	{"POST", "/admin/users/:name/disable", accessAdmin},
	{"POST", "/admin/users/:name/enable", accessAdmin},
	{"POST", "/admin/users/:name/delete", accessAdmin},
	{"POST", "/admin/users/:name/password", accessAdmin}, // reset (app/account.go)
	{"GET", "/admin/tokens", accessAdmin},
	{"POST", "/admin/tokens", accessAdmin},
	{"POST", "/admin/tokens/:name/revoke", accessAdmin},
	{"GET", "/admin/audit", accessAdmin},
	{"GET", "/api/v1/admin/users", accessAdmin},
	{"POST", "/api/v1/admin/users", accessAdmin},
	{"POST", "/api/v1/admin/users/:name", accessAdmin},
	{"POST", "/api/v1/admin/users/:name/password", accessAdmin},
	{"DELETE", "/api/v1/admin/users/:name", accessAdmin},
	{"GET", "/api/v1/admin/tokens", accessAdmin},
	{"POST", "/api/v1/admin/tokens", accessAdmin},
	{"DELETE", "/api/v1/admin/tokens/:name", accessAdmin},
	{"GET", "/api/v1/admin/audit", accessAdmin},
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
