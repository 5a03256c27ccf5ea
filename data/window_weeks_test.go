package data_test

import (
	"context"
	"math"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestScoringWindowWeeksPinned measures the recent weeks the change signals
// read, on a scenario worked out by hand. The window ends 2026-03-28 (28
// days), so its weeks run back from the midnight after it:
//
//	week 0 [03-22, 03-29)  week 1 [03-15, 03-22)  week 2 [03-08, 03-15)
//	week 3 [03-01, 03-08)  week 4 [02-22, 03-01)  …  week 7 [02-01, 02-08)
//
// alpha's a1: 10 calls 2xx @ 10 ms at 03-28 23:00 and 5 calls 4xx @ 100 ms
// at 03-22 00:00 (week 0, its first and last hours); 7 calls at 03-21 23:00
// (week 1's last hour); 3 on 03-01 (week 3); 2 on 02-28 (week 4, the
// previous window); 1 on 02-01 (week 7); 50 on 03-29 (after the day).
// Weeks [15 7 0 3 2 0 0 1], 4xx [5 0 …], no 5xx; the last 7 days' p95 at rank
// 0.95·15 = 14.25, in the 100 ms bucket (16) at (14.25 − 10)/5 = 0.85:
// 10^((15 + 0.85)/8) = 95.7745 ms; last call on the day itself: 0 days ago.
// beta's b1: 100 calls on 03-10 only: week 2, last call 18 days ago.
// gamma: no calls at all: no last call (-1).
func TestScoringWindowWeeksPinned(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	alpha, beta, gamma := mustMember(t, db, "alpha"), mustMember(t, db, "beta"), mustMember(t, db, "gamma")
	a1 := mustConsumer(t, db, "a1", alpha.ID)
	b1 := mustConsumer(t, db, "b1", beta.ID)
	if err := db.AddUsage(ctx, []domain.UsageRollup{
		rollup(at(t, "2026-03-28 23:00"), a1.ID, 2, 10, 10),
		rollup(at(t, "2026-03-22 00:00"), a1.ID, 4, 5, 100),
		rollup(at(t, "2026-03-21 23:00"), a1.ID, 2, 7, 10),
		rollup(at(t, "2026-03-01 00:00"), a1.ID, 2, 3, 10),
		rollup(at(t, "2026-02-28 23:00"), a1.ID, 2, 2, 10),
		rollup(at(t, "2026-02-01 00:00"), a1.ID, 2, 1, 10),
		rollup(at(t, "2026-03-29 00:00"), a1.ID, 2, 50, 10),
		rollup(at(t, "2026-03-10 12:00"), b1.ID, 2, 100, 10),
	}); err != nil {
		t.Fatal(err)
	}
	check := func(path string) {
		t.Helper()
		w, err := db.ScoringWindow(ctx, day(t, "2026-03-28"), 28)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[int64]domain.MemberWindow{}
		for _, m := range w.Members {
			byID[m.ID] = m
		}
		a, b, g := byID[alpha.ID], byID[beta.ID], byID[gamma.ID]
		if a.Weeks != 8 || b.Weeks != 8 {
			t.Errorf("%s: weeks %d and %d, want 8 (two 28-day windows)", path, a.Weeks, b.Weeks)
		}
		if want := [domain.MaxWeeks]int64{15, 7, 0, 3, 2, 0, 0, 1}; a.WeeklyCalls != want {
			t.Errorf("%s: alpha weekly calls %v, want %v", path, a.WeeklyCalls, want)
		}
		if want := [domain.MaxWeeks]int64{0, 0, 100}; b.WeeklyCalls != want {
			t.Errorf("%s: beta weekly calls %v, want %v", path, b.WeeklyCalls, want)
		}
		if want := [domain.MaxWeeks]int64{5}; a.Weekly4xx != want || a.Weekly5xx != [domain.MaxWeeks]int64{} {
			t.Errorf("%s: alpha weekly 4xx %v 5xx %v, want %v and none", path, a.Weekly4xx, a.Weekly5xx, want)
		}
		if math.Abs(a.RecentLatencyP95MS-95.7745) > 0.001 {
			t.Errorf("%s: alpha recent p95 %.4f ms, want 95.7745", path, a.RecentLatencyP95MS)
		}
		if b.RecentLatencyP95MS != 0 {
			t.Errorf("%s: beta recent p95 %v, want 0 (no calls in the last 7 days)", path, b.RecentLatencyP95MS)
		}
		if a.LastCallDaysAgo != 0 || b.LastCallDaysAgo != 18 || g.LastCallDaysAgo != -1 {
			t.Errorf("%s: last call days ago alpha %d beta %d gamma %d, want 0, 18, -1", path, a.LastCallDaysAgo, b.LastCallDaysAgo, g.LastCallDaysAgo)
		}
	}
	check("from the usage rows")
	if n, err := db.RefreshUsageDays(ctx); err != nil || n == 0 {
		t.Fatalf("RefreshUsageDays = %d, %v; want the days digested", n, err)
	}
	check("from the day digests")
}
