package views

import (
	"context"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestAllocationPartyWithoutScoresIsNotZero: under rule equal, a party of
// the agreement that has no score in the period gets its share, and its C
// and φ are missing (null), not 0; a scored party's are its sums.
func TestAllocationPartyWithoutScoresIsNotZero(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	ids := map[string]int64{}
	for _, slug := range []string{"acme", "bright", "cobalt"} {
		m := &domain.Member{Slug: slug, Name: slug, Kind: domain.KindPartner, JoinedOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		if err := db.CreateMember(ctx, m); err != nil {
			t.Fatal(err)
		}
		ids[slug] = m.ID
	}
	day := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	if err := db.SaveDayScores(ctx, &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: day, R: 0.25, Members: 2},
		Members: []domain.MemberScore{{MemberID: ids["acme"], C: 0.5, Phi: 0.125, Status: domain.StatusWatch}, {MemberID: ids["bright"], C: 0, Phi: 0.125, Status: domain.StatusWatch}},
		Edges:   []domain.Edge{{A: ids["acme"], B: ids["bright"], K: 0.5}}}); err != nil {
		t.Fatal(err)
	}
	p := &domain.Project{Slug: "pilot", Name: "Pilot", Status: domain.ProjectActive, StartOn: day.AddDate(0, -1, 0), Terms: "pool: 10 USD",
		Parties: []domain.ProjectParty{{MemberID: ids["acme"], Role: "lead"}, {MemberID: ids["cobalt"], Role: "partner"}}}
	if err := db.CreateProject(ctx, p); err != nil {
		t.Fatal(err)
	}
	a, err := BuildAllocation(ctx, db, AllocationQuery{Period: "2026-W48", Rule: "equal", Agreement: "pilot"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Closed || a.Pool != "10.00" || a.Currency != "USD" || len(a.Members) != 2 {
		t.Fatalf("statement = %+v", a)
	}
	for _, m := range a.Members {
		switch m.Slug {
		case "acme":
			if m.C == nil || *m.C != 0.5 || m.Phi == nil || *m.Phi != 0.125 || m.Amount != "5.00" {
				t.Errorf("acme: C %v φ %v amount %s; want 0.5, 0.125, 5.00", m.C, m.Phi, m.Amount)
			}
		case "cobalt":
			if m.C != nil || m.Phi != nil || m.Amount != "5.00" {
				t.Errorf("cobalt (never scored): C %v φ %v amount %s; want null, null, 5.00", m.C, m.Phi, m.Amount)
			}
		}
	}
}
