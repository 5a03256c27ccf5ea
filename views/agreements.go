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
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	in.Slug, in.Name, in.Status = strings.TrimSpace(in.Slug), strings.TrimSpace(in.Name), strings.ToLower(strings.TrimSpace(in.Status))
	in.Scope, in.Terms = strings.TrimSpace(in.Scope), strings.TrimSpace(in.Terms)
	p := &domain.Project{Slug: in.Slug, Name: in.Name, Scope: in.Scope, Terms: in.Terms, Status: in.Status, Source: data.SourceUI}
	if existing != nil {
		p.ID = existing.ID
	}
	switch {
	case in.Slug == "":
		bad("the slug is required")
	case !domain.ValidSlug(in.Slug):
		bad("the slug %q must be lower-case letters, digits and dashes (at most 63), starting with a letter or digit", in.Slug)
	case reservedProjectSlugs[in.Slug]:
		bad("the slug %q is reserved: choose another", in.Slug)
	}
	switch {
	case in.Name == "":
		bad("the name is required")
	case utf8.RuneCountInString(in.Name) > agreementMaxName:
		bad("the name is longer than %d characters", agreementMaxName)
	}
	if utf8.RuneCountInString(in.Scope) > agreementMaxText {
		bad("the scope is longer than %d characters", agreementMaxText)
	}
	if utf8.RuneCountInString(in.Terms) > agreementMaxText {
		bad("the terms are longer than %d characters", agreementMaxText)
	}
	if !validProjectStatus(in.Status) {
		if in.Status == "" {
			bad("the status is required: planned, active, completed or cancelled")
		} else {
			bad("unknown status %q: want planned, active, completed or cancelled", in.Status)
		}
	}
	date := func(what, s string, required bool) time.Time {
		s = strings.TrimSpace(s)
		if s == "" {
			if required {
				bad("%s is required (YYYY-MM-DD)", what)
			}
			return time.Time{}
		}
		d, err := time.Parse(domain.DateLayout, s)
		if err != nil {
			bad("%s %q is not a date: want YYYY-MM-DD", what, s)
			return time.Time{}
		}
		return d
	}
	p.StartOn = date("the start date", in.StartOn, true)
	p.EndOn = date("the end date", in.EndOn, false)
	if !p.StartOn.IsZero() && !p.EndOn.IsZero() && p.EndOn.Before(p.StartOn) {
		bad("the end date (%s) is before the start date (%s)", dateOrEmpty(p.EndOn), dateOrEmpty(p.StartOn))
	}

	if len(in.Parties) == 0 {
		bad("an agreement needs at least one party")
	}
	if len(in.Parties) > agreementMaxParties {
		bad("at most %d parties", agreementMaxParties)
	}
	seen := map[string]bool{}
	for i, party := range in.Parties {
		slug, role := strings.TrimSpace(party.Member), strings.TrimSpace(party.Role)
		switch {
		case slug == "":
			bad("party %d needs a member", i+1)
			continue
		case seen[slug]:
			bad("member %q is listed twice as a party", slug)
			continue
		}
		seen[slug] = true
		if utf8.RuneCountInString(role) > agreementMaxRole {
			bad("the role of %q is longer than %d characters", slug, agreementMaxRole)
		}
		if !domain.ValidSlug(slug) {
			bad("unknown member %q", slug)
			continue
		}
		m, err := db.MemberBySlug(ctx, slug)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			bad("unknown member %q", slug)
			continue
		} else if err != nil {
			return nil, nil, nil, err
		}
		p.Parties = append(p.Parties, domain.ProjectParty{MemberID: m.ID, Role: role})
	}

	if len(in.Milestones) > agreementMaxMilestones {
		bad("at most %d milestones", agreementMaxMilestones)
	}
	stored := map[int64]bool{}
	if existing != nil {
		for _, m := range existing.Milestones {
			stored[m.ID] = true
		}
	}
	var ms []domain.Milestone
	titles, ids := map[string]bool{}, map[int64]bool{}
	for i, m := range in.Milestones {
		title := strings.TrimSpace(m.Title)
		what := fmt.Sprintf("milestone %d", i+1)
		if title != "" {
			what = fmt.Sprintf("milestone %q", title)
		}
		switch {
		case title == "":
			bad("milestone %d needs a title", i+1)
		case utf8.RuneCountInString(title) > agreementMaxName:
			bad("%s: the title is longer than %d characters", what, agreementMaxName)
		case titles[title]:
			bad("%s is listed twice", what)
		}
		titles[title] = true
		if m.ID != 0 {
			switch {
			case m.ID < 0 || !stored[m.ID]:
				bad("%s: id %d is not a milestone of this agreement", what, m.ID)
			case ids[m.ID]:
				bad("%s: id %d is listed twice", what, m.ID)
			}
			ids[m.ID] = true
		}
		due := date(what+": the due date", m.DueOn, true)
		done := date(what+": the done date", m.DoneOn, false)
		if !p.StartOn.IsZero() && !due.IsZero() && due.Before(p.StartOn) {
			bad("%s is due (%s) before the agreement starts (%s)", what, dateOrEmpty(due), dateOrEmpty(p.StartOn))
		}
		if !p.StartOn.IsZero() && !done.IsZero() && done.Before(p.StartOn) {
			bad("%s is done (%s) before the agreement starts (%s)", what, dateOrEmpty(done), dateOrEmpty(p.StartOn))
		}
		ms = append(ms, domain.Milestone{ID: m.ID, Title: title, DueOn: due, DoneOn: done})
	}
	if len(problems) > 0 {
		return p, ms, problems, domain.Errorf(domain.EINVALID, "%s", strings.Join(problems, "; "))
	}
	return p, ms, nil, nil
}
