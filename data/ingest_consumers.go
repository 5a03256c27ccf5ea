package data

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// A pushed batch may create new API consumers only up to its token's daily
// allowance (UsageBatch.MaxNewConsumers, from ingest.max_new_consumers_per_day):
// every consumer is a row each usage page sums and lists, and one push of 50k
// made-up names slowed /api-usage tenfold. A batch over the allowance is
// refused whole, as any bad batch is.

// newConsumersOf returns, for the batches that have a token, which of their
// consumer keys are new and which token creates each, or the EINVALID error
// of the first batch over its allowance. Batches of the same token in one
// transaction share the allowance.
func newConsumersOf(ctx context.Context, tx *sql.Tx, bs []*domain.UsageBatch, now time.Time) (map[string]int64, error) {
	creator := map[string]int64{}
	used := map[int64]int{} // by token: created today before this transaction, plus this transaction's
	dayStart := domain.Day(now).Unix()
	for _, b := range bs {
		if b.Token == 0 {
			continue
		}
		if _, ok := used[b.Token]; !ok {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_consumers WHERE created_by_token = ? AND created_at >= ?`,
				b.Token, dayStart).Scan(&n); err != nil {
				return nil, err
			}
			used[b.Token] = n
		}
		var fresh []string
		for k := range b.Rows() {
			if _, ok := creator[k.Consumer]; ok {
				continue
			}
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM api_consumers WHERE key = ?`, k.Consumer).Scan(&id)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				creator[k.Consumer] = b.Token
				fresh = append(fresh, k.Consumer)
			case err != nil:
				return nil, err
			default:
				creator[k.Consumer] = 0 // exists: nobody creates it
			}
		}
		if b.MaxNewConsumers > 0 && used[b.Token]+len(fresh) > b.MaxNewConsumers {
			return nil, domain.Errorf(domain.EINVALID, "the batch names %d new API consumers; a token may create at most %d a day (ingest.max_new_consumers_per_day) and this one has created %d today: nothing of the batch was stored",
				len(fresh), b.MaxNewConsumers, used[b.Token])
		}
		used[b.Token] += len(fresh)
	}
	return creator, nil
}
