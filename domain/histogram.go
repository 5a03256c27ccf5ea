package domain

import "math"

// HistBuckets is the number of latency buckets. Bucket k (k < HistBuckets-1)
// holds latencies in (bound(k-1), bound(k)] with bound(k) = 10^(k/8) ms, so
// eight buckets per decade from 1 ms to ~56 s; the last bucket holds the rest.
// The layout is fixed: it is part of the schema (columns h00..h39).
const HistBuckets = 40

const bucketsPerDecade = 8

// Histogram counts calls per latency bucket.
type Histogram [HistBuckets]int64

// HistBound returns the upper bound in milliseconds of bucket k.
func HistBound(k int) float64 {
	if k >= HistBuckets-1 {
		return math.Inf(1)
	}
	return math.Pow(10, float64(k)/bucketsPerDecade)
}

// HistBucket returns the bucket that holds a latency of ms milliseconds.
func HistBucket(ms float64) int {
	if !(ms > 1) { // also catches NaN
		return 0
	}
	k := int(math.Ceil(math.Log10(ms)*bucketsPerDecade - 1e-9))
	if k >= HistBuckets-1 {
		return HistBuckets - 1
	}
	return k
}

// Observe adds n calls of latency ms.
func (h *Histogram) Observe(ms float64, n int64) {
	k := HistBucket(ms)
	h[k] = AddSat(h[k], n)
}

// Merge adds o's counts to h, saturating (usage_bounds.go).
func (h *Histogram) Merge(o *Histogram) {
	for i := range h {
		h[i] = AddSat(h[i], o[i])
	}
}

// Count returns the number of observations.
func (h *Histogram) Count() int64 {
	var n int64
	for _, c := range h {
		n = AddSat(n, c)
	}
	return n
}

// Quantile returns the q-quantile (0 < q ≤ 1) in milliseconds, interpolated
// geometrically inside the bucket that holds it; 0 for an empty histogram.
// The relative error is at most one bucket width (×1.33).
func (h *Histogram) Quantile(q float64) float64 {
	total := h.Count()
	if total == 0 {
		return 0
	}
	rank := q * float64(total)
	var cum float64
	for k, c := range h {
		if c == 0 {
			continue
		}
		if cum+float64(c) >= rank {
			hi := HistBound(k)
			lo := 0.0
			if k > 0 {
				lo = HistBound(k - 1)
			}
			if math.IsInf(hi, 1) {
				return lo
			}
			frac := (rank - cum) / float64(c)
			if lo == 0 {
				return hi * frac
			}
			return lo * math.Pow(hi/lo, frac)
		}
		cum += float64(c)
	}
	return HistBound(HistBuckets - 2)
}

// CountAbove estimates how many observations of h are slower than ms
// milliseconds, interpolating inside the bucket that holds ms the way
// Quantile does (geometrically; linearly in the first bucket), so that
// Quantile(q) == x exactly when CountAbove(x) == (1-q)·Count(). The open
// last bucket counts as slower than any bound inside it.
func (h *Histogram) CountAbove(ms float64) float64 {
	if math.IsNaN(ms) {
		return 0
	}
	var above float64
	for k, c := range h {
		if c == 0 {
			continue
		}
		hi := HistBound(k)
		lo := 0.0
		if k > 0 {
			lo = HistBound(k - 1)
		}
		switch {
		case ms <= lo:
			above += float64(c)
		case ms >= hi:
			// entirely at or below ms
		case math.IsInf(hi, 1):
			above += float64(c)
		case lo == 0:
			above += float64(c) * (1 - ms/hi)
		default:
			above += float64(c) * (1 - math.Log(ms/lo)/math.Log(hi/lo))
		}
	}
	return above
}
