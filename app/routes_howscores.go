package app

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/views"
)

// How scores work (rule in app/policy.go):
//
//	GET /how-scores-work   docs/scoring.md, embedded at build time, as a page
//
// The overview and the member pages link to it, and each score's one-line
// description links to its section.
func init() {
	routeSets = append(routeSets, func(a *App, pages *fiber.App, api fiber.Router) {
		pages.Get(views.HowScoresPath, a.howScoresPage)
	})
}

func (a *App) howScoresPage(c *fiber.Ctx) error {
	return a.render(c, func(b *bytes.Buffer) error { return a.views.HowScoresPage(b) })
}
