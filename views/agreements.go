package views

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// Cooperation agreements entered by managers: the form at /projects/new and
// /projects/:slug/edit, and POST /api/v1/projects, PUT
// /api/v1/projects/:slug. Both read an AgreementInput, check it with
// ValidateAgreement, and save it with data.DB.SaveAgreement (one
// transaction), as a record of source "ui".

// AgreementPartyInput is a party as entered: a member slug and a role.
type AgreementPartyInput struct {
	Member string `json:"member"`
	Role   string `json:"role"`
}

// AgreementMilestoneInput is a milestone as entered. ID names a stored
// milestone of the agreement (0: a new one, or the stored one with the same
// title).
type AgreementMilestoneInput struct {
	ID     int64  `json:"id,omitempty"`
	Title  string `json:"title"`
	DueOn  string `json:"due_on"`
	DoneOn string `json:"done_on,omitempty"`
}

// AgreementInput is an agreement as a form or a JSON body gives it.
type AgreementInput struct {
	Slug       string                    `json:"slug"`
	Name       string                    `json:"name"`
	Scope      string                    `json:"scope"`
	Terms      string                    `json:"terms"`
	Status     string                    `json:"status"`
	StartOn    string                    `json:"start_on"`
	EndOn      string                    `json:"end_on,omitempty"`
	Parties    []AgreementPartyInput     `json:"parties"`
	Milestones []AgreementMilestoneInput `json:"milestones"`
}

// Limits of an agreement.
const (
	agreementMaxName       = 200
	agreementMaxText       = 10000
	agreementMaxRole       = 100
	agreementMaxParties    = 50
	agreementMaxMilestones = 200
)

// reservedProjectSlugs are slugs a project cannot take: they name pages.
var reservedProjectSlugs = map[string]bool{"new": true}

// ParseAgreementForm reads the agreement form: single fields through get,
// repeated row fields (party_member, party_role, ms_id, ms_title, ms_due,
// ms_done) through all. Rows left blank are dropped: clearing a
// milestone's title and dates removes it. A malformed milestone id is
// reported by ValidateAgreement.
func ParseAgreementForm(get func(string) string, all func(string) []string) (AgreementInput, []string) {
	in := AgreementInput{Slug: get("slug"), Name: get("name"), Scope: get("scope"), Terms: get("terms"),
		Status: get("status"), StartOn: get("start_on"), EndOn: get("end_on"),
		Parties: []AgreementPartyInput{}, Milestones: []AgreementMilestoneInput{}}
	var problems []string
	at := func(list []string, i int) string {
		if i < len(list) {
			return strings.TrimSpace(list[i])
		}
		return ""
	}
	members, roles := all("party_member"), all("party_role")
	for i := 0; i < max(len(members), len(roles)); i++ {
		p := AgreementPartyInput{Member: at(members, i), Role: at(roles, i)}
		if p.Member == "" && p.Role == "" {
			continue
		}
		in.Parties = append(in.Parties, p)
	}
	ids, titles, dues, dones := all("ms_id"), all("ms_title"), all("ms_due"), all("ms_done")
	for i := 0; i < max(len(ids), len(titles), len(dues), len(dones)); i++ {
		m := AgreementMilestoneInput{Title: at(titles, i), DueOn: at(dues, i), DoneOn: at(dones, i)}
		if m.Title == "" && m.DueOn == "" && m.DoneOn == "" {
			continue
		}
		if s := at(ids, i); s != "" {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil || id <= 0 {
				problems = append(problems, fmt.Sprintf("milestone %d has a malformed id %q", len(in.Milestones)+1, s))
			} else {
				m.ID = id
			}
		}
		in.Milestones = append(in.Milestones, m)
	}
	return in, problems
}

// DecodeAgreementJSON reads an agreement from a JSON body. Unknown fields
// and trailing data are EINVALID errors, so that a typo does not pass.
func DecodeAgreementJSON(body []byte) (AgreementInput, error) {
	var in AgreementInput
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return in, domain.Errorf(domain.EINVALID, "the body is not an agreement in JSON: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return in, domain.Errorf(domain.EINVALID, "the body holds more than one JSON value")
	}
	return in, nil
}

