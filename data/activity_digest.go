package data

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
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

// decodeActivityDigest appends a digest's activities to out, their strings
// interned in in (each distinct string of the day looked up once).
func decodeActivityDigest(b []byte, in *interner, out []windowActivity) ([]windowActivity, error) {
	if len(b) == 0 || b[0] != activityDigestVersion {
		return out, errCorruptActivityDigest
	}
	b = b[1:]
	bad := false
	uv := func() uint64 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			bad = true
			b = nil
			return 0
		}
		b = b[n:]
		return v
	}
	ns := uv()
	if bad || ns > uint64(len(b)) {
		return out, errCorruptActivityDigest
	}
	local := make([]int32, ns)
	for i := range local {
		n := uv()
		if bad || n > uint64(len(b)) {
			return out, errCorruptActivityDigest
		}
		local[i] = in.idBytes(b[:n])
		b = b[n:]
	}
	str := func() int32 {
		i := uv()
		if i >= uint64(len(local)) {
			bad = true
			return 0
		}
		return local[i]
	}
	na := uv()
	if bad || na > uint64(len(b)) {
		return out, errCorruptActivityDigest
	}
	var at int64
	for i := uint64(0); i < na; i++ {
		at += int64(uv())
		a := windowActivity{at: at, member: int64(uv()), person: int64(uv())}
		a.source, a.actor, a.kind, a.thread = str(), str(), str(), str()
		if bad {
			return out, errCorruptActivityDigest
		}
		out = append(out, a)
	}
	if len(b) != 0 {
		return out, errCorruptActivityDigest
	}
	return out, nil
}

// countDigestMembers calls fn with the member (0: none) of each activity in a
// digest, without building its strings: the previous window needs only
// counts per member.
func countDigestMembers(b []byte, fn func(member int64)) error {
	if len(b) == 0 || b[0] != activityDigestVersion {
		return errCorruptActivityDigest
	}
	b = b[1:]
	bad := false
	uv := func() uint64 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			bad = true
			b = nil
			return 0
		}
		b = b[n:]
		return v
	}
	ns := uv()
	for i := uint64(0); i < ns && !bad; i++ {
		n := uv()
		if n > uint64(len(b)) {
			return errCorruptActivityDigest
		}
		b = b[n:]
	}
	na := uv()
	for i := uint64(0); i < na && !bad; i++ {
		uv() // at
		member := int64(uv())
		for j := 0; j < 5; j++ { // person, source, actor, kind, thread
			if v := uv(); j > 0 && v >= ns {
				bad = true
			}
		}
		if !bad {
			fn(member)
		}
	}
	if bad || len(b) != 0 {
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

// readWindowActivities returns the non-bot activities in [from, to) in time
// order (from and to are midnights): from the digests, and from activities
// for the days whose digest is stale.
func readWindowActivities(ctx context.Context, tx *sql.Tx, from, to int64, in *interner) ([]windowActivity, error) {
	var out []windowActivity
	err := walkActivityDays(ctx, tx, from, to,
		func(digest []byte) (err error) { out, err = decodeActivityDigest(digest, in, out); return err },
		func(from, to int64) (err error) { out, err = scanActivities(ctx, tx, from, to, in, out); return err })
	return out, err
}

// walkActivityDays visits [from, to) day by day in order: digest for each
// day that has a current one, stale for each run of days whose digest is
// stale (to be read from activities). Days with neither had no activity.
func walkActivityDays(ctx context.Context, tx *sql.Tx, from, to int64, digest func([]byte) error, stale func(from, to int64) error) error {
	if from%86400 != 0 || to%86400 != 0 {
		return stale(from, to)
	}
	isStale := map[int64]bool{}
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
			if err := digest(b); err != nil {
				return fmt.Errorf("%w of %s", err, dateStr(time.Unix(d, 0).UTC()))
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
