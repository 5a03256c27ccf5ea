package data_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// saveTriangle scores day for three members with C = cs and ties a–b (kab)
// and a–c (kac); φ is written as the model defines it.
func saveTriangle(t *testing.T, db *data.DB, d time.Time, ids [3]int64, cs [3]float64, kab, kac float64) {
	t.Helper()
	ab, ac := kab*(cs[0]+cs[1])/2, kac*(cs[0]+cs[2])/2
	phi := [3]float64{ab + ac, ab, ac}
	ds := &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: d, R: ab*2 + ac*2, Members: 3},
		Edges: []domain.Edge{{A: ids[0], B: ids[1], K: kab}, {A: ids[0], B: ids[2], K: kac}}}
	for i, id := range ids {
		ds.Members = append(ds.Members, domain.MemberScore{MemberID: id, C: cs[i], Phi: phi[i], Status: domain.StatusWatch})
	}
	if err := db.SaveDayScores(context.Background(), ds); err != nil {
		t.Fatal(err)
	}
}

func describeBasis(b *data.AllocationBasis) string {
	var lines []string
	for _, s := range b.Samples {
		line := fmt.Sprintf("%s %s frozen=%v", s.Week, s.Day.Format(domain.DateLayout), s.Frozen)
		for _, m := range s.Members {
			line += fmt.Sprintf(" %s:C=%g", m.Slug, m.C)
		}
		for _, tie := range s.Ties {
			line += fmt.Sprintf(" %s-%s:%g", tie.A, tie.B, tie.K)
		}
		lines = append(lines, line)
	}
	return fmt.Sprintf("closed=%v missing=%v\n%s", b.Closed, b.Missing, strings.Join(lines, "\n"))
}

// TestAllocationBasisFreezesTies: a snapshot freezes the day's ties by slug;
// an open month reads a snapshot where a week has one and the latest scored
// day of a week without; once its last week is frozen the month is closed,
// is read from snapshots only, and a rescored day changes nothing.
func TestAllocationBasisFreezesTies(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	// Slugs sort c-first against ids, so the frozen ties must be re-ordered by slug.
	ids := [3]int64{mustMember(t, db, "zeta").ID, mustMember(t, db, "beta").ID, mustMember(t, db, "gamma").ID}
	saveTriangle(t, db, day(t, "2026-11-01"), ids, [3]float64{0.6, 0.3, 0.1}, 0.5, 0.25)
	if _, err := db.FreezeSnapshot(ctx, "2026-W44", day(t, "2026-11-01"), time.Now()); err != nil {
		t.Fatal(err)
	}
	saveTriangle(t, db, day(t, "2026-11-10"), ids, [3]float64{0.5, 0.5, 0.5}, 0.125, 0)
	saveTriangle(t, db, day(t, "2026-11-11"), ids, [3]float64{0.4, 0.2, 0.2}, 0.75, 0.5)
	p, err := domain.ParsePeriod("2026-11")
	if err != nil {
		t.Fatal(err)
	}
	b, err := db.AllocationBasis(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	want := `closed=false missing=[2026-W45 2026-W47 2026-W48]
2026-W44 2026-11-01 frozen=true beta:C=0.3 gamma:C=0.1 zeta:C=0.6 beta-zeta:0.5 gamma-zeta:0.25
2026-W46 2026-11-11 frozen=false beta:C=0.2 gamma:C=0.2 zeta:C=0.4 beta-zeta:0.75 gamma-zeta:0.5`
	if got := describeBasis(b); got != want {
		t.Errorf("open month:\n%s\nwant\n%s", got, want)
	}

	// The month's last week is frozen: closed, and W46 (no snapshot) is missing.
	saveTriangle(t, db, day(t, "2026-11-29"), ids, [3]float64{0.2, 0.2, 0.2}, 0.5, 0.5)
	if _, err := db.FreezeSnapshot(ctx, "2026-W48", day(t, "2026-11-29"), time.Now()); err != nil {
		t.Fatal(err)
	}
	// The days of the frozen weeks are scored again to other numbers.
	saveTriangle(t, db, day(t, "2026-11-01"), ids, [3]float64{0.9, 0.9, 0.9}, 0.9, 0.9)
	saveTriangle(t, db, day(t, "2026-11-29"), ids, [3]float64{0.9, 0.9, 0.9}, 0.9, 0.9)
	b, err = db.AllocationBasis(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	want = `closed=true missing=[2026-W45 2026-W46 2026-W47]
2026-W44 2026-11-01 frozen=true beta:C=0.3 gamma:C=0.1 zeta:C=0.6 beta-zeta:0.5 gamma-zeta:0.25
2026-W48 2026-11-29 frozen=true beta:C=0.2 gamma:C=0.2 zeta:C=0.2 beta-zeta:0.5 gamma-zeta:0.5`
	if got := describeBasis(b); got != want {
		t.Errorf("closed month:\n%s\nwant\n%s", got, want)
	}
}
