package app

import (
	"bytes"

	"github.com/gofiber/fiber/v2"
)

// How scores work (rule in app/routes.go):
//
//	GET /how-scores-work   docs/scoring.md, embedded at build time, as a page
//
// The overview and the member pages link to it, and each score's one-line
// description links to its section.

func (a *App) howScoresPage(c *fiber.Ctx) error {
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).HowScoresPage(b) })
}
