package app

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/views"
)

// The developer funnel (docs/developers.md):
//
//	GET /developers           the funnel of the consumers first seen in ?from … ?to
//	GET /api/v1/developers    the same as JSON
//
// Both build it with views.BuildDevelopers.

func (a *App) buildDevelopers(c *fiber.Ctx) (*views.Developers, error) {
	p, err := views.ParseRange(ecoQuery(c))
	if err != nil {
		return nil, err
	}
	return views.BuildDevelopers(c.UserContext(), a.db, p)
}

func (a *App) developersPage(c *fiber.Ctx) error {
	d, err := a.buildDevelopers(c)
	if err != nil {
		return err
	}
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).DevelopersPage(b, *d) })
}

func (a *App) developersJSON(c *fiber.Ctx) error {
	d, err := a.buildDevelopers(c)
	if err != nil {
		return err
	}
	return c.JSON(d)
}
