package data_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestCallsBetweenIsUsageTotalsCalls: the overview's count of calls over a
// range is the calls UsageTotals sums over it — every consumer, endpoint
// and status class of the days [from, to), none outside — saturating the
// same way on a hostile row.
func TestCallsBetweenIsUsageTotalsCalls(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	a, b := &domain.APIConsumer{Key: "a"}, &domain.APIConsumer{Key: "b"}
	for _, c := range []*domain.APIConsumer{a, b} {
		if err := db.UpsertConsumer(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	at := func(d string, h int) time.Time { return day(t, d).Add(time.Duration(h) * time.Hour) }
	roll := func(when time.Time, c *domain.APIConsumer, endpoint string, class int, calls int64) domain.UsageRollup {
		return domain.UsageRollup{Bucket: when, ConsumerID: c.ID, Endpoint: endpoint, StatusClass: class, Calls: calls}
	}
	if err := db.AddUsage(ctx, []domain.UsageRollup{
		roll(at("2026-03-01", 23), a, "/v1/chat", 2, 1000), // the day before the range
		roll(at("2026-03-02", 0), a, "/v1/chat", 2, 300),
		roll(at("2026-03-02", 9), a, "/v1/chat", 4, 20),
		roll(at("2026-03-03", 12), b, "/v1/embed", 5, 7),
		roll(at("2026-03-04", 0), b, "/v1/embed", 2, 5000), // the day after: [from, to) ends before it
	}); err != nil {
		t.Fatal(err)
	}
	from, to := day(t, "2026-03-02"), day(t, "2026-03-04")
	got, err := db.CallsBetween(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	tot, err := db.UsageTotals(ctx, from, to, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got != 327 || got != tot.Calls {
		t.Errorf("CallsBetween = %d, UsageTotals calls = %d, want 327 (300 + 20 + 7)", got, tot.Calls)
	}
	if err := db.AddUsage(ctx, []domain.UsageRollup{roll(at("2026-03-03", 13), a, "/v1/huge", 2, math.MaxInt64)}); err != nil {
		t.Fatal(err)
	}
	got, err = db.CallsBetween(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if tot, _ = db.UsageTotals(ctx, from, to, 0); got != math.MaxInt64 || got != tot.Calls {
		t.Errorf("with a row of MaxInt64 calls: CallsBetween = %d, UsageTotals = %d; want both saturated", got, tot.Calls)
	}
}
