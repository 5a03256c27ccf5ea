package data_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

var keyedAt = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)

// keyedBatch is a push batch of token with calls records of one consumer,
// sent with key (none when ""); digest stands for its body.
func keyedBatch(token int64, key, consumer string, calls int) *domain.UsageBatch {
	b := domain.NewUsageBatch("push")
	for i := range calls {
		b.Add(domain.UsageRecord{Time: keyedAt.Add(time.Duration(i) * time.Second), Consumer: consumer, Endpoint: "/v1/chat", Status: 200, Bytes: 10, LatencyMS: 5}, "")
	}
	b.Token, b.IdempotencyKey = token, key
	if key != "" {
		b.BodyDigest = fmt.Sprintf("digest-of-%s-%d", consumer, calls)
	}
	return b
}

func callsOn(tb testing.TB, db *data.DB) int64 {
	tb.Helper()
	d := domain.Day(keyedAt)
	tot, err := db.UsageTotals(context.Background(), d, d.AddDate(0, 0, 1), 0)
	if err != nil {
		tb.Fatal(err)
	}
	return tot.Calls
}

// TestIdempotencyKeyStoresABatchOnce: a batch committed again with its key
// stores nothing and is answered with the first commit's count; another
// key, another token or no key stores again; a key reused for another
// body is refused and stores nothing.
func TestIdempotencyKeyStoresABatchOnce(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	commit := func(b *domain.UsageBatch) *domain.UsageBatch {
		t.Helper()
		if err := db.CommitUsage(ctx, b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	if b := commit(keyedBatch(1, "k1", "c", 7)); b.Replayed {
		t.Fatal("the first commit of a key is a replay")
	}
	retry := commit(keyedBatch(1, "k1", "c", 7))
	if !retry.Replayed || retry.Accepted != 7 {
		t.Errorf("retry: replayed %v, accepted %d; want a replay of 7", retry.Replayed, retry.Accepted)
	}
	if got := callsOn(t, db); got != 7 {
		t.Fatalf("calls = %d after a batch and its retry, want 7", got)
	}
	commit(keyedBatch(1, "k2", "c", 7)) // another key
	commit(keyedBatch(2, "k1", "c", 7)) // the same key of another token
	commit(keyedBatch(1, "", "c", 7))   // no key: as before keys existed
	if b := commit(keyedBatch(1, "", "c", 7)); b.Replayed {
		t.Error("a batch without a key was taken for a replay")
	}
	if got := callsOn(t, db); got != 7*5 {
		t.Fatalf("calls = %d, want %d", got, 7*5)
	}
	err := db.CommitUsage(ctx, keyedBatch(1, "k1", "other", 3))
	if domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("key reused for another batch: err = %v, want ECONFLICT", err)
	}
	if got := callsOn(t, db); got != 7*5 {
		t.Errorf("calls = %d after a refused reuse, want %d", got, 7*5)
	}

	// Purged after the TTL: the key is free again.
	n, err := db.PurgeIngestKeys(ctx, time.Now().Add(domain.IdempotencyKeyTTL+time.Minute))
	if err != nil || n != 3 {
		t.Fatalf("purged %d keys, %v; want the 3 recorded", n, err)
	}
	if b := commit(keyedBatch(1, "k1", "c", 7)); b.Replayed {
		t.Error("a purged key still replays")
	}
	if n, err := db.PurgeIngestKeys(ctx, time.Now()); err != nil || n != 0 {
		t.Errorf("purged %d fresh keys, %v; want none", n, err)
	}
}

// TestIdempotencyKeyRetryMeetsTheFirstCommit: a retry committed by another
// process while the first is still being committed stores nothing: on
// PostgreSQL its key waits for the first's transaction, then finds the
// key; on SQLite it waits for the file's write lock.
func TestIdempotencyKeyRetryMeetsTheFirstCommit(t *testing.T) {
	ctx := context.Background()
	db1, db2 := twoProcesses(t)
	first, retry := keyedBatch(1, "k", "c", 5), keyedBatch(1, "k", "c", 5)
	var outcome func() error
	if err := db1.CommitUsageHeld(ctx, first, func() {
		outcome = meet(t, db2, func() error { return db2.CommitUsage(ctx, retry) })
	}); err != nil {
		t.Fatal(err)
	}
	if err := outcome(); err != nil {
		t.Fatal(err)
	}
	if first.Replayed || !retry.Replayed || retry.Accepted != 5 {
		t.Errorf("first replayed %v, retry replayed %v with %d accepted; want the retry a replay of 5", first.Replayed, retry.Replayed, retry.Accepted)
	}
	if got := callsOn(t, db1); got != 5 {
		t.Errorf("calls = %d, want 5", got)
	}
}

// TestIdempotencyKeyDuplicateInAGroupDropsOnlyItself: a retry queued in the
// same group commit as its first copy is left out of the group's
// transaction, and the others of the group are stored in it (one
// transaction, not one each), as is the first copy.
func TestIdempotencyKeyDuplicateInAGroupDropsOnlyItself(t *testing.T) {
	ctx := context.Background()
	db1, db2 := twoProcesses(t)
	var c data.UsageCommitter
	type result struct {
		name string
		b    *domain.UsageBatch
		err  error
	}
	results := make(chan result, 4)
	send := func(name string, b *domain.UsageBatch) {
		go func() { results <- result{name, b, c.Commit(ctx, db1, b)} }()
	}
	// The other process holds a batch of key k0 uncommitted, so the
	// committer's first transaction (a copy of it) waits, and the rest
	// queue behind it, in order, as one group.
	hold := make(chan struct{})
	heldDone := make(chan error, 1)
	holding := make(chan struct{})
	go func() {
		heldDone <- db2.CommitUsageHeld(ctx, keyedBatch(1, "k0", "c0", 2), func() { close(holding); <-hold })
	}()
	<-holding
	send("k0 copy", keyedBatch(1, "k0", "c0", 2))
	waitUntil(t, "the first transaction is under way", func() bool { return c.Queued() == 0 })
	v0 := db1.VersionOf(data.UsageData) // usage commits, one each
	for i, q := range []struct {
		name string
		b    *domain.UsageBatch
	}{{"k1", keyedBatch(1, "k1", "c1", 3)}, {"k1 retry", keyedBatch(1, "k1", "c1", 3)}, {"no key", keyedBatch(1, "", "c2", 4)}} {
		send(q.name, q.b)
		waitUntil(t, q.name+" queues", func() bool { return c.Queued() == i+1 })
	}
	close(hold)
	if err := <-heldDone; err != nil {
		t.Fatal(err)
	}
	got := map[string]*domain.UsageBatch{}
	for range 4 {
		r := <-results
		if r.err != nil {
			t.Errorf("%s: %v", r.name, r.err)
		}
		got[r.name] = r.b
	}
	for name, want := range map[string]bool{"k0 copy": true, "k1": false, "k1 retry": true, "no key": false} {
		if got[name].Replayed != want {
			t.Errorf("%s: replayed %v, want %v", name, got[name].Replayed, want)
		}
	}
	if got := callsOn(t, db1); got != 2+3+4 {
		t.Errorf("calls = %d, want %d", got, 2+3+4)
	}
	// The copy of k0 (a transaction of its own, storing nothing) and the
	// group of three in one.
	if got := db1.VersionOf(data.UsageData) - v0; got != 2 {
		t.Errorf("committed transactions = %d, want 2: the group was split", got)
	}
}

// TestIdempotencyKeyAcrossTwoProcessesSumsOnce sends every batch to two
// processes at once, each through its group committer, with concurrent
// senders: each is stored once, and each key answers once as the first.
func TestIdempotencyKeyAcrossTwoProcessesSumsOnce(t *testing.T) {
	ctx := context.Background()
	db1, db2 := twoProcesses(t)
	var c1, c2 data.UsageCommitter
	const batches, calls = 12, 3
	var wg sync.WaitGroup
	var mu sync.Mutex
	firsts := map[string]int{}
	for i := range batches {
		key := fmt.Sprintf("batch-%d", i)
		for _, p := range []struct {
			c  *data.UsageCommitter
			db *data.DB
		}{{&c1, db1}, {&c2, db2}, {&c1, db1}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b := keyedBatch(1, key, fmt.Sprintf("c%d", i%4), calls)
				if err := p.c.Commit(ctx, p.db, b); err != nil {
					t.Error(err)
					return
				}
				if b.Accepted != calls {
					t.Errorf("%s answered %d accepted, want %d", key, b.Accepted, calls)
				}
				if !b.Replayed {
					mu.Lock()
					firsts[key]++
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	if got := callsOn(t, db2); got != batches*calls {
		t.Errorf("calls = %d, want %d: a retry was stored twice", got, batches*calls)
	}
	for i := range batches {
		if key := fmt.Sprintf("batch-%d", i); firsts[key] != 1 {
			t.Errorf("%s stored by %d of its copies, want 1", key, firsts[key])
		}
	}
}

// waitUntil polls cond (a guard against hanging, not a timing assertion).
func waitUntil(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("gave up waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
