package data

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// CommitUsage stores a batch in one transaction: consumers (unknown keys are
// created unmapped: counted, never dropped), hourly and daily rollups, the
// rejected records and the source's cursor. Either all of it lands or none.
// A batch whose idempotency key is already recorded stores nothing and
// comes back Replayed, with the first commit's counts (ingest_keys.go).
func (db *DB) CommitUsage(ctx context.Context, b *domain.UsageBatch) error {
	if err := db.usageTx(ctx, func(tx *sql.Tx, st *usageWrite) error {
		return storeUsage(ctx, tx, db.dialect, st, []*domain.UsageBatch{b})
	}); err != nil {
		return fmt.Errorf("store: unable to store usage from %s: %w", b.Source, err)
	}
	return nil
}

// storeUsage writes batches in tx as CommitUsage writes one: their
// idempotency keys first (a replay is left out, ingest_keys.go), then their
// rollup rows merged (the batches themselves are left as they are), then
// each batch's rejected records and cursor, in order.
func storeUsage(ctx context.Context, tx *sql.Tx, d dialect, st *usageWrite, bs []*domain.UsageBatch) error {
	bs, err := claimKeys(ctx, tx, bs, time.Now())
	if err != nil || len(bs) == 0 {
		return err
	}
	rows := bs[0].Rows()
	if len(bs) > 1 {
		rows = map[domain.BatchKey]*domain.Rollup{}
		for _, b := range bs {
			for k, r := range b.Rows() {
				acc := rows[k]
				if acc == nil {
					acc = &domain.Rollup{}
					rows[k] = acc
				}
				acc.Merge(r.Calls, r.Bytes, r.LatencySum, r.Hist)
			}
		}
	}
	creator, err := newConsumersOf(ctx, tx, d, st, bs, time.Now())
	if err != nil {
		return err
	}
	names := bs[0].ConsumerNames
	if len(bs) > 1 {
		names = map[string]string{}
		for _, b := range bs {
			for k, n := range b.ConsumerNames {
				names[k] = n
			}
		}
	}
	ids, err := consumerIDs(ctx, tx, st, batchConsumers(rows), creator, names)
	if err != nil {
		return err
	}
	hourly, daily := usageRows{}, usageRows{}
	for k, r := range rows {
		id := ids[k.Consumer]
		hourly.add(usageKey{k.Hour, id, allEndpoints, k.Class}, r.Calls, r.Bytes, r.LatencySum, r.Hist)
		daily.add(usageKey{dayOf(k.Hour), id, k.Endpoint, k.Class}, r.Calls, r.Bytes, r.LatencySum, r.Hist)
	}
	if err := upsertHourlyAndDaily(ctx, tx, st, hourly, daily); err != nil {
		return err
	}
	// By source (each source's batches in their order, so its last cursor
	// wins): two groups with the same sources lock their rows in one order.
	bySource := slices.Clone(bs)
	slices.SortStableFunc(bySource, func(a, b *domain.UsageBatch) int { return strings.Compare(a.Source, b.Source) })
	for _, b := range bySource {
		if err := addRejected(ctx, tx, b.Source, b.Rejected); err != nil {
			return err
		}
		if b.Cursor != "" {
			if err := moveCursor(ctx, tx, b.Source, b.CursorFrom, b.Cursor); err != nil {
				return err
			}
		}
	}
	return nil
}

// Bounds of one group of UsageCommitter.
const (
	maxGroupBatches = 64
	maxGroupRows    = 20000 // rollup rows and rejected records
)

// UsageCommitter stores batches as CommitUsage does, except that batches
// handed to it by concurrent callers share write transactions (group
// commit): while one transaction is being written, the batches that arrive
// queue up, and the next transaction takes all of them (up to 64 batches or
// 20,000 rows). A transaction costs about the same for one batch as for many
// — statements, consumer look-ups, the commit — so concurrent pushers
// (several gateway workers) cost less each; a lone caller waits for nobody.
//
// Each batch stays atomic, and its caller learns its own outcome:
//   - Commit returns only once its batch is committed (or has failed): an
//     acknowledged batch is in the database, as with CommitUsage;
//   - when a statement of a shared transaction fails, nothing of it was
//     stored, and its batches are committed again one by one: a bad batch
//     fails alone, the others land once (when the transaction cannot begin
//     or commit at all, every batch of it fails at once, with that error);
//   - a batch that replays another (its idempotency key is recorded, by
//     an earlier transaction, another process or a batch of its own group)
//     is left out of its group and answered as the first was;
//   - a batch whose context is done before its transaction starts is not
//     stored (its caller gets the context's error); once its transaction
//     has started it is stored whatever happens to the context, and its
//     caller waits for the outcome, so that "failed" never means "stored".
//
// There is no background goroutine: the first caller of a group writes it
// and hands over to the next caller waiting. The zero value is ready to use;
// a UsageCommitter is safe for concurrent use.
type UsageCommitter struct {
	mu      sync.Mutex
	queue   []*pendingUsage
	leading bool // a caller is writing a group
}

type pendingUsage struct {
	ctx  context.Context
	db   *DB
	b    *domain.UsageBatch
	done chan error    // the outcome
	lead chan struct{} // this caller writes the next group
}

// Commit stores b in db, alone or with the batches of other callers, and
// returns when it is committed or has failed.
func (c *UsageCommitter) Commit(ctx context.Context, db *DB, b *domain.UsageBatch) error {
	p := &pendingUsage{ctx: ctx, db: db, b: b, done: make(chan error, 1), lead: make(chan struct{}, 1)}
	c.mu.Lock()
	c.queue = append(c.queue, p)
	lead := !c.leading
	c.leading = true
	c.mu.Unlock()
	if !lead {
		select {
		case err := <-p.done:
			return err
		case <-p.lead:
		}
	}
	// p heads the queue: write a group that starts with it, then hand over.
	c.writeGroup(c.takeGroup())
	return <-p.done
}

