package domain_test

import (
	"math"
	"testing"

	"github.com/ecopulse/ecopulse/domain"
)

func TestHistBucketBounds(t *testing.T) {
	for _, tc := range []struct {
		ms   float64
		want int
	}{
		{0, 0}, {0.5, 0}, {1, 0}, {1.01, 1}, {10, 8}, {10.5, 9}, {100, 16}, {1000, 24},
		{math.NaN(), 0}, {1e9, domain.HistBuckets - 1},
	} {
		if got := domain.HistBucket(tc.ms); got != tc.want {
			t.Errorf("HistBucket(%v) = %d, want %d", tc.ms, got, tc.want)
		}
	}
	for k := 0; k < domain.HistBuckets-1; k++ {
		if b := domain.HistBound(k); domain.HistBucket(b) != k {
			t.Errorf("bound %v of bucket %d falls in bucket %d", b, k, domain.HistBucket(b))
		}
	}
}

// TestQuantileWithinOneBucket checks percentiles from the histogram against
// exact percentiles of the same samples: within one bucket width (×1.34).
func TestQuantileWithinOneBucket(t *testing.T) {
	var h domain.Histogram
	var xs []float64
	for i := 1; i <= 1000; i++ {
		ms := float64(i) * 0.7 // 0.7 .. 700 ms, uniform
		xs = append(xs, ms)
		h.Observe(ms, 1)
	}
	for _, q := range []float64{0.5, 0.95, 0.99} {
		exact := xs[int(q*float64(len(xs)))-1]
		got := h.Quantile(q)
		if ratio := got / exact; ratio < 1/1.34 || ratio > 1.34 {
			t.Errorf("p%v = %.1f ms, exact %.1f ms (ratio %.2f)", q*100, got, exact, ratio)
		}
	}
	var empty domain.Histogram
	if got := empty.Quantile(0.5); got != 0 {
		t.Errorf("empty histogram p50 = %v, want 0", got)
	}
}

func TestHistogramMerge(t *testing.T) {
	var a, b domain.Histogram
	a.Observe(5, 3)
	b.Observe(5, 2)
	b.Observe(500, 1)
	a.Merge(&b)
	if got, want := a.Count(), int64(6); got != want {
		t.Errorf("count = %d, want %d", got, want)
	}
	if got, want := a[domain.HistBucket(5)], int64(5); got != want {
		t.Errorf("bucket of 5 ms = %d, want %d", got, want)
	}
}
