package data_test

import (
	"context"
	"testing"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func TestMilestoneSource(t *testing.T) {
	for ext, want := range map[string]string{
		"ui:0a1b2c":                 "ui",
		"github:acme/sdk#3":         "github",
		"registry:vision-pilot:m1":  "registry",
		"demo:vision-pilot-1":       "demo",
		"vision-pilot-1":            "",
		"other:x":                   "",
		"":                          "",
		"Pilot with first customer": "",
	} {
		if got := data.MilestoneSource(ext); got != want {
			t.Errorf("MilestoneSource(%q) = %q, want %q", ext, got, want)
		}
	}
}

func agrTitles(ms []domain.Milestone) map[string]domain.Milestone {
	out := map[string]domain.Milestone{}
	for _, m := range ms {
		out[m.Title] = m
	}
	return out
}

func TestSaveAgreementCreatesAndEdits(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	alpha, beta, gamma := mustMember(t, db, "alpha"), mustMember(t, db, "beta"), mustMember(t, db, "gamma")

	p := &domain.Project{Slug: "joint-pilot", Name: "  Joint pilot ", Scope: "vision", Terms: "NDA", Status: domain.ProjectActive,
		StartOn: day(t, "2026-02-01"), EndOn: day(t, "2026-09-30"),
		Parties: []domain.ProjectParty{{MemberID: alpha.ID, Role: "lead"}, {MemberID: beta.ID, Role: "partner"}}}
	ms := []domain.Milestone{
		{Title: "Kick-off", DueOn: day(t, "2026-02-15"), DoneOn: day(t, "2026-02-14")},
		{Title: "Pilot", DueOn: day(t, "2026-05-01")},
	}
	if err := db.SaveAgreement(ctx, p, ms); err != nil {
		t.Fatal(err)
	}
	if p.ID == 0 || ms[0].ID == 0 || ms[1].ID == 0 {
		t.Fatalf("ids not set: project %d, milestones %d %d", p.ID, ms[0].ID, ms[1].ID)
	}
	got, err := db.AgreementBySlug(ctx, "joint-pilot")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Joint pilot" || got.Source != data.SourceUI || got.Scope != "vision" || got.Terms != "NDA" {
		t.Errorf("stored %+v", got.Project)
	}
	if got, want := len(got.Members), 2; got != want {
		t.Fatalf("parties = %d, want %d", got, want)
	}
	if got.Members[0].Slug != "alpha" || got.Members[0].Role != "lead" || got.Members[1].Slug != "beta" {
		t.Errorf("parties %+v", got.Members)
	}
	if got, want := len(got.Milestones), 2; got != want {
		t.Fatalf("milestones = %d, want %d", got, want)
	}
	for _, m := range got.Milestones {
		if src := data.MilestoneSource(m.ExternalID); src != data.SourceUI {
			t.Errorf("milestone %q: source %q, want ui", m.Title, src)
		}
	}
	// A registry milestone of the same project.
	if err := db.AddMilestones(ctx, []domain.Milestone{{ProjectID: p.ID, ExternalID: "registry:joint-pilot:m9", Title: "Audit", DueOn: day(t, "2026-06-01")}}); err != nil {
		t.Fatal(err)
	}

	// Edit: rename, new slug, swap a party, keep Kick-off by id, Pilot by
	// title, drop nothing else listed: the registry milestone must stay,
	// a new one is added.
	edit := &domain.Project{ID: p.ID, Slug: "joint-pilot-2", Name: "Joint pilot II", Status: domain.ProjectActive,
		StartOn: day(t, "2026-02-01"),
		Parties: []domain.ProjectParty{{MemberID: alpha.ID, Role: "lead"}, {MemberID: gamma.ID, Role: "advisor"}}}
	ms2 := []domain.Milestone{
		{ID: ms[0].ID, Title: "Kick-off meeting", DueOn: day(t, "2026-02-15"), DoneOn: day(t, "2026-02-14")},
		{Title: "Pilot", DueOn: day(t, "2026-05-10"), DoneOn: day(t, "2026-05-09")},
		{Title: "Launch", DueOn: day(t, "2026-08-01")},
	}
	if err := db.SaveAgreement(ctx, edit, ms2); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AgreementBySlug(ctx, "joint-pilot"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("old slug: err %v, want not found", err)
	}
	got, err = db.AgreementBySlug(ctx, "joint-pilot-2")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != p.ID || got.Name != "Joint pilot II" || !got.EndOn.IsZero() {
		t.Errorf("edited project %+v", got.Project)
	}
	if len(got.Members) != 2 || got.Members[1].Slug != "gamma" || got.Members[1].Role != "advisor" {
		t.Errorf("edited parties %+v", got.Members)
	}
	byTitle := agrTitles(got.Milestones)
	if got, want := len(got.Milestones), 4; got != want {
		t.Fatalf("milestones after edit = %d (%v), want %d", got, byTitle, want)
	}
	if m := byTitle["Kick-off meeting"]; m.ID != ms[0].ID {
		t.Errorf("kick-off kept id %d, want %d", m.ID, ms[0].ID)
	}
	if m := byTitle["Pilot"]; m.ID != ms[1].ID || m.DoneOn.IsZero() || m.DueOn != day(t, "2026-05-10") {
		t.Errorf("pilot matched by title: %+v", m)
	}
	if m := byTitle["Audit"]; data.MilestoneSource(m.ExternalID) != data.SourceRegistry {
		t.Errorf("registry milestone %+v lost", m)
	}

	// Removing UI milestones from the list deletes them; the registry one stays.
	if err := db.SaveAgreement(ctx, edit, []domain.Milestone{{Title: "Launch", DueOn: day(t, "2026-08-01")}}); err != nil {
		t.Fatal(err)
	}
	got, _ = db.AgreementBySlug(ctx, "joint-pilot-2")
	byTitle = agrTitles(got.Milestones)
	if len(got.Milestones) != 2 || byTitle["Launch"].ID == 0 || byTitle["Audit"].ID == 0 {
		t.Errorf("after removing UI milestones: %v", byTitle)
	}
}

