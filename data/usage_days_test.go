package data_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// usageOf keeps the usage fields of a window, per member.
func usageOf(w *domain.Window) map[int64]string {
	out := map[int64]string{}
	for _, m := range w.Members {
		out[m.ID] = fmt.Sprintf("calls=%d 4xx=%d 5xx=%d p95=%.6f consumers=%d prev=%d",
			m.Calls, m.Errors4xx, m.Errors5xx, m.LatencyP95MS, m.Consumers, m.PrevCalls)
	}
	out[0] = fmt.Sprintf("active consumers in the last week: %d", w.ActiveConsumers)
	return out
}

// activeConsumersBySQL is the overview's count of consumers, with a member
// or not, with calls in the window's last 7 days, straight from the rollups.
func activeConsumersBySQL(tb testing.TB, db *data.DB, w *domain.Window) int {
	tb.Helper()
	var n int
	if err := datatest.Raw(tb, db).QueryRow(`SELECT COUNT(DISTINCT consumer_id) FROM api_usage_daily WHERE bucket >= ? AND bucket < ? AND calls > 0`,
		w.Day.AddDate(0, 0, -6).Unix(), w.Day.AddDate(0, 0, 1).Unix()).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func scoringWindow(tb testing.TB, db *data.DB, d time.Time) *domain.Window {
	tb.Helper()
	w, err := db.ScoringWindow(context.Background(), d, 28)
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

// TestUsageDaySummariesGiveTheSameWindow checks that the scoring window's
// usage is the same whether it comes from api_usage_daily (stale days) or
// from the usage day digests, and that a write after a refresh makes
// its day stale again instead of being missed or counted twice.
func TestUsageDaySummariesGiveTheSameWindow(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 4))
	var consumers []*domain.APIConsumer
	for i := 0; i < 4; i++ {
		m := mustMember(t, db, fmt.Sprint("m", i))
		consumers = append(consumers, mustConsumer(t, db, fmt.Sprint("k", i), m.ID), mustConsumer(t, db, fmt.Sprint("k", i, "b"), m.ID))
	}
	consumers = append(consumers, mustConsumer(t, db, "unmapped", 0))
	start := day(t, "2026-02-01")
	var batch []domain.UsageRollup
	for i := 0; i < 600; i++ {
		at := start.Add(time.Duration(rng.IntN(60*24)) * time.Hour)
		c := consumers[rng.IntN(len(consumers))]
		r := rollup(at, c.ID, 2+rng.IntN(4), int64(rng.IntN(50)), float64(1+rng.IntN(3000)))
		r.Endpoint = fmt.Sprint("/v1/e", rng.IntN(3))
		if i%7 == 0 { // an access log without request times
			r.Latency, r.LatencySumMS = domain.Histogram{}, 0
		}
		batch = append(batch, r)
	}
	// The edges of the overview's last week, by consumers without a member.
	weekStart, weekBefore := mustConsumer(t, db, "first-day-of-week", 0), mustConsumer(t, db, "day-before-week", 0)
	batch = append(batch, rollup(day(t, "2026-03-22"), weekStart.ID, 2, 3, 10), rollup(day(t, "2026-03-21").Add(23*time.Hour), weekBefore.ID, 2, 3, 10))
	if err := db.AddUsage(ctx, batch); err != nil {
		t.Fatal(err)
	}
	scored := day(t, "2026-03-28")
	raw := usageOf(scoringWindow(t, db, scored))
	rawHours := hoursOfWeek(t, db)

	v := db.Version()
	n, err := db.RefreshUsageDays(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no stale day was summarised")
	}
	if n, _ := db.RefreshUsageDays(ctx); n != 0 {
		t.Errorf("a second refresh summarised %d days, want 0", n)
	}
	if got, want := db.Version(), v; got != want {
		t.Errorf("refreshing summaries changed the data version %d → %d: page caches would be dropped for nothing", want, got)
	}
	if got := hoursOfWeek(t, db); got != rawHours {
		t.Errorf("hour-of-week cells from the summaries:\n%s\nwant (from the hourly rollups)\n%s", got, rawHours)
	}
	summarisedWindow := scoringWindow(t, db, scored)
	if got, want := summarisedWindow.ActiveConsumers, activeConsumersBySQL(t, db, summarisedWindow); got != want || want < 2 {
		t.Errorf("active consumers in the last week = %d, want %d (from the rollups; at least 2 for the test to mean something)", got, want)
	}
	summarised := usageOf(summarisedWindow)
	for id, want := range raw {
		if got := summarised[id]; got != want {
			t.Errorf("member %d from summaries: %s, want %s", id, got, want)
		}
	}

	// New traffic on summarised days, in the window and in the window before.
	member := consumers[0].MemberID
	first := memberWindow(t, scoringWindow(t, db, scored), member)
	more := []domain.UsageRollup{
		rollup(day(t, "2026-03-20").Add(5*time.Hour), consumers[0].ID, 5, 1000, 9000),
		rollup(day(t, "2026-02-20").Add(5*time.Hour), consumers[0].ID, 2, 77, 10),
	}
	if err := db.AddUsage(ctx, more); err != nil {
		t.Fatal(err)
	}
	stale := memberWindow(t, scoringWindow(t, db, scored), member)
	staleHours := hoursOfWeek(t, db)
	if staleHours == rawHours {
		t.Error("new traffic did not change the hour-of-week cells")
	}
	if got, want := stale.Calls, first.Calls+1000; got != want {
		t.Errorf("calls after new traffic = %d, want %d", got, want)
	}
	if got, want := stale.Errors5xx, first.Errors5xx+1000; got != want {
		t.Errorf("5xx after new traffic = %d, want %d", got, want)
	}
	if got, want := stale.PrevCalls, first.PrevCalls+77; got != want {
		t.Errorf("previous window's calls after new traffic = %d, want %d", got, want)
	}
	if n, err := db.RefreshUsageDays(ctx); err != nil || n != 2 {
		t.Fatalf("refresh after new traffic summarised %d days (%v), want 2", n, err)
	}
	if got := hoursOfWeek(t, db); got != staleHours {
		t.Errorf("hour-of-week cells after the refresh:\n%s\nwant\n%s", got, staleHours)
	}
	again := memberWindow(t, scoringWindow(t, db, scored), member)
	if got, want := fmt.Sprintf("%+v", again), fmt.Sprintf("%+v", stale); got != want {
		t.Errorf("refreshed window %s, want %s", got, want)
	}
}

func memberWindow(tb testing.TB, w *domain.Window, id int64) domain.MemberWindow {
	tb.Helper()
	for _, m := range w.Members {
		if m.ID == id {
			return m
		}
	}
	tb.Fatalf("member %d not in the window", id)
	return domain.MemberWindow{}
}

// hoursOfWeek prints the hour-of-week cells of February and March 2026.
func hoursOfWeek(tb testing.TB, db *data.DB) string {
	tb.Helper()
	cells, err := db.UsageByHourOfWeek(context.Background(), day(tb, "2026-02-01"), day(tb, "2026-04-01"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(cells) == 0 {
		tb.Fatal("no hour-of-week cells")
	}
	return fmt.Sprintf("%+v", cells)
}
