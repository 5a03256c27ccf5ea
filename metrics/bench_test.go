package metrics

import (
	"cmp"
	"slices"
	"testing"
	"time"
)

// benchInput is an ecosystem of n members with perPair pair records per
// member (n·perPair records in all, ends drawn at random).
func benchInput(n, perPair int) Input {
	r := newRand(7)
	in := Input{Day: time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC), Members: randomMembers(r, n)}
	in.Pairs = make([]PairInput, 0, n*perPair)
	for range n * perPair {
		in.Pairs = append(in.Pairs, PairInput{
			A: 1 + r.Int64N(int64(n)), B: 1 + r.Int64N(int64(n)),
			SharedProjects: r.IntN(3), SharedMilestones: r.IntN(4), SharedThreads: r.IntN(20),
		})
	}
	return in
}

// BenchmarkScore scores 10,000 members with 20 pair records per member
// (200,000 records).
func BenchmarkScore(b *testing.B) {
	in := benchInput(10_000, 20)
	cfg := DefaultConfig()
	b.ReportAllocs()
	for b.Loop() {
		Score(in, cfg)
	}
}

// BenchmarkScoreSortedPairs is BenchmarkScore with the pairs normalised and
// sorted by (A, B), as the data layer sends them.
func BenchmarkScoreSortedPairs(b *testing.B) {
	in := benchInput(10_000, 20)
	for i, p := range in.Pairs {
		if p.A > p.B {
			in.Pairs[i].A, in.Pairs[i].B = p.B, p.A
		}
	}
	slices.SortFunc(in.Pairs, func(x, y PairInput) int {
		if c := cmp.Compare(x.A, y.A); c != 0 {
			return c
		}
		return cmp.Compare(x.B, y.B)
	})
	cfg := DefaultConfig()
	b.ReportAllocs()
	for b.Loop() {
		Score(in, cfg)
	}
}
