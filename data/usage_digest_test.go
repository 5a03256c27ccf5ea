package data

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/ecopulse/ecopulse/domain"
)

func randomConsumerDays(rng *rand.Rand, n int) []consumerDay {
	days := make([]consumerDay, n)
	id := int64(0)
	for i := range days {
		id += 1 + rng.Int64N(1000)
		d := &days[i]
		d.consumer = id
		d.Calls = rng.Int64N(1 << uint(rng.IntN(40)))
		d.Errors4xx = rng.Int64N(d.Calls + 1)
		d.Errors5xx = rng.Int64N(d.Calls - d.Errors4xx + 1)
		d.Bytes = rng.Int64N(1 << 50)
		if rng.IntN(4) > 0 { // some traffic has no latency data
			for j := rng.IntN(6); j >= 0; j-- {
				d.Latency[rng.IntN(domain.HistBuckets)] += 1 + rng.Int64N(1<<30)
			}
			d.Latency[domain.HistBuckets-1] += int64(rng.IntN(2)) // the open last bucket
		}
	}
	rng.Shuffle(len(days), func(i, j int) { days[i], days[j] = days[j], days[i] })
	return days
}

func decodeAll(tb testing.TB, b []byte) map[int64]domain.UsageTotals {
	tb.Helper()
	out := map[int64]domain.UsageTotals{}
	r := newDigestReader(b)
	var t domain.UsageTotals
	for {
		c, hist, ok := r.next(&t)
		if !ok {
			break
		}
		got := t
		got.Latency = domain.Histogram{}
		if err := mergeSparseHistogram(&got.Latency, hist); err != nil {
			tb.Fatalf("consumer %d: %v", c, err)
		}
		if _, dup := out[c]; dup {
			tb.Fatalf("consumer %d twice", c)
		}
		out[c] = got
	}
	if r.err != nil {
		tb.Fatal(r.err)
	}
	return out
}

func TestUsageDigestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 2, 500} {
		days := randomConsumerDays(rng, n)
		want := map[int64]domain.UsageTotals{}
		for _, d := range days {
			want[d.consumer] = d.UsageTotals
		}
		got := decodeAll(t, encodeUsageDigest(days))
		if len(got) != len(want) {
			t.Fatalf("n=%d: decoded %d consumers, want %d", n, len(got), len(want))
		}
		for c, w := range want {
			if g := got[c]; g != w {
				t.Fatalf("n=%d consumer %d:\n got %+v\nwant %+v", n, c, g, w)
			}
		}
	}
}

// A damaged digest must fail the window with an error, never be read as
// other numbers or panic.
func TestUsageDigestRejectsDamage(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	b := encodeUsageDigest(randomConsumerDays(rng, 20))
	readAll := func(b []byte) error {
		r := newDigestReader(b)
		var t domain.UsageTotals
		for {
			_, hist, ok := r.next(&t)
			if !ok {
				return r.err
			}
			var h domain.Histogram
			if err := mergeSparseHistogram(&h, hist); err != nil {
				return err
			}
		}
	}
	if err := readAll(b); err != nil {
		t.Fatalf("intact digest: %v", err)
	}
	for cut := 0; cut < len(b); cut++ {
		if err := readAll(b[:cut]); !errors.Is(err, errCorruptDigest) {
			t.Fatalf("digest cut at %d of %d bytes: err = %v, want a corrupt-digest error", cut, len(b), err)
		}
	}
	bad := append([]byte{}, b...)
	bad[0] = usageDigestVersion + 1
	if err := readAll(bad); !errors.Is(err, errCorruptDigest) {
		t.Errorf("unknown version: err = %v", err)
	}
	var h domain.Histogram
	if err := mergeSparseHistogram(&h, []byte{domain.HistBuckets - 1, 1, 0, 1}); !errors.Is(err, errCorruptDigest) {
		t.Errorf("histogram past its last bucket: err = %v", err)
	}
}
