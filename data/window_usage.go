package data

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// consumerWindow is one consumer's traffic in the window and the one before.
type consumerWindow struct {
	cur       domain.UsageTotals
	prevCalls int64
	lastWeek  bool // had calls in the last 7 days of the window
	weeks     *consumerWeeks
}

// consumerWeeks is a consumer's traffic by 7-day week, allocated for the
// consumers with calls in the span.
type consumerWeeks struct {
	calls, e4xx, e5xx [domain.MaxWeeks]int64
	recentLatency     *domain.Histogram // of the last 7 days, when it had calls in them
	lastDay           int64             // the last day with calls (Unix seconds)
}

// day adds one day's calls and errors of the consumer to its weeks and its
// last day with calls. weeksAgo is the 7-day week of the day (0: the last
// 7 days). The latency of the last 7 days is merged by the caller.
func (c *consumerWindow) day(day int64, weeksAgo int, calls, e4xx, e5xx int64) {
	if calls <= 0 {
		return
	}
	if c.weeks == nil {
		c.weeks = &consumerWeeks{}
	}
	w := c.weeks
	if weeksAgo >= 0 && weeksAgo < domain.MaxWeeks {
		w.calls[weeksAgo] = domain.AddSat(w.calls[weeksAgo], calls)
		w.e4xx[weeksAgo] = domain.AddSat(w.e4xx[weeksAgo], e4xx)
		w.e5xx[weeksAgo] = domain.AddSat(w.e5xx[weeksAgo], e5xx)
	}
	w.lastDay = max(w.lastDay, day)
	if weeksAgo == 0 && w.recentLatency == nil {
		w.recentLatency = &domain.Histogram{}
	}
}

// usagePass is the window's usage: read (SQL, in the window's transaction)
// and then summed (Go only, so it can run beside the window's other reads).
type usagePass struct {
	memberOf      map[int64]int64 // consumer → member
	digests       []dayDigest     // current digests of the span, copied
	byConsumer    map[int64]*consumerWindow
	curFrom, week int64
	end           int64 // the midnight after the window's last day
}

// weeksAgo is the 7-day week of a day: 0 for the window's last 7 days.
func (u *usagePass) weeksAgo(day int64) int { return weeksAgo(u.end, day) }

type dayDigest struct {
	day int64
	b   []byte
}

func (u *usagePass) acc(consumer int64) *consumerWindow {
	c := u.byConsumer[consumer]
	if c == nil {
		c = &consumerWindow{}
		u.byConsumer[consumer] = c
	}
	return c
}

// windowUsage sums each member's API traffic over the window (calls, errors,
// latency p95, distinct consumers) and its calls over the window before. It
// reads the usage day digests, and api_usage_daily for the days whose
// digests are stale (usage_days.go): the same sums either way. It returns
// how many consumers (with a member or not) had calls since weekFrom.
func windowUsage(ctx context.Context, tx *sql.Tx, byID map[int64]*domain.MemberWindow, cur, prev span, weekFrom time.Time, unreadable map[int64]bool) (int, error) {
	u, err := readWindowUsage(ctx, tx, cur, prev, weekFrom, unreadable)
	if err != nil {
		return 0, err
	}
	return u.sum(byID)
}

