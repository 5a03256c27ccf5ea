package app

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/views"
)

// API versions and deprecations (docs/api-versions.md): /api-versions and
// its JSON twin /api/v1/api-versions, both built by views.BuildAPIVersions
// over the declared versions (config api_versions, or the demo's).

func (a *App) buildAPIVersions(c *fiber.Ctx) (*views.APIVersions, error) {
	at, err := queryDay(c, "at")
	if err != nil {
		return nil, err
	}
	return views.BuildAPIVersions(c.UserContext(), a.db, a.versions,
		views.APIVersionsQuery{At: at, Now: a.now(), SunsetDays: a.cfg.SunsetWarningDays()})
}

func (a *App) apiVersionsPage(c *fiber.Ctx) error {
	v, err := a.buildAPIVersions(c)
	if err != nil {
		return err
	}
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).APIVersionsPage(b, v) })
}

func (a *App) apiVersionsJSON(c *fiber.Ctx) error {
	v, err := a.buildAPIVersions(c)
	if err != nil {
		return err
	}
	return c.JSON(v)
}
