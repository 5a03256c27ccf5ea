package data

// Derived data: the one seam between the scoring window and what it sums.
//
// The scoring window (window.go) sums, for every member, 56 days of API usage
// and of community activity. Read from their source rows (api_usage_daily,
// activities) that is some 840k rows at 10k members, over a second in
// SQLite's row machinery; so the store also keeps, per day and kind, one
// digest: a blob of that day's rows with the fields the window uses
// (usage_digest.go, activity_digest.go). The digests are derived data: the
// source rows stay the truth, and the window must give the same result
// whichever it reads.
//
// Everything about them sits behind three things in this package:
//
//   - windowInputs, how the window reads its days. sourceRows
//     (derived_source.go) is the reference implementation, from the source
//     rows only; dayDigests (derived_digests.go) reads a day's digest when
//     it is current and the source rows otherwise (a stale day, or a digest
//     it cannot decode). TestDerivedEqualsSourceRows holds them equal. A
//     second store backend implements windowInputs with plain SQL
//     aggregates (sourceRows is the model) and needs no digests at all.
//   - digestKind (below), the one stale/refresh API: each kind has a digest
//     table and a table of stale days. Every write to a source row marks its
//     day stale in the same transaction (usage: markStale, from the usage
//     writes; activities: the triggers of migration 0013, so that no path
//     that rewrites an activity, such as a privacy request, can leave a
//     digest behind; since 0023 they lock the mark as markStale does). A
//     stale day's digest is never read; refresh rebuilds the digest of
//     each stale day, one transaction per day.
//   - the codec (derived_codec.go): every blob is a version byte and
//     varints, written by blobWriter and read by blobReader, so that a blob
//     a reader cannot decode (damage, an unknown version) fails alike
//     everywhere and costs time, never a window: that day is read from its
//     source rows and listed in Window.UnreadableDigests for the scorer to
//     mark stale.
//
// The window's decoding runs beside its reads of the project tables
// (dayReads.decodeBeside): decoding touches only the dayReads, never the
// transaction or the members, and is joined before either is used again.
//
// # Adding a scoring input
//
//  1. Add the field to domain.MemberWindow (or PairWindow) and use it in
//     metrics; say in its comment what it counts.
//  2. If it comes from tables the window reads whole each time (projects,
//     milestones, members), measure it there (window_projects.go): no
//     derived data is involved, stop here after step 7.
//  3. Otherwise measure it in the pass that owns its source rows: the usage
//     pass (window_usage.go, consumer days) or the community pass
//     (window_community.go, activities). Read it in sourceRows first, from
//     the source rows: that is the definition.
//  4. If the digest lacks the field, add it to the digest's encoder and
//     decoder, bump the kind's version (usageDigestVersion,
//     activityDigestVersion) and add a migration (next free number) that
//     lists every day of the kind as stale (INSERT INTO …_stale SELECT
//     DISTINCT … ON CONFLICT DO NOTHING), so that the first scoring rebuilds them all
//     instead of meeting unreadable digests day by day.
//  5. A new source table needs a new digestKind (digest and stale tables in
//     a migration) and must mark its days stale on every write: markStale
//     in the writing transaction, or triggers when many paths write it.
//     Add the kind to digestKinds.
//  6. Extend the codec's round-trip and damage tests (usage_digest_test.go,
//     activity_digest_test.go) and make sure the demo seed or gendata
//     produces the input, so that TestDerivedEqualsSourceRows compares it.
//  7. Time a day's scoring before and after (scripts/bench/scoretime on a
//     gendata database) and record it in BENCHMARKS.md.

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// windowInputs reads the days of a scoring window. Days are midnights in
// Unix seconds; [from, to) spans whole days.
type windowInputs interface {
	// readUsage adds each consumer's API usage of each day of [from, to)
	// to u (u.addRow for rows, u.digests for digests still to decode).
	readUsage(ctx context.Context, tx *sql.Tx, from, to int64, u *usagePass) error
	// readPreviousActivities counts the non-bot activities of [from, to)
	// per member and week in r (the window before: counts only).
	readPreviousActivities(ctx context.Context, tx *sql.Tx, from, to int64, r *communityReads) error
	// readActivities adds the non-bot activities of [from, to), in time
	// order, to r, their strings interned in in.
	readActivities(ctx context.Context, tx *sql.Tx, from, to int64, in *interner, r *communityReads) error
	// distrust is told that the derived data of day could not be decoded:
	// later reads take that day from its source rows. It returns false when
	// the day was read from source rows already (the error is not the
	// derived data's: give up).
	distrust(day int64) bool
	// distrusted lists the days distrust was told of, in order.
	distrusted() []time.Time
}

