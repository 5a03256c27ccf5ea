package data_test

import (
	"context"
	"math"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestScoringWindowPinnedUsage measures the usage side of a scoring window
// on a scenario worked out by hand, and asserts the absolute numbers (not
// only that the digest and the source-row paths agree with each other).
//
// The window ends 2026-03-28 and is 28 days long:
//
//	current  [2026-03-01, 2026-03-29)
//	previous [2026-02-01, 2026-03-01)
//	last week (the overview's counts) [2026-03-22, 2026-03-29)
//
// alpha's consumer a1:
//
//	02-28 23:00   3 calls 2xx @ 10 ms   the day before the window: previous
//	03-01 00:00  94 calls 2xx @ 10 ms   the window's first day, first hour
//	03-01 05:00   4 calls 4xx @ 100 ms
//	03-28 23:00   2 calls 5xx @ 1000 ms the window's last hour (last week too)
//	03-29 00:00  50 calls 2xx @ 10 ms   after the day: not seen
//
// alpha's consumer a2: 7 calls on 02-01 (the previous window's first day)
// only, so it is no current consumer; a3: 11 calls on 01-31, before both
// windows, so it counts nowhere. beta's b1: 20 calls on 02-15 only: beta's
// calls fell to zero. Unmapped consumers: u with 1 call on 03-25, v with 1
// call on 03-10 (in the window, not in its last week).
//
// alpha: calls 94 + 4 + 2 = 100; 4xx 4; 5xx 2; consumers 1 (a1);
// previous calls 3 + 7 = 10.
//
// alpha's latency, in the histogram's buckets (bound(k) = 10^(k/8) ms):
// 10 ms is bucket 8, 100 ms bucket 16, 1000 ms bucket 24.
//
//	p95: rank 0.95·100 = 95; 94 calls up to bucket 8, so bucket 16
//	     (4 calls) holds it at fraction (95 − 94)/4 = 0.25 between
//	     bound(15) and bound(16): 10^((15 + 0.25)/8) = 10^1.90625 = 80.5842 ms
//	p99: rank 99; 98 calls up to bucket 16, so bucket 24 (2 calls) at
//	     fraction (99 − 98)/2 = 0.5: 10^((23 + 0.5)/8) = 10^2.9375 = 865.964 ms
//
// beta: calls 0, previous calls 20, consumers 0, p95 0.
// Ecosystem consumers with calls in the last week: a1 (03-28) and u (03-25)
// = 2 (a1's calls of 03-29 are after the day; v's are before the week).
func TestScoringWindowPinnedUsage(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	alpha, beta := mustMember(t, db, "alpha"), mustMember(t, db, "beta")
	a1 := mustConsumer(t, db, "a1", alpha.ID)
	a2 := mustConsumer(t, db, "a2", alpha.ID)
	a3 := mustConsumer(t, db, "a3", alpha.ID)
	b1 := mustConsumer(t, db, "b1", beta.ID)
	u := mustConsumer(t, db, "u", 0)
	v := mustConsumer(t, db, "v", 0)
	if err := db.AddUsage(ctx, []domain.UsageRollup{
		rollup(at(t, "2026-02-28 23:00"), a1.ID, 2, 3, 10),
		rollup(at(t, "2026-03-01 00:00"), a1.ID, 2, 94, 10),
		rollup(at(t, "2026-03-01 05:00"), a1.ID, 4, 4, 100),
		rollup(at(t, "2026-03-28 23:00"), a1.ID, 5, 2, 1000),
		rollup(at(t, "2026-03-29 00:00"), a1.ID, 2, 50, 10),
		rollup(at(t, "2026-02-01 00:00"), a2.ID, 2, 7, 10),
		rollup(at(t, "2026-01-31 23:00"), a3.ID, 2, 11, 10),
		rollup(at(t, "2026-02-15 12:00"), b1.ID, 2, 20, 10),
		rollup(at(t, "2026-03-25 08:00"), u.ID, 2, 1, 10),
		rollup(at(t, "2026-03-10 08:00"), v.ID, 2, 1, 10),
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
		a, b := byID[alpha.ID], byID[beta.ID]
		for _, c := range []struct {
			name      string
			got, want int64
		}{
			{"alpha calls", a.Calls, 100},
			{"alpha 4xx", a.Errors4xx, 4},
			{"alpha 5xx", a.Errors5xx, 2},
			{"alpha consumers", int64(a.Consumers), 1},
			{"alpha previous calls", a.PrevCalls, 10},
			{"beta calls", b.Calls, 0},
			{"beta previous calls", b.PrevCalls, 20},
			{"beta consumers", int64(b.Consumers), 0},
			{"ecosystem consumers in the last week", int64(w.ActiveConsumers), 2},
		} {
			if c.got != c.want {
				t.Errorf("%s: %s = %d, want %d", path, c.name, c.got, c.want)
			}
		}
		if math.Abs(a.LatencyP95MS-80.5842) > 0.001 {
			t.Errorf("%s: alpha p95 = %.4f ms, want 80.5842 (10^1.90625)", path, a.LatencyP95MS)
		}
		if b.LatencyP95MS != 0 {
			t.Errorf("%s: beta p95 = %v, want 0 (no calls)", path, b.LatencyP95MS)
		}
	}
	check("from the usage rows") // the days are stale: no digest yet
	if n, err := db.RefreshUsageDays(ctx); err != nil || n == 0 {
		t.Fatalf("RefreshUsageDays = %d, %v; want the days digested", n, err)
	}
	check("from the day digests")

	// The same window's p99, from the API usage totals: not the p95.
	tot, err := db.UsageTotals(ctx, day(t, "2026-03-01"), day(t, "2026-03-29"), alpha.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tot.Calls != 100 {
		t.Errorf("alpha's calls in the window's totals = %d, want 100", tot.Calls)
	}
	if p99 := tot.Latency.Quantile(0.99); math.Abs(p99-865.964) > 0.001 {
		t.Errorf("alpha p99 = %.4f ms, want 865.964 (10^2.9375)", p99)
	}
	if p95 := tot.Latency.Quantile(0.95); math.Abs(p95-80.5842) > 0.001 {
		t.Errorf("alpha p95 from the totals = %.4f ms, want 80.5842", p95)
	}
}
