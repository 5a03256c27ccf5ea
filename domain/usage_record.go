package domain

import (
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

// MaxRejectedRecordBytes bounds one quarantined record's stored text.
const MaxRejectedRecordBytes = 4096

type BatchKey struct {
	Hour     int64
	Consumer string
	Endpoint string
	Class    int
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
	// IdempotencyKey, when set, makes the batch stored once per token
	// however often it is committed (data/ingest_keys.go); BodyDigest
	// identifies the request it came from (a key reused for another batch
	// is refused). Replayed is set by the store when the key was already
	// recorded: nothing was stored, and Accepted is the first commit's.
	IdempotencyKey string
	BodyDigest     string
	Replayed       bool
	rows           map[BatchKey]*Rollup
	free           []Rollup // the rest of the block new rows take their rollup from

	// CursorFrom is the cursor the batch continues from (what its run read,
	// or its previous batch's Cursor): the batch is stored only if the
	// source's cursor is still that, so that two runs never both store it.
	CursorFrom string
}

// rollupBlock is how many rollups a batch allocates at once: a sparse
// log's batch holds about a rollup per line, and one allocation each was
// a tenth of reading it.
const rollupBlock = 256

// NewUsageBatch returns an empty batch for a source.
func NewUsageBatch(source string) *UsageBatch {
	return &UsageBatch{Source: source, rows: map[BatchKey]*Rollup{}}
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
	k := BatchKey{r.Time.UTC().Truncate(time.Hour).Unix(), consumer, r.Endpoint, r.Status / 100}
	acc := b.rows[k]
	if acc == nil {
		if len(b.free) == 0 {
			b.free = make([]Rollup, rollupBlock)
		}
		acc, b.free = &b.free[0], b.free[1:]
		b.rows[k] = acc
	}
	acc.Calls = AddSat(acc.Calls, 1)
	acc.Bytes = AddSat(acc.Bytes, r.Bytes)
	if r.LatencyMS >= 0 {
		acc.LatencySum += r.LatencyMS
		if acc.Hist == nil {
			acc.Hist = new(Histogram)
		}
		acc.Hist.Observe(r.LatencyMS, 1)
	}
}

// Reject counts a record the source could not parse, keeping it with why.
func (b *UsageBatch) Reject(reason, raw string) {
	if !utf8.ValidString(raw) {
		raw = strings.ToValidUTF8(raw, "\uFFFD")
	}
	if len(raw) > MaxRejectedRecordBytes {
		raw = raw[:MaxRejectedRecordBytes]
	}
	b.Rejected = append(b.Rejected, Rejected{Reason: reason, Record: raw})
}

// Len returns the number of rollup rows the batch holds.
func (b *UsageBatch) Len() int { return len(b.rows) }

// Rows returns the batch's rollup rows by key, for the store to commit;
// callers must not change them.
func (b *UsageBatch) Rows() map[BatchKey]*Rollup { return b.rows }

// Rollup accumulates one rollup row in memory. Its histogram is
// allocated only when a latency is observed: logs without a request-time
// field then cost a few dozen bytes a row instead of several hundred.
type Rollup struct {
	Calls, Bytes int64
	LatencySum   float64
	Hist         *Histogram
}

func (a *Rollup) Merge(calls, bytes int64, latencySum float64, h *Histogram) {
	a.Calls = AddSat(a.Calls, calls)
	a.Bytes = AddSat(a.Bytes, bytes)
	a.LatencySum += latencySum
	if h != nil && h.Count() > 0 {
		if a.Hist == nil {
			a.Hist = new(Histogram)
		}
		a.Hist.Merge(h)
	}
}

// UsageTotals is API traffic summed over a range.
type UsageTotals struct {
	Calls     int64     `json:"calls"`
	Errors4xx int64     `json:"errors_4xx"`
	Errors5xx int64     `json:"errors_5xx"`
	Bytes     int64     `json:"bytes"`
	Latency   Histogram `json:"-"`
}

// Add folds one row of a status class into the totals.
func (u *UsageTotals) Add(class int, calls, bytes int64, h *Histogram) {
	u.Calls = AddSat(u.Calls, calls)
	u.Bytes = AddSat(u.Bytes, bytes)
	switch class {
	case 4:
		u.Errors4xx = AddSat(u.Errors4xx, calls)
	case 5:
		u.Errors5xx = AddSat(u.Errors5xx, calls)
	}
	u.Latency.Merge(h)
}
