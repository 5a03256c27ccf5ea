package data

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
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
	Engaged            int     // distinct people outside the member who took part in its threads
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
	for _, step := range []func(context.Context, *sql.Tx, map[int64]*MemberWindow, span, span) error{
		windowUsage, windowProjects, windowCommunity,
	} {
		if err := step(ctx, tx, byID, cur, prev); err != nil {
			return err
		}
	}
	pairs, err := windowPairs(ctx, tx, byID, cur)
	if err != nil {
		return err
	}
	w.Pairs = pairs
	week := span{w.Day.AddDate(0, 0, -6), cur.to}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(DISTINCT consumer_id) FROM api_usage_daily WHERE bucket >= ? AND bucket < ? AND calls > 0`,
		week.from.Unix(), week.to.Unix()).Scan(&w.ActiveConsumers); err != nil {
		return err
	}
	return tx.QueryRowContext(ctx, `SELECT COUNT(DISTINCT COALESCE(CAST(person_id AS TEXT), source || ':' || actor)) FROM activities
		WHERE at >= ? AND at < ? AND bot = 0`, week.from.Unix(), week.to.Unix()).Scan(&w.ActiveContributors)
}

func windowUsage(ctx context.Context, tx *sql.Tx, byID map[int64]*MemberWindow, cur, prev span) error {
	totals := map[int64]*UsageTotals{}
	rows, err := tx.QueryContext(ctx, `SELECT c.member_id, u.status_class, SUM(u.calls), SUM(u.bytes), `+histSums+`
		FROM api_usage_daily u JOIN api_consumers c ON c.id = u.consumer_id
		WHERE u.bucket >= ? AND u.bucket < ? AND c.member_id IS NOT NULL
		GROUP BY c.member_id, u.status_class`, cur.from.Unix(), cur.to.Unix())
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var class int
		var calls, bytes int64
		var h Histogram
		dest := []any{&id, &class, &calls, &bytes}
		for k := range h {
			dest = append(dest, &h[k])
		}
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return err
		}
		t := totals[id]
		if t == nil {
			t = &UsageTotals{}
			totals[id] = t
		}
		t.add(class, calls, bytes, &h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for id, t := range totals {
		if m := byID[id]; m != nil {
			m.Calls, m.Errors4xx, m.Errors5xx = t.Calls, t.Errors4xx, t.Errors5xx
			m.LatencyP95MS = t.Latency.Quantile(0.95)
		}
	}
	if err := scanCounts(ctx, tx, byID, `SELECT c.member_id, COUNT(DISTINCT u.consumer_id)
		FROM api_usage_daily u JOIN api_consumers c ON c.id = u.consumer_id
		WHERE u.bucket >= ? AND u.bucket < ? AND c.member_id IS NOT NULL AND u.calls > 0
		GROUP BY c.member_id`, func(m *MemberWindow, n int64) { m.Consumers = int(n) }, cur.from.Unix(), cur.to.Unix()); err != nil {
		return err
	}
	return scanCounts(ctx, tx, byID, `SELECT c.member_id, SUM(u.calls)
		FROM api_usage_daily u JOIN api_consumers c ON c.id = u.consumer_id
		WHERE u.bucket >= ? AND u.bucket < ? AND c.member_id IS NOT NULL
		GROUP BY c.member_id`, func(m *MemberWindow, n int64) { m.PrevCalls = n }, prev.from.Unix(), prev.to.Unix())
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

func windowProjects(ctx context.Context, tx *sql.Tx, byID map[int64]*MemberWindow, cur, _ span) error {
	from, last := dateStr(cur.from), dateStr(cur.to.AddDate(0, 0, -1))
	const active = `p.status <> 'cancelled' AND p.start_on <= ? AND (p.end_on IS NULL OR p.end_on >= ?)`
	if err := scanCounts(ctx, tx, byID, `SELECT pp.member_id, COUNT(*) FROM project_parties pp JOIN projects p ON p.id = pp.project_id
		WHERE `+active+` GROUP BY pp.member_id`,
		func(m *MemberWindow, n int64) { m.ActiveProjects = int(n) }, last, from); err != nil {
		return err
	}
	// Milestones seen as of the window's last day: one done later is still open.
	rows, err := tx.QueryContext(ctx, `SELECT pp.member_id,
		SUM(CASE WHEN ms.due_on >= ? AND ms.due_on <= ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN ms.due_on >= ? AND ms.due_on <= ? AND ms.done_on IS NOT NULL AND ms.done_on <= ms.due_on THEN 1 ELSE 0 END),
		SUM(CASE WHEN ms.done_on >= ? AND ms.done_on <= ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN ms.due_on < ? AND (ms.done_on IS NULL OR ms.done_on > ?) THEN 1 ELSE 0 END)
		FROM milestones ms JOIN projects p ON p.id = ms.project_id JOIN project_parties pp ON pp.project_id = p.id
		WHERE p.status <> 'cancelled'
		GROUP BY pp.member_id`, from, last, from, last, from, last, last, last)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var due, onTime, done, overdue int
		if err := rows.Scan(&id, &due, &onTime, &done, &overdue); err != nil {
			return err
		}
		if m := byID[id]; m != nil {
			m.MilestonesDue, m.MilestonesOnTime, m.MilestonesDelivered, m.MilestonesOverdue = due, onTime, done, overdue
		}
	}
	return rows.Err()
}

func windowCommunity(ctx context.Context, tx *sql.Tx, byID map[int64]*MemberWindow, cur, prev span) error {
	from, to := cur.from.Unix(), cur.to.Unix()
	if err := scanCounts(ctx, tx, byID, `SELECT member_id, COUNT(*) FROM activities
		WHERE at >= ? AND at < ? AND member_id IS NOT NULL AND bot = 0 GROUP BY member_id`,
		func(m *MemberWindow, n int64) { m.Contributions = int(n) }, from, to); err != nil {
		return err
	}
	if err := scanCounts(ctx, tx, byID, `SELECT member_id, COUNT(*) FROM activities
		WHERE at >= ? AND at < ? AND member_id IS NOT NULL AND bot = 0 GROUP BY member_id`,
		func(m *MemberWindow, n int64) { m.PrevContributions = int(n) }, prev.from.Unix(), prev.to.Unix()); err != nil {
		return err
	}
	if err := scanCounts(ctx, tx, byID, `SELECT member_id, COUNT(DISTINCT COALESCE(CAST(person_id AS TEXT), source || ':' || actor)) FROM activities
		WHERE at >= ? AND at < ? AND member_id IS NOT NULL AND bot = 0 GROUP BY member_id`,
		func(m *MemberWindow, n int64) { m.ActiveContributors = int(n) }, from, to); err != nil {
		return err
	}
	// People from outside the member who took part, in the window, in threads
	// the member's people opened (at any time before the window's end).
	if err := scanCounts(ctx, tx, byID, `SELECT o.member_id, COUNT(DISTINCT r.source || ':' || r.actor)
		FROM activities o JOIN activities r ON r.thread = o.thread AND r.actor <> o.actor
		WHERE o.kind IN ('thread_opened', 'pr_opened') AND o.member_id IS NOT NULL AND o.bot = 0 AND o.thread <> '' AND o.at < ?
		  AND r.at >= ? AND r.at < ? AND r.bot = 0 AND (r.member_id IS NULL OR r.member_id <> o.member_id)
		GROUP BY o.member_id`,
		func(m *MemberWindow, n int64) { m.Engaged = int(n) }, to, from, to); err != nil {
		return err
	}
	// Threads opened in the window and their first response by someone else.
	rows, err := tx.QueryContext(ctx, `SELECT o.member_id, o.at, MIN(r.at)
		FROM activities o LEFT JOIN activities r ON r.thread = o.thread AND r.actor <> o.actor AND r.bot = 0
		     AND r.kind IN ('reply', 'review', 'pr_merged') AND r.at >= o.at AND r.at < ?
		WHERE o.kind IN ('thread_opened', 'pr_opened') AND o.member_id IS NOT NULL AND o.bot = 0 AND o.thread <> ''
		  AND o.at >= ? AND o.at < ?
		GROUP BY o.id, o.member_id, o.at`, to, from, to)
	if err != nil {
		return err
	}
	defer rows.Close()
	waits := map[int64][]float64{}
	for rows.Next() {
		var id, opened int64
		var first sql.NullInt64
		if err := rows.Scan(&id, &opened, &first); err != nil {
			return err
		}
		m := byID[id]
		if m == nil {
			continue
		}
		m.Threads++
		if first.Valid {
			m.Responded++
			waits[id] = append(waits[id], float64(first.Int64-opened)/3600)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for id, ws := range waits {
		byID[id].FirstResponseHours = median(ws)
	}
	return nil
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

func windowPairs(ctx context.Context, tx *sql.Tx, byID map[int64]*MemberWindow, cur span) ([]PairWindow, error) {
	from, last := dateStr(cur.from), dateStr(cur.to.AddDate(0, 0, -1))
	pairs := map[[2]int64]*PairWindow{}
	add := func(q string, set func(*PairWindow, int), args ...any) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a, b int64
			var n int
			if err := rows.Scan(&a, &b, &n); err != nil {
				return err
			}
			if byID[a] == nil || byID[b] == nil {
				continue
			}
			k := [2]int64{a, b}
			p := pairs[k]
			if p == nil {
				p = &PairWindow{A: a, B: b}
				pairs[k] = p
			}
			set(p, n)
		}
		return rows.Err()
	}
	const active = `p.status <> 'cancelled' AND p.start_on <= ? AND (p.end_on IS NULL OR p.end_on >= ?)`
	if err := add(`SELECT x.member_id, y.member_id, COUNT(*) FROM project_parties x
		JOIN project_parties y ON y.project_id = x.project_id AND x.member_id < y.member_id
		JOIN projects p ON p.id = x.project_id WHERE `+active+` GROUP BY x.member_id, y.member_id`,
		func(p *PairWindow, n int) { p.SharedProjects = n }, last, from); err != nil {
		return nil, err
	}
	if err := add(`SELECT x.member_id, y.member_id, COUNT(*) FROM milestones ms
		JOIN projects p ON p.id = ms.project_id
		JOIN project_parties x ON x.project_id = p.id JOIN project_parties y ON y.project_id = p.id AND x.member_id < y.member_id
		WHERE p.status <> 'cancelled' AND ms.done_on >= ? AND ms.done_on <= ? GROUP BY x.member_id, y.member_id`,
		func(p *PairWindow, n int) { p.SharedMilestones = n }, from, last); err != nil {
		return nil, err
	}
	if err := add(`WITH tm AS (SELECT DISTINCT thread, member_id FROM activities
		WHERE at >= ? AND at < ? AND member_id IS NOT NULL AND bot = 0 AND thread <> '')
		SELECT x.member_id, y.member_id, COUNT(*) FROM tm x JOIN tm y ON y.thread = x.thread AND x.member_id < y.member_id
		GROUP BY x.member_id, y.member_id`,
		func(p *PairWindow, n int) { p.SharedThreads = n }, cur.from.Unix(), cur.to.Unix()); err != nil {
		return nil, err
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
	return out, nil
}