func TestSaveAgreementRefusesBadInputWhole(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	alpha := mustMember(t, db, "alpha")
	base := func() *domain.Project {
		return &domain.Project{Slug: "p", Name: "P", Status: domain.ProjectPlanned, StartOn: day(t, "2026-03-01"),
			Parties: []domain.ProjectParty{{MemberID: alpha.ID, Role: "lead"}}}
	}
	for _, tc := range []struct {
		name string
		p    func() *domain.Project
		ms   []domain.Milestone
		code string
	}{
		{"unknown member", func() *domain.Project {
			p := base()
			p.Parties = append(p.Parties, domain.ProjectParty{MemberID: 999})
			return p
		}, nil, domain.EINVALID},
		{"end before start", func() *domain.Project { p := base(); p.EndOn = day(t, "2026-02-01"); return p }, nil, domain.EINVALID},
		{"duplicate party", func() *domain.Project {
			p := base()
			p.Parties = append(p.Parties, domain.ProjectParty{MemberID: alpha.ID})
			return p
		}, nil, domain.EINVALID},
		{"milestone without title", base, []domain.Milestone{{DueOn: day(t, "2026-04-01")}}, domain.EINVALID},
		{"milestone without due date", base, []domain.Milestone{{Title: "x"}}, domain.EINVALID},
		{"foreign milestone id", base, []domain.Milestone{{ID: 12345, Title: "x", DueOn: day(t, "2026-04-01")}}, domain.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := db.SaveAgreement(ctx, tc.p(), tc.ms)
			if got := domain.ErrorCode(err); got != tc.code {
				t.Fatalf("err %v (code %q), want %q", err, got, tc.code)
			}
			if n, _ := db.CountProjects(ctx); n != 0 {
				t.Errorf("%d projects stored after a refused save", n)
			}
		})
	}

	// A conflicting slug, on create and on rename.
	p := base()
	if err := db.SaveAgreement(ctx, p, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveAgreement(ctx, base(), nil); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("second create: %v, want conflict", err)
	}
	q := base()
	q.Slug = "q"
	if err := db.SaveAgreement(ctx, q, nil); err != nil {
		t.Fatal(err)
	}
	q.Slug = "p"
	if err := db.SaveAgreement(ctx, q, []domain.Milestone{{Title: "m", DueOn: day(t, "2026-04-01")}}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("rename onto a taken slug: %v, want conflict", err)
	}
	got, _ := db.AgreementBySlug(ctx, "q")
	if got == nil || len(got.Milestones) != 0 {
		t.Errorf("a refused rename stored milestones: %+v", got)
	}
	if err := db.SaveAgreement(ctx, &domain.Project{ID: 999, Slug: "z", Name: "Z", Status: domain.ProjectActive, StartOn: day(t, "2026-01-01")}, nil); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("update of a missing project: %v, want not found", err)
	}
}

// TestSaveAgreementStampsFormerSource edits a project another source made:
// its unprefixed milestones keep their origin, and are never deleted.
func TestSaveAgreementStampsFormerSource(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	alpha := mustMember(t, db, "alpha")
	p := &domain.Project{Slug: "d", Name: "D", Status: domain.ProjectActive, StartOn: day(t, "2026-01-01"), Source: data.SourceDemo,
		Parties: []domain.ProjectParty{{MemberID: alpha.ID}}}
	if err := db.CreateProject(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := db.AddMilestones(ctx, []domain.Milestone{{ProjectID: p.ID, ExternalID: "d-1", Title: "One", DueOn: day(t, "2026-02-01")}}); err != nil {
		t.Fatal(err)
	}
	edit := *p
	edit.Source = ""
	if err := db.SaveAgreement(ctx, &edit, nil); err != nil {
		t.Fatal(err)
	}
	got, err := db.AgreementBySlug(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	if got.Source != data.SourceUI {
		t.Errorf("source %q, want ui", got.Source)
	}
	if len(got.Milestones) != 1 || got.Milestones[0].ExternalID != "demo:d-1" {
		t.Errorf("milestones %+v, want the demo one kept as demo:d-1", got.Milestones)
	}
	all, err := db.Agreements(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].Slug != "d" || len(all[0].Members) != 1 {
		t.Errorf("Agreements = %+v", all)
	}
}
