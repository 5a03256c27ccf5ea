package app

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// One cooperation agreement, and registering and editing agreements (the
// seed's "sign a cooperation agreement" step). Rules in app/routes.go:
// reading is for viewers, writing for managers, and every write carries
// the session's CSRF token (the gate checks it).
//
//	GET  /projects/new            the form for a new agreement
//	POST /projects/new            register it (form fields)
//	GET  /projects/:slug          one agreement: parties, milestones, sources (?at)
//	GET  /projects/:slug/edit     the form, filled in
//	POST /projects/:slug/edit     save the edit (form fields)
//	GET  /api/v1/projects/:slug   one agreement as JSON
//	POST /api/v1/projects         register an agreement (JSON: views.AgreementInput) → 201
//	PUT  /api/v1/projects/:slug   replace an agreement's fields, parties and milestones → 200
//
// Bad input answers 400 naming every problem (the form shows them with the
// values entered) and stores nothing; a taken slug answers 409. Saving is
// one transaction (data.DB.SaveAgreement) and is audited.

func (a *App) buildProject(c *fiber.Ctx) (*views.ProjectDetail, error) {
	at, err := queryDay(c, "at")
	if err != nil {
		return nil, err
	}
	return views.BuildProject(c.UserContext(), a.db, views.ProjectParams{Slug: c.Params("slug"), At: at, Now: time.Now()})
}

func (a *App) projectDetailPage(c *fiber.Ctx) error {
	d, err := a.buildProject(c)
	if err != nil {
		return err
	}
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).ProjectPage(b, *d, ecoCanEdit(c)) })
}

func (a *App) projectDetailJSON(c *fiber.Ctx) error {
	d, err := a.buildProject(c)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

// existingAgreement returns the agreement the route's :slug names, or nil
// for a route without one (a new agreement).
func (a *App) existingAgreement(c *fiber.Ctx) (*data.Agreement, error) {
	slug := c.Params("slug")
	if slug == "" {
		return nil, nil
	}
	if !domain.ValidSlug(slug) {
		return nil, domain.ErrorKey(domain.ENOTFOUND, "errors.no_project", domain.Facts{"Slug": fmt.Sprintf("%q", slug)}, "no project %q", slug)
	}
	return a.db.AgreementBySlug(c.UserContext(), slug)
}

// renderAgreementForm writes the form with the session's CSRF token (so it
// posts without JavaScript too) and every member to choose parties from.
func (a *App) renderAgreementForm(c *fiber.Ctx, status int, f views.AgreementForm) error {
	members, err := a.db.Members(c.UserContext())
	if err != nil {
		return err
	}
	f.Members = members
	sess, err := a.session(c)
	if err != nil {
		return err
	}
	f.CSRF, _ = sess.Get(sessCSRF).(string)
	c.Status(status)
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).AgreementFormPage(b, f) })
}

func (a *App) agreementNewForm(c *fiber.Ctx) error {
	in := views.AgreementInput{Status: domain.ProjectActive, StartOn: domain.Day(time.Now()).Format(domain.DateLayout)}
	return a.renderAgreementForm(c, fiber.StatusOK, views.AgreementForm{Input: in})
}

func (a *App) agreementEditForm(c *fiber.Ctx) error {
	existing, err := a.existingAgreement(c)
	if err != nil {
		return err
	}
	return a.renderAgreementForm(c, fiber.StatusOK, views.AgreementForm{Existing: existing, Input: views.AgreementInputOf(existing)})
}

// formValues returns every value of a repeated form field, in order.
func formValues(c *fiber.Ctx) func(string) []string {
	return func(name string) []string {
		if form, err := c.MultipartForm(); err == nil {
			return form.Value[name]
		}
		var out []string
		for _, v := range c.Request().PostArgs().PeekMulti(name) {
			out = append(out, string(v)) // a copy: fasthttp reuses the buffer
		}
		return out
	}
}

// agreementFormSubmit registers (POST /projects/new) or saves
// (POST /projects/:slug/edit) an agreement from the form. Bad input shows
// the form again, with the problems and the values entered.
func (a *App) agreementFormSubmit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	existing, err := a.existingAgreement(c)
	if err != nil {
		return err
	}
	in, problems := views.ParseAgreementForm(func(name string) string { return c.FormValue(name) }, formValues(c))
	again := func(status int, problems []string) error {
		return a.renderAgreementForm(c, status, views.AgreementForm{Existing: existing, Input: in, Problems: problems})
	}
	p, ms, more, err := views.ValidateAgreement(ctx, a.db, in, existing)
	if err != nil && domain.ErrorCode(err) != domain.EINVALID {
		return err
	}
	more = views.AgreementProblemsIn(a.viewsFor(c).Tr(), err, more) // the form's problems in its language
	if problems = append(problems, more...); len(problems) > 0 {
		return again(fiber.StatusBadRequest, problems)
	}
	if err := a.saveAgreement(c, p, ms); err != nil {
		if code := domain.ErrorCode(err); code == domain.EINVALID || code == domain.ECONFLICT || code == domain.ENOTFOUND {
			status, msg := a.statusIn(c, err)
			return again(status, []string{msg})
		}
		return err
	}
	return c.Redirect("/projects/"+p.Slug, fiber.StatusSeeOther)
}

// saveAgreement stores an agreement in one transaction and audits it.
func (a *App) saveAgreement(c *fiber.Ctx, p *domain.Project, ms []domain.Milestone) error {
	p.Source = data.SourceUI
	if err := a.db.SaveAgreement(c.UserContext(), p, ms); err != nil {
		return err
	}
	name := ""
	if v := viewerOf(c); v != nil {
		name = v.Name
	}
	a.audit(c.UserContext(), name, "agreement.save", p.Slug, "", true)
	return nil
}

// agreementJSON registers (existing == nil) or replaces an agreement from a
// JSON body and answers with the stored agreement.
func (a *App) agreementJSON(c *fiber.Ctx, existing *data.Agreement, status int) error {
	ctx := c.UserContext()
	body, err := requestBody(c) // bounded: c.Body() would un-gzip without limit
	if err != nil {
		return err
	}
	in, err := views.DecodeAgreementJSON(body)
	if err != nil {
		return err
	}
	p, ms, problems, err := views.ValidateAgreement(ctx, a.db, in, existing)
	if len(problems) > 0 {
		return c.Status(http.StatusBadRequest).JSON(fiber.Map{"error": domain.ErrorMessage(err), "code": http.StatusText(http.StatusBadRequest),
			"problems": problems})
	}
	if err != nil {
		return err
	}
	if err := a.saveAgreement(c, p, ms); err != nil {
		return err
	}
	d, err := views.BuildProject(ctx, a.db, views.ProjectParams{Slug: p.Slug, Now: time.Now()})
	if err != nil {
		return err
	}
	c.Location("/api/v1/projects/" + p.Slug)
	return c.Status(status).JSON(d)
}

func (a *App) agreementCreateJSON(c *fiber.Ctx) error {
	return a.agreementJSON(c, nil, fiber.StatusCreated)
}

func (a *App) agreementUpdateJSON(c *fiber.Ctx) error {
	existing, err := a.existingAgreement(c)
	if err != nil {
		return err
	}
	return a.agreementJSON(c, existing, fiber.StatusOK)
}
