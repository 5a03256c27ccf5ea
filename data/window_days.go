package data

import (
	"context"
	"database/sql"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// dayReads is what the window reads of its days through a windowInputs:
// the usage and the activities, partly summed from source rows, partly
// still packed in digests that decode unpacks.
type dayReads struct {
	usage *usagePass
	comm  *communityReads
}

// readDays reads the usage of the window and the one before (prev.from to
// cur.to), and their activities, in tx through src.
func readDays(ctx context.Context, tx *sql.Tx, src windowInputs, cur, prev span, weekFrom time.Time, in *interner) (*dayReads, error) {
	u := &usagePass{byConsumer: map[int64]*consumerWindow{}, curFrom: cur.from.Unix(), week: weekFrom.Unix(), end: cur.to.Unix()}
	var err error
	if u.memberOf, err = consumerMembers(ctx, tx); err != nil {
		return nil, err
	}
	if err := src.readUsage(ctx, tx, prev.from.Unix(), cur.to.Unix(), u); err != nil {
		return nil, err
	}
	c := &communityReads{prevCounts: map[int64]int{}, prevWeekly: map[int64]*[domain.MaxWeeks]int{}, end: cur.to.Unix()}
	if err := src.readPreviousActivities(ctx, tx, prev.from.Unix(), prev.to.Unix(), c); err != nil {
		return nil, err
	}
	if err := src.readActivities(ctx, tx, cur.from.Unix(), cur.to.Unix(), in, c); err != nil {
		return nil, err
	}
	return &dayReads{usage: u, comm: c}, nil
}

// decode unpacks the digests read, interning their strings in in. It is
// Go only: it touches neither the transaction nor the members, only r and
// in (which nothing else may use meanwhile). A digest that cannot be
// decoded gives a *digestError.
func (r *dayReads) decode(in *interner) error {
	if err := r.usage.decode(); err != nil {
		return err
	}
	return r.comm.decode(in)
}

// decodeBeside is decode on two other goroutines (usage and activities),
// so that it runs on other cores while the window's transaction reads the
// project tables. The window must call wait, which returns decode's error,
// before it uses r or in again, and before it returns.
func (r *dayReads) decodeBeside(in *interner) (wait func() error) {
	usage, comm := make(chan error, 1), make(chan error, 1)
	go func() { usage <- r.usage.decode() }()
	go func() { comm <- r.comm.decode(in) }()
	return func() error {
		uerr, cerr := <-usage, <-comm
		if uerr != nil {
			return uerr
		}
		return cerr
	}
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
