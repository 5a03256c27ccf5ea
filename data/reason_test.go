package data_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
)

// TestExplainNamesWhatChangedNeverCooperation: a member's reason is its
// worst change in words; without a change, a member that is not healthy is
// explained by its lowest dimension other than cooperation, even when
// cooperation is lower; a healthy member without a change needs none.
func TestExplainNamesWhatChangedNeverCooperation(t *testing.T) {
	nan := math.NaN()
	drop := data.Change{Kind: data.ChangeUsageDrop, Dimension: "api", Score: 0.29, Now: 4700, Before: 12400}
	late := data.Change{Kind: data.ChangeMilestonesLate, Dimension: "projects", Score: 0.67, Now: 1, Of: 2}
	for _, c := range []struct {
		name string
		s    data.MemberScore
		kind string
		dim  string
		text string
	}{
		{"worst change first", data.MemberScore{Status: data.StatusAtRisk, Dimensions: [4]float64{29, 100, 90, 0}, Changes: []data.Change{drop, late}},
			data.ChangeUsageDrop, "api", drop.Text()},
		{"a change explains a healthy member too", data.MemberScore{Status: data.StatusHealthy, Dimensions: [4]float64{100, 67, 90, 0}, Changes: []data.Change{late}},
			data.ChangeMilestonesLate, "projects", late.Text()},
		{"a cooperation signal is skipped", data.MemberScore{Status: data.StatusWatch, Dimensions: [4]float64{60, 100, 90, 0},
			Changes: []data.Change{{Kind: "ties_lost", Dimension: "cooperation", Score: 0}, late}},
			data.ChangeMilestonesLate, "projects", late.Text()},
		{"no change, not healthy: lowest dimension but cooperation", data.MemberScore{Status: data.StatusWatch, Dimensions: [4]float64{80, nan, 52.4, 0}},
			data.ReasonLowDimension, "community", "community activity and responses 52/100, its lowest dimension; nothing fell against its own baseline"},
		{"only cooperation has data", data.MemberScore{Status: data.StatusAtRisk, Dimensions: [4]float64{nan, nan, nan, 20}},
			data.ReasonNoActivity, "", "no API calls, project milestones or community activity in the scoring window"},
		{"healthy, nothing fell", data.MemberScore{Status: data.StatusHealthy, Dimensions: [4]float64{90, 80, 70, 0}}, "", "", ""},
	} {
		e := c.s.Explain()
		if e.Kind != c.kind || e.Dimension != c.dim || e.Text != c.text {
			t.Errorf("%s: %+v, want kind %q, dimension %q, text %q", c.name, e, c.kind, c.dim, c.text)
		}
		if e.Dimension == "cooperation" {
			t.Errorf("%s: cooperation named as the reason", c.name)
		}
	}
}

// TestFreezeSnapshotKeepsTheReasonItWasFrozenWith: the snapshot stores each
// member's reason from the day's stored changes, and keeps it when the day
// is scored again with another reason.
func TestFreezeSnapshotKeepsTheReasonItWasFrozenWith(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	sunday := day(t, "2026-06-28")
	a, b := mustMember(t, db, "alpha"), mustMember(t, db, "bravo")
	save := func(ch data.Change) {
		t.Helper()
		if err := db.SaveDayScores(ctx, &data.DayScores{Ecosystem: data.EcosystemScore{Day: sunday, R: 1, Health: 50},
			Members: []data.MemberScore{
				{MemberID: a.ID, C: 0.5, Phi: 0.5, Health: 35, Status: data.StatusAtRisk, Dimensions: [4]float64{25, math.NaN(), 80, 0}, Changes: []data.Change{ch}},
				{MemberID: b.ID, C: 0.5, Phi: 0.5, Health: 90, Status: data.StatusHealthy, Dimensions: [4]float64{90, 90, 90, 0}},
			}}); err != nil {
			t.Fatal(err)
		}
	}
	dormant := data.Change{Kind: data.ChangeDormant, Dimension: "api", Score: 0, Now: 31, Before: 3700}
	if dormant.Text() == "" || dormant.Text() == dormant.Kind {
		t.Fatalf("dormancy has no words: %q", dormant.Text())
	}
	save(dormant)
	if _, err := db.FreezeSnapshot(ctx, "2026-W26", sunday, time.Date(2026, 6, 29, 0, 15, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	save(data.Change{Kind: data.ChangeLatency, Dimension: "api", Score: 0.3, Now: 3100, Before: 1000})
	ms, err := db.SnapshotMembers(ctx, "2026-W26")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]data.SnapshotMember{}
	for _, m := range ms {
		got[m.Slug] = m
	}
	if m := got["alpha"]; m.ReasonKind != data.ChangeDormant || m.Reason != dormant.Text() {
		t.Errorf("alpha frozen with reason %q (%s), want the dormancy it had when frozen", m.Reason, m.ReasonKind)
	}
	if m := got["bravo"]; m.Reason != "" || m.ReasonKind != "" {
		t.Errorf("bravo, healthy with no change, frozen with reason %q (%s)", m.Reason, m.ReasonKind)
	}
}
