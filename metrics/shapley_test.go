package metrics

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"testing"

	"github.com/ecopulse/ecopulse/domain"
)

// game is a small cooperative game: players 0..n-1 with contributions c and a
// symmetric cooperation matrix k (zero diagonal).
type game struct {
	c []float64
	k [][]float64
}

// value is v(S) = Σ_{i∈S} C_i Σ_{j∈S} K_ij for the coalition in mask.
func (g game) value(mask uint) float64 {
	var v float64
	for i := range g.c {
		if mask&(1<<i) == 0 {
			continue
		}
		for j := range g.c {
			if mask&(1<<j) != 0 {
				v += g.c[i] * g.k[i][j]
			}
		}
	}
	return v
}

// coalitionShapley computes φ_i = Σ_{S ⊆ N∖{i}} |S|!(n−|S|−1)!/n! · (v(S∪{i}) − v(S))
// by enumerating every coalition.
func coalitionShapley(g game) []float64 {
	n := len(g.c)
	v := make([]float64, 1<<n)
	for mask := range uint(1 << n) {
		v[mask] = g.value(mask)
	}
	fact := make([]float64, n+1)
	fact[0] = 1
	for i := 1; i <= n; i++ {
		fact[i] = fact[i-1] * float64(i)
	}
	phi := make([]float64, n)
	for i := range n {
		for mask := range uint(1 << n) {
			if mask&(1<<i) != 0 {
				continue
			}
			s := bits.OnesCount(mask)
			phi[i] += fact[s] * fact[n-s-1] / fact[n] * (v[mask|1<<i] - v[mask])
		}
	}
	return phi
}

// permutationShapley averages each player's marginal contribution over all
// n! orders in which the grand coalition can form (Heap's algorithm).
func permutationShapley(g game) []float64 {
	n := len(g.c)
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	phi := make([]float64, n)
	var orders float64
	visit := func() {
		orders++
		var mask uint
		for _, p := range perm {
			phi[p] += g.value(mask|1<<p) - g.value(mask)
			mask |= 1 << p
		}
	}
	c := make([]int, n)
	visit()
	for i := 0; i < n; {
		if c[i] < i {
			if i%2 == 0 {
				perm[0], perm[i] = perm[i], perm[0]
			} else {
				perm[c[i]], perm[i] = perm[i], perm[c[i]]
			}
			visit()
			c[i]++
			i = 0
		} else {
			c[i] = 0
			i++
		}
	}
	for i := range phi {
		phi[i] /= orders
	}
	return phi
}

// randomGame makes a game of n players with random IDs, some C = 0 and some
// K = 0, and its edges in random orientation.
func randomGame(r *rand.Rand, n int) (game, []int64, map[int64]float64, []domain.Edge) {
	g := game{c: make([]float64, n), k: make([][]float64, n)}
	ids := make([]int64, n)
	cmap := map[int64]float64{}
	seen := map[int64]bool{}
	for i := range n {
		for {
			ids[i] = r.Int64N(1000) - 500
			if !seen[ids[i]] {
				seen[ids[i]] = true
				break
			}
		}
		if r.IntN(5) > 0 {
			g.c[i] = r.Float64()
		}
		cmap[ids[i]] = g.c[i]
		g.k[i] = make([]float64, n)
	}
	var edges []domain.Edge
	for i := range n {
		for j := i + 1; j < n; j++ {
			if r.IntN(3) == 0 {
				continue
			}
			k := r.Float64()
			g.k[i][j], g.k[j][i] = k, k
			e := domain.Edge{A: ids[i], B: ids[j], K: k}
			if r.IntN(2) == 0 {
				e.A, e.B = e.B, e.A
			}
			edges = append(edges, e)
		}
	}
	return g, ids, cmap, edges
}

