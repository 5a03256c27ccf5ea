package data

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// An activity day digest packs one day's non-bot activities, with the
// fields the scoring window uses, into one blob (activity_day_digests). The
// window reads 56 days of activities: at 10k members 280k rows of the
// covering index, about 0.6 s in SQLite, where decoding 56 blobs takes a few
// tens of milliseconds.
//
// It is derived data, kept honest by triggers on activities (migration
// 0013): any insert, update or delete of an activity deletes its day's
// digest and lists the day in activity_days_stale, in the same transaction.
// So a login rewritten by a privacy request never survives in a digest, and
// a reader that finds a day stale reads it from activities instead: the
// window is never wrong, only slower until the next refresh.
//
// Layout: a version byte; uvarint(strings) and each string as uvarint(len)
// and bytes; uvarint(activities) and per activity in time order:
// uvarint(at − previous at), uvarint(member), uvarint(person), then the
// string indexes of source, actor, kind and thread.
const activityDigestVersion = 1

var errCorruptActivityDigest = errors.New("store: corrupt activity day digest")

// activityDay is the day an activity at unix time at belongs to, as the
// triggers compute it (activities before 1970 are not a case we meet).
func activityDay(at int64) int64 { return at - at%86400 }

// encodeActivityDigest packs one day's activities, whose strings are ids of
// in (an interner of that day only: its table is the digest's).
func encodeActivityDigest(acts []windowActivity, in *interner) []byte {
	b := []byte{activityDigestVersion}
	b = binary.AppendUvarint(b, uint64(len(in.strs)))
	for _, s := range in.strs {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, uint64(len(acts)))
	var prev int64
	for i := range acts {
		a := &acts[i]
		b = binary.AppendUvarint(b, uint64(a.at-prev))
		prev = a.at
		b = binary.AppendUvarint(b, uint64(a.member))
		b = binary.AppendUvarint(b, uint64(a.person))
		for _, v := range [...]int32{a.source, a.actor, a.kind, a.thread} {
			b = binary.AppendUvarint(b, uint64(v))
		}
	}
	return b
}

// activityDigestReader reads a digest's string table, then its activities.
type activityDigestReader struct {
	blobReader
	strs uint64 // entries in the string table
}

// openActivityDigest reads up to the first activity, handing each string of
// the table to str (nil: skip them).
func openActivityDigest(b []byte, str func([]byte)) (activityDigestReader, uint64, error) {
	br, ok := openBlob(b, activityDigestVersion)
	r := activityDigestReader{blobReader: br}
	r.strs = r.count(1)
	for i := uint64(0); i < r.strs && !r.bad; i++ {
		s := r.bytes(r.uvarint())
		if str != nil && !r.bad {
			str(s)
		}
	}
	n := r.count(7) // an activity takes at least 7 bytes
	if !ok || r.bad {
		return r, 0, errCorruptActivityDigest
	}
	return r, n, nil
}

// ref reads a string index, checked against the table.
func (r *activityDigestReader) ref() uint64 {
	i := r.uvarint()
	if i >= r.strs {
		r.fail()
		return 0
	}
	return i
}

// decodeActivityDigest appends a digest's activities to out, their strings
// interned in in (each distinct string of the day looked up once).
func decodeActivityDigest(b []byte, in *interner, out []windowActivity) ([]windowActivity, error) {
	var local []int32
	r, n, err := openActivityDigest(b, func(s []byte) { local = append(local, in.idBytes(s)) })
	if err != nil {
		return out, err
	}
	var at int64
	for i := uint64(0); i < n; i++ {
		at += int64(r.uvarint())
		a := windowActivity{at: at, member: int64(r.uvarint()), person: int64(r.uvarint())}
		source, actor, kind, thread := r.ref(), r.ref(), r.ref(), r.ref()
		if r.bad {
			return out, errCorruptActivityDigest
		}
		a.source, a.actor, a.kind, a.thread = local[source], local[actor], local[kind], local[thread]
		out = append(out, a)
	}
	if !r.done() {
		return out, errCorruptActivityDigest
	}
	return out, nil
}