// jsonProblem says what is wrong with a body without echoing Go types.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return fmt.Sprintf("field %q has the wrong type", te.Field)
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case err == io.EOF:
		return "the body is empty"
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "json: unknown field ") {
		return "unknown field " + strings.TrimPrefix(msg, "json: unknown field ")
	}
	return "malformed JSON"
}

// AgreementInputOf is a stored agreement as the form shows it.
func AgreementInputOf(a *data.Agreement) AgreementInput {
	in := AgreementInput{Slug: a.Slug, Name: a.Name, Scope: a.Scope, Terms: a.Terms, Status: a.Status,
		StartOn: dateOrEmpty(a.StartOn), EndOn: dateOrEmpty(a.EndOn),
		Parties: []AgreementPartyInput{}, Milestones: []AgreementMilestoneInput{}}
	for _, m := range a.Members {
		in.Parties = append(in.Parties, AgreementPartyInput{Member: m.Slug, Role: m.Role})
	}
	for _, m := range a.Milestones {
		in.Milestones = append(in.Milestones, AgreementMilestoneInput{ID: m.ID, Title: m.Title,
			DueOn: dateOrEmpty(m.DueOn), DoneOn: dateOrEmpty(m.DoneOn)})
	}
	return in
}

// ValidateAgreement checks an agreement as entered and returns it as the
// store takes it: the project (its ID set to existing's when editing,
// Source "ui") and its milestones. Every problem found is listed, in words
// naming the field; with any, err is an EINVALID error holding them all and
// nothing may be stored.
func ValidateAgreement(ctx context.Context, db *data.DB, in AgreementInput, existing *data.Agreement) (*domain.Project, []domain.Milestone, []string, error) {
	var c agreementCheck
	in.Slug, in.Name, in.Status = strings.TrimSpace(in.Slug), strings.TrimSpace(in.Name), strings.ToLower(strings.TrimSpace(in.Status))
	in.Scope, in.Terms = strings.TrimSpace(in.Scope), strings.TrimSpace(in.Terms)
	p := &domain.Project{Slug: in.Slug, Name: in.Name, Scope: in.Scope, Terms: in.Terms, Status: in.Status, Source: data.SourceUI}
	if existing != nil {
		p.ID = existing.ID
	}
	c.fields(in)
	p.StartOn = c.date(in.StartOn, "errors.agreement.start_required", "errors.agreement.start_bad", nil, "the start date")
	p.EndOn = c.date(in.EndOn, "", "errors.agreement.end_bad", nil, "the end date")
	if !p.StartOn.IsZero() && !p.EndOn.IsZero() && p.EndOn.Before(p.StartOn) {
		c.bad("errors.agreement.ends_before_start", domain.Facts{"End": dateOrEmpty(p.EndOn), "Start": dateOrEmpty(p.StartOn)},
			"the end date (%s) is before the start date (%s)", dateOrEmpty(p.EndOn), dateOrEmpty(p.StartOn))
	}
	var err error
	if p.Parties, err = c.parties(ctx, db, in.Parties); err != nil {
		return nil, nil, nil, err
	}
	ms := c.milestones(in.Milestones, existing, p.StartOn)
	if len(c.problems) > 0 {
		return p, ms, c.problems, &agreementInvalid{err: domain.Errorf(domain.EINVALID, "%s", strings.Join(c.problems, "; ")), problems: c.keyed}
	}
	return p, ms, nil, nil
}

// agreementCheck collects what ValidateAgreement finds wrong, in the order
// of the form: each problem in English (the JSON API's problems) and keyed
// (the form's, in its language: AgreementProblemsIn).
type agreementCheck struct {
	problems []string
	keyed    []*domain.Error
}

// bad notes a problem: its message key and facts, and its English.
func (c *agreementCheck) bad(key string, facts domain.Facts, format string, args ...any) {
	e := domain.ErrorKey(domain.EINVALID, key, facts, format, args...)
	c.problems = append(c.problems, e.Message)
	c.keyed = append(c.keyed, e)
}

// date parses s (YYYY-MM-DD), what naming it in a problem's English and
// the keys (missing: when it is required; bad: not a date) with facts in
// its words; empty is the zero time, and a problem when it is required.
func (c *agreementCheck) date(s, missing, bad string, facts domain.Facts, what string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		if missing != "" {
			c.bad(missing, facts, "%s is required (YYYY-MM-DD)", what)
		}
		return time.Time{}
	}
	d, err := time.Parse(domain.DateLayout, s)
	if err != nil {
		f := domain.Facts{"Value": fmt.Sprintf("%q", s)}
		for k, v := range facts {
			f[k] = v
		}
		c.bad(bad, f, "%s %q is not a date: want YYYY-MM-DD", what, s)
		return time.Time{}
	}
	return d
}

