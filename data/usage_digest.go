package data

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/ecopulse/ecopulse/domain"
)

// A usage day digest packs every consumer's API usage of one day into one
// blob (table usage_day_digests). The scoring window reads 56 days of every
// consumer: at 10k consumers that was 560k rows of usage_consumer_days, about
// a second in SQLite's row machinery, where decoding 56 blobs in Go takes a
// few tens of milliseconds. Nothing but the window reads it.
//
// Layout: a version byte, uvarint(entries), then per consumer in increasing
// id order: uvarint(id − previous id), uvarint(calls), uvarint(errors 4xx),
// uvarint(errors 5xx), uvarint(bytes), uvarint(len) and len bytes of sparse
// latency histogram: uvarint(bucket − previous bucket − 1), uvarint(count)
// per non-empty bucket. The histogram's length comes first so that readers
// wanting calls only (the previous window) skip it without decoding it.
const usageDigestVersion = 1

// consumerDay is one consumer's usage on one day.
type consumerDay struct {
	consumer int64
	domain.UsageTotals
}

// encodeUsageDigest packs days (any order; it is sorted by consumer).
func encodeUsageDigest(days []consumerDay) []byte {
	slices.SortFunc(days, func(a, b consumerDay) int { return cmp.Compare(a.consumer, b.consumer) })
	w := newBlob(usageDigestVersion, 16+len(days)*24)
	w.uvarint(uint64(len(days)))
	var prev int64
	var hist []byte
	for i := range days {
		d := &days[i]
		w.uvarint(uint64(d.consumer - prev))
		prev = d.consumer
		for _, v := range [...]int64{d.Calls, d.Errors4xx, d.Errors5xx, d.Bytes} {
			w.uvarint(uint64(v))
		}
		hist = appendSparseHistogram(hist[:0], &d.Latency)
		w.run(hist)
	}
	return w.bytes()
}

var errCorruptDigest = errors.New("store: corrupt usage day digest")

// digestReader walks a digest entry by entry.
type digestReader struct {
	blobReader
	left uint64
	id   int64
	err  error
}

func newDigestReader(b []byte) digestReader {
	br, ok := openBlob(b, usageDigestVersion)
	if !ok {
		return digestReader{err: fmt.Errorf("%w: unknown version", errCorruptDigest)}
	}
	r := digestReader{blobReader: br}
	r.left = r.count(6) // an entry takes at least 6 bytes
	if r.bad {
		r.err = errCorruptDigest
	}
	return r
}

// next reads one entry: its consumer, sums and packed histogram (valid until
// the digest's bytes are reused). It returns false at the end or on error.
func (r *digestReader) next(t *domain.UsageTotals) (consumer int64, hist []byte, ok bool) {
	if r.err != nil {
		return 0, nil, false
	}
	if r.left == 0 {
		if !r.done() {
			r.err = errCorruptDigest
		}
		return 0, nil, false
	}
	r.left--
	r.id += int64(r.uvarint())
	t.Calls = satUint(r.uvarint())
	t.Errors4xx = satUint(r.uvarint())
	t.Errors5xx = satUint(r.uvarint())
	t.Bytes = satUint(r.uvarint())
	hist = r.run()
	if r.bad {
		r.err = errCorruptDigest
		return 0, nil, false
	}
	return r.id, hist, true
}
