package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// Members are managed data, four ways with one code path: the members pages
// (app/members_pages.go), the JSON API below, the `ecopulse member` commands
// (MemberCommand) and the registry file (collectors/registry). Each way
// turns its input into a MemberInput and calls the member* functions here,
// which validate, store and audit. Rules in app/routes.go: managers write.
//
//	POST /api/v1/members                  create (JSON: MemberInput) → 201 with the member
//	PUT  /api/v1/members/:slug            replace its fields (JSON: MemberInput; the slug stays) → 200
//	POST /api/v1/members/:slug/archive    archive it ({"on": "YYYY-MM-DD"}, default today) → 200
//	POST /api/v1/members/:slug/restore    bring an archived member back → 200
//	POST /api/v1/members/:slug/merge      merge it into another ({"into": SLUG}) → 200 with what moved
//
// Bad input answers 400 naming the field, a taken slug 409; nothing is
// stored in part. A change that alters days already scored (a joined date,
// an archive, a restore, a merge) has them scored again by the scoring job,
// which runs at once.

// MemberInput is a member as people give it: JSON, a form, command flags.
type MemberInput struct {
	Slug        string   `json:"slug"`
	Name        string   `json:"name"`
	Kind        string   `json:"kind"`
	Segment     string   `json:"segment"`
	Tier        string   `json:"tier"`
	Joined      string   `json:"joined"` // YYYY-MM-DD; default today
	Domains     []string `json:"domains"`
	GitHubOrgs  []string `json:"github_orgs"`
	KeyPatterns []string `json:"key_patterns"`
}

// member returns the domain.Member of in, or an EINVALID error naming the field.
func (in MemberInput) member(today time.Time) (*domain.Member, error) {
	m := &domain.Member{Slug: in.Slug, Name: in.Name, Kind: domain.MemberKind(strings.ToLower(strings.TrimSpace(in.Kind))),
		Segment: in.Segment, Tier: in.Tier, Domains: in.Domains, GitHubOrgs: in.GitHubOrgs, KeyPatterns: in.KeyPatterns}
	if j := strings.TrimSpace(in.Joined); j != "" {
		d, err := domain.ParseDay(j)
		if err != nil {
			return nil, domain.Errorf(domain.EINVALID, "joined: %s", domain.ErrorMessage(err))
		}
		m.JoinedOn = d
	} else {
		m.JoinedOn = domain.Day(today)
	}
	m.Normalize()
	return m, m.Validate()
}

// MemberRecord is a member as the API and `member list --json` give it back.
type MemberRecord struct {
	Slug        string   `json:"slug"`
	Name        string   `json:"name"`
	Kind        string   `json:"kind"`
	Segment     string   `json:"segment"`
	Tier        string   `json:"tier"`
	Joined      string   `json:"joined"`
	Domains     []string `json:"domains"`
	GitHubOrgs  []string `json:"github_orgs"`
	KeyPatterns []string `json:"key_patterns"`
	ArchivedOn  *string  `json:"archived_on"` // null while active
	MergedInto  string   `json:"merged_into,omitempty"`
}

func recordOf(m *domain.Member) MemberRecord {
	r := MemberRecord{Slug: m.Slug, Name: m.Name, Kind: string(m.Kind), Segment: m.Segment, Tier: m.Tier,
		Joined: m.JoinedOn.Format(domain.DateLayout), Domains: m.Domains, GitHubOrgs: m.GitHubOrgs, KeyPatterns: m.KeyPatterns,
		MergedInto: m.MergedInto}
	if m.Archived() {
		s := m.ArchivedOn.Format(domain.DateLayout)
		r.ArchivedOn = &s
	}
	return r
}

// InputOf returns the input that gives m back (the edit form's values).
func inputOf(m *domain.Member) MemberInput {
	return MemberInput{Slug: m.Slug, Name: m.Name, Kind: string(m.Kind), Segment: m.Segment, Tier: m.Tier,
		Joined: m.JoinedOn.Format(domain.DateLayout), Domains: m.Domains, GitHubOrgs: m.GitHubOrgs, KeyPatterns: m.KeyPatterns}
}

// auditChange records a change to managed data (members, consumer
// mappings, people), refused ones too: the error's message is then the
// detail.
func auditChange(ctx context.Context, db *data.DB, actor, action, target, detail string, err error) {
	if err != nil {
		detail = domain.ErrorMessage(err)
	}
	_ = db.Audit(context.WithoutCancel(ctx), data.AuditEntry{Actor: actor, Action: action, Target: target, Detail: detail, OK: err == nil})
}

