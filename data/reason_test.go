package data_test

import (
	"context"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestExplainNamesWhatChangedNeverCooperation: a member's reason is its
// worst change in words; without a change, a member that is not healthy is
// explained by its lowest dimension other than cooperation, even when
// cooperation is lower; a healthy member without a change needs none.
func TestExplainNamesWhatChangedNeverCooperation(t *testing.T) {
	nan := math.NaN()
	drop := domain.Change{Kind: domain.ChangeUsageDrop, Dimension: "api", Score: 0.29, Now: 4700, Before: 12400}
	late := domain.Change{Kind: domain.ChangeMilestonesLate, Dimension: "projects", Score: 0.67, Now: 1, Of: 2}
	for _, c := range []struct {
		name string
		s    domain.MemberScore
		kind string
		dim  string
		text string
	}{
		{"worst change first", domain.MemberScore{Status: domain.StatusAtRisk, Dimensions: [4]float64{29, 100, 90, 0}, Changes: []domain.Change{drop, late}},
			domain.ChangeUsageDrop, "api", drop.Text()},
		{"a change explains a healthy member too", domain.MemberScore{Status: domain.StatusHealthy, Dimensions: [4]float64{100, 67, 90, 0}, Changes: []domain.Change{late}},
			domain.ChangeMilestonesLate, "projects", late.Text()},
		{"a cooperation signal is skipped", domain.MemberScore{Status: domain.StatusWatch, Dimensions: [4]float64{60, 100, 90, 0},
			Changes: []domain.Change{{Kind: "ties_lost", Dimension: "cooperation", Score: 0}, late}},
			domain.ChangeMilestonesLate, "projects", late.Text()},
		{"no change, not healthy: lowest dimension but cooperation", domain.MemberScore{Status: domain.StatusWatch, Dimensions: [4]float64{80, nan, 52.4, 0}},
			domain.ReasonLowDimension, "community", "community activity and responses 52/100, its lowest dimension; nothing fell against its own baseline"},
		{"only cooperation has data", domain.MemberScore{Status: domain.StatusAtRisk, Dimensions: [4]float64{nan, nan, nan, 20}},
			domain.ReasonNoActivity, "", "no API calls, project milestones or community activity in the scoring window"},
		{"healthy, nothing fell", domain.MemberScore{Status: domain.StatusHealthy, Dimensions: [4]float64{90, 80, 70, 0}}, "", "", ""},
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
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	sunday := day(t, "2026-06-28")
	a, b := mustMember(t, db, "alpha"), mustMember(t, db, "bravo")
	save := func(ch domain.Change) {
		t.Helper()
		if err := db.SaveDayScores(ctx, &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: sunday, R: 1, Health: 50},
			Members: []domain.MemberScore{
				{MemberID: a.ID, C: 0.5, Phi: 0.5, Health: 35, Status: domain.StatusAtRisk, Dimensions: [4]float64{25, math.NaN(), 80, 0}, Changes: []domain.Change{ch}},
				{MemberID: b.ID, C: 0.5, Phi: 0.5, Health: 90, Status: domain.StatusHealthy, Dimensions: [4]float64{90, 90, 90, 0}},
			}}); err != nil {
			t.Fatal(err)
		}
	}
	dormant := domain.Change{Kind: domain.ChangeDormant, Dimension: "api", Score: 0, Now: 31, Before: 3700}
	if dormant.Text() == "" || dormant.Text() == dormant.Kind {
		t.Fatalf("dormancy has no words: %q", dormant.Text())
	}
	save(dormant)
	if _, err := db.FreezeSnapshot(ctx, "2026-W26", sunday, time.Date(2026, 6, 29, 0, 15, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	save(domain.Change{Kind: domain.ChangeLatency, Dimension: "api", Score: 0.3, Now: 3100, Before: 1000})
	ms, err := db.SnapshotMembers(ctx, "2026-W26")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]data.SnapshotMember{}
	for _, m := range ms {
		got[m.Slug] = m
	}
	if m := got["alpha"]; m.ReasonKind != domain.ChangeDormant || m.Reason != dormant.Text() {
		t.Errorf("alpha frozen with reason %q (%s), want the dormancy it had when frozen", m.Reason, m.ReasonKind)
	}
	if m := got["bravo"]; m.Reason != "" || m.ReasonKind != "" {
		t.Errorf("bravo, healthy with no change, frozen with reason %q (%s)", m.Reason, m.ReasonKind)
	}
}

// TestFrozenReasonFactsRoundTrip: a snapshot keeps the facts each reason
// was said from (the day's changes and dimension healths, a dimension not
// measured as NaN), and they say the frozen reason again; a row without
// facts (frozen before they were kept: NULL) or with changes this version
// cannot read reads as none.
func TestFrozenReasonFactsRoundTrip(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	sunday := day(t, "2026-06-28")
	a, b := mustMember(t, db, "alpha"), mustMember(t, db, "bravo")
	dormant := domain.Change{Kind: domain.ChangeDormant, Dimension: "api", Score: 0, Now: 31, Before: 3700}
	late := domain.Change{Kind: domain.ChangeMilestonesLate, Dimension: "projects", Score: 0.5, Now: 1, Of: 2}
	if err := db.SaveDayScores(ctx, &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: sunday, R: 1, Health: 50},
		Members: []domain.MemberScore{
			{MemberID: a.ID, C: 0.5, Phi: 0.5, Health: 35, Status: domain.StatusAtRisk, Dimensions: [4]float64{25, math.NaN(), 80, 0}, Changes: []domain.Change{dormant, late}},
			{MemberID: b.ID, C: 0.5, Phi: 0.5, Health: 60, Status: domain.StatusWatch, Dimensions: [4]float64{90, 47.5, math.NaN(), 3}},
		}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FreezeSnapshot(ctx, "2026-W26", sunday, time.Date(2026, 6, 29, 0, 15, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	ms, err := db.SnapshotMembers(ctx, "2026-W26")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]data.SnapshotMember{}
	for _, m := range ms {
		got[m.Slug] = m
	}
	sameDims := func(slug string, d, want [4]float64) {
		t.Helper()
		for k := range want {
			if d[k] != want[k] && !(math.IsNaN(d[k]) && math.IsNaN(want[k])) {
				t.Errorf("%s frozen with dimensions %v, want %v", slug, d, want)
				return
			}
		}
	}
	for _, c := range []struct {
		slug    string
		changes []domain.Change
		dims    [4]float64
		kind    string
	}{
		{"alpha", []domain.Change{dormant, late}, [4]float64{25, math.NaN(), 80, 0}, domain.ChangeDormant},
		{"bravo", nil, [4]float64{90, 47.5, math.NaN(), 3}, domain.ReasonLowDimension},
	} {
		m := got[c.slug]
		if m.Facts == nil {
			t.Fatalf("%s frozen without facts", c.slug)
		}
		if !reflect.DeepEqual(m.Facts.Changes, c.changes) {
			t.Errorf("%s frozen with changes %+v, want %+v", c.slug, m.Facts.Changes, c.changes)
		}
		sameDims(c.slug, m.Facts.Dimensions, c.dims)
		sc, ok := m.Score()
		if e := sc.Explain(); !ok || e.Text != m.Reason || e.Kind != m.ReasonKind || m.ReasonKind != c.kind {
			t.Errorf("%s: the facts say %q (%s), the frozen reason is %q (%s), want kind %s", c.slug, e.Text, e.Kind, m.Reason, m.ReasonKind, c.kind)
		}
	}

	// CreateSnapshot stores the facts it is given, and none when given none
	// (a row as frozen before facts were kept).
	withFacts, old := got["alpha"], got["bravo"]
	old.Facts = nil
	if err := db.CreateSnapshot(ctx, &data.Snapshot{Week: "2026-W27", Day: day(t, "2026-07-05"), R: 1, Health: 50},
		[]data.SnapshotMember{withFacts, old}); err != nil {
		t.Fatal(err)
	}
	if ms, err = db.SnapshotMembers(ctx, "2026-W27"); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		switch m.Slug {
		case "alpha":
			if m.Facts == nil || !reflect.DeepEqual(m.Facts.Changes, withFacts.Facts.Changes) {
				t.Errorf("alpha stored by CreateSnapshot with facts %+v, want %+v", m.Facts, withFacts.Facts)
			} else {
				sameDims("alpha", m.Facts.Dimensions, withFacts.Facts.Dimensions)
			}
		case "bravo":
			if m.Facts != nil {
				t.Errorf("bravo stored without facts reads with %+v", m.Facts)
			}
			if _, ok := m.Score(); ok || m.Reason != old.Reason {
				t.Errorf("bravo without facts: a score to explain (%v) or reason %q, want none and %q", ok, m.Reason, old.Reason)
			}
		}
	}

	// Changes a newer version wrote, which this one cannot read: no facts,
	// rather than facts that say another reason.
	if _, err := datatest.Raw(t, db).ExecContext(ctx, `UPDATE snapshot_members SET changes = '{"v":2}' WHERE week = '2026-W26' AND slug = 'alpha'`); err != nil {
		t.Fatal(err)
	}
	if ms, err = db.SnapshotMembers(ctx, "2026-W26"); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Slug == "alpha" && m.Facts != nil {
			t.Errorf("alpha with unreadable changes reads with facts %+v", m.Facts)
		}
	}
}
