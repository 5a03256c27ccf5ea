package data_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestCursorMovesByCompareAndSet: two runs of one source from the same
// cursor (a replica whose lease ran out, and the one that took it over)
// both commit a batch; the second commit fails with ECONFLICT and stores
// nothing of its batch — rows, rejected records or cursor — whether the
// cursor existed (usage batches, activities) or not (a first run).
func TestCursorMovesByCompareAndSet(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	h := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	day := domain.Day(h)
	batch := func(from, to string) *domain.UsageBatch {
		b := domain.NewUsageBatch("gw")
		b.Add(domain.UsageRecord{Time: h, Consumer: "k", Endpoint: "/v1", Status: 200, Bytes: 10, LatencyMS: 5}, "ok")
		b.Add(domain.UsageRecord{Time: h, Consumer: "k", Endpoint: "/v1", Status: 99}, "bad status")
		b.CursorFrom, b.Cursor = from, to
		return b
	}
	calls := func() int64 {
		t.Helper()
		tot, err := db.UsageTotals(ctx, day, day.AddDate(0, 0, 1), 0)
		if err != nil {
			t.Fatal(err)
		}
		return tot.Calls
	}
	rejected := func() int {
		t.Helper()
		r, err := db.RejectedRecords(ctx, "gw", 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(r)
	}
	cursor := func(source string) string {
		t.Helper()
		c, err := db.Cursor(ctx, source)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	// First runs: no cursor yet. Both read "".
	if err := db.CommitUsage(ctx, batch("", "offset=10")); err != nil {
		t.Fatal(err)
	}
	if err := db.CommitUsage(ctx, batch("", "offset=12")); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("second first run: %v, want %s", err, domain.ECONFLICT)
	}
	if got, r, c := calls(), rejected(), cursor("gw"); got != 1 || r != 1 || c != "offset=10" {
		t.Errorf("after the refused first run: %d calls, %d rejected, cursor %q; want 1, 1, offset=10", got, r, c)
	}
	// Later runs: both read offset=10.
	if err := db.CommitUsage(ctx, batch("offset=10", "offset=20")); err != nil {
		t.Fatal(err)
	}
	if err := db.CommitUsage(ctx, batch("offset=10", "offset=21")); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("second run from offset=10: %v, want %s", err, domain.ECONFLICT)
	}
	if got, r, c := calls(), rejected(), cursor("gw"); got != 2 || r != 2 || c != "offset=20" {
		t.Errorf("after the refused run: %d calls, %d rejected, cursor %q; want 2, 2, offset=20", got, r, c)
	}

	// Rollups with their cursor (the demo tick).
	c2 := mustConsumer(t, db, "k2", 0)
	if err := db.AddUsageWithCursor(ctx, []domain.UsageRollup{rollup(h, c2.ID, 2, 5, 10)}, "demo", "", "t1"); err != nil {
		t.Fatal(err)
	}
	if err := db.AddUsageWithCursor(ctx, []domain.UsageRollup{rollup(h, c2.ID, 2, 5, 10)}, "demo", "", "t1"); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("a second tick from the same cursor: %v, want %s", err, domain.ECONFLICT)
	}
	if got := calls(); got != 2+5 {
		t.Errorf("after the refused tick: %d calls, want 7", got)
	}

	// Activities with their cursor (GitHub, Discourse).
	act := func(id string) []domain.Activity {
		return []domain.Activity{{Source: "gh", ExternalID: id, Kind: "comment", At: h, Actor: "ada", Thread: "t"}}
	}
	if _, err := db.AddActivitiesWithCursor(ctx, act("a1"), "gh", "", `{"p":1}`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddActivitiesWithCursor(ctx, act("a2"), "gh", "", `{"p":2}`); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("activities from a stale cursor: %v, want %s", err, domain.ECONFLICT)
	}
	if acts := datatest.Activities(t, db); len(acts) != 1 || cursor("gh") != `{"p":1}` {
		t.Errorf("after the refused activities: %d activities, cursor %q; want 1, {\"p\":1}", len(acts), cursor("gh"))
	}
	if err := db.MoveCursor(ctx, "gh", `{"p":1}`, `{"p":3}`); err != nil {
		t.Error(err)
	}
	if err := db.MoveCursor(ctx, "gh", `{"p":1}`, `{"p":4}`); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("MoveCursor from a stale cursor: %v", err)
	}
}

// TestTwoRunsCommittingFromOneCursorAtOnce: two stores on one database
// commit a batch from the same cursor at the same time: exactly one
// lands.
func TestTwoRunsCommittingFromOneCursorAtOnce(t *testing.T) {
	a, b := twoProcesses(t)
	ctx := context.Background()
	h := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for round, from := range []string{"", "offset=1"} {
		to := []string{"offset=1", "offset=2"}[round]
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, db := range []*data.DB{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				batch := domain.NewUsageBatch("gw")
				batch.Add(domain.UsageRecord{Time: h, Consumer: "k", Endpoint: "/v1", Status: 200, Bytes: 1, LatencyMS: 1}, "")
				batch.CursorFrom, batch.Cursor = from, to
				errs[i] = db.CommitUsage(ctx, batch)
			}()
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("round %d: commits returned %v and %v, want one success and one ECONFLICT", round, errs[0], errs[1])
		}
		for _, err := range errs {
			if err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
				t.Errorf("round %d: the refused commit: %v, want %s", round, err, domain.ECONFLICT)
			}
		}
	}
	tot, err := a.UsageTotals(ctx, domain.Day(h), domain.Day(h).AddDate(0, 0, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	if tot.Calls != 2 {
		t.Errorf("%d calls stored, want 2 (one batch per cursor)", tot.Calls)
	}
}
