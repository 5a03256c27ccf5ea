package data

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// CommitCollectedUsage stores a collector's batch (one without an ingest
// token) as CommitUsage does, and stores the same rows: it is the write of
// the access-log collector and import, where a sparse log brings about one
// rollup row per line and the write is most of the import's time. The rows
// go from the batch to two sorted slices (hourly, then daily merged from
// them in that order) instead of through keyed maps, so a chunk of 65,536
// rows costs a sort where it cost two maps of strings, and takes half the
// memory while it is written. A batch with a token goes to CommitUsage:
// its allowance of new consumers is checked there.
func (db *DB) CommitCollectedUsage(ctx context.Context, b *domain.UsageBatch) error {
	if b.Token != 0 {
		return db.CommitUsage(ctx, b)
	}
	if err := db.usageTx(ctx, func(tx *sql.Tx, st *usageWrite) error {
		return storeCollected(ctx, tx, st, b)
	}); err != nil {
		return fmt.Errorf("store: unable to store usage from %s: %w", b.Source, err)
	}
	return nil
}

// storeCollected writes b in tx as storeUsage writes one batch: consumers,
// hourly and daily rows, the days' stale marks, the rejected records, the
// cursor.
func storeCollected(ctx context.Context, tx *sql.Tx, st *usageWrite, b *domain.UsageBatch) error {
	ids, err := consumerIDs(ctx, tx, st, b.Rows(), nil, b.ConsumerNames)
	if err != nil {
		return err
	}
	hourly := make([]usageRow, 0, b.Len())
	for k, r := range b.Rows() {
		hourly = append(hourly, usageRow{usageKey{k.Hour, ids[k.Consumer], k.Endpoint, k.Class}, r})
	}
	slices.SortFunc(hourly, func(a, b usageRow) int { return compareUsageKeys(a.k, b.k) })
	daily := dailyRows(hourly)
	if err := upsertSortedUsage(ctx, tx, st, "api_usage_hourly", hourly); err != nil {
		return err
	}
	if err := upsertSortedUsage(ctx, tx, st, "api_usage_daily", daily); err != nil {
		return err
	}
	days := map[int64]struct{}{}
	for i := range daily {
		days[daily[i].k.bucket] = struct{}{}
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

// dailyRows merges sorted hourly rows into the daily rows, sorted. A daily
// row of one hourly row shares its rollup (neither is changed); a daily row
// of several gets a new one, their sum, as usageRows.add makes it.
func dailyRows(hourly []usageRow) []usageRow {
	type dayRow struct {
		usageRow
		hour int // position in hourly: hour order within a daily key
	}
	daily := make([]dayRow, len(hourly))
	for i, h := range hourly {
		h.k.bucket = domain.Day(time.Unix(h.k.bucket, 0)).Unix()
		daily[i] = dayRow{h, i}
	}
	// The rows of one daily key in hour order, so that their latency sums
	// add up in one order, run after run. Rows are hour-sorted already, so
	// the rows of a day are next to each other.
	slices.SortFunc(daily, func(a, b dayRow) int {
		if c := compareUsageKeys(a.k, b.k); c != 0 {
			return c
		}
		return a.hour - b.hour
	})
	out := make([]usageRow, 0, len(daily))
	for i := 0; i < len(daily); {
		j := i + 1
		for j < len(daily) && daily[j].k == daily[i].k {
			j++
		}
		row := daily[i].usageRow
		if j-i > 1 {
			acc := &domain.Rollup{}
			for _, d := range daily[i:j] {
				acc.Merge(d.r.Calls, d.r.Bytes, d.r.LatencySum, d.r.Hist)
			}
			row.r = acc
		}
		out = append(out, row)
		i = j
	}
	return out
}
