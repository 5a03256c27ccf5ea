package data_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func TestUsageByHourOfWeek(t *testing.T) {
	db := ecoUsageDB(t)
	cells, err := db.UsageByHourOfWeek(context.Background(), day(t, "2026-03-02"), day(t, "2026-03-04"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) != 2 {
		t.Fatalf("cells %+v, want two", cells)
	}
	mon, tue := cells[0], cells[1]
	if mon.Weekday != time.Monday || mon.Hour != 10 || mon.Calls != 135 || mon.Errors5xx != 5 || mon.Latency.Count() != 135 {
		t.Errorf("Monday cell %+v", mon)
	}
	if tue.Weekday != time.Tuesday || tue.Hour != 23 || tue.Calls != 37 {
		t.Errorf("Tuesday cell %+v", tue)
	}
}

// The hourly rows hold an hour's traffic per consumer and status class,
// its endpoints summed (the daily rows keep them), and the hour-of-week
// sums count rows a build before that stored per endpoint with them: from
// the hourly rows of a stale day, and from the totals rebuilt of them.
func TestHourlyRowsSumTheEndpoints(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	c := mustConsumer(t, db, "key-h", 0)
	at := at(t, "2026-03-02 10:00") // a Monday
	if err := db.AddUsage(ctx, []domain.UsageRollup{
		ecoRollup(at, c.ID, "/v1/chat", 2, 100, 50),
		ecoRollup(at.Add(20*time.Minute), c.ID, "/v1/embed", 2, 10, 20),
		ecoRollup(at, c.ID, "/v1/embed", 5, 1, 900),
	}); err != nil {
		t.Fatal(err)
	}
	raw := datatest.Raw(t, db)
	count := func(q string) (n int) {
		t.Helper()
		if err := raw.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT COUNT(*) FROM api_usage_hourly`); n != 2 {
		t.Errorf("%d hourly rows, want 2: one per consumer and status class", n)
	}
	if n := count(`SELECT COUNT(*) FROM api_usage_hourly WHERE endpoint = '' AND status_class = 2 AND calls = 110`); n != 1 {
		t.Errorf("the 2xx hour's row does not hold both endpoints' 110 calls")
	}
	if n := count(`SELECT COUNT(*) FROM api_usage_daily`); n != 3 {
		t.Errorf("%d daily rows, want 3: the daily rows keep the endpoint", n)
	}
	// A row of the same hour as a build before this one stored it.
	if _, err := raw.Exec(fmt.Sprintf(`INSERT INTO api_usage_hourly (bucket, consumer_id, endpoint, status_class, calls, bytes) VALUES (%d, %d, '/v1/old', 2, 7, 70)`, at.Unix(), c.ID)); err != nil {
		t.Fatal(err)
	}
	if err := db.InvalidateDay(ctx, at); err != nil {
		t.Fatal(err)
	}
	monday := func(when string) {
		t.Helper()
		cells, err := db.UsageByHourOfWeek(ctx, day(t, "2026-03-02"), day(t, "2026-03-03"))
		if err != nil {
			t.Fatal(err)
		}
		if len(cells) != 1 || cells[0].Weekday != time.Monday || cells[0].Hour != 10 || cells[0].Calls != 118 || cells[0].Errors5xx != 1 || cells[0].Bytes != 1180 {
			t.Errorf("%s: cells %+v, want Monday 10:00 with 118 calls (1 a 5xx), 1,180 bytes", when, cells)
		}
	}
	monday("the day stale")
	if _, err := db.RefreshUsageDays(ctx); err != nil {
		t.Fatal(err)
	}
	monday("the day's totals rebuilt")
}
