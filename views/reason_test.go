package views

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// TestCooperationIsNeverTheExplanation stores a day on which every member's
// cooperation dimension is its lowest — isolated members score 0 there by
// construction — and checks that no page explains a member by it: the
// overview's attention list, the members list, the member's page and a
// snapshot frozen from the day name the lowest other dimension, or the
// member's real change.
func TestCooperationIsNeverTheExplanation(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	day := ecoDay(t, "2026-03-29") // a Sunday
	nan := math.NaN()
	latency := domain.Change{Kind: domain.ChangeLatency, Dimension: "api", Score: 0.33, Now: 3000, Before: 1000}
	members := []struct {
		slug   string
		health float64
		status string
		dims   [4]float64
		ch     []domain.Change
		kind   string // the reason's kind
		dim    string // the dimension it names
	}{
		{"isolated-watch", 55, domain.StatusWatch, [4]float64{80, 45, 60, 0}, nil, domain.ReasonLowDimension, "project milestones 45/100"},
		{"isolated-risk", 30, domain.StatusAtRisk, [4]float64{nan, nan, 38, 0}, nil, domain.ReasonLowDimension, "community activity and responses 38/100"},
		// A signal of the cooperation dimension (none is computed today) is
		// passed over for the member's real change.
		{"slow", 43, domain.StatusWatch, [4]float64{33, 100, 90, 5},
			[]domain.Change{{Kind: "ties_lost", Dimension: "cooperation", Score: 0}, latency}, domain.ChangeLatency, latency.Text()},
		{"fine", 90, domain.StatusHealthy, [4]float64{95, 90, 92, 0}, nil, "", ""},
	}
	ds := &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: day, R: 1, Health: 50, Members: len(members)}}
	for i, m := range members {
		mem := &domain.Member{Slug: m.slug, Name: strings.ToUpper(m.slug), Kind: domain.KindPartner, JoinedOn: ecoDay(t, "2026-01-01")}
		if err := db.CreateMember(ctx, mem); err != nil {
			t.Fatal(err)
		}
		ds.Members = append(ds.Members, domain.MemberScore{Day: day, MemberID: mem.ID, C: 0.5, Phi: float64(i + 1), Health: m.health,
			Status: m.status, Dimensions: m.dims, Changes: m.ch})
	}
	if err := db.SaveDayScores(ctx, ds); err != nil {
		t.Fatal(err)
	}
	check := func(where, slug, kind, text string) {
		t.Helper()
		for _, m := range members {
			if m.slug != slug {
				continue
			}
			if kind != m.kind || !strings.Contains(text, m.dim) || strings.Contains(strings.ToLower(text), "cooperation") {
				t.Errorf("%s: %s explained by %s %q, want %s naming %q", where, slug, kind, text, m.kind, m.dim)
			}
			return
		}
		t.Errorf("%s: unknown member %s", where, slug)
	}

	o, err := BuildOverview(ctx, db, metrics.DefaultConfig(), day)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Attention) != 3 {
		t.Fatalf("attention list = %+v, want the three members not healthy", o.Attention)
	}
	for _, r := range o.Attention {
		check("overview", r.Slug, r.ReasonKind, r.Reason)
	}
	ms, err := BuildMembers(ctx, db, MembersQuery{Sort: "name", Order: "asc"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range ms.Members {
		check("members list", r.Slug, r.ReasonKind, r.Reason)
	}
	for _, m := range members {
		d, err := BuildMember(ctx, db, metrics.DefaultConfig(), MemberParams{Slug: m.slug, At: day})
		if err != nil {
			t.Fatal(err)
		}
		check("member page", m.slug, d.Score.ReasonKind, d.Score.Reason)
		for _, c := range d.Score.Changes {
			if c.Dimension == "cooperation" {
				t.Errorf("member page of %s lists a cooperation change: %+v", m.slug, c)
			}
		}
		if html := renderMember(t, *d); m.dim != "" && !strings.Contains(html, m.dim) {
			t.Errorf("the page of %s does not say %q", m.slug, m.dim)
		}
	}
	if _, err := db.FreezeSnapshot(ctx, "2026-W13", day, time.Date(2026, 3, 30, 1, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	snap, err := BuildSnapshot(ctx, db, metrics.DefaultConfig(), "2026-W13")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range snap.Members {
		check("snapshot", r.Slug, r.ReasonKind, r.Reason)
	}
}
