package data

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/ecopulse/ecopulse/domain"
)

// buildUsageDay rebuilds the day's hour totals and returns its usage
// digest (nil when it had no usage).
func buildUsageDay(ctx context.Context, tx *sql.Tx, day int64) ([]byte, error) {
	if err := refreshHourTotals(ctx, tx, day); err != nil {
		return nil, err
	}
	byConsumer := map[int64]*domain.UsageTotals{}
	if err := scanDailyUsage(ctx, tx, `u.bucket = ?`, []any{day}, func(_, consumer int64, class int, calls, bytes int64, h *domain.Histogram) {
		c := byConsumer[consumer]
		if c == nil {
			c = &domain.UsageTotals{}
			byConsumer[consumer] = c
		}
		c.Add(class, calls, bytes, h)
	}); err != nil {
		return nil, err
	}
	if len(byConsumer) == 0 {
		return nil, nil
	}
	days := make([]consumerDay, 0, len(byConsumer))
	for id, c := range byConsumer {
		days = append(days, consumerDay{consumer: id, UsageTotals: *c})
	}
	return encodeUsageDigest(days), nil
}

// scanDailyUsage hands fn each api_usage_daily row matching where (one per
// day, consumer, endpoint and status class): callers sum them. Grouping in
// SQL sorted the rows in a temporary b-tree (the key has the endpoint before
// the class) and summed 42 columns in the VM, most of a day's refresh.
func scanDailyUsage(ctx context.Context, tx *sql.Tx, where string, args []any, fn func(day, consumer int64, class int, calls, bytes int64, h *domain.Histogram)) error {
	rows, err := tx.QueryContext(ctx, `SELECT u.bucket, u.consumer_id, u.status_class, u.calls, u.bytes, `+histList+`
		FROM api_usage_daily u WHERE `+where, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var h domain.Histogram
	var day, consumer, calls, bytes int64
	var class int
	dest := histDest(&h, &day, &consumer, &class, &calls, &bytes)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		fn(day, consumer, class, calls, bytes, &h)
	}
	return rows.Err()
}

// histList is the histogram columns of a rollup u, comma-separated.
var histList = "u." + strings.Join(histColumns[:], ", u.")

// refreshHourTotals rebuilds the day's rows of usage_hour_totals from
// api_usage_hourly.
func refreshHourTotals(ctx context.Context, tx *sql.Tx, day int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM usage_hour_totals WHERE bucket >= ? AND bucket < ?`, day, day+86400); err != nil {
		return err
	}
	// scanHourlyUsage gives one row per (hour, class) and reuses h:
	// keep a copy of each row's sums.
	type hourRow struct {
		bucket int64
		class  int
		sums   domain.UsageTotals
	}
	var out []hourRow
	err := scanHourlyUsage(ctx, tx, day, day+86400, func(bucket int64, class int, calls, bytes int64, h *domain.Histogram) {
		r := hourRow{bucket: bucket, class: class}
		r.sums.Add(class, calls, bytes, h)
		out = append(out, r)
	})
	if err != nil {
		return err
	}
	for _, r := range out {
		if _, err := tx.ExecContext(ctx, `INSERT INTO usage_hour_totals (bucket, status_class, calls, bytes, latency) VALUES (?, ?, ?, ?, ?)`,
			r.bucket, r.class, r.sums.Calls, r.sums.Bytes, encodeHistogram(&r.sums.Latency)); err != nil {
			return err
		}
	}
	return nil
}

// scanHourlyUsage hands fn the api_usage_hourly sums per (hour, status
// class) of the hours [from, to), in that order. The rows are summed in Go,
// saturating, where SQL's SUM would fail on an overflowing row.
func scanHourlyUsage(ctx context.Context, tx *sql.Tx, from, to int64, fn func(bucket int64, class int, calls, bytes int64, h *domain.Histogram)) error {
	rows, err := tx.QueryContext(ctx, `SELECT u.bucket, u.status_class, u.calls, u.bytes, `+histList+`
		FROM api_usage_hourly u WHERE u.bucket >= ? AND u.bucket < ?`, from, to)
	if err != nil {
		return err
	}
	defer rows.Close()
	type hourClass struct {
		bucket int64
		class  int
	}
	sums := map[hourClass]*domain.UsageTotals{}
	var h domain.Histogram
	var bucket, calls, bytes int64
	var class int
	dest := histDest(&h, &bucket, &class, &calls, &bytes)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		k := hourClass{bucket, class}
		t := sums[k]
		if t == nil {
			t = &domain.UsageTotals{}
			sums[k] = t
		}
		t.Add(class, calls, bytes, &h)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	keys := make([]hourClass, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b hourClass) int {
		if c := cmp.Compare(a.bucket, b.bucket); c != 0 {
			return c
		}
		return cmp.Compare(a.class, b.class)
	})
	for _, k := range keys {
		t := sums[k]
		fn(k.bucket, k.class, t.Calls, t.Bytes, &t.Latency)
	}
	return nil
}
