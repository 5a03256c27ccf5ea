package views

import (
	"context"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// TestScoresOfferTheDayWhoseWindowHoldsAllTheData: four days of imported
// logs (Sunday to Wednesday) scored on their Sundays, as the backfill does:
// the overview offers the Sunday after them, whose window holds all four,
// not the Sunday before, which holds only the first.
func TestScoresOfferTheDayWhoseWindowHoldsAllTheData(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	c := &domain.APIConsumer{Key: "k"}
	if err := db.UpsertConsumer(ctx, c); err != nil {
		t.Fatal(err)
	}
	first := time.Date(2015, 5, 17, 0, 0, 0, 0, time.UTC)
	for i := range 4 {
		if err := db.AddUsage(ctx, []domain.UsageRollup{{Bucket: first.AddDate(0, 0, i).Add(9 * time.Hour), ConsumerID: c.ID, Endpoint: "/v1/chat", StatusClass: 2, Calls: 3}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []time.Time{first, first.AddDate(0, 0, 7), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)} {
		if err := db.SaveDayScores(ctx, &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: d, R: 1, Health: 50}}); err != nil {
			t.Fatal(err)
		}
	}
	o, err := BuildOverview(ctx, db, metrics.DefaultConfig(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if o.Available == nil || o.Available.At != "2015-05-24" {
		t.Fatalf("the overview offers %+v, want the scores of 2015-05-24", o.Available)
	}
}
