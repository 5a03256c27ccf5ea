package app

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// accessSpec is the specification of who may call what: written by hand,
// route by route, and never derived from the route table (app/routes.go).
// The table must match it, never the other way round: a test that took its
// expected answers from the policy it checks could not fail when the policy
// is lowered.
//
// need is one of "public" (anyone), "token" (an ingest token, never a
// session), "viewer", "manager" or "admin" (that role or a higher one).
// path is the path the route is registered with in Fiber.
//
// pending marks a route announced but not registered yet: it is skipped
// while it does not exist. Remove the mark once it is registered; an entry
// without the mark whose route does not exist fails the test.
type accessSpecEntry struct {
	method, path, need string
	pending            bool
}

var accessSpec = []accessSpecEntry{
	// Operations and sign-in: no session.
	{"GET", "/healthz", "public", false},
	{"GET", "/readyz", "public", false},
	{"GET", "/metrics", "public", false},
	{"GET", "/static/*", "public", false}, // mounted middleware, checked by request only
	{"GET", "/login", "public", false},
	{"POST", "/login", "public", false},
	{"GET", "/login/oidc", "public", false},
	{"GET", "/login/oidc/callback", "public", false},
	{"POST", "/api/v1/ingest/api-calls", "token", false},

	// One's own session and account.
	{"POST", "/logout", "viewer", false},
	{"GET", "/api/v1/me", "viewer", false},
	{"GET", "/account/password", "viewer", false},
	{"POST", "/account/password", "viewer", false},
	{"POST", "/api/v1/me/password", "viewer", false},
	{"POST", "/account/language", "viewer", false},
	{"PUT", "/api/v1/me/language", "viewer", false},

	// Dashboards and their JSON: every account.
	{"GET", "/", "viewer", false},
	{"GET", "/api/v1/overview", "viewer", false},
	{"GET", "/how-scores-work", "viewer", false},
	{"GET", "/api/v1/scores", "viewer", false},
	{"GET", "/api/v1/api-usage", "viewer", false},
	{"GET", "/api-usage", "viewer", false},
	{"GET", "/api/v1/api-usage/breakdown", "viewer", false},
	{"GET", "/api-versions", "viewer", false},
	{"GET", "/api/v1/api-versions", "viewer", false},
	{"GET", "/community", "viewer", false},
	{"GET", "/api/v1/community", "viewer", false},
	{"GET", "/developers", "viewer", false},
	{"GET", "/api/v1/developers", "viewer", false},
	{"GET", "/api/v1/openapi.json", "viewer", false},
	{"GET", "/members", "viewer", false},
	{"GET", "/members.csv", "viewer", false},
	{"GET", "/members/:slug", "viewer", false},
	{"GET", "/api/v1/members", "viewer", false},
	{"GET", "/api/v1/members/:slug", "viewer", false},
	{"GET", "/members/new", "manager", false},
	{"POST", "/members/new", "manager", false},
	{"GET", "/members/:slug/edit", "manager", false},
	{"POST", "/members/:slug/edit", "manager", false},
	{"POST", "/members/:slug/archive", "manager", false},
	{"POST", "/members/:slug/restore", "manager", false},
	{"POST", "/members/:slug/merge", "manager", false},
	{"POST", "/api/v1/members", "manager", false},
	{"GET", "/api/v1/consumers", "viewer", false},
	{"POST", "/api-usage/consumers/map", "manager", false},
	{"POST", "/api/v1/consumers/map", "manager", false},
	{"PUT", "/api/v1/consumers/:key", "manager", false},
	{"POST", "/community/assign", "manager", false},
	{"POST", "/community/domains", "manager", false},
	{"GET", "/api/v1/people/unaffiliated", "viewer", false},
	{"POST", "/api/v1/people/assign", "manager", false},
	{"GET", "/api/v1/affiliation/domains", "viewer", false},
	{"POST", "/api/v1/affiliation/domains", "manager", false},
	{"DELETE", "/api/v1/affiliation/domains/:id", "manager", false},
	{"PUT", "/api/v1/members/:slug", "manager", false},
	{"POST", "/api/v1/members/:slug/archive", "manager", false},
	{"POST", "/api/v1/members/:slug/restore", "manager", false},
	{"POST", "/api/v1/members/:slug/merge", "manager", false},
	{"GET", "/network", "viewer", false},
	{"GET", "/api/v1/network", "viewer", false},
	{"GET", "/snapshots", "viewer", false},
	{"GET", "/snapshots/:week", "viewer", false},
	{"GET", "/api/v1/snapshots", "viewer", false},
	{"GET", "/api/v1/snapshots/:week", "viewer", false},
	{"GET", "/snapshots/compare", "viewer", false},
	{"GET", "/api/v1/snapshots/compare", "viewer", false},
	{"GET", "/api/v1/snapshots/series", "viewer", false},
	{"GET", "/allocation", "manager", false},
	{"GET", "/api/v1/allocation", "manager", false},
	{"GET", "/api/v1/alerts", "viewer", false},
	{"GET", "/api/v1/alerts/:id", "viewer", false},
	{"GET", "/alerts", "viewer", false},
	{"GET", "/alerts/:id", "viewer", false},
	{"GET", "/sources", "viewer", false},
	{"GET", "/sources/:name/rejected", "viewer", false},
	{"GET", "/api/v1/sources/:name/rejected", "viewer", false},
	{"GET", "/api/v1/sources", "viewer", false},

	// Cooperation projects: everyone reads them, managers edit them.
	{"GET", "/projects", "viewer", false},
	{"GET", "/api/v1/projects", "viewer", false},
	{"GET", "/projects/:slug", "viewer", false},
	{"GET", "/api/v1/projects/:slug", "viewer", false},
	{"GET", "/projects/new", "manager", false},
	{"POST", "/projects/new", "manager", false},
	{"GET", "/projects/:slug/edit", "manager", false},
	{"POST", "/projects/:slug/edit", "manager", false},
	{"POST", "/api/v1/projects", "manager", false},
	{"PUT", "/api/v1/projects/:slug", "manager", false},

	// Acting on alerts: managers.
	{"POST", "/alerts/:id/acknowledge", "manager", false},
	{"POST", "/alerts/:id/assign", "manager", false},
	{"POST", "/alerts/:id/snooze", "manager", false},
	{"POST", "/alerts/:id/resolve", "manager", false},
	{"POST", "/api/v1/alerts/:id/acknowledge", "manager", false},
	{"POST", "/api/v1/alerts/:id/assign", "manager", false},
	{"POST", "/api/v1/alerts/:id/snooze", "manager", false},
	{"POST", "/api/v1/alerts/:id/resolve", "manager", false},

	// Starting a collector by hand: managers.
	{"POST", "/sources/:name/run", "manager", false},
	{"POST", "/api/v1/sources/:name/run", "manager", false},

	// Accounts, tokens and the audit log: admins only.
	{"GET", "/admin/users", "admin", false},
	{"POST", "/admin/users", "admin", false},
	{"POST", "/admin/users/:name/role", "admin", false},
	{"POST", "/admin/users/:name/disable", "admin", false},
	{"POST", "/admin/users/:name/enable", "admin", false},
	{"POST", "/admin/users/:name/delete", "admin", false},
	{"POST", "/admin/users/:name/password", "admin", false},
	{"GET", "/admin/tokens", "admin", false},
	{"POST", "/admin/tokens", "admin", false},
	{"POST", "/admin/tokens/:name/revoke", "admin", false},
	{"GET", "/admin/audit", "admin", false},
	{"GET", "/api/v1/admin/users", "admin", false},
	{"POST", "/api/v1/admin/users", "admin", false},
	{"POST", "/api/v1/admin/users/:name", "admin", false},
	{"DELETE", "/api/v1/admin/users/:name", "admin", false},
	{"POST", "/api/v1/admin/users/:name/password", "admin", false},
	{"GET", "/api/v1/admin/tokens", "admin", false},
	{"POST", "/api/v1/admin/tokens", "admin", false},
	{"DELETE", "/api/v1/admin/tokens/:name", "admin", false},
	{"GET", "/api/v1/admin/audit", "admin", false},
}

