package app

import (
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"github.com/ecopulse/ecopulse/views"
)

// routes is the one table of EcoPulse's routes: method, path, who may call
// it, whether the page cache may keep its answers, its handler and, for the
// JSON API, its summary in app/openapi.json. The router registers exactly
// these (mount), the gate, the body reader, the rate limiters and the page
// cache read the matched line (resolve, app/policy.go), and a request that
// matches no line is refused. Handlers live next to what they serve; the
// files that hold them describe their routes in their opening comments.
//
// The order is the order routes are tried: the first line that matches
// decides (/projects/new before /projects/:slug; TestNoRuleIsShadowed).
// It is longer than 100 lines on purpose: one table, read
// top to bottom, is where a reviewer sees every route and who may call it.
func (a *App) routes() routeTable {
	static := filesystem.New(filesystem.Config{Root: http.FS(views.StaticFS()), MaxAge: 3600})
	return routeTable{
		{"GET", "/healthz", accessPublic, cacheNever, a.healthz, ""},
		{"GET", "/readyz", accessPublic, cacheNever, a.readyz, ""},
		// The Prometheus scrape needs no session, like the health checks: its
		// labels are route patterns, configured source names and status
		// classes, never member, consumer or user data. Where the listen
		// address is reachable by untrusted clients, keep /metrics off the
		// reverse proxy (README, "Operating"). (app/metrics_prom.go)
		{"GET", "/metrics", accessPublic, cacheNever, a.prom.handler(), ""},
		{"GET", "/static/*", accessPublic, cacheNever, static, ""},
		{"GET", "/login", accessPublic, cacheNever, a.loginPage, ""},
		{"POST", "/login", accessPublic, cacheNever, a.login, ""},                     // CSRF-checked by the handler
		{"GET", "/login/oidc", accessPublic, cacheNever, a.oidcStart, ""},             // single sign-on: to the identity provider (app/oidc.go)
		{"GET", "/login/oidc/callback", accessPublic, cacheNever, a.oidcCallback, ""}, // …and back: state, nonce and PKCE checked by the handler
		{"POST", "/logout", accessViewer, cacheNever, a.logout, ""},
		{"POST", "/api/v1/ingest/api-calls", accessToken, cacheNever, a.ingestAPICalls, "Push API-call records"},

		{"GET", "/", accessViewer, cachePerRole, a.overviewPage, ""},
		{"GET", "/api/v1/me", accessViewer, cacheNever, a.me, "Who is logged in"},
		// Everyone's own password and language (app/account.go): never cached, it is per user.
		{"GET", accountPasswordPath, accessViewer, cacheNever, a.accountPasswordPage, ""},
		{"POST", accountPasswordPath, accessViewer, cacheNever, a.accountPasswordForm, ""},
		{"POST", "/api/v1/me/password", accessViewer, cacheNever, a.accountPasswordJSON, "Change your own password"},
		{"POST", accountLanguagePath, accessViewer, cacheNever, a.accountLanguageForm, ""}, // and language (app/lang.go)
		{"PUT", "/api/v1/me/language", accessViewer, cacheNever, a.accountLanguageJSON, "Choose your interface language"},
		{"GET", "/api/v1/overview", accessViewer, cachePerRole, a.overviewJSON, "Executive overview"},
		{"GET", views.HowScoresPath, accessViewer, cachePerRole, a.howScoresPage, ""}, // docs/scoring.md as a page (app/routes_howscores.go)
		{"GET", "/api/v1/scores", accessViewer, cacheScoresPerRole, a.scoresJSON, "Scores of a day"},
		{"GET", "/api/v1/api-usage", accessViewer, cachePerRole, a.apiUsageJSON, "API usage totals"},

		// Ecosystem pages and cooperation agreements (app/routes_ecosystem.go,
		// app/routes_agreements.go). /projects/new comes before /projects/:slug:
		// the first rule that matches decides.
		{"GET", "/api-usage", accessViewer, cachePerRole, a.apiUsagePage, ""},
		{"GET", "/api/v1/api-usage/breakdown", accessViewer, cachePerRole, a.apiUsageBreakdownJSON, "API usage breakdown"},
		{"GET", "/api-versions", accessViewer, cachePerRole, a.apiVersionsPage, ""}, // app/routes_versions.go
		{"GET", "/api/v1/api-versions", accessViewer, cachePerRole, a.apiVersionsJSON, "API versions and deprecations"},
		{"GET", "/community", accessViewer, cachePerRole, a.communityPage, ""},
		{"GET", "/api/v1/community", accessViewer, cachePerRole, a.communityJSON, "Community metrics"},
		// The developer funnel (app/routes_developers.go).
		{"GET", "/developers", accessViewer, cachePerRole, a.developersPage, ""},
		{"GET", "/api/v1/developers", accessViewer, cachePerRole, a.developersJSON, "Developer funnel"},
		{"GET", "/projects", accessViewer, cachePerRole, a.projectsListPage, ""},
		{"GET", "/projects/new", accessManager, cacheNever, a.agreementNewForm, ""},
		{"POST", "/projects/new", accessManager, cacheNever, a.agreementFormSubmit, ""},
		{"GET", "/projects/:slug", accessViewer, cachePerRole, a.projectDetailPage, ""},
		{"GET", "/projects/:slug/edit", accessManager, cacheNever, a.agreementEditForm, ""},
		{"POST", "/projects/:slug/edit", accessManager, cacheNever, a.agreementFormSubmit, ""},
		{"GET", "/api/v1/projects", accessViewer, cachePerRole, a.projectsListJSON, "Cooperation agreements"},
		{"POST", "/api/v1/projects", accessManager, cacheNever, a.agreementCreateJSON, "Register an agreement"},
		{"GET", "/api/v1/projects/:slug", accessViewer, cachePerRole, a.projectDetailJSON, "One agreement"},
		{"PUT", "/api/v1/projects/:slug", accessManager, cacheNever, a.agreementUpdateJSON, "Replace an agreement"},
		{"GET", "/api/v1/openapi.json", accessViewer, cachePerRole, openAPIHandler, "This document"}, // describes the API to the people who may call it

		// Members (app/routes_members.go) and managing them (app/members_pages.go).
		// /members/new before /members/:slug: the first rule that matches decides.
		{"GET", "/members", accessViewer, cacheScoresPerRole, a.membersListPage, ""},
		{"GET", "/members.csv", accessViewer, cacheNever, a.membersListCSV, ""},
		{"GET", "/members/new", accessManager, cacheNever, a.memberNewForm, ""},
		{"POST", "/members/new", accessManager, cacheNever, a.memberFormSubmit, ""},
		{"GET", "/members/:slug/edit", accessManager, cacheNever, a.memberEditForm, ""},
		{"POST", "/members/:slug/edit", accessManager, cacheNever, a.memberFormSubmit, ""},
		{"POST", "/members/:slug/archive", accessManager, cacheNever, a.memberLifecycleForm(memberArchiveForm), ""},
		{"POST", "/members/:slug/restore", accessManager, cacheNever, a.memberLifecycleForm(memberRestoreForm), ""},
		{"POST", "/members/:slug/merge", accessManager, cacheNever, a.memberLifecycleForm(memberMergeForm), ""},
		{"GET", "/members/:slug", accessViewer, cacheMemberPerRole, a.memberDetailPage, ""},
		{"GET", "/api/v1/members", accessViewer, cacheScoresPerRoleUnlessDownload, a.membersListJSON, "Members list"},
		{"GET", "/api/v1/members/:slug", accessViewer, cacheMemberPerRole, a.memberDetailJSON, "One member"},
		// API consumers and their members (app/consumers.go): managers map.
		{"POST", "/api-usage/consumers/map", accessManager, cacheNever, a.consumerMapForm, ""},
		{"GET", "/api/v1/consumers", accessViewer, cacheNever, a.consumersJSON, "API consumers and their members"},
		{"POST", "/api/v1/consumers/map", accessManager, cacheNever, a.consumersMapJSON, "Map consumers by key pattern"},
		{"PUT", "/api/v1/consumers/:key", accessManager, cacheNever, a.consumerMapJSON, "Map a consumer to a member"},
		// People and the members they work for (app/people.go): managers assign.
		{"POST", "/community/assign", accessManager, cacheNever, a.personAssignForm, ""},
		{"POST", "/community/domains", accessManager, cacheNever, a.domainRuleForm, ""},
		{"GET", "/api/v1/people/unaffiliated", accessViewer, cacheNever, a.unaffiliatedJSON, "Unaffiliated contributors"},
		{"POST", "/api/v1/people/assign", accessManager, cacheNever, a.personAssignJSON, "Assign a person to a member"},
		{"GET", "/api/v1/affiliation/domains", accessViewer, cacheNever, a.domainRulesJSON, "Stored e-mail-domain rules"},
		{"POST", "/api/v1/affiliation/domains", accessManager, cacheNever, a.domainRuleAddJSON, "Add an e-mail-domain rule"},
		{"DELETE", "/api/v1/affiliation/domains/:id", accessManager, cacheNever, a.domainRuleDeleteJSON, "Delete an e-mail-domain rule"},
		// Managing members (app/members_manage.go): managers.
		{"POST", "/api/v1/members", accessManager, cacheNever, a.memberCreateJSON, "Create a member"},
		{"PUT", "/api/v1/members/:slug", accessManager, cacheNever, a.memberUpdateJSON, "Update a member"},
		{"POST", "/api/v1/members/:slug/archive", accessManager, cacheNever, a.memberArchiveJSON, "Archive a member"},
		{"POST", "/api/v1/members/:slug/restore", accessManager, cacheNever, a.memberRestoreJSON, "Restore an archived member"},
		{"POST", "/api/v1/members/:slug/merge", accessManager, cacheNever, a.memberMergeJSON, "Merge a member into another"},
		{"GET", "/network", accessViewer, cachePerRole, a.networkGraphPage, ""},
		{"GET", "/api/v1/network", accessViewer, cachePerRole, a.networkGraphJSON, "Cooperation network"},

		// Weekly snapshots and their exports (app/routes_snapshots.go).
		{"GET", "/snapshots", accessViewer, cachePerRole, a.snapshotsPage, ""},
		{"GET", "/snapshots/compare", accessViewer, cachePerRole, a.snapshotComparePage, ""}, // before /snapshots/:week
		{"GET", "/snapshots/:week", accessViewer, cachePerRole, a.snapshotPage, ""},
		{"GET", "/api/v1/snapshots", accessViewer, cachePerRole, a.snapshotsJSON, "Weekly snapshots"},
		{"GET", "/api/v1/snapshots/compare", accessViewer, cachePerRoleUnlessDownload, a.snapshotCompareJSON, "Two weekly snapshots compared"}, // before :week
		{"GET", "/api/v1/snapshots/series", accessViewer, cachePerRoleUnlessDownload, a.snapshotSeriesJSON, "Weekly series of the snapshots"},
		{"GET", "/api/v1/snapshots/:week", accessViewer, cachePerRoleUnlessDownload, a.snapshotJSON, "One weekly snapshot"},
		// Benefit allocation statements and their downloads (app/routes_allocation.go):
		// money is a manager's business. Downloads (?format=) are audited, never kept.
		{"GET", "/allocation", accessManager, cachePerRole, a.allocationPage, ""},
		{"GET", "/api/v1/allocation", accessManager, cachePerRoleUnlessDownload, a.allocationJSON, "Benefit allocation statement"},
		{"GET", "/api/v1/alerts", accessViewer, cachePerRole, a.alertsJSON, "The alert inbox"},
		{"GET", "/api/v1/alerts/:id", accessViewer, cachePerRole, a.alertJSON, "An alert"},
		// The alert inbox (app/alerts_inbox.go): viewers read, managers act.
		// Its pages carry the session's CSRF token in their forms: never kept.
		{"GET", "/alerts", accessViewer, cacheNever, a.alertsPage, ""},
		{"GET", "/alerts/:id", accessViewer, cacheNever, a.alertPage, ""},
		{"POST", "/alerts/:id/acknowledge", accessManager, cacheNever, a.alertActionForm("acknowledge"), ""},
		{"POST", "/alerts/:id/assign", accessManager, cacheNever, a.alertActionForm("assign"), ""},
		{"POST", "/alerts/:id/snooze", accessManager, cacheNever, a.alertActionForm("snooze"), ""},
		{"POST", "/alerts/:id/resolve", accessManager, cacheNever, a.alertActionForm("resolve"), ""},
		{"POST", "/api/v1/alerts/:id/acknowledge", accessManager, cacheNever, a.alertActionJSON("acknowledge"), "Acknowledge an alert"},
		{"POST", "/api/v1/alerts/:id/assign", accessManager, cacheNever, a.alertActionJSON("assign"), "Assign an alert"},
		{"POST", "/api/v1/alerts/:id/snooze", accessManager, cacheNever, a.alertActionJSON("snooze"), "Snooze an alert"},
		{"POST", "/api/v1/alerts/:id/resolve", accessManager, cacheNever, a.alertActionJSON("resolve"), "Resolve an alert with a comment"},

		// Sources, what they rejected, and running one now (app/routes_sources.go,
		// app/rejected.go): live, never kept.
		{"GET", "/sources", accessViewer, cacheNever, a.sourcesPage, ""},
		{"GET", "/api/v1/sources", accessViewer, cacheNever, a.sourcesJSON, "Sources and their last runs"},
		{"GET", "/sources/:name/rejected", accessViewer, cacheNever, a.rejectedPage, ""},
		{"GET", "/api/v1/sources/:name/rejected", accessViewer, cacheNever, a.rejectedJSON, "What a source rejected, and why"},
		{"POST", "/sources/:name/run", accessManager, cacheNever, a.runSourceForm, ""},
		{"POST", "/api/v1/sources/:name/run", accessManager, cacheNever, a.runSourceJSON, "Run a source now"},

		// Administration (app/admin.go): accounts, ingest tokens, audit log.
		{"GET", "/admin/users", accessAdmin, cacheNever, a.adminUsersPage, ""},
		{"POST", "/admin/users", accessAdmin, cacheNever, a.adminAddUserForm, ""},
		{"POST", "/admin/users/:name/role", accessAdmin, cacheNever, a.adminUserForm(adminRoleForm), ""},
		{"POST", "/admin/users/:name/disable", accessAdmin, cacheNever, a.adminUserForm(adminDisableForm), ""},
		{"POST", "/admin/users/:name/enable", accessAdmin, cacheNever, a.adminUserForm(adminEnableForm), ""},
		{"POST", "/admin/users/:name/delete", accessAdmin, cacheNever, a.adminUserForm((*App).deleteUser), ""},
		{"POST", "/admin/users/:name/password", accessAdmin, cacheNever, a.adminResetPasswordForm, ""}, // reset (app/account.go)
		{"GET", "/admin/tokens", accessAdmin, cacheNever, a.adminTokensPage, ""},
		{"POST", "/admin/tokens", accessAdmin, cacheNever, a.adminCreateTokenForm, ""},
		{"POST", "/admin/tokens/:name/revoke", accessAdmin, cacheNever, a.adminRevokeTokenForm, ""},
		{"GET", "/admin/audit", accessAdmin, cacheNever, a.adminAuditPage, ""},
		{"GET", "/api/v1/admin/users", accessAdmin, cacheNever, a.adminUsersJSON, "Accounts"},
		{"POST", "/api/v1/admin/users", accessAdmin, cacheNever, a.adminAddUserJSON, "Add an account"},
		{"POST", "/api/v1/admin/users/:name", accessAdmin, cacheNever, a.adminChangeUserJSON, "Change an account"},
		{"POST", "/api/v1/admin/users/:name/password", accessAdmin, cacheNever, a.adminResetPasswordJSON, "Reset an account's password"},
		{"DELETE", "/api/v1/admin/users/:name", accessAdmin, cacheNever, a.adminDeleteUserJSON, "Delete an account"},
		{"GET", "/api/v1/admin/tokens", accessAdmin, cacheNever, a.adminTokensJSON, "Ingest tokens"},
		{"POST", "/api/v1/admin/tokens", accessAdmin, cacheNever, a.adminCreateTokenJSON, "Create an ingest token"},
		{"DELETE", "/api/v1/admin/tokens/:name", accessAdmin, cacheNever, a.adminRevokeTokenJSON, "Revoke an ingest token"},
		{"GET", "/api/v1/admin/audit", accessAdmin, cacheNever, a.adminAuditJSON, "Audit log"},
	}
}

// mount registers the table's handlers with the router, in the table's
// order. A tree (a pattern ending in "/*") is a middleware mounted at its
// prefix, which it strips before looking a file up; a GET answers HEAD too.
func (t routeTable) mount(f *fiber.App) {
	for _, r := range t {
		prefix, tree := strings.CutSuffix(r.pattern, "/*")
		switch {
		case tree:
			f.Use(prefix, r.handler)
		case r.method == fiber.MethodGet:
			f.Get(r.pattern, r.handler)
		default:
			f.Add(r.method, r.pattern, r.handler)
		}
	}
}
