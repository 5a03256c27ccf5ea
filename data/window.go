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
// only on the stored data and day, never on the wall clock. It reads the
// day digests where they are current (derived.go).
func (db *DB) ScoringWindow(ctx context.Context, day time.Time, windowDays int) (*domain.Window, error) {
	return db.scoringWindowFrom(ctx, day, windowDays, newDayDigests())
}

// scoringWindowFrom is ScoringWindow reading the window's days through src.
func (db *DB) scoringWindowFrom(ctx context.Context, day time.Time, windowDays int, src windowInputs) (*domain.Window, error) {
	if windowDays < 1 {
		return nil, domain.Errorf(domain.EINVALID, "scoring window must be at least one day, got %d", windowDays)
	}
	day = domain.Day(day)
	w := &domain.Window{Day: day, From: day.AddDate(0, 0, -(windowDays - 1))}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		return scoringWindow(ctx, tx, w, windowDays, src)
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to measure the window ending %s: %w", dateStr(day), err)
	}
	return w, nil
}

type span struct{ from, to time.Time } // [from, to)

func scoringWindow(ctx context.Context, tx *sql.Tx, w *domain.Window, windowDays int, src windowInputs) error {
	cur := span{w.From, w.Day.AddDate(0, 0, 1)}
	prev := span{cur.from.AddDate(0, 0, -windowDays), cur.from}
	byID, err := windowMembers(ctx, tx, w, windowDays)
	if err != nil {
		return err
	}
	week := span{w.Day.AddDate(0, 0, -6), cur.to} // the overview's counts
	in := newInterner()
	reads, err := readDays(ctx, tx, src, cur, prev, week.from, in)
	if err != nil {
		return err
	}
	wait := reads.decodeBeside(in)
	projectPairs, err := windowProjects(ctx, tx, byID, cur)
	derr := wait() // joined before any return: decoding writes to reads
	if err != nil {
		return err
	}
	reads, err = rereadUnreadable(reads, derr, src, func() (*dayReads, error) {
		return readDays(ctx, tx, src, cur, prev, week.from, in)
	}, in)
	w.UnreadableDigests = src.distrusted()
	if err != nil {
		return err
	}
	w.ActiveConsumers = reads.usage.apply(byID)
	sharedThreads, activeContributors, err := windowCommunity(ctx, tx, byID, cur.from.Unix(), week.from, in, reads.comm)
	if err != nil {
		return err
	}
	w.ActiveContributors = activeContributors
	w.Pairs = windowPairs(byID, projectPairs, sharedThreads)
	return nil
}

// windowMembers lists in w the members that had joined by its day and were
// not archived on it, and returns them by id.
func windowMembers(ctx context.Context, tx *sql.Tx, w *domain.Window, windowDays int) (map[int64]*domain.MemberWindow, error) {
	err := scanInts(ctx, tx, `SELECT id FROM members WHERE joined_on <= ? AND (archived_on IS NULL OR archived_on > ?) ORDER BY id`, func(id int64) {
		w.Members = append(w.Members, domain.MemberWindow{ID: id, Weeks: min(domain.MaxWeeks, 2*windowDays/7), LastCallDaysAgo: -1})
	}, dateStr(w.Day), dateStr(w.Day))
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*domain.MemberWindow, len(w.Members))
	for i := range w.Members {
		byID[w.Members[i].ID] = &w.Members[i]
	}
	return byID, nil
}

// rereadUnreadable returns reads, unless err is a digest that could not be
// decoded: then src distrusts that day, read reads the days again (that
// one from its source rows) and they are decoded on this goroutine, and so
// on for each such day. A damaged derived blob costs time, never a window.
func rereadUnreadable(reads *dayReads, err error, src windowInputs, read func() (*dayReads, error), in *interner) (*dayReads, error) {
	for {
		var de *digestError
		if !errors.As(err, &de) || !src.distrust(de.day) {
			return reads, err
		}
		if reads, err = read(); err != nil {
			return nil, err
		}
		err = reads.decode(in)
	}
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
