package app

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/views"
)

// What a source rejected, and why (viewers, like /sources):
//
//	GET /sources/:name/rejected          counts per reason, the newest records
//	GET /api/v1/sources/:name/rejected   the same as JSON
//
// and `ecopulse rejected SOURCE [--json]`. Push ingest's records are under
// the source "push", imports' under "import".

func (a *App) rejectedPage(c *fiber.Ctx) error {
	r, err := views.BuildRejected(c.UserContext(), a.db, c.Params("name"))
	if err != nil {
		return err
	}
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).RejectedPage(b, *r) })
}

func (a *App) rejectedJSON(c *fiber.Ctx) error {
	r, err := views.BuildRejected(c.UserContext(), a.db, c.Params("name"))
	if err != nil {
		return err
	}
	return c.JSON(r)
}
