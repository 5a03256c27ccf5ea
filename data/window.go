package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// MemberWindow is what one member did over a scoring window. metrics.Score
// takes it as its input (metrics.MemberInput is this type).
type MemberWindow struct {
	ID int64

	// API usage in the window (traffic of the member's consumers).
	Calls        int64
	Errors4xx    int64
	Errors5xx    int64
	LatencyP95MS float64 // 0 when there were no calls
	Consumers    int     // distinct consumers/apps with calls
	PrevCalls    int64   // calls in the previous window (growth)

	// Cooperation projects the member is a party of.
	ActiveProjects      int // projects active at some point in the window
	MilestonesDue       int // milestones due in the window
	MilestonesOnTime    int // of those, done on or before the due date
	MilestonesDelivered int // milestones done in the window (on time or late)
	MilestonesOverdue   int // due before the day and still open on it

	// Community activity of people affiliated with the member (bots excluded).
	Contributions      int     // threads, replies, pull requests, reviews, releases
	PrevContributions  int     // in the previous window (growth)
	ActiveContributors int     // distinct affiliated people who contributed
	Engaged            int     // distinct people outside the member who took part in its threads (window_community.go)
	Threads            int     // threads opened by the member's people
	Responded          int     // of those, threads that got a first response from someone else
	FirstResponseHours float64 // median hours to first response on the member's threads (0 if none)
}

// PairWindow is what two members did together in a window. A < B.
type PairWindow struct {
	A, B             int64
	SharedProjects   int // projects active in the window with both as parties
	SharedMilestones int // milestones of those projects delivered in the window
	SharedThreads    int // threads both members' people took part in
}

// Window is everything measured for one scoring day.
type Window struct {
	Day     time.Time // last day of the window (inclusive)
	From    time.Time // first day of the window
	Members []MemberWindow
	Pairs   []PairWindow

	// Ecosystem activity over the last 7 days up to Day (the overview's counts).
	ActiveConsumers    int
	ActiveContributors int

	// UnreadableDigests are days whose usage or activity digest could not
	// be decoded (damaged, or written by a newer version): the window read
	// them from the source rows instead. The scorer marks them for rebuild.
	UnreadableDigests []time.Time
}

// ScoringWindow measures the days [day-windowDays+1, day] (and the same span
// before it, for growth) for every member that had joined by day. All queries
// run in one read transaction: one consistent snapshot. The result depends
// only on the stored data and day, never on the wall clock.
func (db *DB) ScoringWindow(ctx context.Context, day time.Time, windowDays int) (*Window, error) {
	if windowDays < 1 {
		return nil, Errorf(EINVALID, "scoring window must be at least one day, got %d", windowDays)
	}
	day = Day(day)
	w := &Window{Day: day, From: day.AddDate(0, 0, -(windowDays - 1))}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		return scoringWindow(ctx, tx, w, windowDays)
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to measure the window ending %s: %w", dateStr(day), err)
	}
	return w, nil
}

type span struct{ from, to time.Time } // [from, to)

func scoringWindow(ctx context.Context, tx *sql.Tx, w *Window, windowDays int) error {
	cur := span{w.From, w.Day.AddDate(0, 0, 1)}
	prev := span{cur.from.AddDate(0, 0, -windowDays), cur.from}
	byID := map[int64]*MemberWindow{}

	rows, err := tx.QueryContext(ctx, `SELECT id FROM members WHERE joined_on <= ? ORDER BY id`, dateStr(w.Day))
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		w.Members = append(w.Members, MemberWindow{ID: id})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range w.Members {
		byID[w.Members[i].ID] = &w.Members[i]
	}
	week := span{w.Day.AddDate(0, 0, -6), cur.to} // the overview's counts
	unreadable := map[int64]bool{}
	defer func() {
		for d := range unreadable {
			w.UnreadableDigests = append(w.UnreadableDigests, time.Unix(d, 0).UTC())
		}
		sort.Slice(w.UnreadableDigests, func(i, j int) bool { return w.UnreadableDigests[i].Before(w.UnreadableDigests[j]) })
	}()
	err = retryUnreadable(unreadable, func() (err error) {
		w.ActiveConsumers, err = windowUsage(ctx, tx, byID, cur, prev, week.from, unreadable)
		return err
	})
	if err != nil {
		return err
	}
	projectPairs, err := windowProjects(ctx, tx, byID, cur)
	if err != nil {
		return err
	}
	var sharedThreads map[[2]int64]int
	sharedThreads, w.ActiveContributors, err = windowCommunity(ctx, tx, byID, cur, prev, week.from, newInterner(), unreadable)
	if err != nil {
		return err
	}
	w.Pairs = windowPairs(byID, projectPairs, sharedThreads)
	return nil
}

// digestError is a day digest that could not be decoded.
type digestError struct {
	day int64
	err error
}

func (e *digestError) Error() string {
	return fmt.Sprintf("%v of %s", e.err, dateStr(time.Unix(e.day, 0).UTC()))
}
func (e *digestError) Unwrap() error { return e.err }

// retryUnreadable runs read, and runs it again whenever it meets a digest it
// cannot decode, with that day added to unreadable: read then reads the day
// from the source rows. A damaged derived blob costs time, never a window.
// read must start from scratch each time (it may have read part of a day).
func retryUnreadable(unreadable map[int64]bool, read func() error) error {
	for {
		err := read()
		var de *digestError
		if !errors.As(err, &de) || unreadable[de.day] {
			return err
		}
		unreadable[de.day] = true
	}
}

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

// scanInts runs a query returning one integer column and hands each value to fn.
func scanInts(ctx context.Context, tx *sql.Tx, q string, fn func(int64), args ...any) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return err
		}
		fn(v)
	}
	return rows.Err()
}

// scanCounts runs a query returning (member_id, count) rows and hands each
// count to set for a known member.
func scanCounts(ctx context.Context, tx *sql.Tx, byID map[int64]*MemberWindow, q string, set func(*MemberWindow, int64), args ...any) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		if m := byID[id]; m != nil {
			set(m, n)
		}
	}
	return rows.Err()
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// windowPairs joins the pair counts of projects and threads into pair
// records, for pairs of members both in the window, ordered by (A, B).
func windowPairs(byID map[int64]*MemberWindow, projects map[[2]int64]projectPairCounts, sharedThreads map[[2]int64]int) []PairWindow {
	pairs := map[[2]int64]*PairWindow{}
	get := func(k [2]int64) *PairWindow {
		if byID[k[0]] == nil || byID[k[1]] == nil {
			return nil
		}
		p := pairs[k]
		if p == nil {
			p = &PairWindow{A: k[0], B: k[1]}
			pairs[k] = p
		}
		return p
	}
	for k, c := range projects {
		if c.projects == 0 && c.milestones == 0 {
			continue
		}
		if p := get(k); p != nil {
			p.SharedProjects, p.SharedMilestones = c.projects, c.milestones
		}
	}
	for k, n := range sharedThreads {
		if p := get(k); p != nil {
			p.SharedThreads = n
		}
	}
	out := make([]PairWindow, 0, len(pairs))
	for _, p := range pairs {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].A != out[j].A {
			return out[i].A < out[j].A
		}
		return out[i].B < out[j].B
	})
	return out
}
