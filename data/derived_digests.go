package data

import (
	"context"
	"database/sql"
	"slices"
	"time"
)

// dayDigests is the windowInputs of the SQLite store: each day from its
// digest when the digest is current, from its source rows (sourceRows)
// when the day is stale or its digest could not be decoded. Reading 56
// digests costs a few tens of milliseconds where their rows cost a second
// (BENCHMARKS.md). The digests are only read here (in the transaction);
// decoding them is dayReads.decode's, off the transaction.
type dayDigests struct {
	unreadable map[int64]bool // days whose digests could not be decoded
}

func newDayDigests() *dayDigests { return &dayDigests{unreadable: map[int64]bool{}} }

func (d *dayDigests) distrust(day int64) bool {
	if d.unreadable[day] {
		return false
	}
	d.unreadable[day] = true
	return true
}

func (d *dayDigests) distrusted() []time.Time {
	var out []time.Time
	for day := range d.unreadable {
		out = append(out, time.Unix(day, 0).UTC())
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// staleIn returns the days of [from, to) not to be read from k's digests.
func (d *dayDigests) staleIn(ctx context.Context, tx *sql.Tx, k *digestKind, from, to int64) (map[int64]bool, error) {
	stale := map[int64]bool{}
	for day := range d.unreadable {
		if day >= from && day < to {
			stale[day] = true
		}
	}
	err := k.staleDays(ctx, tx, from, to, func(day int64) { stale[day] = true })
	return stale, err
}

func (d *dayDigests) readUsage(ctx context.Context, tx *sql.Tx, from, to int64, u *usagePass) error {
	stale, err := d.staleIn(ctx, tx, usageDays, from, to)
	if err != nil {
		return err
	}
	digests, err := usageDays.currentDigests(ctx, tx, from, to, stale)
	if err != nil {
		return err
	}
	u.digests = append(u.digests, digests...)
	days := make([]int64, 0, len(stale))
	for day := range stale {
		days = append(days, day)
	}
	slices.Sort(days)
	return sourceRows{}.readUsageDays(ctx, tx, days, u)
}

func (d *dayDigests) readPreviousActivities(ctx context.Context, tx *sql.Tx, from, to int64, r *communityReads) error {
	return d.walkActivityDays(ctx, tx, from, to,
		func(day dayDigest) { r.prevDigests = append(r.prevDigests, day) },
		func(from, to int64) error { return sourceRows{}.readPreviousActivities(ctx, tx, from, to, r) })
}

func (d *dayDigests) readActivities(ctx context.Context, tx *sql.Tx, from, to int64, in *interner, r *communityReads) error {
	return d.walkActivityDays(ctx, tx, from, to,
		func(day dayDigest) { r.segments = append(r.segments, activitySegment{digest: day}) },
		func(from, to int64) error { return sourceRows{}.readActivities(ctx, tx, from, to, in, r) })
}

// walkActivityDays visits [from, to) day by day in order: digest for each
// day that has a current one, rows for each run of days to read from
// activities. Days with neither had no activity.
func (d *dayDigests) walkActivityDays(ctx context.Context, tx *sql.Tx, from, to int64, digest func(dayDigest), rows func(from, to int64) error) error {
	if from%86400 != 0 || to%86400 != 0 {
		return rows(from, to)
	}
	stale, err := d.staleIn(ctx, tx, activityDays, from, to)
	if err != nil {
		return err
	}
	current, err := activityDays.currentDigests(ctx, tx, from, to, stale)
	if err != nil {
		return err
	}
	digests := make(map[int64][]byte, len(current))
	for _, c := range current {
		digests[c.day] = c.b
	}
	for day := from; day < to; {
		if b, ok := digests[day]; ok {
			digest(dayDigest{day, b})
			day += 86400
			continue
		}
		if !stale[day] {
			day += 86400
			continue
		}
		end := day + 86400
		for end < to && stale[end] {
			end += 86400
		}
		if err := rows(day, end); err != nil {
			return err
		}
		day = end
	}
	return nil
}
