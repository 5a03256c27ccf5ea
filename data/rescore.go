package data

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// markRescoreFrom marks every day already scored from day on for scoring
// again: what a change to the members (or to whose history is whose) makes
// stale. Days not scored yet need no mark: the scoring job fills them.
func markRescoreFrom(ctx context.Context, tx *sql.Tx, day time.Time) error {
	if day.IsZero() {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO rescore_days (day, seq)
		SELECT day, (SELECT COALESCE(MAX(seq), 0) + 1 FROM rescore_days) FROM ecosystem_scores WHERE day >= ?
		ON CONFLICT (day) DO UPDATE SET seq = excluded.seq`, dateStr(day))
	return err
}

// RescoreMark is a day to score again, as marked at seq.
type RescoreMark struct {
	Day time.Time
	seq int64
}

// RescoreDays returns the days marked for scoring again, oldest first.
func (db *DB) RescoreDays(ctx context.Context) ([]RescoreMark, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT day, seq FROM rescore_days ORDER BY day`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list days to rescore: %w", err)
	}
	defer rows.Close()
	var out []RescoreMark
	for rows.Next() {
		var day sql.NullString
		var m RescoreMark
		if err := rows.Scan(&day, &m.seq); err != nil {
			return nil, fmt.Errorf("store: unable to list days to rescore: %w", err)
		}
		m.Day = parseDate(day)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to list days to rescore: %w", err)
	}
	return out, nil
}

// RescoreDone clears the marks of days scored again. A day marked again
// while it was being scored keeps its newer mark.
func (db *DB) RescoreDone(ctx context.Context, marks []RescoreMark) error {
	err := db.housekeepingTx(ctx, func(tx *sql.Tx) error {
		for _, m := range marks {
			if _, err := tx.ExecContext(ctx, `DELETE FROM rescore_days WHERE day = ? AND seq <= ?`, dateStr(m.Day), m.seq); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: unable to clear days rescored: %w", err)
	}
	return nil
}