// specRank orders the session levels of the specification by hand, so the
// test does not borrow domain.RoleRank's answer for what it checks.
var specRank = map[string]int{"": 0, "public": 0, "viewer": 1, "manager": 2, "admin": 3}

// specRoles are the callers with a session level: anonymous first.
var specRoles = []string{"", domain.RoleViewer, domain.RoleManager, domain.RoleAdmin}

// registeredRoutes returns the app's routes as "METHOD path", without the
// methods Fiber adds by itself and without mounted middleware.
func registeredRoutes(a *App) map[string]bool {
	routes := map[string]bool{}
	for _, r := range a.Fiber().GetRoutes(true) {
		switch r.Method {
		case "USE", "HEAD", "CONNECT", "TRACE", "OPTIONS":
			continue
		}
		routes[r.Method+" "+r.Path] = true
	}
	return routes
}

// specRequestPath fills a route's parameters with a name nothing has (so a
// request that passes the gate changes nothing: no such user, token, source
// or project) and a wildcard with a file.
func specRequestPath(path string) string {
	path = strings.Replace(path, "*", "echarts.min.js", 1)
	return paramRE.ReplaceAllString(path, "no-such-thing")
}

// TestAccessSpecCoversEveryRoute fails when a route is registered without
// an entry in accessSpec, or an entry (not pending) names a route that does
// not exist.
func TestAccessSpecCoversEveryRoute(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	routes := registeredRoutes(a)
	inSpec := map[string]bool{}
	for _, e := range accessSpec {
		key := e.method + " " + e.path
		if inSpec[key] {
			t.Errorf("accessSpec names %s twice", key)
		}
		inSpec[key] = true
		if _, ok := specRank[e.need]; !ok && e.need != "token" {
			t.Errorf("accessSpec %s: unknown need %q", key, e.need)
		}
		if !routes[key] && !e.pending && !strings.HasSuffix(e.path, "*") {
			t.Errorf("accessSpec names %s, which is not registered (mark it pending if it is still to come)", key)
		}
	}
	for key := range routes {
		if !inSpec[key] {
			t.Errorf("route %s is registered without an entry in accessSpec: add who may call it", key)
		}
	}
}

