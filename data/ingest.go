package data

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
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
	case r.Endpoint == "":
		return Errorf(EINVALID, "record has no endpoint")
	case len(r.Consumer) > 200 || len(r.Endpoint) > 500:
		return Errorf(EINVALID, "consumer or endpoint is too long")
	case r.LatencyMS != r.LatencyMS:
		return Errorf(EINVALID, "latency is not a number")
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
	rows     map[batchKey]*rollupAcc
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
	acc.calls++
	acc.bytes += r.Bytes
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
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		ids, err := consumerIDs(ctx, tx, b.rows)
		if err != nil {
			return err
		}
		hourly, daily := usageRows{}, usageRows{}
		for k, r := range b.rows {
			hk := usageKey{k.hour, ids[k.consumer], k.endpoint, k.class}
			hourly[hk] = r
			daily.add(usageKey{Day(time.Unix(k.hour, 0)).Unix(), hk.consumer, k.endpoint, k.class}, r.calls, r.bytes, r.latencySum, r.hist)
		}
		if err := upsertHourlyAndDaily(ctx, tx, hourly, daily); err != nil {
			return err
		}
		if err := addRejected(ctx, tx, b.Source, b.Rejected); err != nil {
			return err
		}
		if b.Cursor != "" {
			return setCursor(ctx, tx, b.Source, b.Cursor)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: unable to store usage from %s: %w", b.Source, err)
	}
	return nil
}

// consumerIDs resolves the consumer keys of a batch, creating unknown ones.
func consumerIDs(ctx context.Context, tx *sql.Tx, rows map[batchKey]*rollupAcc) (map[string]int64, error) {
	ids := map[string]int64{}
	for k := range rows {
		if _, ok := ids[k.consumer]; ok {
			continue
		}
		c := APIConsumer{Key: k.consumer}
		if err := upsertConsumer(ctx, tx, &c); err != nil {
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
