package data

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// rateCountPurge bounds the ended windows one count deletes on the way.
const rateCountPurge = 64

// CountRequest counts by requests under key in the fixed window that
// starts at start and lasts window, and returns the key's count in it,
// these included, and when the window ends. It is one upsert, so that the
// requests several replicas count at once all count: together they grant
// no more than a budget. A replica counts a chunk of requests ahead (by > 1)
// and grants them from memory (app/ratelimit.go). A count of an earlier window starts
// over (one of a later window, from a replica whose clock is ahead, goes
// on). The first count of a window deletes a few ended windows on the way.
func (db *DB) CountRequest(ctx context.Context, key string, start time.Time, window time.Duration, by int64) (n int64, end time.Time, err error) {
	if by < 1 {
		return 0, time.Time{}, fmt.Errorf("store: unable to count %d requests: at least one", by)
	}
	from, until := start.Unix(), start.Add(window).Unix()
	var endAt int64
	err = db.housekeepingTx(ctx, func(tx *sql.Tx) error {
		if err := db.dialect.relaxCommit(ctx, tx); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO rate_counts (key, window_start, window_end, n) VALUES (?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET
				n = CASE WHEN rate_counts.window_start >= excluded.window_start THEN rate_counts.n + excluded.n ELSE excluded.n END,
				window_end = CASE WHEN rate_counts.window_start >= excluded.window_start THEN rate_counts.window_end ELSE excluded.window_end END,
				window_start = CASE WHEN rate_counts.window_start >= excluded.window_start THEN rate_counts.window_start ELSE excluded.window_start END
			RETURNING n, window_end`, key, from, until, by).Scan(&n, &endAt); err != nil {
			return err
		}
		if n != by { // not the window's first count
			return nil
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM rate_counts WHERE key IN (
			SELECT key FROM rate_counts WHERE window_end <= ? ORDER BY window_end LIMIT ?`+db.dialect.skipLocked()+`)`,
			from, rateCountPurge)
		return err
	})
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("store: unable to count a request: %w", err)
	}
	return n, time.Unix(endAt, 0), nil
}

// CountRateRows returns how many keys have a request count kept.
func (db *DB) CountRateRows(ctx context.Context) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM rate_counts`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: unable to count rate rows: %w", err)
	}
	return n, nil
}
