package metrics

import (
	"math"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// TestHandComputed checks a three-member ecosystem against numbers worked
// out on paper with the default config (docs/scoring.md, "Worked example").
func TestHandComputed(t *testing.T) {
	day := time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)
	in := Input{
		Day: day,
		Members: []MemberInput{
			{ID: 1, Calls: 1000, Errors5xx: 10, Errors4xx: 40, LatencyP95MS: 500, Consumers: 3, PrevCalls: 1000,
				ActiveProjects: 1, MilestonesDue: 2, MilestonesOnTime: 1, MilestonesDelivered: 1, MilestonesOverdue: 1,
				Contributions: 9, PrevContributions: 9, ActiveContributors: 2, Engaged: 4, Threads: 4, Responded: 3, FirstResponseHours: 48},
			{ID: 2, ActiveProjects: 1, Contributions: 9, PrevContributions: 4, ActiveContributors: 2, Engaged: 4},
			{ID: 3},
		},
		Pairs: []PairInput{
			{A: 2, B: 1, SharedProjects: 1},  // swapped
			{A: 1, B: 2, SharedThreads: 10},  // same pair again: x = 0.5·1 + 0.05·10 = 1
			{A: 1, B: 99, SharedProjects: 5}, // 99 is not a member
			{A: 3, B: 3, SharedThreads: 7},   // self pair
			{A: 2, B: 3},                     // nothing shared: K = 0, no edge
		},
	}
	res := Score(in, DefaultConfig())

	// T_1 = (1·0.99 + 0.5·0.96 + 0.5·1 + 1·½) / 3 = 2.47/3; member 1 holds the
	// ecosystem maximum of every I component, so I_1 = 1; M_1 = (1 + 1 +
	// 0.5·½ + 0.5·½) / 3 = 2.5/3 (no growth: r = 1 scores ½).
	// T_2 = 0.5 (no calls, nothing due: no_data_score); I_2 = (0 + 1 + 0 + 1)/4;
	// M_2 = (1·0 + 1·1 + 0.5·0.8) / 2.5 (contributions 9 vs 4: r = 2, r²/(1+r²) = 0.8;
	// no call growth component: no calls in either window).
	// Member 3 did nothing: I = 0, so C = 0; M = 0 (no consumers, no one engaged).
	k := 1 - math.Exp(-1) // 0.6321205588…
	want := []struct{ t, i, m, c, k float64 }{
		{2.47 / 3, 1, 2.5 / 3, 2.47 / 3 * 2.5 / 3, k}, // C ≈ 0.686111
		{0.5, 0.5, 1.4 / 2.5, 0.14, k},
		{0.5, 0, 0, 0, 0},
	}
	for n, w := range want {
		m := res.Members[n]
		for _, v := range []struct {
			name      string
			got, want float64
		}{{"T", m.T, w.t}, {"I", m.I, w.i}, {"M", m.M, w.m}, {"C", m.C, w.c}, {"K", m.K, w.k}} {
			if !approxEqual(v.got, v.want, 1e-12) {
				t.Errorf("member %d: %s = %.15g, want %.15g", m.MemberID, v.name, v.got, v.want)
			}
		}
	}

	if len(res.Edges) != 1 || res.Edges[0].A != 1 || res.Edges[0].B != 2 || !approxEqual(res.Edges[0].K, k, 1e-15) {
		t.Errorf("edges = %+v, want [{1 2 %v}]", res.Edges, k)
	}
	// R = (C_1 + C_2)·K ≈ 0.522202; each gets half: φ = ½·K·(C_1 + C_2).
	r := (want[0].c + want[1].c) * k
	if got := res.R; !approxEqual(got, r, 1e-12) {
		t.Errorf("R = %.15g, want %.15g", got, r)
	}
	for n, w := range []float64{r / 2, r / 2, 0} {
		if got := res.Members[n].Phi; !approxEqual(got, w, 1e-12) {
			t.Errorf("member %d: φ = %.15g, want %.15g", res.Members[n].MemberID, got, w)
		}
	}

	// Dimensions of member 1: api = 100·(0.99 + 0.5·0.96 + 0.5·1)/2 = 98.5;
	// projects = 100·½·e^(−1/3) ≈ 35.83 (one overdue); community =
	// 100·(ln 10/ln 21 + ¾ + 24/48)/3 ≈ 66.88; cooperation = 100·(1 − e^(−K)) ≈ 46.85.
	// Member 2: projects 100 (active, nothing due or overdue), community
	// 100·ln 10/ln 21 ≈ 75.63 (no threads), same cooperation, no api.
	activity := math.Log(10) / math.Log(21)
	coop := 100 * (1 - math.Exp(-k))
	nan := math.NaN()
	dims := [][4]float64{
		{98.5, 50 * math.Exp(-1.0/3), 100 * (activity + 0.75 + 0.5) / 3, coop},
		{nan, 100, 100 * activity, coop},
		{nan, nan, nan, nan},
	}
	// Member 1's projects dimension is low (35.83) but its change signals
	// (below) are not collapsed — the worst is 66.7, above collapse_below
	// (60) — so nothing caps the weighted mean.
	health := []float64{
		(dims[0][0] + dims[0][1] + dims[0][2] + 0.5*coop) / 3.5, // ≈ 64.18
		(dims[1][1] + dims[1][2] + 0.5*coop) / 2.5,              // ≈ 79.62
		0,
	}
	status := []string{domain.StatusWatch, domain.StatusHealthy, domain.StatusNoData}
	for n := range dims {
		m := res.Members[n]
		for d := range dims[n] {
			got, want := m.Dimensions[d], dims[n][d]
			if math.IsNaN(want) != math.IsNaN(got) || (!math.IsNaN(want) && !approxEqual(got, want, 1e-12)) {
				t.Errorf("member %d: %s = %.15g, want %.15g", m.MemberID, domain.Dimensions[d], got, want)
			}
		}
		if got, want := m.Health, health[n]; !approxEqual(got, want, 1e-12) {
			t.Errorf("member %d: health = %.15g, want %.15g", m.MemberID, got, want)
		}
		if got, want := m.Status, status[n]; got != want {
			t.Errorf("member %d: status = %q, want %q", m.MemberID, got, want)
		}
		if got, want := m.Day, day; !got.Equal(want) {
			t.Errorf("member %d: day = %v, want %v", m.MemberID, got, want)
		}
	}
	// What changed for member 1: one of two milestones due delivered late,
	// (1+1)/(2+1) ≈ 0.667, and one overdue, e^(−1/3) ≈ 0.717; no weeks, so
	// no usage or community signal. Member 2 has none.
	if got := res.Members[0].Changes; len(got) != 2 || got[0].Kind != domain.ChangeMilestonesLate || !approxEqual(got[0].Score, 2.0/3, 1e-12) ||
		got[1].Kind != domain.ChangeMilestonesOverdue || !approxEqual(got[1].Score, math.Exp(-1.0/3), 1e-12) {
		t.Errorf("member 1 changes = %+v, want milestones_late 0.667, milestones_overdue 0.717", got)
	}
	if got := res.Members[1].Changes; len(got) != 0 {
		t.Errorf("member 2 changes = %+v, want none", got)
	}
	// Ecosystem: C-weighted mean over members 1 and 2 ≈ 66.80.
	eco := (want[0].c*health[0] + want[1].c*health[1]) / (want[0].c + want[1].c)
	if got := res.Health; !approxEqual(got, eco, 1e-12) {
		t.Errorf("ecosystem health = %.15g, want %.15g", got, eco)
	}
	if got, want := res.HealthMean, (health[0]+health[1])/2; !approxEqual(got, want, 1e-12) {
		t.Errorf("member mean health = %.15g, want %.15g", got, want)
	}
	if got, want := res.Health, 66.797; math.Abs(got-want) > 1e-3 {
		t.Errorf("ecosystem health = %.6f, want ≈ %v (paper)", got, want)
	}
}

// TestCooperationDimensionOnPaper pins cooperation = 100·(1 − exp(−K/k0))
// to numbers worked out by hand, with a scale other than the default 1
// (where K/k0 and K·k0 agree).
func TestCooperationDimensionOnPaper(t *testing.T) {
	for _, c := range []struct{ k, scale, want float64 }{
		{0, 1, 0},
		{1, 1, 63.212},   // 100·(1 − e^−1)
		{2, 4, 39.347},   // 100·(1 − e^−0.5)
		{3, 0.5, 99.752}, // 100·(1 − e^−6)
		{500, 1, 100},
	} {
		got := cooperationDimension(c.k, HealthConfig{CooperationScale: c.scale})
		if math.Abs(got-c.want) > 0.001 {
			t.Errorf("K %g, scale %g: cooperation %.4f, want %.3f", c.k, c.scale, got, c.want)
		}
	}
}
