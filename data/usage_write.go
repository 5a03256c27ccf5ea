package data

import (
	"context"
	"database/sql"
	"maps"
	"slices"
)

// usageWrite is one usage transaction (usageTx): the prepared upserts it
// shares with the others, and what of its writes a member's page shows.
// A member's page (MemberDetail) reads the usage of the member's consumers
// and which days hold any calls; a write of consumers no member owns, on
// days that already hold calls, changes neither, so those pages key their
// kept copies on MemberUsageData, which such a write leaves alone. The
// daily upserts record what decides it (note); versionedTx asks
// forMembers after the transaction's work, before it commits.
type usageWrite struct {
	*usageStmts
	consumers map[int64]struct{} // of the daily rows written
	days      map[int64]struct{} // the days checked for calls already
	newDay    bool               // calls stored on a day that held none
}

func newUsageWrite(st *usageStmts) *usageWrite {
	return &usageWrite{usageStmts: st, consumers: map[int64]struct{}{}, days: map[int64]struct{}{}}
}

// note records the daily rows about to be upserted: their consumers, and
// whether a day among theirs holds no calls yet (asked before the rows
// land, one seek a day, until one is found).
func (w *usageWrite) note(ctx context.Context, tx *sql.Tx, rows []usageRow) error {
	for i := range rows {
		k := &rows[i].k
		w.consumers[k.consumer] = struct{}{}
		if w.newDay {
			continue
		}
		if _, ok := w.days[k.bucket]; ok {
			continue
		}
		w.days[k.bucket] = struct{}{}
		var held bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM api_usage_daily WHERE bucket = ? AND calls > 0)`, k.bucket).Scan(&held); err != nil {
			return err
		}
		w.newDay = !held
	}
	return nil
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
		n := min(len(ids), inLookups)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		var owned bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM api_consumers WHERE member_id IS NOT NULL AND id IN (`+placeholders(n)+`))`, args...).Scan(&owned); err != nil {
			return false, err
		}
		if owned {
			return true, nil
		}
		ids = ids[n:]
	}
	return false, nil
}

// inLookups is how many consumers one query of forMembers looks up.
const inLookups = 500

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
