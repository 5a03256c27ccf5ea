package data_test

import (
	"context"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func TestProjectsOfMember(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	a := mustMember(t, db, "alpha")
	b := mustMember(t, db, "beta")
	c := mustMember(t, db, "gamma")
	p := &domain.Project{Slug: "p", Name: "P", Status: domain.ProjectActive, StartOn: day(t, "2026-02-01"),
		Parties: []domain.ProjectParty{{MemberID: a.ID, Role: "lead"}, {MemberID: b.ID, Role: "partner"}}}
	q := &domain.Project{Slug: "q", Name: "Q", Status: domain.ProjectPlanned, StartOn: day(t, "2026-05-01"),
		Parties: []domain.ProjectParty{{MemberID: a.ID, Role: "partner"}}}
	other := &domain.Project{Slug: "r", Name: "R", Status: domain.ProjectActive, StartOn: day(t, "2026-01-01"),
		Parties: []domain.ProjectParty{{MemberID: b.ID, Role: "lead"}, {MemberID: c.ID, Role: "partner"}}}
	for _, pr := range []*domain.Project{p, q, other} {
		if err := db.CreateProject(ctx, pr); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AddMilestones(ctx, []domain.Milestone{
		{ProjectID: p.ID, Title: "second", DueOn: day(t, "2026-04-01")},
		{ProjectID: p.ID, Title: "first", DueOn: day(t, "2026-03-01"), DoneOn: day(t, "2026-03-02")},
		{ProjectID: other.ID, Title: "not ours", DueOn: day(t, "2026-03-01")},
	}); err != nil {
		t.Fatal(err)
	}
	ps, err := db.ProjectsOfMember(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(ps), 2; got != want {
		t.Fatalf("projects = %d, want %d", got, want)
	}
	if ps[0].Slug != "q" || ps[1].Slug != "p" {
		t.Errorf("projects = %s, %s; want the newest first (q, p)", ps[0].Slug, ps[1].Slug)
	}
	if got, want := ps[1].Role, "lead"; got != want {
		t.Errorf("role = %q, want %q", got, want)
	}
	if got, want := len(ps[1].Members), 2; got != want {
		t.Errorf("parties of p = %d, want %d", got, want)
	}
	if ms := ps[1].Milestones; len(ms) != 2 || ms[0].Title != "first" || ms[0].DoneOn.IsZero() || !ms[1].DoneOn.IsZero() {
		t.Errorf("milestones of p = %+v, want first (done) then second (open)", ms)
	}
	if got := len(ps[0].Milestones); got != 0 {
		t.Errorf("milestones of q = %d, want 0", got)
	}
	none, err := db.ProjectsOfMember(ctx, c.ID+100)
	if err != nil || len(none) != 0 {
		t.Errorf("unknown member: %v, %v", none, err)
	}
}
