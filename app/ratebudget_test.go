package app

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
)

// Two replicas granting one key's budget of 640 a window (chunks of 10)
// from many goroutines at once: together they grant at most the budget and
// at most a chunk each less; each grant of a chunk's requests costs no
// count in the database; a new window grants again.
func TestIngestBudgetChunksNeverGrantMoreThanTheBudget(t *testing.T) {
	target := datatest.Target(t)
	dbs := []*struct {
		budgets ingestBudgets
	}{{}, {}}
	a, b := datatest.Open(t, target), datatest.Open(t, target)
	ctx := context.Background()
	start := time.Unix(1_800_000_000, 0)
	const limit, tries = 640, 1000
	var granted atomic.Int64
	var wg sync.WaitGroup
	for i := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, bud := a, &dbs[0].budgets
			if i%2 == 1 {
				db, bud = b, &dbs[1].budgets
			}
			ok, end, err := bud.take(ctx, db, "ingest:token:gw", start.Add(time.Second), limit, time.Minute)
			if err != nil {
				t.Error(err)
				return
			}
			if !end.Equal(start.Add(time.Minute)) {
				t.Errorf("window end %v, want %v", end, start.Add(time.Minute))
			}
			if ok {
				granted.Add(1)
			}
		}()
	}
	wg.Wait()
	if g := granted.Load(); g > limit || g < limit-2*chunkOf(limit) {
		t.Errorf("two replicas granted %d of a budget of %d (chunks of %d): want at most the budget, at most a chunk each less", g, limit, chunkOf(limit))
	}
	var counted int64
	if err := datatest.RawOf(t, target).QueryRowContext(ctx, `SELECT n FROM rate_counts WHERE key = ?`, "ingest:token:gw").Scan(&counted); err != nil {
		t.Fatal(err)
	}
	// Each replica stops counting once the budget is reached: the count
	// goes past it by at most a chunk each.
	if counted > limit+2*chunkOf(limit) {
		t.Errorf("the shared count is %d for a budget of %d: a replica kept counting after it was used up", counted, limit)
	}

	// A replica's grants within its chunk do not touch the database.
	next := start.Add(time.Minute)
	for range chunkOf(limit) {
		if ok, _, err := dbs[0].budgets.take(ctx, a, "ingest:token:gw", next, limit, time.Minute); err != nil || !ok {
			t.Fatalf("a request of a new window: %v, %v; want granted", ok, err)
		}
	}
	if err := datatest.RawOf(t, target).QueryRowContext(ctx, `SELECT n FROM rate_counts WHERE key = ?`, "ingest:token:gw").Scan(&counted); err != nil {
		t.Fatal(err)
	}
	if counted != chunkOf(limit) {
		t.Errorf("%d requests of one chunk counted %d in the database, want one chunk (%d)", chunkOf(limit), counted, chunkOf(limit))
	}
}

// A budget under 64 is counted a request at a time: two replicas grant it
// exactly.
func TestSmallIngestBudgetIsExactAcrossReplicas(t *testing.T) {
	target := datatest.Target(t)
	a, b := datatest.Open(t, target), datatest.Open(t, target)
	var ba, bb ingestBudgets
	ctx := context.Background()
	now := time.Unix(1_800_000_030, 0)
	granted := 0
	for i := range 20 {
		db, bud := a, &ba
		if i%3 == 0 {
			db, bud = b, &bb
		}
		ok, _, err := bud.take(ctx, db, "ingest:token:small", now, 7, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			granted++
		}
	}
	if granted != 7 {
		t.Errorf("two replicas granted %d of a budget of 7, want exactly 7", granted)
	}
}
