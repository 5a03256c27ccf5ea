package data

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// A pushed batch may create new API consumers only up to its token's daily
// allowance (UsageBatch.MaxNewConsumers, from ingest.max_new_consumers_per_day):
// every consumer is a row each usage page sums and lists, and one push of 50k
// made-up names slowed /api-usage tenfold. A batch over the allowance is
// refused whole, as any bad batch is.
//
// The allowance is a count of the token's consumers created today, then
// inserts: two writers of one token (two gateways, on PostgreSQL) could
// each count before the other's inserts and together go over it. So a
// batch that would create consumers first locks its token's row until it
// commits, and counts after the lock: a second writer of the token waits
// for the first and counts what it created.

// newConsumersOf returns, for the batches that have a token, which of their
// consumer keys are new and which token creates each, or the EINVALID error
// of the first batch over its allowance. Batches of the same token in one
// transaction share the allowance.
func newConsumersOf(ctx context.Context, tx *sql.Tx, d dialect, st *usageWrite, bs []*domain.UsageBatch, now time.Time) (map[string]int64, error) {
	found := map[string]bool{} // by key: whether it exists
	lookUp := func(key string) error {
		var id int64
		err := st.queryRow(ctx, tx, usageStmtKey{lookup: consumerByKey}, []any{key}, &id)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		found[key] = err == nil
		return nil
	}
	limited := map[int64]bool{} // tokens with an allowance whose batches name keys not found
	for _, b := range bs {
		if b.Token == 0 {
			continue
		}
		for k := range b.Rows() {
			if _, ok := found[k.Consumer]; !ok {
				if err := lookUp(k.Consumer); err != nil {
					return nil, err
				}
			}
			if !found[k.Consumer] && b.MaxNewConsumers > 0 {
				limited[b.Token] = true
			}
		}
	}
	if len(limited) > 0 {
		// In order, so that two writers of the same tokens lock them in
		// one order.
		for _, t := range slices.Sorted(maps.Keys(limited)) {
			if _, err := tx.ExecContext(ctx, `SELECT id FROM tokens WHERE id = ?`+d.forUpdate(), t); err != nil {
				return nil, err
			}
		}
		// A writer waited for may have created some of the keys not found.
		for key, ok := range found {
			if !ok {
				if err := lookUp(key); err != nil {
					return nil, err
				}
			}
		}
	}
	creator := map[string]int64{}
	used := map[int64]int{} // by token: created today before this transaction, plus this transaction's
	dayStart := domain.Day(now).Unix()
	for _, b := range bs {
		if b.Token == 0 {
			continue
		}
		if _, ok := used[b.Token]; !ok {
			var n int
			if err := st.queryRow(ctx, tx, usageStmtKey{lookup: consumersCreatedBy}, []any{b.Token, dayStart}, &n); err != nil {
				return nil, err
			}
			used[b.Token] = n
		}
		fresh := 0
		for k := range b.Rows() {
			if _, ok := creator[k.Consumer]; ok {
				continue
			}
			if found[k.Consumer] {
				creator[k.Consumer] = 0 // exists: nobody creates it
				continue
			}
			creator[k.Consumer] = b.Token
			fresh++
		}
		if b.MaxNewConsumers > 0 && used[b.Token]+fresh > b.MaxNewConsumers {
			return nil, domain.Errorf(domain.EINVALID, "the batch names %d new API consumers; a token may create at most %d a day (ingest.max_new_consumers_per_day) and this one has created %d today: nothing of the batch was stored",
				fresh, b.MaxNewConsumers, used[b.Token])
		}
		used[b.Token] += fresh
	}
	return creator, nil
}