// digestKind is one kind of day digest: its table of digests, its table of
// stale days, and how a day's digest is built from the source rows.
type digestKind struct {
	name    string // in errors and logs
	digests string // table (day, digest)
	stale   string // table (day): days whose digest must not be read
	// dropOnStale deletes a day's digest when it is marked stale, as the
	// activity triggers do: an activity digest holds logins, which a
	// privacy request rewrites, and must not outlive them.
	dropOnStale bool
	// build returns the day's digest from its source rows in tx (nil: the
	// day has none), after rebuilding whatever else the kind derives.
	build func(ctx context.Context, tx *sql.Tx, day int64) ([]byte, error)
}

// The kinds of day digests. A usage day also derives its usage_hour_totals
// (the API pages' hourly sums, read with the same stale list), rebuilt with
// its digest.
var (
	usageDays = &digestKind{name: "usage", digests: "usage_day_digests", stale: "usage_days_stale",
		build: buildUsageDay}
	activityDays = &digestKind{name: "activity", digests: "activity_day_digests", stale: "activity_days_stale",
		dropOnStale: true, build: buildActivityDay}
	digestKinds = []*digestKind{usageDays, activityDays}
)

// markStale records in tx that the source rows of days changed.
//
// A day already stale has its mark updated, not left alone: the update
// locks the mark until tx ends, and a refresh of the day, which deletes the
// mark before it reads the source rows, waits for tx and then reads what tx
// committed. A mark left alone takes no lock, and a refresh running beside
// (another process, on PostgreSQL) could delete it, read the rows without
// tx's and store that digest as current for good. A mark the refresh has
// already deleted is inserted again once the refresh commits (the insert
// waits on the deleted key), so the day is rebuilt once more. The days go
// in order, so that two writers lock their marks in the same order.
func (k *digestKind) markStale(ctx context.Context, tx *sql.Tx, days map[int64]struct{}) error {
	for _, d := range slices.Sorted(maps.Keys(days)) {
		if k.dropOnStale {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+k.digests+` WHERE day = ?`, d); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+k.stale+` (day) VALUES (?) ON CONFLICT (day) DO UPDATE SET day = excluded.day`, d); err != nil {
			return err
		}
	}
	return nil
}

// staleDays hands fn each stale day in [from, to) (every one when to is 0).
func (k *digestKind) staleDays(ctx context.Context, tx *sql.Tx, from, to int64, fn func(day int64)) error {
	if to == 0 {
		return scanInts(ctx, tx, `SELECT day FROM `+k.stale+` ORDER BY day`, fn)
	}
	return scanInts(ctx, tx, `SELECT day FROM `+k.stale+` WHERE day >= ? AND day < ?`, fn, from, to)
}

