package data

import (
	"encoding/binary"
	"fmt"

	"github.com/ecopulse/ecopulse/domain"
)

// The one codec of the store's derived blobs (usage and activity day
// digests, a day's cooperation edges, the hour totals' latency): a leading
// version byte, then unsigned and signed varints, fixed 8-byte words and
// runs of bytes. Every encoding writes with blobWriter and reads with
// blobReader, so a damaged or foreign blob fails the same way everywhere:
// the reader remembers its first shortfall and the decoder checks once per
// record. A change of layout is a new version number: a reader refuses a
// version it does not know, and the window then reads that day from its
// source rows (derived.go).

// blobWriter builds a blob.
type blobWriter struct{ b []byte }

// newBlob starts a blob of the given layout version; size is a capacity hint.
func newBlob(version byte, size int) blobWriter {
	b := make([]byte, 1, max(1, size))
	b[0] = version
	return blobWriter{b: b}
}

func (w *blobWriter) uvarint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *blobWriter) varint(v int64)   { w.b = binary.AppendVarint(w.b, v) }
func (w *blobWriter) word(v uint64)    { w.b = binary.LittleEndian.AppendUint64(w.b, v) }

// run appends b preceded by its length.
func (w *blobWriter) run(b []byte) {
	w.uvarint(uint64(len(b)))
	w.b = append(w.b, b...)
}

// bytes returns the blob written so far.
func (w *blobWriter) bytes() []byte { return w.b }

// blobReader reads a blob written by blobWriter. It remembers the first
// shortfall, so a decoder reads a whole record and checks once.
type blobReader struct {
	b   []byte
	bad bool
}

// openBlob checks b's leading version byte and returns a reader of the rest.
func openBlob(b []byte, version byte) (blobReader, bool) {
	if len(b) == 0 || b[0] != version {
		return blobReader{bad: true}, false
	}
	return blobReader{b: b[1:]}, true
}

func (r *blobReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *blobReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

// word reads 8 little-endian bytes.
func (r *blobReader) word() uint64 {
	b := r.bytes(8)
	if r.bad {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

// bytes returns the next n bytes (nil, and the reader failed, when fewer
// are left). They alias the blob.
func (r *blobReader) bytes(n uint64) []byte {
	if n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out
}

// run reads a run of bytes written by blobWriter.run.
func (r *blobReader) run() []byte { return r.bytes(r.uvarint()) }

// count reads a count of records of at least min bytes each, failing when
// the blob cannot hold that many (a damaged count must not allocate).
func (r *blobReader) count(min int) uint64 {
	n := r.uvarint()
	if n > uint64(len(r.b)/min) {
		r.fail()
		return 0
	}
	return n
}

// done reports whether the blob was read whole and exactly.
func (r *blobReader) done() bool { return !r.bad && len(r.b) == 0 }

func (r *blobReader) fail() {
	r.bad = true
	r.b = nil
}

// Latency histograms come in two layouts. Sparse (in usage digests): per
// non-empty bucket uvarint(bucket − previous bucket − 1) and uvarint(count).
// Dense (usage_hour_totals.latency, which predates versioned blobs and has
// no version byte: a new layout there needs a migration that marks the days
// stale): HistBuckets uvarints.

// appendSparseHistogram appends h's sparse layout to dst.
func appendSparseHistogram(dst []byte, h *domain.Histogram) []byte {
	last := -1
	for k, c := range h {
		if c != 0 {
			dst = binary.AppendUvarint(dst, uint64(k-last-1))
			dst = binary.AppendUvarint(dst, uint64(c))
			last = k
		}
	}
	return dst
}

// mergeSparseHistogram adds a sparse histogram to h.
func mergeSparseHistogram(h *domain.Histogram, b []byte) error {
	r := blobReader{b: b}
	for k := -1; len(r.b) > 0; {
		gap, c := r.uvarint(), r.uvarint()
		if r.bad || gap >= domain.HistBuckets {
			return errCorruptDigest
		}
		k += int(gap) + 1
		if k >= domain.HistBuckets {
			return errCorruptDigest
		}
		h[k] = domain.AddSat(h[k], satUint(c))
	}
	return nil
}

// encodeHistogram packs h in the dense layout (nil when it is empty:
// traffic without latency data).
func encodeHistogram(h *domain.Histogram) []byte {
	if h.Count() == 0 {
		return nil
	}
	w := blobWriter{b: make([]byte, 0, domain.HistBuckets*2)}
	for _, c := range h {
		w.uvarint(uint64(c))
	}
	return w.bytes()
}

// mergeEncodedHistogram adds a dense histogram to h.
func mergeEncodedHistogram(h *domain.Histogram, b []byte) error {
	r := blobReader{b: b}
	for k := 0; k < domain.HistBuckets; k++ {
		v := r.uvarint()
		if r.bad {
			return fmt.Errorf("store: corrupt latency histogram (bucket %d)", k)
		}
		h[k] = domain.AddSat(h[k], satUint(v))
	}
	return nil
}
