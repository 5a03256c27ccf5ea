package data

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ecopulse/ecopulse/domain"
)

// CommitCollectedUsage stores a collector's batch (one without an ingest
// token) as CommitUsage does, and stores the same rows: it is the write of
// the access-log collector and import, where a sparse log brings about one
// rollup row per line and the write is most of the import's time. It is
// CommitCollected of PrepareCollected(b); a collector that commits on
// another goroutine than it reads prepares its batches where it reads
// (usage_collected.go). A batch with a token goes to CommitUsage: its
// allowance of new consumers is checked there.
func (db *DB) CommitCollectedUsage(ctx context.Context, b *domain.UsageBatch) error {
	return db.CommitCollected(ctx, PrepareCollected(b))
}

// CommitCollected stores a prepared collector's batch (CommitCollectedUsage).
func (db *DB) CommitCollected(ctx context.Context, c *CollectedUsage) error {
	b := c.Batch
	if b.Token != 0 {
		return db.CommitUsage(ctx, b)
	}
	if err := db.usageTx(ctx, func(tx *sql.Tx, st *usageWrite) error {
		return storeCollected(ctx, tx, st, c)
	}); err != nil {
		return fmt.Errorf("store: unable to store usage from %s: %w", b.Source, err)
	}
	return nil
}

// storeCollected writes c's batch in tx as storeUsage writes one batch:
// consumers, hourly and daily rows, the days' stale marks, the rejected
// records, the cursor.
func storeCollected(ctx context.Context, tx *sql.Tx, st *usageWrite, c *CollectedUsage) error {
	b := c.Batch
	ids, err := consumerIDs(ctx, tx, st, c.consumers, nil, b.ConsumerNames)
	if err != nil {
		return err
	}
	hourly, daily := c.rows(ids)
	if err := upsertSortedUsage(ctx, tx, st, "api_usage_hourly", hourly); err != nil {
		return err
	}
	if err := upsertSortedUsage(ctx, tx, st, "api_usage_daily", daily); err != nil {
		return err
	}
	days := map[int64]struct{}{}
	for _, run := range c.runs {
		days[run.day] = struct{}{}
	}
	if err := usageDays.markStale(ctx, tx, days); err != nil {
		return err
	}
	if err := addRejected(ctx, tx, b.Source, b.Rejected); err != nil {
		return err
	}
	if b.Cursor != "" {
		return moveCursor(ctx, tx, b.Source, b.CursorFrom, b.Cursor)
	}
	return nil
}