// countDigestMembers calls fn with the member (0: none) of each activity in a
// digest, without building its strings: the previous window needs only
// counts per member.
func countDigestMembers(b []byte, fn func(member int64)) error {
	r, n, err := openActivityDigest(b, nil)
	if err != nil {
		return err
	}
	for i := uint64(0); i < n; i++ {
		r.uvarint() // at
		member := int64(r.uvarint())
		r.uvarint() // person
		r.ref()     // source
		r.ref()     // actor
		r.ref()     // kind
		r.ref()     // thread
		if r.bad {
			return errCorruptActivityDigest
		}
		fn(member)
	}
	if !r.done() {
		return errCorruptActivityDigest
	}
	return nil
}

// RefreshActivityDays rebuilds the digest of every stale day, one
// transaction per day (a collector waits for one day at most), and returns
// how many it rebuilt. Housekeeping: what pages show does not change.
func (db *DB) RefreshActivityDays(ctx context.Context) (int, error) {
	var days []int64
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		return scanInts(ctx, tx, `SELECT day FROM activity_days_stale ORDER BY day`, func(d int64) { days = append(days, d) })
	})
	if err != nil {
		return 0, fmt.Errorf("store: unable to list stale activity days: %w", err)
	}
	done := 0
	for _, d := range days {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		if err := db.housekeepingTx(ctx, func(tx *sql.Tx) error { return refreshActivityDay(ctx, tx, d) }); err != nil {
			return done, fmt.Errorf("store: unable to digest the activities of %s: %w", dateStr(time.Unix(d, 0).UTC()), err)
		}
		done++
	}
	return done, nil
}

