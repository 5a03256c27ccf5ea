package data_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// poison installs a trigger that makes the database refuse an insert into
// table (through another connection to the same database, as an outside
// fault would), and returns a function that removes it.
func poison(t *testing.T, db *data.DB, table string) func() {
	t.Helper()
	raw := datatest.Raw(t, db)
	name := "poison_" + table
	install := []string{`CREATE TRIGGER ` + name + ` BEFORE INSERT ON ` + table + ` BEGIN SELECT RAISE(ABORT, 'poisoned'); END`}
	remove := []string{`DROP TRIGGER ` + name}
	if datatest.Postgres() {
		install = []string{
			`CREATE FUNCTION ` + name + `() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'poisoned'; END $$`,
			`CREATE TRIGGER ` + name + ` BEFORE INSERT ON ` + table + ` FOR EACH ROW EXECUTE FUNCTION ` + name + `()`,
		}
		remove = []string{`DROP TRIGGER ` + name + ` ON ` + table, `DROP FUNCTION ` + name + `()`}
	}
	for _, q := range install {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return func() {
		for _, q := range remove {
			if _, err := raw.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestFailedUsageCommitLeavesTheCursor: when any part of a usage commit is
// refused — its rollups or its quarantined records — the source's cursor
// stays where it was and nothing of the batch is stored, so the next run
// reads the same lines again and counts them once.
func TestFailedUsageCommitLeavesTheCursor(t *testing.T) {
	ctx := context.Background()
	hour := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	batch := func(from, cursor string) *domain.UsageBatch {
		b := domain.NewUsageBatch("gw")
		b.CursorFrom, b.Cursor = from, cursor
		b.Add(domain.UsageRecord{Time: hour, Consumer: "key-" + cursor, Endpoint: "/v1/chat", Status: 200, LatencyMS: 5}, "")
		b.Reject("bad line", "garbage "+cursor)
		return b
	}
	for _, table := range []string{"api_usage_hourly", "api_usage_daily", "rejected_records"} {
		t.Run(table, func(t *testing.T) {
			db := datatest.MustOpenDB(t)
			if err := db.CommitUsage(ctx, batch("", "offset-1")); err != nil {
				t.Fatal(err)
			}
			cure := poison(t, db, table)
			err := db.CommitUsage(ctx, batch("offset-1", "offset-2"))
			if err == nil || !strings.Contains(err.Error(), "poisoned") {
				t.Fatalf("commit with %s refused: err = %v, want the refusal", table, err)
			}
			if got, err := db.Cursor(ctx, "gw"); err != nil || got != "offset-1" {
				t.Errorf("cursor after the failed commit = %q (%v), want offset-1", got, err)
			}
			if got := dayCalls(t, db, hour); got != 1 {
				t.Errorf("calls after the failed commit = %d, want 1 (the first batch only)", got)
			}
			if n, err := db.CountRejected(ctx, "gw"); err != nil || n != 1 {
				t.Errorf("quarantine after the failed commit = %d (%v), want 1", n, err)
			}
			// The retry, once the fault is gone, lands whole.
			cure()
			if err := db.CommitUsage(ctx, batch("offset-1", "offset-2")); err != nil {
				t.Fatal(err)
			}
			if got, _ := db.Cursor(ctx, "gw"); got != "offset-2" {
				t.Errorf("cursor after the retry = %q, want offset-2", got)
			}
			if got := dayCalls(t, db, hour); got != 2 {
				t.Errorf("calls after the retry = %d, want 2", got)
			}
		})
	}
}

func dayCalls(t *testing.T, db *data.DB, at time.Time) int64 {
	t.Helper()
	d := domain.Day(at)
	tot, err := db.UsageTotals(context.Background(), d, d.AddDate(0, 0, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	return tot.Calls
}

// TestQuarantineKeepsTheNewest: the quarantine holds at most
// MaxRejectedPerSource records per source, and the ones it keeps are the
// newest — across commits, and within one batch larger than the cap.
func TestQuarantineKeepsTheNewest(t *testing.T) {
	ctx := context.Background()
	max := domain.MaxRejectedPerSource
	commit := func(db *data.DB, prefix string, n int) {
		t.Helper()
		b := domain.NewUsageBatch("noisy")
		for i := range n {
			b.Reject("bad", fmt.Sprintf("%s-%d", prefix, i))
		}
		if err := db.CommitUsage(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	kept := func(db *data.DB) []domain.Rejected {
		t.Helper()
		rs, err := db.RejectedRecords(ctx, "noisy", 2*max)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != max {
			t.Fatalf("quarantine holds %d records, want %d", len(rs), max)
		}
		return rs // newest first
	}

	t.Run("across commits", func(t *testing.T) {
		db := datatest.MustOpenDB(t)
		commit(db, "old", max*3/4)
		commit(db, "new", max*3/4)
		rs := kept(db)
		// All of the second batch, then the newest of the first: old-0 ..
		// old-(max/2 − 1) went (7,500 + 7,500 − 10,000 = 5,000 of them).
		if got, want := rs[0].Record, fmt.Sprintf("new-%d", max*3/4-1); got != want {
			t.Errorf("newest kept = %q, want %q", got, want)
		}
		if got, want := rs[len(rs)-1].Record, fmt.Sprintf("old-%d", max/2); got != want {
			t.Errorf("oldest kept = %q, want %q", got, want)
		}
	})
	t.Run("one batch over the cap", func(t *testing.T) {
		db := datatest.MustOpenDB(t)
		commit(db, "x", max+max/5)
		rs := kept(db)
		if got, want := rs[0].Record, fmt.Sprintf("x-%d", max+max/5-1); got != want {
			t.Errorf("newest kept = %q, want %q", got, want)
		}
		if got, want := rs[len(rs)-1].Record, fmt.Sprintf("x-%d", max/5); got != want {
			t.Errorf("oldest kept = %q, want %q", got, want)
		}
		// Another source's quarantine is its own.
		b := domain.NewUsageBatch("quiet")
		b.Reject("bad", "q-0")
		if err := db.CommitUsage(ctx, b); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.CountRejected(ctx, "noisy"); n != max {
			t.Errorf("noisy holds %d after quiet's commit, want %d", n, max)
		}
		if n, _ := db.CountRejected(ctx, "quiet"); n != 1 {
			t.Errorf("quiet holds %d, want 1", n)
		}
	})
}
