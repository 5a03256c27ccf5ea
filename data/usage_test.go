package data_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func mustConsumer(tb testing.TB, db *data.DB, key string, memberID int64) *domain.APIConsumer {
	tb.Helper()
	c := &domain.APIConsumer{Key: key, MemberID: memberID}
	if err := db.UpsertConsumer(context.Background(), c); err != nil {
		tb.Fatal(err)
	}
	return c
}

func rollup(at time.Time, consumer int64, class int, calls int64, ms float64) domain.UsageRollup {
	r := domain.UsageRollup{Bucket: at, ConsumerID: consumer, Endpoint: "/v1/chat", StatusClass: class, Calls: calls, Bytes: calls * 100, LatencySumMS: ms * float64(calls)}
	r.Latency.Observe(ms, calls)
	return r
}

func TestUsageRollupsMergeAndSplitByMember(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	a := mustMember(t, db, "alpha")
	ca := mustConsumer(t, db, "key-a", a.ID)
	unknown := mustConsumer(t, db, "key-unknown", 0)
	h := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

	batch := []domain.UsageRollup{
		rollup(h, ca.ID, 2, 90, 50),
		rollup(h.Add(20*time.Minute), ca.ID, 2, 10, 50), // same hour: merged
		rollup(h, ca.ID, 4, 7, 20),
		rollup(h.Add(2*time.Hour), ca.ID, 5, 3, 900),
		rollup(h, unknown.ID, 2, 40, 30),
	}
	if err := db.AddUsage(ctx, batch); err != nil {
		t.Fatal(err)
	}
	// The same batch again: rollups add up, they do not replace.
	if err := db.AddUsage(ctx, batch); err != nil {
		t.Fatal(err)
	}
	d := domain.Day(h)
	all, err := db.UsageTotals(ctx, d, d.AddDate(0, 0, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := all.Calls, int64(2*(90+10+7+3+40)); got != want {
		t.Errorf("all calls = %d, want %d", got, want)
	}
	mine, err := db.UsageTotals(ctx, d, d.AddDate(0, 0, 1), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := mine.Calls, int64(2*110); got != want {
		t.Errorf("member calls = %d, want %d (unmapped consumer must not count)", got, want)
	}
	if got, want := mine.Errors4xx, int64(14); got != want {
		t.Errorf("4xx = %d, want %d", got, want)
	}
	if got, want := mine.Errors5xx, int64(6); got != want {
		t.Errorf("5xx = %d, want %d", got, want)
	}
	if got, want := mine.Latency.Count(), mine.Calls; got != want {
		t.Errorf("histogram count = %d, want calls %d", got, want)
	}
	if p99 := mine.Latency.Quantile(0.99); p99 < 500 {
		t.Errorf("p99 = %.0f ms, want the 900 ms errors to show", p99)
	}
	// A range that excludes the day has nothing.
	none, err := db.UsageTotals(ctx, d.AddDate(0, 0, 1), d.AddDate(0, 0, 2), 0)
	if err != nil {
		t.Fatal(err)
	}
	if none.Calls != 0 {
		t.Errorf("next day calls = %d, want 0", none.Calls)
	}
}

func TestAddUsageIsAtomic(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	c := mustConsumer(t, db, "k", 0)
	h := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	bad := []domain.UsageRollup{rollup(h, c.ID, 2, 5, 10), rollup(h, 424242, 2, 5, 10)} // unknown consumer: FK failure
	if err := db.AddUsage(ctx, bad); err == nil {
		t.Fatal("AddUsage with an unknown consumer succeeded")
	}
	tot, err := db.UsageTotals(ctx, domain.Day(h), domain.Day(h).AddDate(0, 0, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	if tot.Calls != 0 {
		t.Errorf("a failed batch left %d calls behind", tot.Calls)
	}
	if err := db.AddUsage(ctx, []domain.UsageRollup{rollup(h, c.ID, 9, 1, 1)}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("status class 9: err = %v, want EINVALID", err)
	}
}

func TestUsageWithCursorCommitsTogether(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	c := mustConsumer(t, db, "k", 0)
	h := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if err := db.AddUsageWithCursor(ctx, []domain.UsageRollup{rollup(h, c.ID, 2, 5, 10)}, "log", "", "offset=100"); err != nil {
		t.Fatal(err)
	}
	if err := db.AddUsageWithCursor(ctx, []domain.UsageRollup{rollup(h, 9999, 2, 5, 10)}, "log", "offset=100", "offset=200"); err == nil {
		t.Fatal("bad batch succeeded")
	}
	cur, err := db.Cursor(ctx, "log")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cur, "offset=100"; got != want {
		t.Errorf("cursor = %q, want %q: a failed batch must not move it", got, want)
	}
}

// TestUsageUpsertsOfEverySize writes batches whose row counts need every
// prepared statement size (100, 64, …, 1, and several of them), twice: the
// second time through statements prepared on the store after the first.
func TestUsageUpsertsOfEverySize(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	m := mustMember(t, db, "alpha")
	c := mustConsumer(t, db, "k", m.ID)
	day0 := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	var want int64
	for i, n := range []int{1, 99, 100, 101, 237} {
		d := day0.AddDate(0, 0, i)
		var batch []domain.UsageRollup
		for e := 0; e < n; e++ {
			r := rollup(d.Add(time.Hour), c.ID, 2, 1, 20)
			r.Endpoint = fmt.Sprintf("/v1/e%03d", e)
			if e%3 == 0 {
				r.Latency, r.LatencySumMS = domain.Histogram{}, 0 // rows without latency take the other statements
			}
			batch = append(batch, r)
		}
		for round := 0; round < 2; round++ {
			if err := db.AddUsage(ctx, batch); err != nil {
				t.Fatalf("%d rows, round %d: %v", n, round, err)
			}
			want += int64(n)
		}
		got, err := db.UsageTotals(ctx, day0, d.AddDate(0, 0, 1), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Calls != want {
			t.Fatalf("after batches of %d rows: %d calls stored, want %d", n, got.Calls, want)
		}
		wantLatency := int64(2 * (n - (n+2)/3))
		day, err := db.UsageTotals(ctx, d, d.AddDate(0, 0, 1), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := day.Latency.Count(); got != wantLatency {
			t.Errorf("%d rows: %d calls with latency, want %d", n, got, wantLatency)
		}
	}
}