func memberCreate(ctx context.Context, db *data.DB, actor string, in MemberInput, today time.Time) (*domain.Member, error) {
	m, err := in.member(today)
	if err == nil {
		err = db.CreateMember(ctx, m)
	}
	auditChange(ctx, db, actor, "member.create", in.Slug, "", err)
	return m, err
}

func memberUpdate(ctx context.Context, db *data.DB, actor, slug string, in MemberInput, today time.Time) (*domain.Member, error) {
	if in.Slug != "" && in.Slug != slug {
		err := domain.Errorf(domain.EINVALID, "slug: a member's slug cannot change (%q in the body, %q in the path)", in.Slug, slug)
		auditChange(ctx, db, actor, "member.update", slug, "", err)
		return nil, err
	}
	in.Slug = slug
	m, err := in.member(today)
	if err == nil {
		_, err = db.UpdateMember(ctx, m)
	}
	auditChange(ctx, db, actor, "member.update", slug, "", err)
	if err != nil {
		return nil, err
	}
	return db.MemberBySlug(ctx, slug)
}

func memberArchive(ctx context.Context, db *data.DB, actor, slug string, on time.Time) error {
	err := db.ArchiveMember(ctx, slug, on)
	auditChange(ctx, db, actor, "member.archive", slug, "from "+on.Format(domain.DateLayout), err)
	return err
}

func memberRestore(ctx context.Context, db *data.DB, actor, slug string) error {
	err := db.RestoreMember(ctx, slug)
	auditChange(ctx, db, actor, "member.restore", slug, "", err)
	return err
}

func memberMerge(ctx context.Context, db *data.DB, actor, drop, keep string) (*data.MergeResult, error) {
	res, err := db.MergeMembers(ctx, keep, drop)
	detail := "into " + keep
	if res != nil {
		detail = fmt.Sprintf("into %s: %d consumers, %d affiliations, %d projects, %d activities moved", keep, res.Consumers, res.Affiliations, res.Projects, res.Activities)
	}
	auditChange(ctx, db, actor, "member.merge", drop, detail, err)
	return res, err
}

// parseOptionalDay reads an optional YYYY-MM-DD (def when empty), naming the field.
func parseOptionalDay(field, s string, def time.Time) (time.Time, error) {
	if strings.TrimSpace(s) == "" {
		return domain.Day(def), nil
	}
	d, err := domain.ParseDay(strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, domain.Errorf(domain.EINVALID, "%s: %s", field, domain.ErrorMessage(err))
	}
	return d, nil
}

// --- JSON ---

func (a *App) memberCreateJSON(c *fiber.Ctx) error {
	var in MemberInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	m, err := memberCreate(c.UserContext(), a.db, viewerOf(c).Name, in, time.Now())
	if err != nil {
		return err
	}
	a.rescoreSoon()
	return c.Status(fiber.StatusCreated).JSON(recordOf(m))
}

func (a *App) memberUpdateJSON(c *fiber.Ctx) error {
	var in MemberInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	m, err := memberUpdate(c.UserContext(), a.db, viewerOf(c).Name, c.Params("slug"), in, time.Now())
	if err != nil {
		return err
	}
	a.rescoreSoon()
	return c.JSON(recordOf(m))
}

func (a *App) memberArchiveJSON(c *fiber.Ctx) error {
	var in struct {
		On string `json:"on"`
	}
	if len(c.Request().Body()) > 0 {
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
	}
	on, err := parseOptionalDay("on", in.On, time.Now())
	if err != nil {
		return err
	}
	return a.memberChanged(c, memberArchive(c.UserContext(), a.db, viewerOf(c).Name, c.Params("slug"), on))
}

func (a *App) memberRestoreJSON(c *fiber.Ctx) error {
	return a.memberChanged(c, memberRestore(c.UserContext(), a.db, viewerOf(c).Name, c.Params("slug")))
}

// memberChanged answers an archive or restore with the member as it is now.
func (a *App) memberChanged(c *fiber.Ctx, err error) error {
	if err != nil {
		return err
	}
	a.rescoreSoon()
	m, err := a.db.MemberBySlug(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	return c.JSON(recordOf(m))
}

func (a *App) memberMergeJSON(c *fiber.Ctx) error {
	var in struct {
		Into string `json:"into"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Into) == "" {
		return domain.Errorf(domain.EINVALID, "into: name the member to merge %q into", c.Params("slug"))
	}
	res, err := memberMerge(c.UserContext(), a.db, viewerOf(c).Name, c.Params("slug"), strings.TrimSpace(in.Into))
	if err != nil {
		return err
	}
	a.rescoreSoon()
	return c.JSON(res)
}
