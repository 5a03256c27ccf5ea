package data

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// sourceRows is the reference windowInputs: every day read from its source
// rows (api_usage_daily, activities), as a store without day digests reads
// them. dayDigests must give the window it gives (TestDerivedEqualsSourceRows).
type sourceRows struct{}

func (sourceRows) readUsage(ctx context.Context, tx *sql.Tx, from, to int64, u *usagePass) error {
	return scanDailyUsage(ctx, tx, `u.bucket >= ? AND u.bucket < ?`, []any{from, to}, u.addRow)
}

// readUsageDays is readUsage for some days only.
func (sourceRows) readUsageDays(ctx context.Context, tx *sql.Tx, days []int64, u *usagePass) error {
	if len(days) == 0 {
		return nil
	}
	args := make([]any, len(days))
	for i, d := range days {
		args[i] = d
	}
	where := `u.bucket IN (?` + strings.Repeat(", ?", len(days)-1) + `)`
	return scanDailyUsage(ctx, tx, where, args, u.addRow)
}

func (sourceRows) readPreviousActivities(ctx context.Context, tx *sql.Tx, from, to int64, r *communityReads) error {
	rows, err := tx.QueryContext(ctx, `SELECT COALESCE(member_id, 0), at FROM activities WHERE at >= ? AND at < ? AND bot = FALSE`, from, to)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var member, at int64
		if err := rows.Scan(&member, &at); err != nil {
			return err
		}
		r.countPrev(member, at)
	}
	return rows.Err()
}

func (sourceRows) readActivities(ctx context.Context, tx *sql.Tx, from, to int64, in *interner, r *communityReads) error {
	rows, err := scanActivities(ctx, tx, from, to, in, nil)
	r.segments = append(r.segments, activitySegment{rows: rows})
	return err
}

func (sourceRows) distrust(int64) bool     { return false }
func (sourceRows) distrusted() []time.Time { return nil }
