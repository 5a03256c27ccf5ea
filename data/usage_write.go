package data

import (
	"context"
	"database/sql"
	"maps"
	"slices"
)

// usageWrite is one usage transaction (usageTx): the prepared upserts it
// shares with the others, and what of its writes the pages show.
// A member's page (MemberDetail) reads the usage of the member's consumers
// and which days hold any calls; a write of consumers no member owns, on
// days that already hold calls, changes neither, so those pages key their
// kept copies on MemberUsageData, which such a write leaves alone. The
// daily upserts record what decides it (note); versionedTx asks
// forMembers after the transaction's work, before it commits. The other
// pages show the first and last day of usage (usageSpan): only a day that
// held no calls can move them, so the span is read once such a day is
// found, and compared with the days written (movesSpan).
type usageWrite struct {
	*usageStmts
	consumers   map[int64]struct{}         // of the daily rows written
	days        map[int64]struct{}         // the days checked for calls already
	newDay      bool                       // calls stored on a day that held none
	first, last int64                      // the days of the daily rows written
	written     bool                       // a daily row was written
	before      usageSpan                  // read when newDay is found, before its rows land
	inTx        map[usageStmtKey]*sql.Stmt // the statements bound to the transaction (txStmt)
}

func newUsageWrite(st *usageStmts) *usageWrite {
	return &usageWrite{usageStmts: st, consumers: map[int64]struct{}{}, days: map[int64]struct{}{}, inTx: map[usageStmtKey]*sql.Stmt{}}
}

// note records the daily rows about to be upserted: their consumers and
// days, and whether a day among theirs holds no calls yet (asked before the
// rows land, one seek a day, until one is found; then the usage's span,
// which the rows noted before cannot have moved: their days held calls).
func (w *usageWrite) note(ctx context.Context, tx *sql.Tx, rows []usageRow) error {
	for i := range rows {
		k := &rows[i].k
		w.consumers[k.consumer] = struct{}{}
		if !w.written || k.bucket < w.first {
			w.first = k.bucket
		}
		if !w.written || k.bucket > w.last {
			w.last = k.bucket
		}
		w.written = true
		if w.newDay {
			continue
		}
		if _, ok := w.days[k.bucket]; ok {
			continue
		}
		w.days[k.bucket] = struct{}{}
		held, err := w.exists(ctx, tx, usageStmtKey{lookup: dayHeldCalls}, k.bucket)
		if err != nil {
			return err
		}
		if !held {
			w.newDay = true
			if w.before, err = readUsageSpan(ctx, tx); err != nil {
				return err
			}
		}
	}
	return nil
}

// movesSpan reports whether the write moved the usage's first or last day.
func (w *usageWrite) movesSpan() bool {
	if !w.newDay {
		return false // every day written held calls: inside the span
	}
	b := w.before
	return !b.first.Valid || w.first < b.first.Int64 || w.last > b.last.Int64
}

// forMembers reports whether the write changed what a member's page shows:
// calls on a day that held none, or usage of a consumer a member owns now
// (after the write, which may have mapped it). A few consumers are looked
// up by key; many (a sparse access log's chunk) are checked against the
// consumers members own, read from their index.
func (w *usageWrite) forMembers(ctx context.Context, tx *sql.Tx) (bool, error) {
	if w.newDay {
		return true, nil
	}
	if len(w.consumers) == 0 {
		return false, nil
	}
	if len(w.consumers) > 2*inLookups {
		return w.ownedAmong(ctx, tx)
	}
	ids := slices.Sorted(maps.Keys(w.consumers))
	for len(ids) > 0 {
		// A few statement sizes, so that they stay prepared: the
		// consumers looked up, then the first again to fill the size.
		n := inLookupSizes[len(inLookupSizes)-1]
		for _, size := range inLookupSizes {
			if len(ids) <= size {
				n = size
				break
			}
		}
		args := make([]any, n)
		for i := range args {
			args[i] = ids[0]
			if i < len(ids) {
				args[i] = ids[i]
			}
		}
		owned, err := w.exists(ctx, tx, usageStmtKey{lookup: ownedConsumerIn, rows: n}, args...)
		if err != nil || owned {
			return owned, err
		}
		ids = ids[min(n, len(ids)):]
	}
	return false, nil
}

// inLookupSizes are the sizes of forMembers' lookups; the last, how many
// consumers one looks up at most.
var inLookupSizes = []int{8, 64, inLookups}

const inLookups = 500

// exists runs the lookup key, a SELECT EXISTS, with args.
func (w *usageWrite) exists(ctx context.Context, tx *sql.Tx, key usageStmtKey, args ...any) (bool, error) {
	var b bool
	err := w.queryRow(ctx, tx, key, args, &b)
	return b, err
}

// queryRow runs the lookup key with args and scans its one row into dest
// (sql.ErrNoRows when there is none).
func (w *usageWrite) queryRow(ctx context.Context, tx *sql.Tx, key usageStmtKey, args []any, dest ...any) error {
	st, err := w.txStmt(ctx, tx, key)
	if err != nil {
		return err
	}
	return st.QueryRowContext(ctx, args...).Scan(dest...)
}

// ownedAmong reports whether a consumer of the write is one a member owns,
// reading the owned ones from api_consumers_member.
func (w *usageWrite) ownedAmong(ctx context.Context, tx *sql.Tx) (bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM api_consumers WHERE member_id IS NOT NULL`)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return false, err
		}
		if _, ok := w.consumers[id]; ok {
			return true, nil
		}
	}
	return false, rows.Err()
}

// txStmt returns the statement of key bound to tx, binding (or preparing)
// it once a transaction: database/sql closes it when tx ends.
func (w *usageWrite) txStmt(ctx context.Context, tx *sql.Tx, key usageStmtKey) (*sql.Stmt, error) {
	if s := w.inTx[key]; s != nil {
		return s, nil
	}
	s, err := w.stmt(ctx, tx, key)
	if err != nil {
		return nil, err
	}
	w.inTx[key] = s
	return s, nil
}
