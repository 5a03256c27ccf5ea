package data_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func TestDataRangeSaysWhereEachKindOfDataIs(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	r, err := db.DataRange(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.HasUsage() || r.HasScores() || !r.ActivityLast.IsZero() {
		t.Fatalf("empty store: got %+v, want zero days", r)
	}

	c := &domain.APIConsumer{Key: "k1", Name: "k1"}
	if err := db.UpsertConsumer(ctx, c); err != nil {
		t.Fatal(err)
	}
	var rollups []domain.UsageRollup
	for _, at := range []string{"2015-05-20T23:10:00Z", "2015-05-17T00:05:00Z", "2015-05-18T12:00:00Z"} {
		b, _ := time.Parse(time.RFC3339, at)
		rollups = append(rollups, domain.UsageRollup{Bucket: b.Truncate(time.Hour), ConsumerID: c.ID, Endpoint: "/v1/x", StatusClass: 2, Calls: 1})
	}
	if err := db.AddUsage(ctx, rollups); err != nil {
		t.Fatal(err)
	}
	for i, at := range []string{"2016-02-03T08:00:00Z", "2016-01-09T22:00:00Z"} {
		a, _ := time.Parse(time.RFC3339, at)
		if _, err := db.AddActivities(ctx, []domain.Activity{{Source: "gh", ExternalID: string(rune('a' + i)), Kind: "comment", At: a, Actor: "x", Thread: "t"}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"2015-05-19", "2015-06-01"} {
		if err := db.SaveDayScores(ctx, &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: day(t, d)}}); err != nil {
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
	db := datatest.MustOpenDB(t)
	if got, err := db.NearestScoredDay(ctx, day(t, "2026-06-30")); err != nil || !got.IsZero() {
		t.Fatalf("nothing scored: got %v, %v; want the zero day", got, err)
	}
	for _, d := range []string{"2026-06-20", "2026-06-28"} {
		if err := db.SaveDayScores(ctx, &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: day(t, d)}}); err != nil {
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
			t.Errorf("NearestScoredDay(%s) = %s, want %s", asked, got.Format(domain.DateLayout), want)
		}
	}
}

func TestDataDaysAreTheDaysWithUsageOrActivity(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	c := &domain.APIConsumer{Key: "k1", Name: "k1"}
	if err := db.UpsertConsumer(ctx, c); err != nil {
		t.Fatal(err)
	}
	// Usage on the 3rd (late in the day: the daily bucket is the day's, not
	// the hour's) and the 5th; only a zero-call row on the 6th; activity on
	// the 5th and, a second before midnight, on the 7th.
	var rollups []domain.UsageRollup
	for _, u := range []struct {
		at    string
		calls int64
	}{{"2026-03-03T23:30:00Z", 4}, {"2026-03-05T00:00:00Z", 1}, {"2026-03-06T10:00:00Z", 0}} {
		b, _ := time.Parse(time.RFC3339, u.at)
		rollups = append(rollups, domain.UsageRollup{Bucket: b.Truncate(time.Hour), ConsumerID: c.ID, Endpoint: "/v1/x", StatusClass: 2, Calls: u.calls})
	}
	if err := db.AddUsage(ctx, rollups); err != nil {
		t.Fatal(err)
	}
	for i, at := range []string{"2026-03-05T12:00:00Z", "2026-03-07T23:59:59Z"} {
		a, _ := time.Parse(time.RFC3339, at)
		if _, err := db.AddActivities(ctx, []domain.Activity{{Source: "gh", ExternalID: string(rune('a' + i)), Kind: "comment", At: a, Actor: "x", Thread: "t"}}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.DataDays(ctx, day(t, "2026-03-01"), day(t, "2026-03-08"))
	if err != nil {
		t.Fatal(err)
	}
	var list []string
	for _, d := range got {
		list = append(list, fmt.Sprintf("%s u=%v a=%v", d.Day.Format(domain.DateLayout), d.Usage, d.Activity))
	}
	want := []string{"2026-03-03 u=true a=false", "2026-03-05 u=true a=true", "2026-03-07 u=false a=true"}
	if strings.Join(list, "; ") != strings.Join(want, "; ") {
		t.Errorf("data days = %q, want %q", list, want)
	}
	// The range is inclusive at both ends, and clipped to it.
	if got, err := db.DataDays(ctx, day(t, "2026-03-05"), day(t, "2026-03-05")); err != nil || len(got) != 1 || !got[0].Day.Equal(day(t, "2026-03-05")) {
		t.Errorf("one day: %+v, %v; want the 5th", got, err)
	}
	if got, err := db.DataDays(ctx, day(t, "2026-03-08"), day(t, "2026-03-01")); err != nil || len(got) != 0 {
		t.Errorf("to before from: %+v, %v; want nothing", got, err)
	}
	if _, err := db.DataDays(ctx, day(t, "2000-01-01"), day(t, "2026-03-01")); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("26 years at once: err = %v, want EINVALID", err)
	}
}
