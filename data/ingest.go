package data

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// UsageRecord is one API request as a source reports it.
type UsageRecord struct {
	Time      time.Time
	Consumer  string  // API key id, consumer name or configured header value; "" = anonymous
	Endpoint  string  // normalised path (or route name)
	Status    int     // HTTP status
	Bytes     int64   // response size
	LatencyMS float64 // negative when the source does not report it
}

// AnonymousConsumer is the consumer key of requests that name none.
const AnonymousConsumer = "(anonymous)"

// Validate returns an EINVALID error naming what is wrong with r.
func (r *UsageRecord) Validate() error {
	switch {
	case r.Time.IsZero():
		return Errorf(EINVALID, "record has no time")
	case r.Status < 100 || r.Status > 599:
		return Errorf(EINVALID, "status %d is not an HTTP status", r.Status)
	case r.Bytes < 0:
		return Errorf(EINVALID, "bytes %d is negative", r.Bytes)
	case r.Bytes > MaxRecordBytes:
		return Errorf(EINVALID, "bytes %d is out of range: over the limit of %s per record", r.Bytes, sizeName(MaxRecordBytes))
	case r.Endpoint == "":
		return Errorf(EINVALID, "record has no endpoint")
	case len(r.Consumer) > 200 || len(r.Endpoint) > 500:
		return Errorf(EINVALID, "consumer or endpoint is too long")
	case r.LatencyMS != r.LatencyMS:
		return Errorf(EINVALID, "latency is not a number")
	case r.LatencyMS > MaxRecordLatencyMS:
		return Errorf(EINVALID, "latency %g ms is out of range: over the limit of %d ms (one day) per record", r.LatencyMS, MaxRecordLatencyMS)
	}
	return nil
}

// Rejected is an input record a collector could not accept, with the reason.
type Rejected struct {
	Reason string
	Record string
}

// MaxRejectedPerSource caps the quarantine: the newest records are kept, the
// run records keep counting all of them.
const MaxRejectedPerSource = 10000

// maxRejectedRecordBytes bounds one quarantined record's stored text.
const maxRejectedRecordBytes = 4096

type batchKey struct {
	hour     int64
	consumer string
	endpoint string
	class    int
}

// UsageBatch aggregates usage records in memory (per hour, consumer key,
// endpoint and status class) and collects rejected records, until
// CommitUsage stores it whole. It is not safe for concurrent use.
type UsageBatch struct {
	Source   string
	Cursor   string // moved in the same transaction; "" leaves the cursor alone
	Read     int64  // records read (accepted + rejected)
	Accepted int64
	Rejected []Rejected
	// Token is the ingest token that pushed the batch (0: a collector);
	// MaxNewConsumers, when positive, bounds the API consumers the token
	// may create per UTC day, this batch included (ingest_consumers.go).
	Token           int64
	MaxNewConsumers int
	// ConsumerNames are display names of consumer keys, given to the
	// consumers this batch creates (a hashed secret's recognisable form,
	// "sk-l…9f3a"); a consumer that exists keeps its name.
	ConsumerNames map[string]string
	rows          map[batchKey]*rollupAcc
}

// NewUsageBatch returns an empty batch for a source.
func NewUsageBatch(source string) *UsageBatch {
	return &UsageBatch{Source: source, rows: map[batchKey]*rollupAcc{}}
}

// Add validates a record and folds it into the batch, or rejects it.
func (b *UsageBatch) Add(r UsageRecord, raw string) {
	b.Read++
	if err := r.Validate(); err != nil {
		b.Reject(ErrorMessage(err), raw)
		return
	}
	b.Accepted++
	consumer := r.Consumer
	if consumer == "" {
		consumer = AnonymousConsumer
	}
	k := batchKey{r.Time.UTC().Truncate(time.Hour).Unix(), consumer, r.Endpoint, r.Status / 100}
	acc := b.rows[k]
	if acc == nil {
		acc = &rollupAcc{}
		b.rows[k] = acc
	}
	acc.calls = addSat(acc.calls, 1)
	acc.bytes = addSat(acc.bytes, r.Bytes)
	if r.LatencyMS >= 0 {
		acc.latencySum += r.LatencyMS
		if acc.hist == nil {
			acc.hist = new(Histogram)
		}
		acc.hist.Observe(r.LatencyMS, 1)
	}
}

// Reject counts a record the source could not parse, keeping it with why.
func (b *UsageBatch) Reject(reason, raw string) {
	if !utf8.ValidString(raw) {
		raw = strings.ToValidUTF8(raw, "\uFFFD")
	}
	if len(raw) > maxRejectedRecordBytes {
		raw = raw[:maxRejectedRecordBytes]
	}
	b.Rejected = append(b.Rejected, Rejected{Reason: reason, Record: raw})
}

