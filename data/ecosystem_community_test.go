package data_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestEcosystemCommunityOnPaper checks the weekly community counts of a
// hand-made fortnight against values worked out by hand.
func TestEcosystemCommunityOnPaper(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	act := func(id, kind, when, actor, thread string, bot bool) domain.Activity {
		return domain.Activity{Source: "github", ExternalID: id, Kind: kind, At: at(t, when), Actor: actor, Thread: thread, Bot: bot}
	}
	if _, err := db.AddActivities(ctx, []domain.Activity{
		act("0", domain.ActReply, "2026-02-20 10:00", "ann", "T0", false),
		act("1", domain.ActThreadOpened, "2026-03-02 09:00", "ann", "T1", false),
		act("2", domain.ActReply, "2026-03-02 11:00", "bob", "T1", false),
		act("3", domain.ActPROpened, "2026-03-03 10:00", "ann", "PR1", false),
		act("4", domain.ActReview, "2026-03-03 14:00", "bob", "PR1", false),
		act("5", domain.ActPRMerged, "2026-03-04 10:00", "carl", "PR1", false),
		act("6", domain.ActThreadOpened, "2026-03-10 08:00", "dave", "T2", false),
		act("7", domain.ActReply, "2026-03-10 08:30", "helper[bot]", "T2", true),
		act("8", domain.ActReply, "2026-03-11 08:00", "ann", "T2", false),
		act("9", domain.ActPROpened, "2026-03-12 12:00", "eve", "PR2", false),
		act("10", domain.ActReview, "2026-03-16 12:00", "frank", "PR2", false),
	}); err != nil {
		t.Fatal(err)
	}
	c, err := db.EcosystemCommunity(ctx, day(t, "2026-03-02"), day(t, "2026-03-16"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Weeks) != 2 {
		t.Fatalf("%d weeks, want 2", len(c.Weeks))
	}
	w0, w1 := c.Weeks[0], c.Weeks[1]
	if !w0.Start.Equal(day(t, "2026-03-02")) || !w1.Start.Equal(day(t, "2026-03-09")) {
		t.Errorf("weeks start %s, %s", w0.Start, w1.Start)
	}
	for _, tc := range []struct {
		name      string
		got, want int
	}{
		{"week 1 contributions", w0.Contributions, 5}, {"week 1 active", w0.ActiveContributors, 3}, {"week 1 new", w0.NewContributors, 2},
		{"week 1 PRs opened", w0.PROpened, 1}, {"week 1 PRs merged", w0.PRMerged, 1}, {"week 1 threads", w0.Threads, 2}, {"week 1 responded", w0.Responded, 2},
		{"week 2 contributions", w1.Contributions, 3}, {"week 2 active", w1.ActiveContributors, 3}, {"week 2 new", w1.NewContributors, 2},
		{"week 2 PRs opened", w1.PROpened, 1}, {"week 2 PRs merged", w1.PRMerged, 0}, {"week 2 threads", w1.Threads, 2}, {"week 2 responded", w1.Responded, 1},
		{"contributions", c.Contributions, 8}, {"active", c.ActiveContributors, 5}, {"new", c.NewContributors, 4},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %d, want %d", tc.name, tc.got, tc.want)
		}
	}
	if want := []float64{2, 4}; !reflect.DeepEqual(w0.ResponseHours, want) {
		t.Errorf("week 1 response hours %v, want %v", w0.ResponseHours, want)
	}
	if want := []float64{24}; !reflect.DeepEqual(w1.ResponseHours, want) {
		t.Errorf("week 2 response hours %v, want %v", w1.ResponseHours, want)
	}
	if want := []int{3, 2, 1, 1, 1}; !reflect.DeepEqual(c.PerPerson, want) {
		t.Errorf("contributions per person %v, want %v", c.PerPerson, want)
	}
	// A range starting mid-week: the first week is partial.
	c, err = db.EcosystemCommunity(ctx, day(t, "2026-03-04"), day(t, "2026-03-11"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Weeks) != 2 || c.Weeks[0].Contributions != 1 || c.Weeks[1].Contributions != 1 || c.Contributions != 2 {
		t.Errorf("partial weeks %+v", c.Weeks)
	}
}
