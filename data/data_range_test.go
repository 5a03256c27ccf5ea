package data_test

import (
	"context"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
)

func TestDataRangeSaysWhereEachKindOfDataIs(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	r, err := db.DataRange(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.HasUsage() || r.HasScores() || !r.ActivityLast.IsZero() {
		t.Fatalf("empty store: got %+v, want zero days", r)
	}

	c := &data.APIConsumer{Key: "k1", Name: "k1"}
	if err := db.UpsertConsumer(ctx, c); err != nil {
		t.Fatal(err)
	}
	var rollups []data.UsageRollup
	for _, at := range []string{"2015-05-20T23:10:00Z", "2015-05-17T00:05:00Z", "2015-05-18T12:00:00Z"} {
		b, _ := time.Parse(time.RFC3339, at)
		rollups = append(rollups, data.UsageRollup{Bucket: b.Truncate(time.Hour), ConsumerID: c.ID, Endpoint: "/v1/x", StatusClass: 2, Calls: 1})
	}
	if err := db.AddUsage(ctx, rollups); err != nil {
		t.Fatal(err)
	}
	for i, at := range []string{"2016-02-03T08:00:00Z", "2016-01-09T22:00:00Z"} {
		a, _ := time.Parse(time.RFC3339, at)
		if _, err := db.AddActivities(ctx, []data.Activity{{Source: "gh", ExternalID: string(rune('a' + i)), Kind: "comment", At: a, Actor: "x", Thread: "t"}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"2015-05-19", "2015-06-01"} {
		if err := db.SaveDayScores(ctx, &data.DayScores{Ecosystem: data.EcosystemScore{Day: day(t, d)}}); err != nil {
			t.Fatal(err)
		}
	}
	if r, err = db.DataRange(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		got  time.Time
		want string
	}{
		{"usage first", r.UsageFirst, "2015-05-17"}, {"usage last", r.UsageLast, "2015-05-20"},
		{"scored first", r.ScoredFirst, "2015-05-19"}, {"scored last", r.ScoredLast, "2015-06-01"},
		{"activity first", r.ActivityFirst, "2016-01-09"}, {"activity last", r.ActivityLast, "2016-02-03"},
	} {
		if !c.got.Equal(day(t, c.want)) {
			t.Errorf("%s = %v, want %s", c.name, c.got, c.want)
		}
	}
	first, last := r.Measured()
	if !first.Equal(day(t, "2015-05-17")) || !last.Equal(day(t, "2016-02-03")) {
		t.Errorf("Measured() = %v..%v, want 2015-05-17..2016-02-03", first, last)
	}
}

func TestNearestScoredDaySnapsBackThenForward(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if got, err := db.NearestScoredDay(ctx, day(t, "2026-06-30")); err != nil || !got.IsZero() {
		t.Fatalf("nothing scored: got %v, %v; want the zero day", got, err)
	}
	for _, d := range []string{"2026-06-20", "2026-06-28"} {
		if err := db.SaveDayScores(ctx, &data.DayScores{Ecosystem: data.EcosystemScore{Day: day(t, d)}}); err != nil {
			t.Fatal(err)
		}
	}
	for asked, want := range map[string]string{
		"2026-06-30": "2026-06-28", // after the last: the last
		"2026-06-28": "2026-06-28", // scored: itself
		"2026-06-25": "2026-06-20", // between: the one on or before
		"2026-06-01": "2026-06-20", // before the first: the first after
	} {
		got, err := db.NearestScoredDay(ctx, day(t, asked))
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(day(t, want)) {
			t.Errorf("NearestScoredDay(%s) = %s, want %s", asked, got.Format(data.DateLayout), want)
		}
	}
}
