package data_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestUpsertProjectRescoresOnlyWhatChanged: a registry re-sends every
// project on every run; a project that changed (or is new) has the days
// scored since its start scored again, one sent again unchanged marks
// nothing.
func TestUpsertProjectRescoresOnlyWhatChanged(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	a, b := mustMember(t, db, "alpha"), mustMember(t, db, "bravo")
	scoredDays(t, db, "2026-02-01", "2026-03-01", "2026-04-01")
	clear := func() {
		t.Helper()
		marks, _ := db.RescoreDays(ctx)
		if err := db.RescoreDone(ctx, marks); err != nil {
			t.Fatal(err)
		}
	}
	p := &domain.Project{Slug: "kit", Name: "Kit", Status: domain.ProjectActive, StartOn: day(t, "2026-02-15"), Source: "registry",
		Parties: []domain.ProjectParty{{MemberID: a.ID, Role: "lead"}, {MemberID: b.ID}}}
	if err := db.UpsertProject(ctx, p); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rescoreDays(t, db), ","); got != "2026-03-01,2026-04-01" {
		t.Fatalf("a new project marks %q", got)
	}
	clear()
	same := *p
	if err := db.UpsertProject(ctx, &same); err != nil {
		t.Fatal(err)
	}
	if got := rescoreDays(t, db); len(got) != 0 {
		t.Fatalf("the same project sent again marks %v", got)
	}
	moved := *p
	moved.StartOn = day(t, "2026-01-15")
	moved.Parties = moved.Parties[:1]
	if err := db.UpsertProject(ctx, &moved); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rescoreDays(t, db), ","); got != "2026-02-01,2026-03-01,2026-04-01" {
		t.Fatalf("a project that changed marks %q", got)
	}
}
