package data

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ecopulse/ecopulse/domain"
)

func TestEdgesBlobRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{0, 1, 3, 2000} {
		seen := map[[2]int64]bool{}
		var edges []domain.Edge
		for len(edges) < n {
			a, b := 1+rng.Int64N(300), 1+rng.Int64N(300)
			if a == b || seen[[2]int64{a, b}] {
				continue
			}
			seen[[2]int64{a, b}] = true
			k := rng.Float64() * math.Pow(10, float64(rng.IntN(12)-6))
			edges = append(edges, domain.Edge{A: a, B: b, K: k}) // any orientation, any order
		}
		got, err := decodeEdges(encodeEdges(edges))
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		want := slices.Clone(edges)
		slices.SortFunc(want, func(x, y domain.Edge) int {
			if x.A != y.A {
				return int(x.A - y.A)
			}
			return int(x.B - y.B)
		})
		if !slices.Equal(got, want) {
			t.Fatalf("n=%d: decoded edges differ from the saved ones (first: got %v, want %v)", n, got[:min(3, len(got))], want[:min(3, len(want))])
		}
	}
}

func TestEdgesBlobRejectsDamage(t *testing.T) {
	b := encodeEdges([]domain.Edge{{A: 1, B: 2, K: 0.5}, {A: 1, B: 7, K: 2}, {A: 3, B: 4, K: 1e-9}})
	for cut := 0; cut < len(b); cut++ {
		if _, err := decodeEdges(b[:cut]); !errors.Is(err, errCorruptEdges) {
			t.Fatalf("blob cut at %d of %d bytes: err = %v", cut, len(b), err)
		}
	}
	if _, err := decodeEdges(append(b, 0)); !errors.Is(err, errCorruptEdges) {
		t.Errorf("trailing byte: err = %v", err)
	}
}