// agreementInvalid is ValidateAgreement's EINVALID error: the English of
// all its problems, and each keyed.
type agreementInvalid struct {
	err      *domain.Error
	problems []*domain.Error
}

func (e *agreementInvalid) Error() string { return e.err.Error() }

// Unwrap lets domain.ErrorCode and domain.ErrorMessage find the error.
func (e *agreementInvalid) Unwrap() error { return e.err }

// AgreementProblemsIn says the problems of ValidateAgreement's error in
// tr's language, each as ErrorMessageIn does (the English where the
// catalogues cannot); english, the problems as returned, for any other
// error.
func AgreementProblemsIn(tr Tr, err error, english []string) []string {
	var ai *agreementInvalid
	if !errors.As(err, &ai) {
		return english
	}
	out := make([]string, len(ai.problems))
	for i, p := range ai.problems {
		out[i] = ErrorMessageIn(tr, p)
	}
	return out
}

// fields checks the slug, name, scope, terms and status of in, already
// trimmed.
func (c *agreementCheck) fields(in AgreementInput) {
	switch {
	case in.Slug == "":
		c.bad("errors.agreement.slug_required", nil, "the slug is required")
	case !domain.ValidSlug(in.Slug):
		c.bad("errors.agreement.slug_invalid", domain.Facts{"Slug": fmt.Sprintf("%q", in.Slug)},
			"the slug %q must be lower-case letters, digits and dashes (at most 63), starting with a letter or digit", in.Slug)
	case reservedProjectSlugs[in.Slug]:
		c.bad("errors.agreement.slug_reserved", domain.Facts{"Slug": fmt.Sprintf("%q", in.Slug)}, "the slug %q is reserved: choose another", in.Slug)
	}
	switch {
	case in.Name == "":
		c.bad("errors.agreement.name_required", nil, "the name is required")
	case utf8.RuneCountInString(in.Name) > agreementMaxName:
		c.bad("errors.agreement.name_too_long", domain.Facts{"Max": agreementMaxName}, "the name is longer than %d characters", agreementMaxName)
	}
	if utf8.RuneCountInString(in.Scope) > agreementMaxText {
		c.bad("errors.agreement.scope_too_long", domain.Facts{"Max": agreementMaxText}, "the scope is longer than %d characters", agreementMaxText)
	}
	if utf8.RuneCountInString(in.Terms) > agreementMaxText {
		c.bad("errors.agreement.terms_too_long", domain.Facts{"Max": agreementMaxText}, "the terms are longer than %d characters", agreementMaxText)
	}
	if !validProjectStatus(in.Status) {
		if in.Status == "" {
			c.bad("errors.agreement.status_required", nil, "the status is required: planned, active, completed or cancelled")
		} else {
			c.bad("errors.agreement.status_unknown", domain.Facts{"Status": fmt.Sprintf("%q", in.Status)},
				"unknown status %q: want planned, active, completed or cancelled", in.Status)
		}
	}
}

// parties returns the parties that name a known member once; the error is
// the store's only.
func (c *agreementCheck) parties(ctx context.Context, db *data.DB, in []AgreementPartyInput) ([]domain.ProjectParty, error) {
	if len(in) == 0 {
		c.bad("errors.agreement.no_party", nil, "an agreement needs at least one party")
	}
	if len(in) > agreementMaxParties {
		c.bad("errors.agreement.too_many_parties", domain.Facts{"Max": agreementMaxParties}, "at most %d parties", agreementMaxParties)
	}
	var parties []domain.ProjectParty
	seen := map[string]bool{}
	for i, party := range in {
		slug, role := strings.TrimSpace(party.Member), strings.TrimSpace(party.Role)
		switch {
		case slug == "":
			c.bad("errors.agreement.party_member_required", domain.Facts{"N": i + 1}, "party %d needs a member", i+1)
			continue
		case seen[slug]:
			c.bad("errors.agreement.party_twice", domain.Facts{"Slug": fmt.Sprintf("%q", slug)}, "member %q is listed twice as a party", slug)
			continue
		}
		seen[slug] = true
		if utf8.RuneCountInString(role) > agreementMaxRole {
			c.bad("errors.agreement.role_too_long", domain.Facts{"Slug": fmt.Sprintf("%q", slug), "Max": agreementMaxRole},
				"the role of %q is longer than %d characters", slug, agreementMaxRole)
		}
		if !domain.ValidSlug(slug) {
			c.bad("errors.agreement.unknown_member", domain.Facts{"Slug": fmt.Sprintf("%q", slug)}, "unknown member %q", slug)
			continue
		}
		m, err := db.MemberBySlug(ctx, slug)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			c.bad("errors.agreement.unknown_member", domain.Facts{"Slug": fmt.Sprintf("%q", slug)}, "unknown member %q", slug)
			continue
		} else if err != nil {
			return nil, err
		}
		parties = append(parties, domain.ProjectParty{MemberID: m.ID, Role: role})
	}
	return parties, nil
}

