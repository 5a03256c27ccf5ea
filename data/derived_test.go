package data_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestStaleDaysAndRefresh follows the one stale/refresh API through its
// cases: writes to usage and to activities mark their days stale, a refresh
// rebuilds each stale day once per kind, InvalidateDay marks a day of every
// kind, and a day refreshed has no stale mark left.
func TestStaleDaysAndRefresh(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	m := mustMember(t, db, "alpha")
	c := mustConsumer(t, db, "key-a", m.ID)
	d1, d2, d3 := day(t, "2026-03-01"), day(t, "2026-03-02"), day(t, "2026-03-03")
	if err := db.AddUsage(ctx, []domain.UsageRollup{rollup(d1.Add(time.Hour), c.ID, 2, 5, 40), rollup(d2.Add(time.Hour), c.ID, 2, 7, 40)}); err != nil {
		t.Fatal(err)
	}
	addActivity := func(id string, at time.Time) {
		t.Helper()
		if _, err := db.AddActivities(ctx, []domain.Activity{{Source: "github", ExternalID: id, Kind: domain.ActReply, At: at, Actor: "ann", MemberID: m.ID}}); err != nil {
			t.Fatal(err)
		}
	}
	addActivity("1", d2.Add(2*time.Hour))
	addActivity("2", d3.Add(2*time.Hour))
	wantStale := func(want ...time.Time) {
		t.Helper()
		got, err := db.StaleInputDays(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("stale days = %v, want %v", got, want)
		}
	}
	wantRefreshed := func(usage, activity int) {
		t.Helper()
		if n, err := db.RefreshUsageDays(ctx); err != nil || n != usage {
			t.Fatalf("RefreshUsageDays = %d, %v; want %d", n, err, usage)
		}
		if n, err := db.RefreshActivityDays(ctx); err != nil || n != activity {
			t.Fatalf("RefreshActivityDays = %d, %v; want %d", n, err, activity)
		}
	}

	wantStale(d1, d2, d3)
	wantRefreshed(2, 2)
	wantStale()
	wantRefreshed(0, 0)

	if err := db.InvalidateDay(ctx, d2.Add(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	wantStale(d2)
	wantRefreshed(1, 1)

	addActivity("3", d1.Add(3*time.Hour)) // a late collection
	if err := db.AddUsage(ctx, []domain.UsageRollup{rollup(d3.Add(time.Hour), c.ID, 5, 1, 40)}); err != nil {
		t.Fatal(err)
	}
	wantStale(d1, d3)
	wantRefreshed(1, 1)
	wantStale()

	// The digests rebuilt give the window the source rows give.
	derived, source := windows(t, db, d3)
	if got, want := show(derived), show(source); got != want {
		t.Fatalf("window from digests:\n%s\nfrom the source rows:\n%s", got, want)
	}
	if w := memberWindowOf(t, derived, m.ID); w.Calls != 13 || w.Errors5xx != 1 || w.Contributions != 3 {
		t.Fatalf("window of the member: calls %d, 5xx %d, contributions %d; want 13, 1, 3", w.Calls, w.Errors5xx, w.Contributions)
	}
}

func memberWindowOf(tb testing.TB, w *domain.Window, id int64) domain.MemberWindow {
	tb.Helper()
	for _, m := range w.Members {
		if m.ID == id {
			return m
		}
	}
	tb.Fatalf("member %d not in the window", id)
	return domain.MemberWindow{}
}
