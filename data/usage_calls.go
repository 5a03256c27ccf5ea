package data

import (
	"context"
	"fmt"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// CallsBetween returns how many API calls everyone made over the days
// [from, to): UsageTotals' calls, without reading the latency histograms
// (the overview compares a quarter's calls with the quarter before on
// every build). Summed in Go and saturating, as UsageTotals sums them.
func (db *DB) CallsBetween(ctx context.Context, from, to time.Time) (int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT calls FROM api_usage_daily WHERE bucket >= ? AND bucket < ?`,
		domain.Day(from).Unix(), domain.Day(to).Unix())
	if err != nil {
		return 0, fmt.Errorf("store: unable to count API calls: %w", err)
	}
	defer rows.Close()
	var total, calls int64
	for rows.Next() {
		if err := rows.Scan(&calls); err != nil {
			return 0, fmt.Errorf("store: unable to count API calls: %w", err)
		}
		total = domain.AddSat(total, calls)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: unable to count API calls: %w", err)
	}
	return total, nil
}
