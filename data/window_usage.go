package data

import (
	"context"
	"database/sql"

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

// usagePass is the window's usage: read (SQL, in the window's transaction:
// rows summed per consumer, digests kept), decoded (Go only, so it can run
// beside the window's other reads) and then applied to the members.
type usagePass struct {
	memberOf      map[int64]int64 // consumer → member
	digests       []dayDigest     // current digests of the span, copied
	byConsumer    map[int64]*consumerWindow
	curFrom, week int64
	end           int64 // the midnight after the window's last day
}

// weeksAgo is the 7-day week of a day: 0 for the window's last 7 days.
func (u *usagePass) weeksAgo(day int64) int { return weeksAgo(u.end, day) }

func (u *usagePass) acc(consumer int64) *consumerWindow {
	c := u.byConsumer[consumer]
	if c == nil {
		c = &consumerWindow{}
		u.byConsumer[consumer] = c
	}
	return c
}

// consumerMembers returns the member of each consumer that has one.
func consumerMembers(ctx context.Context, tx *sql.Tx) (map[int64]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, member_id FROM api_consumers WHERE member_id IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	memberOf := map[int64]int64{}
	for rows.Next() {
		var c, m int64
		if err := rows.Scan(&c, &m); err != nil {
			return nil, err
		}
		memberOf[c] = m
	}
	return memberOf, rows.Err()
}

// addRow adds one api_usage_daily row (a day, consumer, endpoint and status
// class) to its consumer's sums: calls only for a day of the previous
// window, everything for one of the window; and to its weeks.
func (u *usagePass) addRow(day, consumer int64, class int, calls, bytes int64, h *domain.Histogram) {
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
}

// decode adds the digests read to the consumers' sums. When a digest cannot
// be decoded it returns a *digestError.
func (u *usagePass) decode() error {
	for _, d := range u.digests {
		if err := u.addUsageDigest(d.b, d.day); err != nil {
			return &digestError{day: d.day, err: err}
		}
	}
	u.digests = nil
	return nil
}

// apply sets the members' usage fields from the consumers' sums: calls,
// errors, latency p95 (of the window and its last 7 days), distinct
// consumers, weekly counts, the last day with calls and calls in the window
// before. It returns how many consumers (with a member or not) had calls in
// the window's last 7 days.
func (u *usagePass) apply(byID map[int64]*domain.MemberWindow) (activeConsumers int) {
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
	return activeConsumers
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
