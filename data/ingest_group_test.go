package data

// Internal tests: they watch UsageCommitter's queue to line batches up
// behind a transaction deterministically.

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

func openGroupDB(tb testing.TB) *DB {
	tb.Helper()
	db, err := Open(context.Background(), filepath.Join(tb.TempDir(), "ecopulse.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// holdWriteLock takes the database's write lock from another connection, as
// an import in another process does, until the returned func is called.
func holdWriteLock(tb testing.TB, db *DB) (release func()) {
	tb.Helper()
	other, err := sql.Open("sqlite", "file:"+db.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	conn, err := other.Conn(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		tb.Fatal(err)
	}
	done := false
	release = func() {
		if done {
			return
		}
		done = true
		conn.ExecContext(ctx, "ROLLBACK")
		conn.Close()
		other.Close()
	}
	tb.Cleanup(release)
	return release
}

// waitFor polls cond until it holds (a guard against hanging, not a timing
// assertion: cond does not depend on how long anything takes).
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("gave up waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func (c *UsageCommitter) state() (queued int, leading bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queue), c.leading
}

// testBatch holds calls records of one consumer, two with latency.
func testBatch(source, consumer string, at time.Time, calls int) *domain.UsageBatch {
	b := domain.NewUsageBatch(source)
	for i := 0; i < calls; i++ {
		lat := -1.0
		if i < 2 {
			lat = 50
		}
		b.Add(domain.UsageRecord{Time: at.Add(time.Duration(i) * time.Second), Consumer: consumer, Endpoint: "/v1/chat", Status: 200 + 300*(i%2), Bytes: 10, LatencyMS: lat}, "")
	}
	return b
}

type commitResult struct {
	name string
	err  error
}

// lineUp commits first while another connection holds the write lock, then
// queues the others behind it (one group, each with its context from ctxs
// or none), calls queued, releases the lock and returns every caller's
// outcome by name.
func lineUp(t *testing.T, db *DB, c *UsageCommitter, first *domain.UsageBatch, others map[string]*domain.UsageBatch, ctxs map[string]context.Context, queued func()) map[string]error {
	t.Helper()
	release := holdWriteLock(t, db)
	results := make(chan commitResult, len(others)+1)
	go func() { results <- commitResult{"first", c.Commit(context.Background(), db, first)} }()
	waitFor(t, "the first batch's transaction waits for the lock", func() bool {
		n, leading := c.state()
		return n == 0 && leading
	})
	for name, b := range others {
		ctx := ctxs[name]
		if ctx == nil {
			ctx = context.Background()
		}
		go func() { results <- commitResult{name, c.Commit(ctx, db, b)} }()
	}
	waitFor(t, "the other batches queue", func() bool {
		n, _ := c.state()
		return n == len(others)
	})
	if queued != nil {
		queued()
	}
	release()
	out := map[string]error{}
	for range len(others) + 1 {
		r := <-results
		out[r.name] = r.err
	}
	if n, leading := c.state(); n != 0 || leading {
		t.Errorf("after the last answer: %d queued, leading %v; want an idle committer", n, leading)
	}
	return out
}

func totals(tb testing.TB, db *DB, at time.Time) domain.UsageTotals {
	tb.Helper()
	d := domain.Day(at)
	tot, err := db.UsageTotals(context.Background(), d, d.AddDate(0, 0, 1), 0)
	if err != nil {
		tb.Fatal(err)
	}
	return tot
}

func TestUsageCommitterSharesOneTransaction(t *testing.T) {
	db := openGroupDB(t)
	var c UsageCommitter
	at := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	a := testBatch("gateway-a", "key-a", at, 3)
	a.Cursor = "a-1"
	a.Reject("bad line", "line of a")
	b := testBatch("gateway-b", "key-b", at.Add(2*time.Hour), 4)
	b.Cursor = "b-1"
	same := testBatch("gateway-a", "key-a", at, 5) // the same rollup rows as a, leaving its cursor alone
	v0 := db.VersionOf(UsageData)                  // usage commits, one each
	res := lineUp(t, db, &c, testBatch("push", "key-a", at, 1), map[string]*domain.UsageBatch{"a": a, "b": b, "same": same}, nil, nil)
	for name, err := range res {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if got, want := db.VersionOf(UsageData)-v0, uint64(2); got != want {
		t.Errorf("transactions = %d, want %d (the first batch's, then one for the three queued)", got, want)
	}
	tot := totals(t, db, at)
	if got, want := tot.Calls, int64(1+3+4+5); got != want {
		t.Errorf("calls = %d, want %d", got, want)
	}
	if got, want := tot.Errors5xx, int64(0+1+2+2); got != want {
		t.Errorf("5xx = %d, want %d", got, want)
	}
	if got, want := tot.Bytes, int64(10*(1+3+4+5)); got != want {
		t.Errorf("bytes = %d, want %d", got, want)
	}
	if got, want := tot.Latency.Count(), int64(1+2+2+2); got != want {
		t.Errorf("latency observations = %d, want %d", got, want)
	}
	// Merging for the shared transaction left the batches as they were.
	if got, want := a.Rows()[domain.BatchKey{Hour: at.Unix(), Consumer: "key-a", Endpoint: "/v1/chat", Class: 2}].Calls, int64(2); got != want {
		t.Errorf("batch a's own row now counts %d calls, want %d", got, want)
	}
	for source, want := range map[string]string{"gateway-a": "a-1", "gateway-b": "b-1"} {
		if got, err := db.Cursor(context.Background(), source); err != nil || got != want {
			t.Errorf("cursor of %s = %q, %v; want %q", source, got, err, want)
		}
	}
	if rej, err := db.RejectedRecords(context.Background(), "gateway-a", 10); err != nil || len(rej) != 1 || rej[0].Record != "line of a" {
		t.Errorf("rejected of gateway-a = %+v, %v", rej, err)
	}
}

func TestUsageCommitterFailedGroupFailsOnlyTheBadBatch(t *testing.T) {
	db := openGroupDB(t)
	// A batch the database refuses: a trigger aborts its quarantine insert.
	if _, err := db.write.Exec(`CREATE TEMP TRIGGER poison BEFORE INSERT ON rejected_records
		WHEN NEW.reason = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned batch'); END`); err != nil {
		t.Fatal(err)
	}
	var c UsageCommitter
	at := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	bad := testBatch("push", "key-bad", at, 7)
	bad.Reject("poison", "x")
	v0 := db.VersionOf(UsageData) // usage commits, one each
	res := lineUp(t, db, &c, testBatch("push", "key-a", at, 1), map[string]*domain.UsageBatch{
		"a":   testBatch("push", "key-a", at, 3),
		"bad": bad,
		"b":   testBatch("push", "key-b", at, 4),
	}, nil, nil)
	for _, name := range []string{"first", "a", "b"} {
		if res[name] != nil {
			t.Errorf("%s: %v, want stored", name, res[name])
		}
	}
	if err := res["bad"]; err == nil || !strings.Contains(err.Error(), "poisoned batch") {
		t.Errorf("bad batch: err = %v, want the database's refusal", err)
	}
	// Each good batch counted once, although its first (shared) transaction
	// failed; nothing of the bad one.
	if got, want := totals(t, db, at).Calls, int64(1+3+4); got != want {
		t.Errorf("calls = %d, want %d", got, want)
	}
	if got, want := db.VersionOf(UsageData)-v0, uint64(3); got != want {
		t.Errorf("committed transactions = %d, want %d (first, then a and b alone)", got, want)
	}
	cs, err := db.Consumers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Key == "key-bad" {
			t.Error("the refused batch's consumer was stored")
		}
	}
}

func TestUsageCommitterDropsBatchWhoseCallerLeft(t *testing.T) {
	db := openGroupDB(t)
	var c UsageCommitter
	at := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	ctx, cancel := context.WithCancel(context.Background())
	res := lineUp(t, db, &c, testBatch("push", "key-a", at, 1), map[string]*domain.UsageBatch{
		"gone": testBatch("push", "key-a", at, 3),
		"b":    testBatch("push", "key-b", at, 4),
	}, map[string]context.Context{"gone": ctx}, cancel)
	if !errors.Is(res["gone"], context.Canceled) {
		t.Errorf("cancelled before its transaction: err = %v, want context.Canceled", res["gone"])
	}
	if res["first"] != nil || res["b"] != nil {
		t.Errorf("first: %v, b: %v", res["first"], res["b"])
	}
	if got, want := totals(t, db, at).Calls, int64(1+4); got != want {
		t.Errorf("calls = %d, want %d (nothing of the cancelled batch)", got, want)
	}
}

func TestUsageCommitterAloneCommitsAtOnce(t *testing.T) {
	db := openGroupDB(t)
	var c UsageCommitter
	at := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	for i := range 3 {
		if err := c.Commit(context.Background(), db, testBatch("push", "key-a", at, 2)); err != nil {
			t.Fatalf("commit %d: %v", i, err)
		}
		if got, want := totals(t, db, at).Calls, int64(2*(i+1)); got != want {
			t.Fatalf("after commit %d: calls = %d, want %d (visible once Commit returns)", i, got, want)
		}
	}
	if n, leading := c.state(); n != 0 || leading {
		t.Errorf("%d queued, leading %v; want an idle committer", n, leading)
	}
}

// TestUsageCommitterGroupThatCannotBeginFailsWhole: when the database stays
// locked by another process, every batch of the group fails (none is
// stored) and the committer is free again.
func TestUsageCommitterGroupThatCannotBeginFailsWhole(t *testing.T) {
	db := openGroupDB(t)
	// The writer has one connection: this is its busy timeout.
	if _, err := db.write.Exec(`PRAGMA busy_timeout = 100`); err != nil {
		t.Fatal(err)
	}
	release := holdWriteLock(t, db)
	var c UsageCommitter
	at := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	var group []*pendingUsage
	for _, consumer := range []string{"key-a", "key-b", "key-c"} {
		group = append(group, &pendingUsage{ctx: context.Background(), db: db, b: testBatch("push", consumer, at, 2),
			done: make(chan error, 1), lead: make(chan struct{}, 1)})
	}
	c.leading = true // as Commit sets it before writing a group
	c.writeGroup(group)
	for i, p := range group {
		if err := <-p.done; err == nil || !strings.Contains(err.Error(), "locked") {
			t.Errorf("batch %d: err = %v, want the lock's error", i, err)
		}
	}
	if n, leading := c.state(); n != 0 || leading {
		t.Errorf("%d queued, leading %v; want an idle committer", n, leading)
	}
	release()
	if got := totals(t, db, at).Calls; got != 0 {
		t.Errorf("calls = %d, want 0", got)
	}
	// Free again: the next batch is stored.
	if err := c.Commit(context.Background(), db, testBatch("push", "key-a", at, 2)); err != nil {
		t.Fatal(err)
	}
	if got, want := totals(t, db, at).Calls, int64(2); got != want {
		t.Errorf("calls = %d, want %d", got, want)
	}
}
