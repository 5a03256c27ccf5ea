package data

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// consumerWindow is one consumer's traffic in the window and the one before.
type consumerWindow struct {
	cur       UsageTotals
	prevCalls int64
	lastWeek  bool // had calls in the last 7 days of the window
}

// windowUsage sums each member's API traffic over the window (calls, errors,
// latency p95, distinct consumers) and its calls over the window before. It
// reads the usage day digests, and api_usage_daily for the days whose
// digests are stale (usage_days.go): the same sums either way.
func windowUsage(ctx context.Context, tx *sql.Tx, byID map[int64]*MemberWindow, cur, prev span, weekFrom time.Time, unreadable map[int64]bool) (activeConsumers int, err error) {
	memberOf := map[int64]int64{}
	rows, err := tx.QueryContext(ctx, `SELECT id, member_id FROM api_consumers WHERE member_id IS NOT NULL`)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var c, m int64
		if err := rows.Scan(&c, &m); err != nil {
			rows.Close()
			return 0, err
		}
		memberOf[c] = m
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}

	from, to := prev.from.Unix(), cur.to.Unix()
	stale := map[int64]bool{}
	for d := range unreadable {
		if d >= from && d < to {
			stale[d] = true
		}
	}
	if err := scanInts(ctx, tx, `SELECT day FROM usage_days_stale WHERE day >= ? AND day < ?`, func(d int64) { stale[d] = true }, from, to); err != nil {
		return 0, err
	}
	// Per consumer first (one map lookup per row), per member at the end.
	byConsumer := map[int64]*consumerWindow{}
	acc := func(consumer int64) *consumerWindow {
		c := byConsumer[consumer]
		if c == nil {
			c = &consumerWindow{}
			byConsumer[consumer] = c
		}
		return c
	}
	curFrom, week := cur.from.Unix(), weekFrom.Unix()
	rows, err = tx.QueryContext(ctx, `SELECT day, digest FROM usage_day_digests WHERE day >= ? AND day < ?`, from, to)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var day int64
		var digest sql.RawBytes
		if err := rows.Scan(&day, &digest); err != nil {
			rows.Close()
			return 0, err
		}
		if stale[day] {
			continue
		}
		if err := addUsageDigest(digest, day < curFrom, day >= week, acc); err != nil {
			rows.Close()
			return 0, &digestError{day: day, err: err}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(stale) > 0 {
		days := make([]any, 0, len(stale))
		for d := range stale {
			days = append(days, d)
		}
		where := `u.bucket IN (?` + strings.Repeat(", ?", len(days)-1) + `)`
		if err := scanDailyUsage(ctx, tx, where, days, func(day, consumer int64, class int, calls, bytes int64, h *Histogram) {
			c := acc(consumer)
			if day < curFrom {
				c.prevCalls += calls
			} else {
				c.cur.add(class, calls, bytes, h)
				c.lastWeek = c.lastWeek || day >= week && calls > 0
			}
		}); err != nil {
			return 0, err
		}
	}

	totals := map[int64]*UsageTotals{}
	for consumer, c := range byConsumer {
		if c.lastWeek {
			activeConsumers++
		}
		m := byID[memberOf[consumer]]
		if m == nil {
			continue
		}
		m.PrevCalls += c.prevCalls
		if c.cur.Calls > 0 {
			m.Consumers++
		}
		t := totals[m.ID]
		if t == nil {
			t = &UsageTotals{}
			totals[m.ID] = t
		}
		t.Calls += c.cur.Calls
		t.Errors4xx += c.cur.Errors4xx
		t.Errors5xx += c.cur.Errors5xx
		t.Latency.Merge(&c.cur.Latency)
	}
	for id, t := range totals {
		m := byID[id]
		m.Calls, m.Errors4xx, m.Errors5xx = t.Calls, t.Errors4xx, t.Errors5xx
		m.LatencyP95MS = t.Latency.Quantile(0.95)
	}
	return activeConsumers, nil
}

// addUsageDigest adds one day's digest to the consumers' window sums: calls
// only for a day of the previous window, everything for one of the window
// (and which consumers had calls, for one of its last week).
func addUsageDigest(digest []byte, previous, lastWeek bool, acc func(consumer int64) *consumerWindow) error {
	r := newDigestReader(digest)
	var t UsageTotals
	for {
		consumer, hist, ok := r.next(&t)
		if !ok {
			return r.err
		}
		c := acc(consumer)
		if previous {
			c.prevCalls += t.Calls
			continue
		}
		c.cur.Calls += t.Calls
		c.lastWeek = c.lastWeek || lastWeek && t.Calls > 0
		c.cur.Errors4xx += t.Errors4xx
		c.cur.Errors5xx += t.Errors5xx
		c.cur.Bytes += t.Bytes
		if err := mergeSparseHistogram(&c.cur.Latency, hist); err != nil {
			return err
		}
	}
}
