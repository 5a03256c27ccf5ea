package app

import (
	"context"
	"sync"
	"time"

	"github.com/ecopulse/ecopulse/data"
)

// ingestBudgets grants ingest requests from chunks of the shared budget.
// Counting every request in the database cost every push a write
// transaction of its own, beside the batch's (on SQLite, a turn of the one
// writer). A replica instead counts a chunk of a key's budget at once
// (budgetChunk of it) and grants the chunk's requests from memory; once the
// shared count has reached the budget, the rest of the window is refused
// from memory too. The replicas together never grant more than the
// budget; what a replica holds unused when the window ends is not granted
// to anyone, so a key may get up to one chunk per replica less than its
// budget (under 2% per replica), and a budget under 64 is counted one
// request at a time, exactly.
type ingestBudgets struct {
	mu   sync.Mutex
	keys map[string]*budgetChunk
}

// budgetChunk is what this replica holds of one key's budget.
type budgetChunk struct {
	mu        sync.Mutex // held while the chunk is counted in the database
	window    time.Time  // the start of the window it belongs to
	end       time.Time  // when that window ends
	left      int64      // requests counted and not yet granted
	exhausted bool       // the shared count reached the budget: refuse until end
}

// maxBudgetKeys bounds the keys held (tokens, and hashed addresses of
// requests without a valid token); past it they start over, which costs
// at most a chunk of each budget.
const maxBudgetKeys = 10_000

// chunkOf is how many requests of a budget of limit a replica counts at
// once.
func chunkOf(limit int) int64 { return int64(max(1, limit/64)) }

func (b *ingestBudgets) chunk(key string) *budgetChunk {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c, ok := b.keys[key]; ok {
		return c
	}
	if b.keys == nil || len(b.keys) >= maxBudgetKeys {
		b.keys = map[string]*budgetChunk{}
	}
	c := &budgetChunk{}
	b.keys[key] = c
	return c
}

// take grants one request of key's budget of limit requests per window at
// now, and says when the window ends.
func (b *ingestBudgets) take(ctx context.Context, db *data.DB, key string, now time.Time, limit int, window time.Duration) (ok bool, end time.Time, err error) {
	c := b.chunk(key)
	c.mu.Lock()
	defer c.mu.Unlock()
	if start := now.Truncate(window); !c.window.Equal(start) {
		c.window, c.end, c.left, c.exhausted = start, start.Add(window), 0, false
	}
	if c.left > 0 {
		c.left--
		return true, c.end, nil
	}
	if c.exhausted {
		return false, c.end, nil
	}
	k := chunkOf(limit)
	n, end, err := db.CountRequest(ctx, key, c.window, window, k)
	if err != nil {
		return false, time.Time{}, err
	}
	c.end = end
	// Before this chunk the window had n-k requests counted.
	granted := min(k, int64(limit)-(n-k))
	if granted < k {
		c.exhausted = true
	}
	if granted <= 0 {
		return false, end, nil
	}
	c.left = granted - 1
	return true, end, nil
}