// milestones returns the milestones as entered: titled once each, ids of
// the existing agreement's milestones only, due and done on dates, not
// before the agreement starts.
func (c *agreementCheck) milestones(in []AgreementMilestoneInput, existing *data.Agreement, start time.Time) []domain.Milestone {
	if len(in) > agreementMaxMilestones {
		c.bad("errors.agreement.too_many_milestones", domain.Facts{"Max": agreementMaxMilestones}, "at most %d milestones", agreementMaxMilestones)
	}
	stored := map[int64]bool{}
	if existing != nil {
		for _, m := range existing.Milestones {
			stored[m.ID] = true
		}
	}
	var ms []domain.Milestone
	titles, ids := map[string]bool{}, map[int64]bool{}
	for i, m := range in {
		title := strings.TrimSpace(m.Title)
		// A milestone is named by its title, or its row's number: "milestone
		// %q" or "milestone %d", the fact Milestone being the %q or %d.
		var name any = i + 1
		if title != "" {
			name = fmt.Sprintf("%q", title)
		}
		what := fmt.Sprintf("milestone %v", name)
		facts := func(more ...any) domain.Facts {
			f := domain.Facts{"Milestone": name}
			for j := 0; j+1 < len(more); j += 2 {
				f[more[j].(string)] = more[j+1]
			}
			return f
		}
		switch {
		case title == "":
			c.bad("errors.agreement.milestone_title_required", domain.Facts{"N": i + 1}, "milestone %d needs a title", i+1)
		case utf8.RuneCountInString(title) > agreementMaxName:
			c.bad("errors.agreement.milestone_title_too_long", facts("Max", agreementMaxName), "%s: the title is longer than %d characters", what, agreementMaxName)
		case titles[title]:
			c.bad("errors.agreement.milestone_twice", facts(), "%s is listed twice", what)
		}
		titles[title] = true
		if m.ID != 0 {
			switch {
			case m.ID < 0 || !stored[m.ID]:
				c.bad("errors.agreement.milestone_id_foreign", facts("ID", m.ID), "%s: id %d is not a milestone of this agreement", what, m.ID)
			case ids[m.ID]:
				c.bad("errors.agreement.milestone_id_twice", facts("ID", m.ID), "%s: id %d is listed twice", what, m.ID)
			}
			ids[m.ID] = true
		}
		due := c.date(m.DueOn, "errors.agreement.milestone_due_required", "errors.agreement.milestone_due_bad", facts(), what+": the due date")
		done := c.date(m.DoneOn, "", "errors.agreement.milestone_done_bad", facts(), what+": the done date")
		if !start.IsZero() && !due.IsZero() && due.Before(start) {
			c.bad("errors.agreement.milestone_due_before_start", facts("Due", dateOrEmpty(due), "Start", dateOrEmpty(start)),
				"%s is due (%s) before the agreement starts (%s)", what, dateOrEmpty(due), dateOrEmpty(start))
		}
		if !start.IsZero() && !done.IsZero() && done.Before(start) {
			c.bad("errors.agreement.milestone_done_before_start", facts("Done", dateOrEmpty(done), "Start", dateOrEmpty(start)),
				"%s is done (%s) before the agreement starts (%s)", what, dateOrEmpty(done), dateOrEmpty(start))
		}
		ms = append(ms, domain.Milestone{ID: m.ID, Title: title, DueOn: due, DoneOn: done})
	}
	return ms
}
