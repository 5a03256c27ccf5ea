package views

import (
	"io"
	"strings"

	"github.com/ecopulse/ecopulse/domain"
)

// MemberFormValues are a member's fields as the form holds them: text, the
// identity hints one per line.
type MemberFormValues struct {
	Slug        string
	Name        string
	Kind        string
	Segment     string
	Tier        string
	Joined      string
	Domains     string
	GitHubOrgs  string
	KeyPatterns string
}

// MemberFormValuesOf returns the form's values for a stored member.
func MemberFormValuesOf(m *domain.Member) MemberFormValues {
	return MemberFormValues{Slug: m.Slug, Name: m.Name, Kind: string(m.Kind), Segment: m.Segment, Tier: m.Tier,
		Joined: m.JoinedOn.Format(domain.DateLayout), Domains: strings.Join(m.Domains, "\n"),
		GitHubOrgs: strings.Join(m.GitHubOrgs, "\n"), KeyPatterns: strings.Join(m.KeyPatterns, "\n")}
}

// HintLines splits a textarea of identity hints: one per line (commas and
// spaces separate too).
func HintLines(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ' ' || r == '\t' || r == ';' })
}

// MemberForm is what the member form shows.
type MemberForm struct {
	Existing *domain.Member // nil for a new member
	Values   MemberFormValues
	Problems []string
	Members  []domain.Member // every member: the merge targets
	Today    string          // the archive date offered
	CSRF     string
}

type memberFormPage struct {
	New        bool
	Action     string
	CancelURL  string
	CSRF       string
	In         MemberFormValues
	Problems   []string
	Kinds      []membersOption
	Existing   *domain.Member
	ArchivedOn string
	Today      string
	Targets    []membersOption
}

// MemberKinds are the kinds a member can have, with their labels.
var memberKinds = []domain.MemberKind{domain.KindPartner, domain.KindDeveloperOrg, domain.KindResearch, domain.KindInternal}

// MemberFormPage writes the form that adds a member (Existing nil) or edits
// one, with its archive, restore and merge actions.
func (r *Renderer) MemberFormPage(w io.Writer, f MemberForm) error {
	p := memberFormPage{New: f.Existing == nil, Action: "/members/new", CancelURL: "/members", CSRF: f.CSRF,
		In: f.Values, Problems: f.Problems, Existing: f.Existing, Today: f.Today}
	title := r.Tr()("members.add")
	if f.Existing != nil {
		p.Action = "/members/" + f.Existing.Slug + "/edit"
		p.CancelURL = "/members/" + f.Existing.Slug
		title = r.Tr()("formpage.edit", "Name", f.Existing.Name)
		if f.Existing.Archived() {
			p.ArchivedOn = f.Existing.ArchivedOn.Format(domain.DateLayout)
		}
		for _, m := range f.Members {
			if m.Slug != f.Existing.Slug && m.MergedInto == "" {
				p.Targets = append(p.Targets, membersOption{Value: m.Slug, Label: m.Name + " (" + m.Slug + ")"})
			}
		}
	}
	kind := f.Values.Kind
	if kind == "" {
		kind = string(domain.KindPartner)
	}
	for _, k := range memberKinds {
		p.Kinds = append(p.Kinds, membersOption{Value: string(k), Label: membersKindLabel(string(k)), Selected: string(k) == kind})
	}
	return r.render(w, "member-form", layoutData{Title: title, Active: "/members", Page: p})
}
