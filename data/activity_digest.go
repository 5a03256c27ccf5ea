package data

import (
	"context"
	"database/sql"
	"errors"
)

// An activity day digest packs one day's non-bot activities, with the
// fields the scoring window uses, into one blob (activity_day_digests). The
// window reads 56 days of activities: at 10k members 280k rows of the
// covering index, where decoding 56 blobs is far less work.
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

// encodeActivityDigest packs one day's activities, whose strings are ids of
// in (an interner of that day only: its table is the digest's).
func encodeActivityDigest(acts []windowActivity, in *interner) []byte {
	w := newBlob(activityDigestVersion, 16+len(acts)*12)
	w.uvarint(uint64(len(in.strs)))
	for _, s := range in.strs {
		w.run([]byte(s))
	}
	w.uvarint(uint64(len(acts)))
	var prev int64
	for i := range acts {
		a := &acts[i]
		w.uvarint(uint64(a.at - prev))
		prev = a.at
		w.uvarint(uint64(a.member))
		w.uvarint(uint64(a.person))
		for _, v := range [...]int32{a.source, a.actor, a.kind, a.thread} {
			w.uvarint(uint64(v))
		}
	}
	return w.bytes()
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
		s := r.run()
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

// buildActivityDay returns the digest of a day's activities (nil when it
// had none).
func buildActivityDay(ctx context.Context, tx *sql.Tx, day int64) ([]byte, error) {
	in := newInterner()
	acts, err := scanActivities(ctx, tx, day, day+86400, in, nil)
	if err != nil || len(acts) == 0 {
		return nil, err
	}
	return encodeActivityDigest(acts, in), nil
}

// scanActivities appends the non-bot activities in [from, to) to out in
// time order, read from the covering index activities_at.
func scanActivities(ctx context.Context, tx *sql.Tx, from, to int64, in *interner, out []windowActivity) ([]windowActivity, error) {
	rows, err := tx.QueryContext(ctx, `SELECT member_id, person_id, source, actor, kind, thread, at FROM activities
		WHERE at >= ? AND at < ? AND bot = FALSE ORDER BY at`, from, to)
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
