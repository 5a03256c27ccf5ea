package app

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// The ecosystem pages and their JSON twins (rules in app/routes.go):
//
//	GET /api-usage                    API traffic by segment, endpoint and hour; SLO budgets (?from, ?to, ?top)
//	GET /api/v1/api-usage/breakdown   the same as JSON (/api/v1/api-usage keeps its totals contract)
//	GET /projects                     agreements, milestone burn-up, overdue list (?from, ?to, ?status, ?member)
//	GET /api/v1/projects              the same as JSON
//	GET /community                    CHAOSS community metrics by week (?from, ?to)
//	GET /api/v1/community             the same as JSON
//
// Each page and its twin call the same views.Build* function. One agreement
// and the agreement form live in app/routes_agreements.go.

// ecoQuery returns a query parameter by name for the views' parsers.
func ecoQuery(c *fiber.Ctx) func(string) string {
	return func(name string) string { return c.Query(name) }
}

// ecoCanEdit reports whether the request's user may edit agreements.
func ecoCanEdit(c *fiber.Ctx) bool {
	v := viewerOf(c)
	return v != nil && domain.RoleRank(v.Role) >= domain.RoleRank(domain.RoleManager)
}

func (a *App) buildAPIUsage(c *fiber.Ctx) (*views.APIUsage, error) {
	p, err := views.ParseAPIUsageParams(ecoQuery(c))
	if err != nil {
		return nil, err
	}
	return views.BuildAPIUsage(c.UserContext(), a.db, a.cfg.Scoring, p)
}

func (a *App) apiUsagePage(c *fiber.Ctx) error {
	u, err := a.buildAPIUsage(c)
	if err != nil {
		return err
	}
	if ecoCanEdit(c) && u.Unmapped.ConsumerCount > 0 {
		// Managers map unmapped consumers from the page (per role: the
		// page cache keys on the role).
		members, err := a.db.Members(c.UserContext())
		if err != nil {
			return err
		}
		for _, m := range members {
			if m.MergedInto == "" {
				u.MapTargets = append(u.MapTargets, m)
			}
		}
	}
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).APIUsagePage(b, *u) })
}

func (a *App) apiUsageBreakdownJSON(c *fiber.Ctx) error {
	u, err := a.buildAPIUsage(c)
	if err != nil {
		return err
	}
	return c.JSON(u)
}

func (a *App) buildProjects(c *fiber.Ctx) (*views.Projects, error) {
	p, err := views.ParseProjectsParams(ecoQuery(c))
	if err != nil {
		return nil, err
	}
	return views.BuildProjects(c.UserContext(), a.db, p)
}

func (a *App) projectsListPage(c *fiber.Ctx) error {
	p, err := a.buildProjects(c)
	if err != nil {
		return err
	}
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).ProjectsPage(b, *p, ecoCanEdit(c)) })
}

func (a *App) projectsListJSON(c *fiber.Ctx) error {
	p, err := a.buildProjects(c)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (a *App) buildCommunity(c *fiber.Ctx) (*views.Community, error) {
	p, err := views.ParseRange(ecoQuery(c))
	if err != nil {
		return nil, err
	}
	return views.BuildCommunity(c.UserContext(), a.db, a.cfg.Scoring, p)
}

func (a *App) communityPage(c *fiber.Ctx) error {
	m, err := a.buildCommunity(c)
	if err != nil {
		return err
	}
	if ecoCanEdit(c) {
		// Managers assign people and add domain rules from the page (per
		// role: the page cache keys on the role; the forms' CSRF fields are
		// left empty for app.js to fill, so the page holds no user's token).
		members, err := a.db.Members(c.UserContext())
		if err != nil {
			return err
		}
		m.CanAssign = true
		for _, mem := range members {
			if mem.MergedInto == "" {
				m.AssignTargets = append(m.AssignTargets, mem)
			}
		}
	}
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).CommunityPage(b, *m) })
}

func (a *App) communityJSON(c *fiber.Ctx) error {
	m, err := a.buildCommunity(c)
	if err != nil {
		return err
	}
	return c.JSON(m)
}
