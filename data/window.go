package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// ScoringWindow measures the days [day-windowDays+1, day] (and the same span
// before it, for growth) for every member that had joined by day. All queries
// run in one read transaction: one consistent snapshot. The result depends
// only on the stored data and day, never on the wall clock.
func (db *DB) ScoringWindow(ctx context.Context, day time.Time, windowDays int) (*domain.Window, error) {
	if windowDays < 1 {
		return nil, domain.Errorf(domain.EINVALID, "scoring window must be at least one day, got %d", windowDays)
	}
	day = domain.Day(day)
	w := &domain.Window{Day: day, From: day.AddDate(0, 0, -(windowDays - 1))}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		return scoringWindow(ctx, tx, w, windowDays)
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to measure the window ending %s: %w", dateStr(day), err)
	}
	return w, nil
}

type span struct{ from, to time.Time } // [from, to)

func scoringWindow(ctx context.Context, tx *sql.Tx, w *domain.Window, windowDays int) error {
	cur := span{w.From, w.Day.AddDate(0, 0, 1)}
	prev := span{cur.from.AddDate(0, 0, -windowDays), cur.from}
	byID := map[int64]*domain.MemberWindow{}

	rows, err := tx.QueryContext(ctx, `SELECT id FROM members WHERE joined_on <= ? AND (archived_on IS NULL OR archived_on > ?) ORDER BY id`, dateStr(w.Day), dateStr(w.Day))
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		w.Members = append(w.Members, domain.MemberWindow{ID: id, Weeks: min(domain.MaxWeeks, 2*windowDays/7), LastCallDaysAgo: -1})
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
	// Reading happens in the transaction, on this goroutine; decoding the
	// digests and summing the usage (Go only) runs on other cores while the
	// transaction reads the projects. The sum only sets the members' usage
	// fields and decode only fills comm, which the project pass leaves.
	usage, err := readWindowUsage(ctx, tx, cur, prev, week.from, unreadable)
	if err != nil {
		return err
	}
	in := newInterner()
	comm, err := readCommunity(ctx, tx, cur, prev, in, unreadable)
	if err != nil {
		return err
	}
	usageDone, commDone := make(chan error, 1), make(chan error, 1)
	go func() {
		var err error
		w.ActiveConsumers, err = usage.sum(byID)
		usageDone <- err
	}()
	go func() { commDone <- comm.decode(in) }()
	projectPairs, err := windowProjects(ctx, tx, byID, cur)
	uerr, cerr := <-usageDone, <-commDone // joined before any return: they write to w and comm
	if err != nil {
		return err
	}
	// A digest that could not be decoded (nothing was set from it): the
	// pass again on this goroutine, that day read from its source rows.
	err = rereadUnreadable(unreadable, uerr, func() (err error) {
		w.ActiveConsumers, err = windowUsage(ctx, tx, byID, cur, prev, week.from, unreadable)
		return err
	})
	if err != nil {
		return err
	}
	err = rereadUnreadable(unreadable, cerr, func() (err error) {
		if comm, err = readCommunity(ctx, tx, cur, prev, in, unreadable); err != nil {
			return err
		}
		return comm.decode(in)
	})
	if err != nil {
		return err
	}
	sharedThreads, activeContributors, err := windowCommunity(ctx, tx, byID, cur.from.Unix(), week.from, in, comm)
	if err != nil {
		return err
	}
	w.ActiveContributors = activeContributors
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

// rereadUnreadable returns err, unless it is a digest that could not be
// decoded: then it marks the day unreadable and calls read again, and so on
// for each such day. read then reads the day from its source rows, and must
// start from scratch (it may have read part of a day). A damaged derived
// blob costs time, never a window.
func rereadUnreadable(unreadable map[int64]bool, err error, read func() error) error {
	for {
		var de *digestError
		if !errors.As(err, &de) || unreadable[de.day] {
			return err
		}
		unreadable[de.day] = true
		err = read()
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
func scanCounts(ctx context.Context, tx *sql.Tx, byID map[int64]*domain.MemberWindow, q string, set func(*domain.MemberWindow, int64), args ...any) error {
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
func windowPairs(byID map[int64]*domain.MemberWindow, projects map[[2]int64]projectPairCounts, sharedThreads map[[2]int64]int) []domain.PairWindow {
	pairs := map[[2]int64]*domain.PairWindow{}
	get := func(k [2]int64) *domain.PairWindow {
		if byID[k[0]] == nil || byID[k[1]] == nil {
			return nil
		}
		p := pairs[k]
		if p == nil {
			p = &domain.PairWindow{A: k[0], B: k[1]}
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
	out := make([]domain.PairWindow, 0, len(pairs))
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
