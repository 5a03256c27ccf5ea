package data

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"

	"github.com/ecopulse/ecopulse/domain"
)

// CommitCollectedUsage stores a collector's batch (one without an ingest
// token) as CommitUsage does, and stores the same rows: it is the write of
// the access-log collector and import, where a sparse log brings about one
// rollup row per line and the write is most of the import's time. The rows
// go from the batch to two sorted slices (collectedRows: one sort of the
// batch's rows on integer keys, the daily and hourly rows merged from it)
// instead of through keyed maps of strings, and take half the memory
// while they are written. A batch with a token goes to CommitUsage:
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
	hourly, daily := collectedRows(b.Rows(), ids)
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

// collectedRows builds a batch's rows of the two usage tables, each in its
// table's key order: the daily rows, per day, consumer, endpoint and status
// class, the hours of one merged in hour order; the hourly rows, per hour,
// consumer and status class (allEndpoints), the endpoints of one merged in
// endpoint order (the order of the daily rows), so that latency sums add up
// in one order, run after run. A row of one rollup shares it: none is
// changed.
func collectedRows(rows map[domain.BatchKey]*domain.Rollup, ids map[string]int64) (hourly, daily []usageRow) {
	// Every key's parts ranked in their order, so that the sort of the
	// rows, most of this function's time, compares two integers a row.
	days, endpoints, classes := map[int64]uint64{}, map[string]uint64{}, map[int]uint64{}
	consumers := map[int64]uint64{} // by id
	for k := range rows {
		days[dayOf(k.Hour)], endpoints[k.Endpoint], classes[k.Class], consumers[ids[k.Consumer]] = 0, 0, 0, 0
	}
	dayOrder, endpointOrder := rankKeys(days), rankKeys(endpoints)
	classOrder, consumerOrder := rankKeys(classes), rankKeys(consumers)
	byKey := make(map[string]uint64, len(ids)) // a consumer key's rank
	for key, id := range ids {
		byKey[key] = consumers[id]
	}
	// hi: day, consumer; lo: endpoint, class, hour of the day.
	type entry struct {
		hi, lo uint64
		r      *domain.Rollup
	}
	all := make([]entry, 0, len(rows))
	for k, r := range rows {
		day := dayOf(k.Hour)
		all = append(all, entry{days[day]<<32 | byKey[k.Consumer], endpoints[k.Endpoint]<<32 | classes[k.Class]<<8 | uint64(k.Hour-day)/3600, r})
	}
	slices.SortFunc(all, func(a, b entry) int {
		if c := cmp.Compare(a.hi, b.hi); c != 0 {
			return c
		}
		return cmp.Compare(a.lo, b.lo)
	})
	parts := func(e entry) (day, consumer int64, endpoint string, class int, hour int64) {
		day = dayOrder[e.hi>>32]
		return day, consumerOrder[e.hi&0xffffffff], endpointOrder[e.lo>>32], classOrder[e.lo>>8&0xffffff], day + int64(e.lo&0xff)*3600
	}
	hours := map[usageKey]*domain.Rollup{}
	own := map[usageKey]bool{} // the hourly rows merged into a rollup of their own
	daily = make([]usageRow, 0, len(all))
	for i := 0; i < len(all); {
		j := i + 1
		for j < len(all) && all[j].hi == all[i].hi && all[j].lo>>8 == all[i].lo>>8 {
			j++
		}
		day, consumer, endpoint, class, _ := parts(all[i])
		row := usageRow{usageKey{day, consumer, endpoint, class}, all[i].r}
		if j-i > 1 {
			row.r = &domain.Rollup{}
			for _, d := range all[i:j] {
				row.r.Merge(d.r.Calls, d.r.Bytes, d.r.LatencySum, d.r.Hist)
			}
		}
		daily = append(daily, row)
		for _, d := range all[i:j] {
			_, _, _, _, hour := parts(d)
			k := usageKey{hour, consumer, allEndpoints, class}
			switch acc := hours[k]; {
			case acc == nil:
				hours[k] = d.r
			case !own[k]:
				sum := &domain.Rollup{}
				sum.Merge(acc.Calls, acc.Bytes, acc.LatencySum, acc.Hist)
				sum.Merge(d.r.Calls, d.r.Bytes, d.r.LatencySum, d.r.Hist)
				hours[k], own[k] = sum, true
			default:
				acc.Merge(d.r.Calls, d.r.Bytes, d.r.LatencySum, d.r.Hist)
			}
		}
		i = j
	}
	hourly = make([]usageRow, 0, len(hours))
	for k, r := range hours {
		hourly = append(hourly, usageRow{k, r})
	}
	slices.SortFunc(hourly, func(a, b usageRow) int { return compareUsageKeys(a.k, b.k) })
	return hourly, daily
}

// rankKeys sets each key of m to its rank in key order and returns the keys
// in that order.
func rankKeys[K cmp.Ordered](m map[K]uint64) []K {
	keys := slices.Sorted(maps.Keys(m))
	for i, k := range keys {
		m[k] = uint64(i)
	}
	return keys
}