// currentDigests returns the digests of [from, to) whose days are not in
// stale, in no particular order.
func (k *digestKind) currentDigests(ctx context.Context, tx *sql.Tx, from, to int64, stale map[int64]bool) ([]dayDigest, error) {
	rows, err := tx.QueryContext(ctx, `SELECT day, digest FROM `+k.digests+` WHERE day >= ? AND day < ?`, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []dayDigest
	for rows.Next() {
		var d dayDigest
		if err := rows.Scan(&d.day, &d.b); err != nil {
			return nil, err
		}
		if !stale[d.day] {
			out = append(out, d)
		}
	}
	return out, rows.Err()
}

// refresh rebuilds the digest of every stale day, one transaction per day
// so that a collector waits for one day at most, and returns how many it
// rebuilt. Housekeeping: what pages show does not change, so caches stay.
func (k *digestKind) refresh(ctx context.Context, db *DB) (int, error) {
	var days []int64
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		return k.staleDays(ctx, tx, 0, 0, func(d int64) { days = append(days, d) })
	})
	if err != nil {
		return 0, fmt.Errorf("store: unable to list stale %s days: %w", k.name, err)
	}
	done := 0
	for _, d := range days {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		if err := db.housekeepingTx(ctx, func(tx *sql.Tx) error { return k.refreshDay(ctx, tx, d) }); err != nil {
			return done, fmt.Errorf("store: unable to digest the %s of %s: %w", k.name, dateStr(time.Unix(d, 0).UTC()), err)
		}
		done++
	}
	return done, nil
}

// refreshDay rebuilds one stale day's digest. Its mark goes first: deleting
// it waits for any writer that marked the day and has not committed yet
// (markStale), and each statement after it reads what was committed before
// it (a write transaction is READ COMMITTED on PostgreSQL; SQLite has one
// writer), so the digest holds every write whose mark it deleted. A write
// committing later marks the day again.
func (k *digestKind) refreshDay(ctx context.Context, tx *sql.Tx, day int64) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM `+k.stale+` WHERE day = ?`, day)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // refreshed by someone else meanwhile
	}
	b, err := k.build(ctx, tx, day)
	if err != nil {
		return err
	}
	if b == nil {
		_, err = tx.ExecContext(ctx, `DELETE FROM `+k.digests+` WHERE day = ?`, day)
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO `+k.digests+` (day, digest) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET digest = excluded.digest`, day, b)
	return err
}

// RefreshUsageDays rebuilds the usage digest (and hour totals) of every
// stale day and returns how many days it rebuilt.
func (db *DB) RefreshUsageDays(ctx context.Context) (int, error) { return usageDays.refresh(ctx, db) }

// RefreshActivityDays rebuilds the activity digest of every stale day and
// returns how many days it rebuilt.
func (db *DB) RefreshActivityDays(ctx context.Context) (int, error) {
	return activityDays.refresh(ctx, db)
}

// InvalidateDay marks day's digests of every kind stale, as writes to its
// source rows do: the scorer's way to rebuild a digest it could not read,
// and the benchmarks' to time the daily refresh.
func (db *DB) InvalidateDay(ctx context.Context, day time.Time) error {
	d := map[int64]struct{}{domain.Day(day).Unix(): {}}
	err := db.housekeepingTx(ctx, func(tx *sql.Tx) error {
		for _, k := range digestKinds {
			if err := k.markStale(ctx, tx, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: unable to mark the digests of %s stale: %w", dateStr(domain.Day(day)), err)
	}
	return nil
}

// StaleInputDays returns the days whose source rows changed since their
// digests were last built, of any kind: an import, a late collection, a
// repair. The scorer reads them before it rebuilds the digests, so that it
// can mark the days whose scores they change.
func (db *DB) StaleInputDays(ctx context.Context) ([]time.Time, error) {
	selects := make([]string, len(digestKinds))
	for i, k := range digestKinds {
		selects[i] = `SELECT day FROM ` + k.stale
	}
	var out []time.Time
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		return scanInts(ctx, tx, strings.Join(selects, ` UNION `)+` ORDER BY 1`,
			func(d int64) { out = append(out, time.Unix(d, 0).UTC()) })
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to list days with new inputs: %w", err)
	}
	return out, nil
}

// dayDigest is one day's digest, as read.
type dayDigest struct {
	day int64
	b   []byte
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
