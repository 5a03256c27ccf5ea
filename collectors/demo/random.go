package demo

import (
	"math"
	"math/rand/v2"
)

// Stream constants: each part of the generator draws from its own PCG stream
// of the seed, so that changing one part never shifts the numbers of another.
const (
	streamPlan      = 0x9e3779b97f4a7c15
	streamTraffic   = 0xd1b54a32d192ed03
	streamCommunity = 0x8cb92ba72f3d8dd7
	streamTick      = 0xa0761d6478bd642f
	streamTickHour  = 0xe7037ed1a0b428db
	streamNoise     = 0x589965cc75374cc3
)

func newRand(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), stream))
}

// mix64 is SplitMix64's finaliser: a well-spread hash of x.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// hashNormal returns a standard normal number that depends only on its
// arguments (Box–Muller over two hashed uniforms). It gives noise that Seed
// and Tick agree on, whatever the order in which they draw.
func hashNormal(seed int64, a, b uint64) float64 {
	h1 := mix64(uint64(seed) ^ mix64(a^streamNoise) ^ mix64(b+0x632be59bd9b4e019))
	h2 := mix64(h1 ^ 0x2545f4914f6cdd1d)
	u1 := (float64(h1>>11) + 0.5) / (1 << 53)
	u2 := float64(h2>>11) / (1 << 53)
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// poisson draws a Poisson number of mean lambda: exact (Knuth) for small
// means, a rounded normal approximation for large ones.
func poisson(r *rand.Rand, lambda float64) int64 {
	switch {
	case !(lambda > 0):
		return 0
	case lambda < 30:
		l := math.Exp(-lambda)
		var k int64
		p := r.Float64()
		for p > l {
			k++
			p *= r.Float64()
		}
		return k
	}
	n := math.Round(lambda + math.Sqrt(lambda)*r.NormFloat64())
	if n < 0 {
		return 0
	}
	return int64(n)
}

// logNormal draws a value whose logarithm is normal, with the given median.
func logNormal(r *rand.Rand, median, sigma float64) float64 {
	return median * math.Exp(sigma*r.NormFloat64())
}

// between draws a uniform float in [lo, hi).
func between(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// betweenInt draws a uniform int in [lo, hi].
func betweenInt(r *rand.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// pickWeighted returns an index drawn with probability proportional to w
// (-1 when every weight is 0).
func pickWeighted(r *rand.Rand, w []float64) int {
	var sum float64
	for _, x := range w {
		if x > 0 {
			sum += x
		}
	}
	if !(sum > 0) {
		return -1
	}
	u := r.Float64() * sum
	last := -1
	for i, x := range w {
		if x <= 0 {
			continue
		}
		last = i
		if u < x {
			return i
		}
		u -= x
	}
	return last
}

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }
