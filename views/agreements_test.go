package views

import (
	"bytes"
	"context"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

func TestParseAgreementForm(t *testing.T) {
	single := map[string]string{"slug": "p", "name": " P ", "status": "active", "start_on": "2026-01-01"}
	multi := map[string][]string{
		"party_member": {"alpha", "", "beta", ""},
		"party_role":   {"lead", "", "", ""},
		"ms_id":        {"12", "", "x", "", "13"},
		"ms_title":     {"One", "", "Three", "", ""},
		"ms_due":       {"2026-02-01", "", "2026-03-01", "", ""},
		"ms_done":      {"", "", "", "", ""},
	}
	in, problems := ParseAgreementForm(func(k string) string { return single[k] }, func(k string) []string { return multi[k] })
	if want := []AgreementPartyInput{{"alpha", "lead"}, {"beta", ""}}; !reflect.DeepEqual(in.Parties, want) {
		t.Errorf("parties %+v, want %+v", in.Parties, want)
	}
	// Blank rows go; the cleared row with id 13 goes too (a removal).
	if want := []AgreementMilestoneInput{{ID: 12, Title: "One", DueOn: "2026-02-01"}, {Title: "Three", DueOn: "2026-03-01"}}; !reflect.DeepEqual(in.Milestones, want) {
		t.Errorf("milestones %+v, want %+v", in.Milestones, want)
	}
	if len(problems) != 1 || !strings.Contains(problems[0], `malformed id "x"`) {
		t.Errorf("problems %q", problems)
	}
}

func TestDecodeAgreementJSON(t *testing.T) {
	in, err := DecodeAgreementJSON([]byte(`{"slug":"p","name":"P","parties":[{"member":"a","role":"lead"}],"milestones":[{"id":3,"title":"M","due_on":"2026-01-02"}]}`))
	if err != nil || in.Slug != "p" || in.Parties[0].Role != "lead" || in.Milestones[0].ID != 3 {
		t.Errorf("decoded %+v, %v", in, err)
	}
	for body, want := range map[string]string{
		`{"slug":"p","colour":"red"}`: `unknown field "colour"`,
		`{"slug":4}`:                  `field "slug" has the wrong type`,
		`{"slug":"p"} {}`:             "more than one JSON value",
		`{"slug":`:                    "malformed JSON",
		``:                            "empty",
	} {
		_, err := DecodeAgreementJSON([]byte(body))
		if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), want) {
			t.Errorf("%s: %v, want %q", body, err, want)
		}
	}
}

func TestValidateAgreement(t *testing.T) {
	db := projectsTestDB(t)
	ctx := context.Background()
	good := AgreementInput{Slug: "new-deal", Name: "New deal", Status: "Active", StartOn: "2026-04-01", EndOn: "2026-10-01",
		Parties:    []AgreementPartyInput{{Member: "alpha", Role: "lead"}, {Member: "beta"}},
		Milestones: []AgreementMilestoneInput{{Title: "Kick-off", DueOn: "2026-04-02", DoneOn: "2026-04-02"}}}
	p, ms, problems, err := ValidateAgreement(ctx, db, good, nil)
	if err != nil || len(problems) > 0 {
		t.Fatalf("a good agreement: %v %q", err, problems)
	}
	if p.Status != "active" || p.Source != data.SourceUI || len(p.Parties) != 2 || p.Parties[0].Role != "lead" || len(ms) != 1 || ms[0].DoneOn.IsZero() {
		t.Errorf("project %+v, milestones %+v", p, ms)
	}
	// Every problem is named, at once.
	bad := good
	bad.EndOn = "2026-03-01"
	bad.Parties = []AgreementPartyInput{{Member: "alpha"}, {Member: "alpha"}, {Member: "ghost"}, {Role: "floating"}}
	bad.Milestones = []AgreementMilestoneInput{{Title: "X", DueOn: "2026-02-30"}, {Title: "X", DueOn: "2026-05-01"}, {ID: 99, Title: "Y", DueOn: "2026-05-01"}}
	_, _, problems, err = ValidateAgreement(ctx, db, bad, nil)
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("err %v, want invalid", err)
	}
	for _, want := range []string{"the end date (2026-03-01) is before the start date (2026-04-01)", `member "alpha" is listed twice`,
		`unknown member "ghost"`, "party 4 needs a member", `milestone "X": the due date "2026-02-30" is not a date`,
		`milestone "X" is listed twice`, `milestone "Y": id 99 is not a milestone of this agreement`} {
		found := false
		for _, p := range problems {
			found = found || strings.Contains(p, want)
		}
		if !found {
			t.Errorf("no problem says %q: %q", want, problems)
		}
		if !strings.Contains(domain.ErrorMessage(err), want) {
			t.Errorf("the error does not say %q", want)
		}
	}
	// Editing: a stored milestone's id is accepted.
	existing, err := db.AgreementBySlug(ctx, "pilot")
	if err != nil {
		t.Fatal(err)
	}
	in := AgreementInputOf(existing)
	if in.Slug != "pilot" || len(in.Parties) != 2 || len(in.Milestones) != 4 || in.Milestones[0].ID == 0 {
		t.Fatalf("input of the stored agreement %+v", in)
	}
	p, ms, problems, err = ValidateAgreement(ctx, db, in, existing)
	if err != nil || p.ID != existing.ID || len(ms) != 4 || ms[2].ID != existing.Milestones[2].ID {
		t.Errorf("edit: %v %q; project %+v", err, problems, p)
	}
}

func TestAgreementFormRendersValuesAndProblems(t *testing.T) {
	db := projectsTestDB(t)
	ctx := context.Background()
	members, err := db.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	existing, err := db.AgreementBySlug(ctx, "pilot")
	if err != nil {
		t.Fatal(err)
	}
	in := AgreementInputOf(existing)
	in.Name = hostileNames[0]
	in.Parties = append(in.Parties, AgreementPartyInput{Member: "ghost", Role: hostileNames[1]})
	var buf bytes.Buffer
	err = newTestRenderer(t).AgreementFormPage(&buf, AgreementForm{Existing: existing, Input: in, Members: members,
		Problems: []string{`unknown member "ghost"`}, CSRF: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{`action="/projects/pilot/edit"`, `name="csrf" value="tok"`, `<li>unknown member &#34;ghost&#34;</li>`,
		`value="ghost" selected>ghost (unknown)`, `value="alpha" selected>Alpha (alpha)`, `value="&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`,
		`value="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"`, `name="ms_id" value="` + strconv.FormatInt(existing.Milestones[0].ID, 10) + `"`,
		`GitHub milestones`, `data-add-row="milestone"`, `<option value="active" selected>active</option>`} {
		if !strings.Contains(html, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	if strings.Contains(html, "<script>alert") || strings.Contains(html, "<img src=x") {
		t.Error("hostile text reached the form raw")
	}
	if got := strings.Count(html, `name="party_member"`); got != 3+agreementBlankParties {
		t.Errorf("%d party rows, want %d", got, 3+agreementBlankParties)
	}
	buf.Reset()
	if err := newTestRenderer(t).AgreementFormPage(&buf, AgreementForm{Members: members}); err != nil {
		t.Fatal(err)
	}
	if html := buf.String(); !strings.Contains(html, `action="/projects/new"`) || !strings.Contains(html, "Register the agreement") {
		t.Error("the new agreement form is not one")
	}
}
