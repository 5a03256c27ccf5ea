package app

import (
	"bytes"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/views"
)

func (a *App) buildSources(c *fiber.Ctx) (*views.Sources, error) {
	s, err := views.BuildSources(c.UserContext(), a.db, a.sourceInfos(time.Now()), time.Now())
	if err != nil {
		return nil, err
	}
	if s.ConfigProblems, err = configProblems(c.UserContext(), a.db, a.cfg); err != nil {
		return nil, err
	}
	if s.ConfigProblems == nil {
		s.ConfigProblems = []string{}
	}
	return s, nil
}

func (a *App) sourcesJSON(c *fiber.Ctx) error {
	s, err := a.buildSources(c)
	if err != nil {
		return err
	}
	return c.JSON(s)
}

func (a *App) sourcesPage(c *fiber.Ctx) error {
	s, err := a.buildSources(c)
	if err != nil {
		return err
	}
	canRun := map[string]bool{}
	for _, src := range a.sources {
		canRun[src.cfg.Name] = true
	}
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).SourcesPage(b, *s, canRun) })
}

// runSourceJSON starts a run now: 202 when started, 409 when it is running.
func (a *App) runSourceJSON(c *fiber.Ctx) error {
	if err := a.triggerSourceBy(c); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"source": c.Params("name"), "status": "started"})
}

func (a *App) runSourceForm(c *fiber.Ctx) error {
	if err := a.triggerSourceBy(c); err != nil {
		return err
	}
	return c.Redirect("/sources", fiber.StatusSeeOther)
}

// triggerSourceBy starts the run a manager asked for ("Run now") and
// audits the request, started or refused.
func (a *App) triggerSourceBy(c *fiber.Ctx) error {
	name := c.Params("name")
	err := a.triggerSource(name)
	actor, detail := "", "started"
	if v := viewerOf(c); v != nil {
		actor = v.Name
	}
	if err != nil {
		_, detail = statusOf(err)
	}
	a.audit(c.UserContext(), actor, "source.run", name, detail, err == nil)
	return err
}