func refreshActivityDay(ctx context.Context, tx *sql.Tx, day int64) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM activity_days_stale WHERE day = ?`, day)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // refreshed by someone else meanwhile
	}
	in := newInterner()
	acts, err := scanActivities(ctx, tx, day, day+86400, in, nil)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM activity_day_digests WHERE day = ?`, day); err != nil {
		return err
	}
	if len(acts) == 0 {
		return nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO activity_day_digests (day, digest) VALUES (?, ?)`, day, encodeActivityDigest(acts, in))
	return err
}

// scanActivities appends the non-bot activities in [from, to) to out in
// time order, read from the covering index activities_at.
func scanActivities(ctx context.Context, tx *sql.Tx, from, to int64, in *interner, out []windowActivity) ([]windowActivity, error) {
	rows, err := tx.QueryContext(ctx, `SELECT member_id, person_id, source, actor, kind, thread, at FROM activities
		WHERE at >= ? AND at < ? AND bot = 0 ORDER BY at`, from, to)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	var member, person sql.NullInt64
	var source, actor, kind, thread sql.RawBytes
	for rows.Next() {
		var a windowActivity
		if err := rows.Scan(&member, &person, &source, &actor, &kind, &thread, &a.at); err != nil {
			return out, err
		}
		a.member, a.person = member.Int64, person.Int64
		a.source, a.actor, a.kind, a.thread = in.idBytes(source), in.idBytes(actor), in.idBytes(kind), in.idBytes(thread)
		out = append(out, a)
	}
	return out, rows.Err()
}

// communityReads is what the community pass reads in the window's
// transaction: digests still to decode (decode does it, Go only, so it can
// run beside the window's other reads) and the rows of stale days, read.
type communityReads struct {
	prevCounts  map[int64]int // activities per member in the previous window
	prevWeekly  map[int64]*[domain.MaxWeeks]int
	prevDigests []dayDigest // of the previous window, still to count
	end         int64       // the midnight after the window's last day
	segments    []activitySegment
	acts        []windowActivity // the window's, in time order, once decoded
}

// activitySegment is a day's digest to decode, or activities of stale days
// read from the table.
type activitySegment struct {
	digest dayDigest
	rows   []windowActivity
}

// readCommunity reads the previous window's and the window's activities
// (from and to are midnights), interning the strings of stale days' rows in
// in.
func readCommunity(ctx context.Context, tx *sql.Tx, cur, prev span, in *interner, unreadable map[int64]bool) (*communityReads, error) {
	r := &communityReads{prevCounts: map[int64]int{}, prevWeekly: map[int64]*[domain.MaxWeeks]int{}, end: cur.to.Unix()}
	err := walkActivityDays(ctx, tx, prev.from.Unix(), prev.to.Unix(), unreadable,
		func(day int64, b []byte) error { r.prevDigests = append(r.prevDigests, dayDigest{day, b}); return nil },
		func(from, to int64) error {
			rows, err := tx.QueryContext(ctx, `SELECT COALESCE(member_id, 0), at FROM activities WHERE at >= ? AND at < ? AND bot = 0`, from, to)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var member, at int64
				if err := rows.Scan(&member, &at); err != nil {
					return err
				}
				r.countPrev(member, at)
			}
			return rows.Err()
		})
	if err != nil {
		return nil, err
	}
	err = walkActivityDays(ctx, tx, cur.from.Unix(), cur.to.Unix(), unreadable,
		func(day int64, b []byte) error {
			r.segments = append(r.segments, activitySegment{digest: dayDigest{day, b}})
			return nil
		},
		func(from, to int64) error {
			rows, err := scanActivities(ctx, tx, from, to, in, nil)
			r.segments = append(r.segments, activitySegment{rows: rows})
			return err
		})
	return r, err
}

// decode counts the previous window's digests and decodes the window's, in
// order, interning their strings in in (which nothing else may use
// meanwhile). A digest that cannot be decoded gives a *digestError.
func (r *communityReads) decode(in *interner) error {
	for _, d := range r.prevDigests {
		if err := countDigestMembers(d.b, func(member int64) { r.countPrev(member, d.day) }); err != nil {
			return &digestError{day: d.day, err: err}
		}
	}
	for _, s := range r.segments {
		if s.digest.b == nil {
			r.acts = append(r.acts, s.rows...)
			continue
		}
		var err error
		if r.acts, err = decodeActivityDigest(s.digest.b, in, r.acts); err != nil {
			return &digestError{day: s.digest.day, err: err}
		}
	}
	return nil
}

// countPrev counts one activity of the previous window, at a time of its
// day, for its member and the member's week.
func (r *communityReads) countPrev(member, at int64) {
	r.prevCounts[member]++
	if w := weeksAgo(r.end, at); w >= 0 && w < domain.MaxWeeks {
		wk := r.prevWeekly[member]
		if wk == nil {
			wk = &[domain.MaxWeeks]int{}
			r.prevWeekly[member] = wk
		}
		wk[w]++
	}
}

// weeksAgo is the 7-day week of a time before end (a midnight): 0 for the
// last 7 days before it.
func weeksAgo(end, at int64) int {
	return int((end - 1 - at) / (7 * 86400))
}

// walkActivityDays visits [from, to) day by day in order: digest for each
// day that has a current one, stale for each run of days whose digest is
// stale (to be read from activities). Days with neither had no activity.
func walkActivityDays(ctx context.Context, tx *sql.Tx, from, to int64, unreadable map[int64]bool, digest func(day int64, b []byte) error, stale func(from, to int64) error) error {
	if from%86400 != 0 || to%86400 != 0 {
		return stale(from, to)
	}
	isStale := map[int64]bool{}
	for d := range unreadable {
		isStale[d] = true
	}
	if err := scanInts(ctx, tx, `SELECT day FROM activity_days_stale WHERE day >= ? AND day < ?`, func(d int64) { isStale[d] = true }, from, to); err != nil {
		return err
	}
	digests := map[int64][]byte{}
	rows, err := tx.QueryContext(ctx, `SELECT day, digest FROM activity_day_digests WHERE day >= ? AND day < ?`, from, to)
	if err != nil {
		return err
	}
	for rows.Next() {
		var day int64
		var b []byte
		if err := rows.Scan(&day, &b); err != nil {
			rows.Close()
			return err
		}
		if !isStale[day] {
			digests[day] = b
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for d := from; d < to; {
		if b, ok := digests[d]; ok {
			if err := digest(d, b); err != nil {
				return err
			}
			d += 86400
			continue
		}
		if !isStale[d] {
			d += 86400
			continue
		}
		end := d + 86400
		for end < to && isStale[end] {
			end += 86400
		}
		if err := stale(d, end); err != nil {
			return err
		}
		d = end
	}
	return nil
}
