package views

import (
	"io"
	"strconv"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// AgreementForm is what the agreement form shows: the values entered (or
// stored), the problems found with them, and the choices offered.
type AgreementForm struct {
	// Existing is the agreement edited; nil for a new one.
	Existing *data.Agreement
	Input    AgreementInput
	Problems []string
	Members  []domain.Member // every member, for the party selects
	CSRF     string          // the session's token, for browsers without JS
}

// agreementFormPage is what templates/pages/agreement-form.html receives.
type agreementFormPage struct {
	New        bool
	Action     string
	CancelURL  string
	CSRF       string
	In         AgreementInput
	Problems   []string
	Statuses   []membersOption
	Parties    []agreementPartyRow
	Milestones []agreementMilestoneRow
}

type agreementPartyRow struct {
	Role    string
	Options []membersOption
	Unknown string // a slug entered that is no member: kept so the form shows it
}

type agreementMilestoneRow struct {
	ID     string
	Title  string
	DueOn  string
	DoneOn string
	Source string // where a stored milestone came from, in words; "" for a new row
	Kept   bool   // removing it from the form keeps it (its source sends it again)
}

// Blank rows the form offers for new parties and milestones (JavaScript
// adds more).
const (
	agreementBlankParties    = 2
	agreementBlankMilestones = 3
)

// AgreementFormPage writes the agreement form.
func (r *Renderer) AgreementFormPage(w io.Writer, f AgreementForm) error {
	page := buildAgreementForm(f)
	title := r.Tr()("formpage.register_agreement")
	if !page.New {
		title = r.Tr()("formpage.edit", "Name", f.Existing.Name)
	}
	return r.render(w, "agreement-form", layoutData{Title: title, Active: "/projects", Page: page})
}

func buildAgreementForm(f AgreementForm) agreementFormPage {
	p := agreementFormPage{New: f.Existing == nil, Action: "/projects/new", CancelURL: "/projects", CSRF: f.CSRF,
		In: f.Input, Problems: f.Problems}
	if f.Existing != nil {
		p.Action = "/projects/" + f.Existing.Slug + "/edit"
		p.CancelURL = "/projects/" + f.Existing.Slug
	}
	status := f.Input.Status
	if status == "" {
		status = domain.ProjectActive
	}
	for _, s := range ProjectStatuses {
		p.Statuses = append(p.Statuses, membersOption{Value: s, Label: s, Selected: s == status})
	}
	options := func(selected string) ([]membersOption, string) {
		opts := make([]membersOption, 0, len(f.Members))
		found := selected == ""
		for _, m := range f.Members {
			opts = append(opts, membersOption{Value: m.Slug, Label: m.Name + " (" + m.Slug + ")", Selected: m.Slug == selected})
			found = found || m.Slug == selected
		}
		if !found {
			return opts, selected
		}
		return opts, ""
	}
	for _, party := range f.Input.Parties {
		row := agreementPartyRow{Role: party.Role}
		row.Options, row.Unknown = options(party.Member)
		p.Parties = append(p.Parties, row)
	}
	for i := 0; i < agreementBlankParties; i++ {
		row := agreementPartyRow{}
		row.Options, _ = options("")
		p.Parties = append(p.Parties, row)
	}
	sources := map[int64]string{}
	if f.Existing != nil {
		for _, m := range f.Existing.Milestones {
			sources[m.ID] = milestoneSourceOf(m, f.Existing.Source)
		}
	}
	for _, m := range f.Input.Milestones {
		row := agreementMilestoneRow{Title: m.Title, DueOn: m.DueOn, DoneOn: m.DoneOn}
		if m.ID != 0 {
			row.ID = strconv.FormatInt(m.ID, 10)
			if src, ok := sources[m.ID]; ok {
				row.Source = projectSourceLabel(src)
				row.Kept = src != data.SourceUI
			}
		}
		p.Milestones = append(p.Milestones, row)
	}
	for i := 0; i < agreementBlankMilestones; i++ {
		p.Milestones = append(p.Milestones, agreementMilestoneRow{})
	}
	return p
}
