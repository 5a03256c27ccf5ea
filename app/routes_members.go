package app

import (
	"bytes"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// The partner-manager pages and their JSON twins:
//
//	GET /members               members list (filters, sort and day in the query)
//	GET /members.csv           the same rows as CSV
//	GET /members/:slug         a member's page (?at, ?from, ?to)
//	GET /network               the cooperation network (?at, ?segment, ?min_k)
//	GET /api/v1/members        the list as JSON (?format=csv for CSV)
//	GET /api/v1/members/:slug  a member as JSON
//	GET /api/v1/network        the network as JSON
//
// Each page and its twin call the same views.Build* function. Every viewer
// may read them (their rules are in the route table, app/routes.go).

func (a *App) buildMembers(c *fiber.Ctx) (*views.Members, error) {
	q, err := views.ParseMembersQuery(func(name string) string { return c.Query(name) })
	if err != nil {
		return nil, err
	}
	return views.BuildMembers(c.UserContext(), a.db, q)
}

func (a *App) membersListPage(c *fiber.Ctx) error {
	m, err := a.buildMembers(c)
	if err != nil {
		return err
	}
	m.CanEdit = ecoCanEdit(c)
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).MembersPage(b, *m) })
}

func (a *App) membersListJSON(c *fiber.Ctx) error {
	switch c.Query("format") {
	case "", "json":
	case "csv":
		return a.membersListCSV(c)
	default:
		return domain.Errorf(domain.EINVALID, "unknown format %q: want json or csv", c.Query("format"))
	}
	m, err := a.buildMembers(c)
	if err != nil {
		return err
	}
	return c.JSON(m)
}

// membersListCSV sends exactly the rows the page shows for the same query.
// Each download is audited, with its query (the filters) and row count.
func (a *App) membersListCSV(c *fiber.Ctx) (err error) {
	rows := 0
	defer func() {
		detail := fmt.Sprintf("%d rows", rows)
		if q := sortedQuery(c.Request().URI().QueryArgs().VisitAll); q != "" {
			detail += ", " + q
		}
		a.auditDownload(c, "members.csv", detail, err)
	}()
	m, err := a.buildMembers(c)
	if err != nil {
		return err
	}
	rows = len(m.Members)
	var b bytes.Buffer
	if err := views.WriteMembersCSV(&b, m); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, views.MembersCSVName(m)))
	return c.Send(b.Bytes())
}

func (a *App) memberParams(c *fiber.Ctx) (views.MemberParams, error) {
	p := views.MemberParams{Slug: c.Params("slug"), Now: time.Now()}
	var err error
	if p.At, err = queryDay(c, "at"); err != nil {
		return p, err
	}
	if p.From, err = queryDay(c, "from"); err != nil {
		return p, err
	}
	if p.To, err = queryDay(c, "to"); err != nil {
		return p, err
	}
	return p, nil
}

func (a *App) buildMember(c *fiber.Ctx) (*views.MemberDetail, error) {
	p, err := a.memberParams(c)
	if err != nil {
		return nil, err
	}
	p.Versions = a.versions
	return views.BuildMember(c.UserContext(), a.db, a.cfg.Scoring, p)
}

func (a *App) memberDetailPage(c *fiber.Ctx) error {
	d, err := a.buildMember(c)
	if err != nil {
		return err
	}
	d.CanEdit = ecoCanEdit(c)
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).MemberPage(b, *d) })
}

func (a *App) memberDetailJSON(c *fiber.Ctx) error {
	d, err := a.buildMember(c)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

func (a *App) buildNetwork(c *fiber.Ctx) (*views.Network, error) {
	at, err := queryDay(c, "at")
	if err != nil {
		return nil, err
	}
	minK, err := views.ParseMinK(c.Query("min_k"))
	if err != nil {
		return nil, err
	}
	return views.BuildNetworkFor(c.UserContext(), a.db, views.NetworkQuery{At: at, Segment: c.Query("segment"), MinK: minK})
}

func (a *App) networkGraphPage(c *fiber.Ctx) error {
	n, err := a.buildNetwork(c)
	if err != nil {
		return err
	}
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).NetworkPage(b, *n) })
}

func (a *App) networkGraphJSON(c *fiber.Ctx) error {
	n, err := a.buildNetwork(c)
	if err != nil {
		return err
	}
	return c.JSON(n)
}
