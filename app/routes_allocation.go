package app

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/views"
)

// Benefit allocation statements: /allocation (the form and the statement),
// its JSON twin /api/v1/allocation and, with ?format=csv|xlsx|json, its
// downloads (audited). All of them build the statement with
// views.BuildAllocation, like `ecopulse allocate`.

// allocationQuery reads a statement's query; BuildAllocation checks it.
func allocationQuery(c *fiber.Ctx) views.AllocationQuery {
	return views.AllocationQuery{Period: c.Query("period"), Pool: c.Query("pool"), Currency: c.Query("currency"),
		Rule: c.Query("rule"), Agreement: c.Query("agreement")}
}

func (a *App) allocationPage(c *fiber.Ctx) error {
	q := allocationQuery(c)
	var al *views.Allocation
	if q.Period != "" {
		var err error
		if al, err = views.BuildAllocation(c.UserContext(), a.db, q); err != nil {
			return err
		}
	}
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).AllocationPage(b, q, al) })
}

// allocationJSON is /api/v1/allocation: the statement as JSON or, with
// ?format=, a download of it.
func (a *App) allocationJSON(c *fiber.Ctx) error {
	q := allocationQuery(c)
	format := c.Query("format")
	if format == "" {
		al, err := views.BuildAllocation(c.UserContext(), a.db, q)
		if err != nil {
			return err
		}
		return c.JSON(al)
	}
	name, err := a.allocationDownload(c, q, format)
	if name == "" {
		name = "allocation." + format
	}
	a.auditDownload(c, name, "", err)
	return err
}

// allocationDownload sends a statement as a file and returns its name.
func (a *App) allocationDownload(c *fiber.Ctx, q views.AllocationQuery, format string) (string, error) {
	ctype, err := exportContentType(format)
	if err != nil {
		return "", err
	}
	al, err := views.BuildAllocation(c.UserContext(), a.db, q)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := writeAllocation(&b, al, format, a.viewsFor(c).Tr()); err != nil {
		return "", err
	}
	name := views.AllocationExportName(al, format) // period, rule and slug validated: a safe file name
	c.Set(fiber.HeaderContentType, ctype)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return name, c.Send(b.Bytes())
}
