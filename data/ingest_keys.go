package data

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// A pushed batch may carry an idempotency key: a retry of it — to this
// process or to another replica on the same database — is stored once.
// The key is recorded (ingest_keys) in the transaction that stores the
// batch's rows, so that the two land together or not at all, and the
// table's primary key decides between two copies committed at once: on
// PostgreSQL the second copy's insert waits for the first's transaction
// and then finds the key; on SQLite the one writer puts them in turn. A
// copy found to be a replay is left out of the transaction — the other
// batches of a group commit are stored as if it had not been there — and
// answered with the first commit's counts.

// claimKeys records the idempotency keys of bs and returns the batches to
// store: those without a key and those whose key was not recorded yet (or
// was recorded more than domain.IdempotencyKeyTTL ago), in their order.
// The others are replays: marked Replayed, with the first commit's
// Accepted. Two batches of bs with one key are the first and its replay. A
// key recorded for another body is ECONFLICT: the caller's group commit
// then stores the others without it.
//
// Keys are inserted in (token, key) order: two transactions claiming some
// of the same keys take them in one order, so one waits for the other
// rather than deadlocking with it.
func claimKeys(ctx context.Context, tx *sql.Tx, bs []*domain.UsageBatch, now time.Time) ([]*domain.UsageBatch, error) {
	var keyed []*domain.UsageBatch
	for _, b := range bs {
		b.Replayed = false // a group that failed may have marked it
		if b.IdempotencyKey != "" {
			keyed = append(keyed, b)
		}
	}
	if len(keyed) == 0 {
		return bs, nil
	}
	slices.SortStableFunc(keyed, func(a, b *domain.UsageBatch) int {
		return cmp.Or(cmp.Compare(a.Token, b.Token), cmp.Compare(a.IdempotencyKey, b.IdempotencyKey))
	})
	expired := now.Add(-domain.IdempotencyKeyTTL).Unix()
	for _, b := range keyed {
		// A key older than the TTL and not purged yet is taken over, as a
		// purged one would be: how long a key holds does not depend on
		// when the purge ran.
		res, err := tx.ExecContext(ctx, `INSERT INTO ingest_keys (token_id, key, created_at, body_sha256, accepted, rejected)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (token_id, key) DO UPDATE SET created_at = excluded.created_at, body_sha256 = excluded.body_sha256,
				accepted = excluded.accepted, rejected = excluded.rejected
			WHERE ingest_keys.created_at < ?`,
			b.Token, b.IdempotencyKey, now.Unix(), b.BodyDigest, b.Accepted, len(b.Rejected), expired)
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, err
		} else if n == 1 {
			continue
		}
		var digest string
		var accepted int64
		if err := tx.QueryRowContext(ctx, `SELECT body_sha256, accepted FROM ingest_keys WHERE token_id = ? AND key = ?`,
			b.Token, b.IdempotencyKey).Scan(&digest, &accepted); err != nil {
			return nil, err
		}
		if digest != b.BodyDigest {
			return nil, domain.Errorf(domain.ECONFLICT, "Idempotency-Key %q was already used for another batch in the last %s",
				b.IdempotencyKey, domain.IdempotencyKeyTTL)
		}
		b.Replayed, b.Accepted = true, accepted
	}
	fresh := bs[:0:0]
	for _, b := range bs {
		if !b.Replayed {
			fresh = append(fresh, b)
		}
	}
	return fresh, nil
}

// Bounds of one PurgeIngestKeys call: short transactions that leave the
// writer to ingest between them, and a bounded run however many keys
// expired (the rest go at the next call).
const (
	purgeKeysChunk  = 1000
	purgeKeysChunks = 50
)

// PurgeIngestKeys deletes idempotency keys recorded more than
// domain.IdempotencyKeyTTL before now, at most 50,000 per call in
// transactions of 1,000, and returns how many it deleted.
func (db *DB) PurgeIngestKeys(ctx context.Context, now time.Time) (int64, error) {
	before := now.Add(-domain.IdempotencyKeyTTL).Unix()
	var total int64
	for range purgeKeysChunks {
		var n int64
		err := db.housekeepingTx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `DELETE FROM ingest_keys WHERE created_at < ? AND (token_id, key) IN (
				SELECT token_id, key FROM ingest_keys WHERE created_at < ? ORDER BY created_at LIMIT ?)`,
				before, before, purgeKeysChunk)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, fmt.Errorf("store: unable to purge idempotency keys: %w", err)
		}
		total += n
		if n < purgeKeysChunk {
			break
		}
	}
	return total, nil
}