// takeGroup removes the next group from the head of the queue: batches of
// the same database, within the bounds.
func (c *UsageCommitter) takeGroup() []*pendingUsage {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, rows := 0, 0
	for _, p := range c.queue {
		r := p.b.Len() + len(p.b.Rejected)
		if n > 0 && (n == maxGroupBatches || rows+r > maxGroupRows || p.db != c.queue[0].db) {
			break
		}
		n, rows = n+1, rows+r
	}
	group := slices.Clone(c.queue[:n])
	c.queue = slices.Delete(c.queue, 0, n)
	return group
}

// writeGroup stores a group, answers each of its callers, and hands the
// lead to the next caller waiting (or gives it up).
func (c *UsageCommitter) writeGroup(group []*pendingUsage) {
	defer func() {
		if r := recover(); r != nil {
			// Nobody may wait forever: callers not yet answered fail.
			for _, p := range group {
				select {
				case p.done <- fmt.Errorf("store: unable to store usage from %s: panic: %v", p.b.Source, r):
				default:
				}
			}
			defer panic(r)
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if len(c.queue) > 0 {
			c.queue[0].lead <- struct{}{}
		} else {
			c.leading = false
		}
	}()
	live := group[:0:0]
	for _, p := range group {
		if err := p.ctx.Err(); err != nil {
			p.done <- fmt.Errorf("store: unable to store usage from %s: %w", p.b.Source, err)
			continue
		}
		live = append(live, p)
	}
	if len(live) == 0 {
		return
	}
	db := live[0].db
	// The callers wait for the outcome whatever their contexts do now.
	ctx := context.WithoutCancel(live[0].ctx)
	if len(live) == 1 {
		live[0].done <- db.CommitUsage(ctx, live[0].b)
		return
	}
	bs := make([]*domain.UsageBatch, len(live))
	for i, p := range live {
		bs[i] = p.b
	}
	var stmtErr error
	err := db.usageTx(ctx, func(tx *sql.Tx, st *usageWrite) error {
		stmtErr = storeUsage(ctx, tx, db.dialect, st, bs)
		return stmtErr
	})
	switch {
	case err == nil:
		for _, p := range live {
			p.done <- nil
		}
	case stmtErr != nil:
		// A statement failed, perhaps because of one batch; nothing of
		// the group was stored. Each batch on its own, so that only a
		// batch that cannot be stored fails.
		for _, p := range live {
			p.done <- db.CommitUsage(ctx, p.b)
		}
	default:
		// The transaction could not begin or commit (the database is
		// locked by another process, the disk is full…): no batch would
		// fare better alone, and retrying each would make the last caller
		// wait as many times over.
		for _, p := range live {
			p.done <- fmt.Errorf("store: unable to store usage from %s: %w", p.b.Source, err)
		}
	}
}

// batchConsumers returns the consumer keys of a batch's rows, sorted.
func batchConsumers(rows map[domain.BatchKey]*domain.Rollup) []string {
	keys := map[string]struct{}{}
	for k := range rows {
		keys[k.Consumer] = struct{}{}
	}
	return slices.Sorted(maps.Keys(keys))
}

// consumerIDs resolves a batch's consumer keys, sorted (batchConsumers),
// creating unknown ones (recording the token that creates each, by creator,
// and their names). The keys go in sorted order: two batches creating the
// same new consumers then take their unique keys in the same order, and the
// second waits for the first instead of deadlocking with it.
func consumerIDs(ctx context.Context, tx *sql.Tx, st *usageWrite, keys []string, creator map[string]int64, names map[string]string) (map[string]int64, error) {
	ids := make(map[string]int64, len(keys))
	now := time.Now().Unix()
	for _, key := range keys {
		c := domain.APIConsumer{Key: key, Name: names[key]}
		if err := upsertConsumerBy(ctx, tx, st, &c, creator[key], now); err != nil {
			return nil, err
		}
		ids[key] = c.ID
	}
	return ids, nil
}

func addRejected(ctx context.Context, tx *sql.Tx, source string, rs []domain.Rejected) error {
	if len(rs) == 0 {
		return nil
	}
	if len(rs) > domain.MaxRejectedPerSource {
		rs = rs[len(rs)-domain.MaxRejectedPerSource:]
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO rejected_records (source, at, reason, record) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	now := time.Now().Unix()
	for _, r := range rs {
		if _, err := stmt.ExecContext(ctx, source, now, r.Reason, r.Record); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM rejected_records WHERE source = ? AND id <= (
		SELECT id FROM rejected_records WHERE source = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
		source, source, domain.MaxRejectedPerSource)
	return err
}

// RejectedRecords returns the newest quarantined records of a source.
func (db *DB) RejectedRecords(ctx context.Context, source string, limit int) ([]domain.Rejected, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT reason, record FROM rejected_records WHERE source = ? ORDER BY id DESC LIMIT ?`, source, limit)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list rejected records of %s: %w", source, err)
	}
	defer rows.Close()
	var out []domain.Rejected
	for rows.Next() {
		var r domain.Rejected
		if err := rows.Scan(&r.Reason, &r.Record); err != nil {
			return nil, fmt.Errorf("store: unable to list rejected records of %s: %w", source, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CountRejected returns how many quarantined records a source has.
func (db *DB) CountRejected(ctx context.Context, source string) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM rejected_records WHERE source = ?`, source).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: unable to count rejected records of %s: %w", source, err)
	}
	return n, nil
}
