package data_test

import (
	"context"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestAffiliationChangesReachStoredActivity stores activity by an unknown
// login, then affiliates the person: re-resolution attributes the old
// activity to the member of its own date.
func TestAffiliationChangesReachStoredActivity(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	alpha := mustMember(t, db, "alpha")
	beta := mustMember(t, db, "beta")
	acts := []domain.Activity{
		{Source: "github", ExternalID: "1", Kind: domain.ActReply, At: at(t, "2026-02-10 10:00"), Actor: "Dana", Thread: "t"},
		{Source: "github", ExternalID: "2", Kind: domain.ActReply, At: at(t, "2026-04-10 10:00"), Actor: "dana", Thread: "t"},
		{Source: "github", ExternalID: "3", Kind: domain.ActReply, At: at(t, "2026-04-11 10:00"), Actor: "bot[bot]", Thread: "t", Bot: true},
	}
	if _, err := db.AddActivities(ctx, acts); err != nil {
		t.Fatal(err)
	}
	un, err := db.UnaffiliatedActors(ctx, day(t, "2026-01-01"), day(t, "2026-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	if len(un) != 2 { // "Dana" and "dana" as logged; the bot is not a person
		t.Fatalf("unaffiliated = %+v, want Dana twice-cased and no bot", un)
	}
	page, total, err := db.UnaffiliatedActorsPage(ctx, day(t, "2026-01-01"), day(t, "2026-12-31"), 1, 1)
	if err != nil || total != 2 || len(page) != 1 || page[0] != un[1] {
		t.Fatalf("second page of one = %+v of %d (%v), want %+v of 2", page, total, err, un[1:])
	}

	p := &domain.Person{Name: "Dana"}
	if err := db.CreatePerson(ctx, p, domain.Identity{Source: "github", Login: "dana"}); err != nil {
		t.Fatal(err)
	}
	if err := db.ReplaceAffiliations(ctx, p.ID, []domain.Affiliation{
		{MemberID: alpha.ID, From: day(t, "2026-01-01"), To: day(t, "2026-03-01")},
		{MemberID: beta.ID, From: day(t, "2026-03-01")},
	}); err != nil {
		t.Fatal(err)
	}
	n, err := db.ReresolveActivities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := n, int64(2); got != want {
		t.Errorf("re-resolved %d activities, want %d", got, want)
	}
	if n, _ := db.ReresolveActivities(ctx); n != 0 {
		t.Errorf("second re-resolution changed %d, want 0", n)
	}
	feb, err := db.ScoringWindow(ctx, day(t, "2026-02-28"), 28)
	if err != nil {
		t.Fatal(err)
	}
	apr, err := db.ScoringWindow(ctx, day(t, "2026-04-30"), 28)
	if err != nil {
		t.Fatal(err)
	}
	contrib := func(w *domain.Window, id int64) int {
		for _, m := range w.Members {
			if m.ID == id {
				return m.Contributions
			}
		}
		return -1
	}
	if got := contrib(feb, alpha.ID); got != 1 {
		t.Errorf("alpha's February contributions = %d, want 1", got)
	}
	if got := contrib(apr, beta.ID); got != 1 {
		t.Errorf("beta's April contributions = %d, want 1", got)
	}
	if got, err := db.PersonByIdentity(ctx, "github", "DANA"); err != nil || got.ID != p.ID {
		t.Errorf("PersonByIdentity = %v, %v", got, err)
	}
	un, err = db.UnaffiliatedActors(ctx, day(t, "2026-01-01"), day(t, "2026-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	if len(un) != 0 {
		t.Errorf("still unaffiliated: %+v", un)
	}
}
