package app

import (
	"bytes"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// The members pages for managers: the same member* functions as the JSON
// API and the commands (app/members_manage.go). Rules in app/routes.go.
//
//	GET  /members/new              the form for a new member
//	POST /members/new              add it (form fields)
//	GET  /members/:slug/edit       the form, filled in, with archive, restore and merge
//	POST /members/:slug/edit       save the edit
//	POST /members/:slug/archive    archive (field on, default today)
//	POST /members/:slug/restore    restore
//	POST /members/:slug/merge      merge into the member in field into
//
// Bad input shows the form again with the problems and the values entered
// (400, 404 or 409), and stores nothing.

// The member form's lifecycle changes (memberLifecycleForm answers them).
func memberArchiveForm(a *App, c *fiber.Ctx, slug string) error {
	on, err := parseOptionalDay("on", c.FormValue("on"), time.Now())
	if err != nil {
		return err
	}
	return memberArchive(c.UserContext(), a.db, viewerOf(c).Name, slug, on)
}

func memberRestoreForm(a *App, c *fiber.Ctx, slug string) error {
	return memberRestore(c.UserContext(), a.db, viewerOf(c).Name, slug)
}

func memberMergeForm(a *App, c *fiber.Ctx, slug string) error {
	into := c.FormValue("into")
	if into == "" {
		return domain.Errorf(domain.EINVALID, "into: choose the member to merge %s into", slug)
	}
	_, err := memberMerge(c.UserContext(), a.db, viewerOf(c).Name, slug, into)
	return err
}

func (a *App) renderMemberForm(c *fiber.Ctx, status int, f views.MemberForm) error {
	members, err := a.db.Members(c.UserContext())
	if err != nil {
		return err
	}
	f.Members = members
	if f.CSRF, err = a.pageCSRF(c); err != nil {
		return err
	}
	f.Today = domain.Day(time.Now()).Format(domain.DateLayout)
	c.Status(status)
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).MemberFormPage(b, f) })
}

func (a *App) memberNewForm(c *fiber.Ctx) error {
	return a.renderMemberForm(c, fiber.StatusOK, views.MemberForm{Values: views.MemberFormValues{
		Kind: string(domain.KindPartner), Joined: domain.Day(time.Now()).Format(domain.DateLayout)}})
}

func (a *App) memberEditForm(c *fiber.Ctx) error {
	m, err := a.db.MemberBySlug(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	return a.renderMemberForm(c, fiber.StatusOK, views.MemberForm{Existing: m, Values: views.MemberFormValuesOf(m)})
}

// memberFormSubmit adds (POST /members/new) or saves (POST
// /members/:slug/edit) a member from the form.
func (a *App) memberFormSubmit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var existing *domain.Member
	if slug := c.Params("slug"); slug != "" {
		m, err := a.db.MemberBySlug(ctx, slug)
		if err != nil {
			return err
		}
		existing = m
	}
	v := views.MemberFormValues{Slug: c.FormValue("slug"), Name: c.FormValue("name"), Kind: c.FormValue("kind"),
		Segment: c.FormValue("segment"), Tier: c.FormValue("tier"), Joined: c.FormValue("joined"),
		Domains: c.FormValue("domains"), GitHubOrgs: c.FormValue("github_orgs"), KeyPatterns: c.FormValue("key_patterns")}
	in := MemberInput{Slug: v.Slug, Name: v.Name, Kind: v.Kind, Segment: v.Segment, Tier: v.Tier, Joined: v.Joined,
		Domains: views.HintLines(v.Domains), GitHubOrgs: views.HintLines(v.GitHubOrgs), KeyPatterns: views.HintLines(v.KeyPatterns)}
	var err error
	var m *domain.Member
	if existing == nil {
		m, err = memberCreate(ctx, a.db, viewerOf(c).Name, in, time.Now())
	} else {
		v.Slug = existing.Slug
		m, err = memberUpdate(ctx, a.db, viewerOf(c).Name, existing.Slug, in, time.Now())
	}
	if err != nil {
		return a.memberFormProblem(c, existing, v, err)
	}
	a.rescoreSoon()
	return c.Redirect("/members/"+m.Slug, fiber.StatusSeeOther)
}

// memberFormProblem shows the form again with a refusal of the input; any
// other error is the error page's.
func (a *App) memberFormProblem(c *fiber.Ctx, existing *domain.Member, v views.MemberFormValues, err error) error {
	switch domain.ErrorCode(err) {
	case domain.EINVALID, domain.ECONFLICT, domain.ENOTFOUND:
		status, msg := a.statusIn(c, err)
		return a.renderMemberForm(c, status, views.MemberForm{Existing: existing, Values: v, Problems: []string{msg}})
	}
	return err
}

// memberLifecycleForm runs an archive, restore or merge from the edit page
// and goes back to it (to the member kept, after a merge).
func (a *App) memberLifecycleForm(change func(a *App, c *fiber.Ctx, slug string) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		slug := c.Params("slug")
		m, err := a.db.MemberBySlug(c.UserContext(), slug)
		if err != nil {
			return err
		}
		if err := change(a, c, slug); err != nil {
			return a.memberFormProblem(c, m, views.MemberFormValuesOf(m), err)
		}
		a.rescoreSoon()
		if into := c.FormValue("into"); into != "" {
			return c.Redirect("/members/"+into, fiber.StatusSeeOther)
		}
		return c.Redirect("/members/"+slug+"/edit", fiber.StatusSeeOther)
	}
}
