package metrics

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
)

// BenchmarkScaleScore scores ecosystems of 1,000, 10,000 and 50,000
// members with 20 pair records per member (benchInput: ends drawn at
// random, so about 20·n distinct edges), with the pairs in random order and
// normalised and sorted by (A, B) as the data layer sends them. It reports
// the size of what was scored beside the time, so that scripts/bench.sh can
// compare the growth of the time with the growth of the edges (goal: 10,000
// members well under a second; cost linear in edges). Input generation is
// outside the timing.
func BenchmarkScaleScore(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 50_000} {
		for _, order := range []string{"sorted", "random"} {
			b.Run(fmt.Sprintf("members=%d/pairs=%s", n, order), func(b *testing.B) {
				in := benchInput(n, 20)
				if order == "sorted" {
					sortPairs(in.Pairs)
				}
				cfg := DefaultConfig()
				res := Score(in, cfg) // warm-up, and the edge count
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					Score(in, cfg)
				}
				b.ReportMetric(float64(len(in.Members)), "members")
				b.ReportMetric(float64(len(in.Pairs)), "pairs")
				b.ReportMetric(float64(len(res.Edges)), "edges")
				b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/score")
				if e := len(res.Edges); e > 0 {
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(e), "ns/edge")
				}
			})
		}
	}
}

// sortPairs puts pair records in the data layer's order: A < B, by (A, B).
func sortPairs(ps []PairInput) {
	for i, p := range ps {
		if p.A > p.B {
			ps[i].A, ps[i].B = p.B, p.A
		}
	}
	slices.SortFunc(ps, func(x, y PairInput) int {
		if c := cmp.Compare(x.A, y.A); c != 0 {
			return c
		}
		return cmp.Compare(x.B, y.B)
	})
}
