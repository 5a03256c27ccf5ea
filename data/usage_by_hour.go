package data

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// UsageHourCell is the API traffic of one hour of the week (UTC) summed
// over a range: every Monday 09:00–10:00, say.
type UsageHourCell struct {
	Weekday time.Weekday `json:"weekday"`
	Hour    int          `json:"hour"` // 0..23
	domain.UsageTotals
}

// UsageByHourOfWeek sums the hourly rollups of the days [from, to) by
// weekday and hour of day (UTC), with their merged latency histograms.
// Cells without traffic are absent; cells come by weekday (Sunday first),
// then hour.
func (db *DB) UsageByHourOfWeek(ctx context.Context, from, to time.Time) ([]UsageHourCell, error) {
	from, to = domain.Day(from), domain.Day(to)
	if err := checkEcosystemRange(from, to); err != nil {
		return nil, err
	}
	cells := map[[2]int]*UsageHourCell{}
	add := func(bucket int64, class int, calls, bytes int64, h *domain.Histogram) {
		// 1970-01-01 was a Thursday (weekday 4 with Sunday = 0). Buckets
		// are positive Unix hours, so integer division is floor division.
		k := [2]int{int((bucket/86400 + 4) % 7), int(bucket / 3600 % 24)}
		c := cells[k]
		if c == nil {
			c = &UsageHourCell{Weekday: time.Weekday(k[0]), Hour: k[1]}
			cells[k] = c
		}
		c.Add(class, calls, bytes, h)
	}
	err := db.readTx(ctx, func(tx *sql.Tx) error { return usageByHour(ctx, tx, from.Unix(), to.Unix(), add) })
	if err != nil {
		return nil, fmt.Errorf("store: unable to sum API usage by hour: %w", err)
	}
	out := make([]UsageHourCell, 0, len(cells))
	for _, c := range cells {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Weekday != out[j].Weekday {
			return out[i].Weekday < out[j].Weekday
		}
		return out[i].Hour < out[j].Hour
	})
	return out, nil
}

// usageByHour hands add the traffic of every hour and status class of the
// days [from, to): from usage_hour_totals, and from api_usage_hourly for
// the days whose totals are stale (usage_days.go).
func usageByHour(ctx context.Context, tx *sql.Tx, from, to int64, add func(bucket int64, class int, calls, bytes int64, h *domain.Histogram)) error {
	stale := map[int64]bool{}
	if err := scanInts(ctx, tx, `SELECT day FROM usage_days_stale WHERE day >= ? AND day < ?`, func(d int64) { stale[d] = true }, from, to); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT bucket, status_class, calls, bytes, latency FROM usage_hour_totals WHERE bucket >= ? AND bucket < ?`, from, to)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var bucket, calls, bytes int64
		var class int
		var latency sql.RawBytes
		if err := rows.Scan(&bucket, &class, &calls, &bytes, &latency); err != nil {
			return err
		}
		if stale[bucket-bucket%86400] {
			continue
		}
		var h domain.Histogram
		if latency != nil {
			if err := mergeEncodedHistogram(&h, latency); err != nil {
				return err
			}
		}
		add(bucket, class, calls, bytes, &h)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for d := range stale {
		if err := scanHourlyUsage(ctx, tx, d, d+86400, add); err != nil {
			return err
		}
	}
	return nil
}