// Len returns the number of rollup rows the batch holds.
func (b *UsageBatch) Len() int { return len(b.rows) }

// CommitUsage stores a batch in one transaction: consumers (unknown keys are
// created unmapped: counted, never dropped), hourly and daily rollups, the
// rejected records and the source's cursor. Either all of it lands or none.
func (db *DB) CommitUsage(ctx context.Context, b *UsageBatch) error {
	if err := db.writeTx(ctx, func(tx *sql.Tx) error { return storeUsage(ctx, tx, &db.usage, []*UsageBatch{b}) }); err != nil {
		return fmt.Errorf("store: unable to store usage from %s: %w", b.Source, err)
	}
	return nil
}

// storeUsage writes batches in tx as CommitUsage writes one: their rollup
// rows merged (the batches themselves are left as they are), then each
// batch's rejected records and cursor, in order.
func storeUsage(ctx context.Context, tx *sql.Tx, st *usageStmts, bs []*UsageBatch) error {
	rows := bs[0].rows
	if len(bs) > 1 {
		rows = map[batchKey]*rollupAcc{}
		for _, b := range bs {
			for k, r := range b.rows {
				acc := rows[k]
				if acc == nil {
					acc = &rollupAcc{}
					rows[k] = acc
				}
				acc.merge(r.calls, r.bytes, r.latencySum, r.hist)
			}
		}
	}
	creator, err := newConsumersOf(ctx, tx, bs, time.Now())
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
	ids, err := consumerIDs(ctx, tx, rows, creator, names)
	if err != nil {
		return err
	}
	hourly, daily := usageRows{}, usageRows{}
	for k, r := range rows {
		hk := usageKey{k.hour, ids[k.consumer], k.endpoint, k.class}
		hourly[hk] = r
		daily.add(usageKey{Day(time.Unix(k.hour, 0)).Unix(), hk.consumer, k.endpoint, k.class}, r.calls, r.bytes, r.latencySum, r.hist)
	}
	if err := upsertHourlyAndDaily(ctx, tx, st, hourly, daily); err != nil {
		return err
	}
	for _, b := range bs {
		if err := addRejected(ctx, tx, b.Source, b.Rejected); err != nil {
			return err
		}
		if b.Cursor != "" {
			if err := setCursor(ctx, tx, b.Source, b.Cursor); err != nil {
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
	b    *UsageBatch
	done chan error    // the outcome
	lead chan struct{} // this caller writes the next group
}

// Commit stores b in db, alone or with the batches of other callers, and
// returns when it is committed or has failed.
func (c *UsageCommitter) Commit(ctx context.Context, db *DB, b *UsageBatch) error {
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
	bs := make([]*UsageBatch, len(live))
	for i, p := range live {
		bs[i] = p.b
	}
	var stmtErr error
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		stmtErr = storeUsage(ctx, tx, &db.usage, bs)
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

// consumerIDs resolves the consumer keys of a batch, creating unknown ones
// (recording the token that creates each, by creator, and their names).
func consumerIDs(ctx context.Context, tx *sql.Tx, rows map[batchKey]*rollupAcc, creator map[string]int64, names map[string]string) (map[string]int64, error) {
	ids := map[string]int64{}
	now := time.Now().Unix()
	for k := range rows {
		if _, ok := ids[k.consumer]; ok {
			continue
		}
		c := APIConsumer{Key: k.consumer, Name: names[k.consumer]}
		if err := upsertConsumerBy(ctx, tx, &c, creator[k.consumer], now); err != nil {
			return nil, err
		}
		ids[k.consumer] = c.ID
	}
	return ids, nil
}

func addRejected(ctx context.Context, tx *sql.Tx, source string, rs []Rejected) error {
	if len(rs) == 0 {
		return nil
	}
	if len(rs) > MaxRejectedPerSource {
		rs = rs[len(rs)-MaxRejectedPerSource:]
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
		source, source, MaxRejectedPerSource)
	return err
}

// RejectedRecords returns the newest quarantined records of a source.
func (db *DB) RejectedRecords(ctx context.Context, source string, limit int) ([]Rejected, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT reason, record FROM rejected_records WHERE source = ? ORDER BY id DESC LIMIT ?`, source, limit)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list rejected records of %s: %w", source, err)
	}
	defer rows.Close()
	var out []Rejected
	for rows.Next() {
		var r Rejected
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