// specSend sends one request of an entry as a caller (a session, an ingest
// token, or nobody) and returns the response.
func specSend(t *testing.T, a *App, e accessSpecEntry, session *testSession, token string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(e.method, specRequestPath(e.path), nil)
	if session != nil {
		session.apply(req)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.Fiber().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// refusedByGate says whether the gate refused a response, and checks that
// a refusal has the answer the gate gives: 401 or 403, or a page request
// of someone not logged in sent to the login page.
func refusedByGate(t *testing.T, what string, resp *http.Response) bool {
	t.Helper()
	why := resp.Header.Get(deniedHeader)
	if why == "" {
		return false
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
	case http.StatusSeeOther:
		if loc := resp.Header.Get("Location"); why != "login" || !strings.HasPrefix(loc, "/login?next=") {
			t.Errorf("%s: refused (%s) with a redirect to %q, want the login page", what, why, loc)
		}
	default:
		t.Errorf("%s: refused (%s) with status %d, want 401, 403 or a redirect to the login page", what, why, resp.StatusCode)
	}
	return true
}

func isPending(t *testing.T, e accessSpecEntry, routes map[string]bool) bool {
	if e.pending && !routes[e.method+" "+e.path] {
		t.Logf("%s %s: pending, not registered yet", e.method, e.path)
		return true
	}
	return false
}

// TestAccessSpecAgainstTheLiveServer sends every entry's request to the
// real app as anonymous, viewer, manager and admin: each caller below the
// entry's level is refused by the gate, each at or above it is not.
func TestAccessSpecAgainstTheLiveServer(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	routes := registeredRoutes(a)
	for _, e := range accessSpec {
		if isPending(t, e, routes) {
			continue
		}
		for _, role := range specRoles {
			what := e.method + " " + e.path + " as " + role
			var session *testSession
			if role == "" {
				what += "anonymous"
			} else {
				// A fresh login per request: POST /logout ends the session.
				s := loginAs(t, a, role)
				session = &s
			}
			resp := specSend(t, a, e, session, "")
			refused := refusedByGate(t, what, resp)
			if e.need == "token" {
				// The ingest route takes no session: the handler asks
				// every caller without a token for one.
				if resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("%s without a token: status %d, want 401", what, resp.StatusCode)
				}
				continue
			}
			want := specRank[role] < specRank[e.need]
			if refused != want {
				t.Errorf("%s: refused %v (status %d, %s=%q), want refused %v: the spec says %s",
					what, refused, resp.StatusCode, deniedHeader, resp.Header.Get(deniedHeader), want, e.need)
			}
		}
	}
}

// TestAccessSpecForAnIngestToken sends every entry's request with an ingest
// token and no session: the token opens the ingest route and nothing else.
func TestAccessSpecForAnIngestToken(t *testing.T) {
	db := datatest.MustOpenDB(t)
	a := newTestApp(t, db)
	token := newToken(t, db, "gateway", "")
	routes := registeredRoutes(a)
	for _, e := range accessSpec {
		if isPending(t, e, routes) {
			continue
		}
		what := e.method + " " + e.path + " with an ingest token"
		resp := specSend(t, a, e, nil, token)
		refused := refusedByGate(t, what, resp)
		switch e.need {
		case "token":
			// An empty batch is refused by the decoder (400), never by
			// the token check (401).
			if refused || resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
				t.Errorf("%s: status %d, want the token accepted", what, resp.StatusCode)
			}
		case "public":
			if refused {
				t.Errorf("%s: refused, but the route is public", what)
			}
		default:
			if !refused {
				t.Errorf("%s: status %d, not refused: a token is not a %s session", what, resp.StatusCode, e.need)
			}
		}
	}
}