// readWindowUsage reads what the usage pass needs: the consumers' members,
// the digests of the span, and the rollups of its stale or unreadable days
// (summed already).
func readWindowUsage(ctx context.Context, tx *sql.Tx, cur, prev span, weekFrom time.Time, unreadable map[int64]bool) (*usagePass, error) {
	u := &usagePass{memberOf: map[int64]int64{}, byConsumer: map[int64]*consumerWindow{}, curFrom: cur.from.Unix(), week: weekFrom.Unix(), end: cur.to.Unix()}
	rows, err := tx.QueryContext(ctx, `SELECT id, member_id FROM api_consumers WHERE member_id IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var c, m int64
		if err := rows.Scan(&c, &m); err != nil {
			rows.Close()
			return nil, err
		}
		u.memberOf[c] = m
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	from, to := prev.from.Unix(), cur.to.Unix()
	stale := map[int64]bool{}
	for d := range unreadable {
		if d >= from && d < to {
			stale[d] = true
		}
	}
	if err := scanInts(ctx, tx, `SELECT day FROM usage_days_stale WHERE day >= ? AND day < ?`, func(d int64) { stale[d] = true }, from, to); err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT day, digest FROM usage_day_digests WHERE day >= ? AND day < ?`, from, to)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var d dayDigest
		if err := rows.Scan(&d.day, &d.b); err != nil {
			rows.Close()
			return nil, err
		}
		if !stale[d.day] {
			u.digests = append(u.digests, d)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(stale) > 0 {
		days := make([]any, 0, len(stale))
		for d := range stale {
			days = append(days, d)
		}
		where := `u.bucket IN (?` + strings.Repeat(", ?", len(days)-1) + `)`
		if err := scanDailyUsage(ctx, tx, where, days, func(day, consumer int64, class int, calls, bytes int64, h *domain.Histogram) {
			c := u.acc(consumer)
			var e4xx, e5xx int64
			switch class {
			case 4:
				e4xx = calls
			case 5:
				e5xx = calls
			}
			if wk := u.weeksAgo(day); calls > 0 {
				c.day(day, wk, calls, e4xx, e5xx)
				if wk == 0 {
					c.weeks.recentLatency.Merge(h)
				}
			}
			if day < u.curFrom {
				c.prevCalls = domain.AddSat(c.prevCalls, calls)
			} else {
				c.cur.Add(class, calls, bytes, h)
				c.lastWeek = c.lastWeek || day >= u.week && calls > 0
			}
		}); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// sum decodes the digests and sets the members' usage fields (and nothing
// else: it may run beside the window's other passes). When a digest cannot
// be decoded it returns a *digestError and leaves byID as it was.
func (u *usagePass) sum(byID map[int64]*domain.MemberWindow) (activeConsumers int, err error) {
	for _, d := range u.digests {
		if err := u.addUsageDigest(d.b, d.day); err != nil {
			return 0, &digestError{day: d.day, err: err}
		}
	}
	totals := map[int64]*domain.UsageTotals{}
	recent := map[int64]*domain.Histogram{}
	lastDay := map[int64]int64{}
	for consumer, c := range u.byConsumer {
		if c.lastWeek {
			activeConsumers++
		}
		m := byID[u.memberOf[consumer]]
		if m == nil {
			continue
		}
		m.PrevCalls = domain.AddSat(m.PrevCalls, c.prevCalls)
		if c.cur.Calls > 0 {
			m.Consumers++
		}
		t := totals[m.ID]
		if t == nil {
			t = &domain.UsageTotals{}
			totals[m.ID] = t
		}
		t.Calls = domain.AddSat(t.Calls, c.cur.Calls)
		t.Errors4xx = domain.AddSat(t.Errors4xx, c.cur.Errors4xx)
		t.Errors5xx = domain.AddSat(t.Errors5xx, c.cur.Errors5xx)
		t.Latency.Merge(&c.cur.Latency)
		if w := c.weeks; w != nil {
			for k := range domain.MaxWeeks {
				m.WeeklyCalls[k] = domain.AddSat(m.WeeklyCalls[k], w.calls[k])
				m.Weekly4xx[k] = domain.AddSat(m.Weekly4xx[k], w.e4xx[k])
				m.Weekly5xx[k] = domain.AddSat(m.Weekly5xx[k], w.e5xx[k])
			}
			lastDay[m.ID] = max(lastDay[m.ID], w.lastDay)
			if w.recentLatency != nil {
				h := recent[m.ID]
				if h == nil {
					h = &domain.Histogram{}
					recent[m.ID] = h
				}
				h.Merge(w.recentLatency)
			}
		}
	}
	for id, t := range totals {
		m := byID[id]
		m.Calls, m.Errors4xx, m.Errors5xx = t.Calls, t.Errors4xx, t.Errors5xx
		m.LatencyP95MS = t.Latency.Quantile(0.95)
	}
	for id, h := range recent {
		byID[id].RecentLatencyP95MS = h.Quantile(0.95)
	}
	for id, d := range lastDay {
		if m := byID[id]; m != nil && d > 0 {
			m.LastCallDaysAgo = int((u.end - 86400 - d) / 86400)
		}
	}
	return activeConsumers, nil
}

// addUsageDigest adds one day's digest to the consumers' window sums: calls
// only for a day of the previous window, everything for one of the window
// (and which consumers had calls, for one of its last week); and to their
// weeks.
func (u *usagePass) addUsageDigest(digest []byte, day int64) error {
	previous, lastWeek, weeksAgo := day < u.curFrom, day >= u.week, u.weeksAgo(day)
	r := newDigestReader(digest)
	var t domain.UsageTotals
	for {
		consumer, hist, ok := r.next(&t)
		if !ok {
			return r.err
		}
		c := u.acc(consumer)
		if t.Calls > 0 {
			c.day(day, weeksAgo, t.Calls, t.Errors4xx, t.Errors5xx)
			if weeksAgo == 0 {
				if err := mergeSparseHistogram(c.weeks.recentLatency, hist); err != nil {
					return err
				}
			}
		}
		if previous {
			c.prevCalls = domain.AddSat(c.prevCalls, t.Calls)
			continue
		}
		c.cur.Calls = domain.AddSat(c.cur.Calls, t.Calls)
		c.lastWeek = c.lastWeek || lastWeek && t.Calls > 0
		c.cur.Errors4xx = domain.AddSat(c.cur.Errors4xx, t.Errors4xx)
		c.cur.Errors5xx = domain.AddSat(c.cur.Errors5xx, t.Errors5xx)
		c.cur.Bytes = domain.AddSat(c.cur.Bytes, t.Bytes)
		if err := mergeSparseHistogram(&c.cur.Latency, hist); err != nil {
			return err
		}
	}
}
