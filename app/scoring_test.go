package app

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func TestBackfillDaysAreRecentDaysAndWeekEnds(t *testing.T) {
	today := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC) // a Tuesday
	days := backfillDays(today, 182)
	seen := map[string]bool{}
	for _, d := range days {
		seen[d.Format(domain.DateLayout)] = true
		age := int(today.Sub(d).Hours() / 24)
		if age < 2 {
			t.Errorf("backfill includes %s: today and yesterday are always rescored, not backfilled", d.Format(domain.DateLayout))
		}
		if age > recentDays && d.Weekday() != time.Sunday {
			t.Errorf("backfill includes %s, an old day that is not a week end", d.Format(domain.DateLayout))
		}
	}
	for age := 2; age <= recentDays; age++ {
		if d := today.AddDate(0, 0, -age); !seen[d.Format(domain.DateLayout)] {
			t.Errorf("recent day %s is not backfilled", d.Format(domain.DateLayout))
		}
	}
	sundays := 0
	for d := today.AddDate(0, 0, -182); d.Before(today); d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Sunday {
			sundays++
			if !seen[d.Format(domain.DateLayout)] {
				t.Errorf("week end %s is not backfilled", d.Format(domain.DateLayout))
			}
		}
	}
	if sundays < 26 {
		t.Fatalf("only %d Sundays in 182 days", sundays)
	}
}

// TestScoresDependOnDataAndDayOnly scores the same day twice, a moment apart
// and after unrelated later data arrives: the results are identical.
func TestScoresDependOnDataAndDayOnly(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	s := NewScorer(db, config.Default().Scoring, quietLogger())
	day := demoEnd.AddDate(0, 0, -10)
	first, err := s.Compute(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	// Data after the day must not change its scores.
	c := &domain.APIConsumer{Key: "late-arrival"}
	if err := db.UpsertConsumer(ctx, c); err != nil {
		t.Fatal(err)
	}
	r := domain.UsageRollup{Bucket: demoEnd, ConsumerID: c.ID, Endpoint: "/x", StatusClass: 2, Calls: 1000}
	if err := db.AddUsage(ctx, []domain.UsageRollup{r}); err != nil {
		t.Fatal(err)
	}
	second, err := s.Compute(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first.Ecosystem, second.Ecosystem) || len(first.Members) != len(second.Members) {
		t.Fatalf("ecosystem score changed: %+v then %+v", first.Ecosystem, second.Ecosystem)
	}
	for i := range first.Members {
		a, b := first.Members[i], second.Members[i]
		a.Dimensions, b.Dimensions = [4]float64{}, [4]float64{} // NaN ≠ NaN; compared below
		if !reflect.DeepEqual(a, b) {
			t.Errorf("member %d: %+v then %+v", a.MemberID, a, b)
		}
		for k := range first.Members[i].Dimensions {
			x, y := first.Members[i].Dimensions[k], second.Members[i].Dimensions[k]
			if x != y && !(x != x && y != y) {
				t.Errorf("member %d dimension %d: %v then %v", a.MemberID, k, x, y)
			}
		}
	}
}

// TestDemoTickContinuesAfterARestart seeds the demo "yesterday", then ticks
// as a server restarted days later would: the tick finds the seeded
// ecosystem, adds traffic and moves the cursor.
func TestDemoTickContinuesAfterARestart(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	seededAt := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	if _, err := seedDemo(ctx, db, seededAt); err != nil {
		t.Fatal(err)
	}
	a := newTestApp(t, db)
	later := seededAt.AddDate(0, 0, 3)
	if err := a.enableDemo(ctx, later); err != nil {
		t.Fatal(err)
	}
	if got, want := a.demo.opt.End, domain.Day(seededAt).AddDate(0, 0, -1); !got.Equal(want) {
		t.Fatalf("restart uses End %v, want the seeded %v", got, want)
	}
	before, err := db.UsageTotals(ctx, domain.Day(later), domain.Day(later).AddDate(0, 0, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetCursor(ctx, "demo", later.Add(-10*time.Minute).Format(time.RFC3339)); err != nil {
		t.Fatal(err)
	}
	if err := a.runDemoTick(ctx, later); err != nil {
		t.Fatal(err)
	}
	after, err := db.UsageTotals(ctx, domain.Day(later), domain.Day(later).AddDate(0, 0, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	if after.Calls <= before.Calls {
		t.Errorf("tick added no calls: %d then %d", before.Calls, after.Calls)
	}
	cur, err := db.Cursor(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cur, later.Format(time.RFC3339); got != want {
		t.Errorf("cursor = %s, want %s", got, want)
	}
	if _, err := db.EcosystemScoreOn(ctx, later); err != nil {
		t.Errorf("the tick did not rescore today: %v", err)
	}
}

// TestScorerRebuildsAnUnreadableDigest damages a usage digest inside the
// window: scoring gives the same result (the day is read from its rollups)
// and marks the day for rebuild, which the next scoring does.
func TestScorerRebuildsAnUnreadableDigest(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	s := NewScorer(db, config.Default().Scoring, quietLogger())
	day := demoEnd.AddDate(0, 0, -10)
	good, err := s.Compute(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	raw := datatest.Raw(t, db)
	damaged := day.AddDate(0, 0, -3).Unix()
	if res, err := raw.Exec(`UPDATE usage_day_digests SET digest = ? WHERE day = ?`, []byte{0xff}, damaged); err != nil {
		t.Fatal(err)
	} else if n, _ := res.RowsAffected(); n != 1 {
		t.Fatal("no digest of the day to damage")
	}
	again, err := s.Compute(ctx, day)
	if err != nil {
		t.Fatalf("scoring with a damaged digest: %v", err)
	}
	if got, want := again.Ecosystem, good.Ecosystem; !reflect.DeepEqual(got, want) {
		t.Errorf("ecosystem with a damaged digest %+v, want %+v", got, want)
	}
	var stale int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM usage_days_stale WHERE day = ?`, damaged).Scan(&stale); err != nil {
		t.Fatal(err)
	}
	if stale != 1 {
		t.Fatal("the damaged day was not marked for rebuild")
	}
	if _, err := s.Compute(ctx, day); err != nil {
		t.Fatal(err)
	}
	var digest []byte
	if err := raw.QueryRow(`SELECT digest FROM usage_day_digests WHERE day = ?`, damaged).Scan(&digest); err != nil {
		t.Fatal(err)
	}
	if len(digest) == 0 || digest[0] != 0x01 {
		t.Errorf("digest of the damaged day starts % x after the next scoring, want a rebuilt one (version 01)", digest[:min(1, len(digest))])
	}
}
