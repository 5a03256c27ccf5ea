package data

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ecopulse/ecopulse/domain"
)

// TestBlobCodecRoundTrip writes every kind of field the derived blobs use
// and reads them back, and checks that a reader refuses another version, a
// blob cut short and a count the blob cannot hold.
func TestBlobCodecRoundTrip(t *testing.T) {
	w := newBlob(3, 0)
	w.uvarint(0)
	w.uvarint(math.MaxUint64)
	w.varint(-1 << 40)
	w.word(math.Float64bits(0.1))
	w.run([]byte("gateway-7"))
	w.uvarint(2) // a count of two records of 1 byte
	w.uvarint(5)
	w.uvarint(6)
	b := w.bytes()
	if b[0] != 3 {
		t.Fatalf("version byte = %d, want 3", b[0])
	}
	r, ok := openBlob(b, 3)
	if !ok {
		t.Fatal("openBlob refused its own version")
	}
	if v := r.uvarint(); v != 0 {
		t.Errorf("uvarint = %d, want 0", v)
	}
	if v := r.uvarint(); v != math.MaxUint64 {
		t.Errorf("uvarint = %d, want MaxUint64", v)
	}
	if v := r.varint(); v != -1<<40 {
		t.Errorf("varint = %d, want %d", v, int64(-1<<40))
	}
	if v := math.Float64frombits(r.word()); v != 0.1 {
		t.Errorf("word = %v, want 0.1", v)
	}
	if s := r.run(); string(s) != "gateway-7" {
		t.Errorf("run = %q", s)
	}
	if n := r.count(1); n != 2 {
		t.Errorf("count = %d, want 2", n)
	}
	r.uvarint()
	r.uvarint()
	if !r.done() {
		t.Error("blob not read whole and exactly")
	}

	if _, ok := openBlob(b, 4); ok {
		t.Error("openBlob accepted another version")
	}
	if _, ok := openBlob(nil, 3); ok {
		t.Error("openBlob accepted an empty blob")
	}
	for cut := 1; cut < len(b); cut++ {
		r, _ := openBlob(b[:cut], 3)
		r.uvarint()
		r.uvarint()
		r.varint()
		r.word()
		r.run()
		n := r.count(1)
		for range n {
			r.uvarint()
		}
		if r.done() {
			t.Fatalf("blob cut at %d of %d bytes read as whole", cut, len(b))
		}
	}
	big := newBlob(1, 0)
	big.uvarint(1 << 40) // a damaged count: far more records than bytes
	r, _ = openBlob(big.bytes(), 1)
	if n := r.count(1); n != 0 || !r.bad {
		t.Errorf("count of 2^40 records in a 7-byte blob = %d (bad %v), want a failure", n, r.bad)
	}
}

// TestHistogramLayoutsRoundTrip checks both latency layouts on random
// histograms, the open last bucket and saturated counts included, and that
// the dense layout keeps its bytes (stored rows predate versioned blobs).
func TestHistogramLayoutsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for n := 0; n < 200; n++ {
		var h domain.Histogram
		for k := range h {
			if rng.IntN(3) == 0 {
				h[k] = rng.Int64N(1 << uint(1+rng.IntN(62)))
			}
		}
		if n == 1 {
			h[domain.HistBuckets-1] = math.MaxInt64
		}
		var sparse, dense domain.Histogram
		if err := mergeSparseHistogram(&sparse, appendSparseHistogram(nil, &h)); err != nil {
			t.Fatal(err)
		}
		if b := encodeHistogram(&h); b != nil {
			if err := mergeEncodedHistogram(&dense, b); err != nil {
				t.Fatal(err)
			}
		}
		if sparse != h || dense != h {
			t.Fatalf("histogram %d: sparse %v, dense %v, want %v", n, sparse, dense, h)
		}
	}
	var one domain.Histogram
	one[2] = 300
	want := append(bytes.Repeat([]byte{0}, 2), 0xac, 0x02)
	want = append(want, bytes.Repeat([]byte{0}, domain.HistBuckets-3)...)
	if got := encodeHistogram(&one); !bytes.Equal(got, want) {
		t.Errorf("dense layout of one bucket = %x, want %x", got, want)
	}
}