func TestShapleyMatchesBruteForce(t *testing.T) {
	r := newRand(42)
	for trial := range 60 {
		n := 1 + trial%8 // n = 1..8
		g, ids, cmap, edges := randomGame(r, n)
		got := shapleyByID(cmap, edges)
		byCoalition := coalitionShapley(g)
		var byOrder []float64
		if n <= 6 {
			byOrder = permutationShapley(g)
		}
		var sum float64
		for i, id := range ids {
			if _, ok := got[id]; !ok {
				t.Errorf("trial %d: no share for player %d", trial, id)
			}
			if !approxEqual(got[id], byCoalition[i], 1e-9) && math.Abs(got[id]-byCoalition[i]) > 1e-12 {
				t.Errorf("trial %d (n=%d): φ[%d] = %v, coalitions give %v", trial, n, id, got[id], byCoalition[i])
			}
			if byOrder != nil && !approxEqual(got[id], byOrder[i], 1e-9) && math.Abs(got[id]-byOrder[i]) > 1e-12 {
				t.Errorf("trial %d (n=%d): φ[%d] = %v, permutations give %v", trial, n, id, got[id], byOrder[i])
			}
			sum += got[id]
		}
		if grand := g.value(1<<n - 1); !approxEqual(sum, grand, 1e-9) {
			t.Errorf("trial %d: Σ φ = %v, want v(N) = R = %v", trial, sum, grand)
		}
		if len(got) != n {
			t.Errorf("trial %d: %d shares for %d players", trial, len(got), n)
		}
	}
}

func TestShapleyEdgeCases(t *testing.T) {
	c := map[int64]float64{1: 0.4, 2: 0.2, 3: 0.9}
	// A split edge adds up; a self edge is ignored; an end missing from c
	// is a player with C = 0.
	got := shapleyByID(c, []domain.Edge{{A: 2, B: 1, K: 0.25}, {A: 1, B: 2, K: 0.25}, {A: 3, B: 3, K: 0.7}, {A: 1, B: 9, K: 0.5}})
	want := map[int64]float64{
		1: 0.5*0.5*(0.4+0.2) + 0.5*0.5*0.4,
		2: 0.5 * 0.5 * (0.4 + 0.2),
		3: 0,
		9: 0.5 * 0.5 * 0.4,
	}
	if len(got) != len(want) {
		t.Errorf("shapley = %v, want %v", got, want)
	}
	for id, w := range want {
		if g, ok := got[id]; !ok || !approxEqual(g, w, 1e-15) {
			t.Errorf("φ[%d] = %v, want %v", id, g, w)
		}
	}
	if got := shapleyByID(nil, nil); len(got) != 0 {
		t.Errorf("shapley of no players = %v, want empty", got)
	}
}

func TestShapleyTwoMembers(t *testing.T) {
	// Two members, C = 0.6 and 0.2, cooperating with K = 0.5: R = (0.6+0.2)·0.5 = 0.4,
	// split equally because the pair's value needs both.
	phi := shapleyByID(map[int64]float64{1: 0.6, 2: 0.2}, []domain.Edge{{A: 1, B: 2, K: 0.5}})
	if got := fmt.Sprintf("φ1 = %.2f, φ2 = %.2f", phi[1], phi[2]); got != "φ1 = 0.20, φ2 = 0.20" {
		t.Errorf("%s, want φ1 = 0.20, φ2 = 0.20", got)
	}
}

// shapleyByID is shapley for players named by ID: the keys of c and the ends
// of the edges (an end missing from c has C = 0), edges in any orientation.
func shapleyByID(c map[int64]float64, edges []domain.Edge) map[int64]float64 {
	index := map[int64]int{}
	var cs []float64
	player := func(id int64) int {
		i, ok := index[id]
		if !ok {
			i = len(cs)
			index[id] = i
			cs = append(cs, c[id])
		}
		return i
	}
	for id := range c {
		player(id)
	}
	ends := make([][2]int, len(edges))
	for e, edge := range edges {
		ends[e] = [2]int{player(edge.A), player(edge.B)}
	}
	phi := make([]float64, len(cs))
	shapley(phi, cs, edges, ends)
	out := make(map[int64]float64, len(cs))
	for id, i := range index {
		out[id] = phi[i]
	}
	return out
}
