package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ecopulse/ecopulse/domain"
)

// checkInvariants fails tb unless res, the score of in under cfg, holds every
// invariant of the model.
func checkInvariants(tb testing.TB, in Input, cfg Config, res Result) {
	tb.Helper()
	if got, want := len(res.Members), len(in.Members); got != want {
		tb.Fatalf("%d member scores for %d members", got, want)
	}
	if !res.Day.Equal(in.Day) {
		tb.Errorf("Result.Day = %v, want %v", res.Day, in.Day)
	}
	for i, m := range res.Members {
		mi := in.Members[i]
		if m.MemberID != mi.ID {
			tb.Errorf("row %d: MemberID = %d, want %d", i, m.MemberID, mi.ID)
		}
		if !m.Day.Equal(res.Day) {
			tb.Errorf("member %d: Day = %v, want %v", m.MemberID, m.Day, res.Day)
		}
		for _, v := range []struct {
			name string
			x    float64
		}{{"T", m.T}, {"I", m.I}, {"M", m.M}} {
			if !(v.x >= 0 && v.x <= 1) {
				tb.Errorf("member %d: %s = %v, want in [0,1]", m.MemberID, v.name, v.x)
			}
		}
		if got, want := m.C, m.T*m.I*m.M; !sameFloat(got, want) {
			tb.Errorf("member %d: C = %v, want T·I·M = %v", m.MemberID, got, want)
		}
		if !active(mi) {
			if m.C != 0 || m.I != 0 {
				tb.Errorf("member %d has no activity: C = %v, I = %v, want 0", m.MemberID, m.C, m.I)
			}
		}
		if !(m.Health >= 0 && m.Health <= 100) {
			tb.Errorf("member %d: health = %v, want in [0,100]", m.MemberID, m.Health)
		}
		// No data: no dimension with data and a positive weight.
		hw := cfg.Health.Weights
		weights := [4]float64{hw.API, hw.Projects, hw.Community, hw.Cooperation}
		noData := true
		for d, v := range m.Dimensions {
			if math.IsNaN(v) {
				continue
			}
			if weights[d] > 0 {
				noData = false
			}
			if !(v >= 0 && v <= 100) {
				tb.Errorf("member %d: dimension %s = %v, want in [0,100] or NaN", m.MemberID, domain.Dimensions[d], v)
			}
		}
		// Changes: worst first, each below 1, and no dimension above its
		// worst change; a collapsed dimension caps health.
		for k, c := range m.Changes {
			if !(c.Score >= 0 && c.Score < 1) {
				tb.Errorf("member %d: change %s score %v, want in [0,1)", m.MemberID, c.Kind, c.Score)
			}
			if k > 0 && m.Changes[k-1].Score > c.Score {
				tb.Errorf("member %d: changes not worst first: %v", m.MemberID, m.Changes)
			}
			if d := slices.Index(domain.Dimensions[:], c.Dimension); d < 0 || d == 3 {
				tb.Errorf("member %d: change %s of dimension %q", m.MemberID, c.Kind, c.Dimension)
			} else if !(m.Dimensions[d] <= 100*c.Score+1e-9) {
				tb.Errorf("member %d: dimension %s = %v above its change %s (%v)", m.MemberID, c.Dimension, m.Dimensions[d], c.Kind, c.Score)
			}
		}
		if !noData {
			offset := cfg.Health.HealthyMin - cfg.Changes.CollapseBelow
			for _, c := range m.Changes {
				d := slices.Index(domain.Dimensions[:], c.Dimension)
				if v := 100 * c.Score; d >= 0 && weights[d] > 0 && v < cfg.Changes.CollapseBelow && m.Health > v+offset+1e-9 {
					tb.Errorf("member %d: health %v above its collapsed change %s %v + %v", m.MemberID, m.Health, c.Kind, v, offset)
				}
			}
		}
		switch {
		case noData && (m.Status != domain.StatusNoData || m.Health != 0):
			tb.Errorf("member %d has no dimension: status %q, health %v; want %q, 0", m.MemberID, m.Status, m.Health, domain.StatusNoData)
		case !noData && m.Status != StatusOf(m.Health, cfg):
			tb.Errorf("member %d: status %q, want StatusOf(%v) = %q", m.MemberID, m.Status, m.Health, StatusOf(m.Health, cfg))
		}
	}

	// K: symmetric, zero diagonal, equal to a reference built from the pairs.
	ids := memberIDs(in)
	got := fullK(tb, res, ids)
	want := referenceK(tb, in, cfg, ids)
	for i := range ids {
		if got[i][i] != 0 {
			tb.Errorf("K[%d][%d] = %v, want 0", ids[i], ids[i], got[i][i])
		}
		for j := range ids {
			if got[i][j] != got[j][i] || want[i][j] != want[j][i] {
				tb.Errorf("K not symmetric at (%d, %d): %v vs %v", ids[i], ids[j], got[i][j], got[j][i])
			}
			if math.Abs(got[i][j]-want[i][j]) > 1e-12 {
				tb.Errorf("K[%d][%d] = %v, want %v", ids[i], ids[j], got[i][j], want[i][j])
			}
		}
	}
	for e := 1; e < len(res.Edges); e++ {
		a, b := res.Edges[e-1], res.Edges[e]
		if a.A > b.A || (a.A == b.A && a.B >= b.B) {
			tb.Errorf("edges out of order: (%d, %d) before (%d, %d)", a.A, a.B, b.A, b.B)
		}
	}
	for _, e := range res.Edges {
		if !(e.K > 0 && e.K <= 1) {
			tb.Errorf("edge %+v: want 0 < K ≤ 1", e)
		}
	}

	// K_i = Σ_j K_ij, R = Σ C_i K_i, Σ φ_i = R, φ = shapley(C, edges).
	byID := scoreByID(res)
	c := map[int64]float64{}
	var r, phiSum float64
	for i, id := range ids {
		m := byID[id]
		var row float64
		for j := range ids {
			row += got[i][j]
		}
		if !approxEqual(m.K, row, 1e-9) {
			tb.Errorf("member %d: K = %v, want Σ_j K_ij = %v", id, m.K, row)
		}
		c[id] = m.C
		r += m.C * m.K
		phiSum += m.Phi
	}
	if !approxEqual(res.R, r, 1e-9) {
		tb.Errorf("R = %v, want Σ C_i K_i = %v", res.R, r)
	}
	if !approxEqual(phiSum, res.R, 1e-9) {
		tb.Errorf("Σ φ = %v, want R = %v", phiSum, res.R)
	}
	phi := shapleyByID(c, res.Edges)
	for _, id := range ids {
		if got, want := byID[id].Phi, phi[id]; !sameFloat(got, want) {
			tb.Errorf("member %d: φ = %v, shapley = %v", id, got, want)
		}
	}

	// Ecosystem health.
	var cw, ch, plain float64
	var nData int
	for _, id := range ids {
		m := byID[id]
		if m.Status == domain.StatusNoData {
			continue
		}
		nData++
		cw += m.C
		ch += m.C * m.Health
		plain += m.Health
	}
	var wantHealth float64
	switch {
	case nData == 0:
	case cw > 0:
		wantHealth = ch / cw
	default:
		wantHealth = plain / float64(nData)
	}
	if !approxEqual(res.Health, wantHealth, 1e-9) || !(res.Health >= 0 && res.Health <= 100) {
		tb.Errorf("ecosystem health = %v, want %v in [0,100]", res.Health, wantHealth)
	}
}

func TestInvariantsDefaultConfig(t *testing.T) {
	cfg := DefaultConfig()
	for _, seed := range seeds {
		r := newRand(seed)
		in := randomInput(r, 1+r.IntN(60))
		res := Score(in, cfg)
		checkInvariants(t, in, cfg, res)
		if t.Failed() {
			t.Fatalf("seed %d", seed)
		}
	}
}

// randomConfig returns a valid config with random weights, some of them 0.
func randomConfig(tb testing.TB, r *rand.Rand) Config {
	tb.Helper()
	w := func() float64 {
		if r.IntN(4) == 0 {
			return 0
		}
		return r.Float64() * 3
	}
	for {
		cfg := Config{
			WindowDays: 1 + r.IntN(90),
			Technical: TechnicalConfig{
				LatencySLOMS: 50 + r.Float64()*2000, NoDataScore: r.Float64(),
				Weights: TechnicalWeights{w(), w(), w(), w()},
			},
			Investment:  InvestmentWeights{w(), w(), w(), w()},
			Influence:   InfluenceWeights{w(), w(), w(), w()},
			Cooperation: CooperationConfig{w(), w(), w()},
			Health: HealthConfig{
				Weights:             HealthWeights{w(), w(), w(), w()},
				APIWeights:          APIWeights{w(), w(), w()},
				CommunityWeights:    CommunityWeights{w(), w(), w()},
				ActivityTarget:      1 + r.Float64()*100,
				ResponseTargetHours: 1 + r.Float64()*72,
				OverdueScale:        0.5 + r.Float64()*5,
				CooperationScale:    0.2 + r.Float64()*5,
				WatchMin:            r.Float64() * 50,
				HealthyMin:          50 + r.Float64()*50,
			},
			Changes: randomChanges(r),
		}
		if cfg.Validate() == nil {
			return cfg
		}
	}
}

// randomChanges returns change settings around the defaults, some extreme.
func randomChanges(r *rand.Rand) ChangeConfig {
	c := DefaultConfig().Changes
	c.BaselineWeeks = 1 + r.IntN(domain.MaxWeeks-1)
	c.DropCollapse = r.Float64() * 0.5
	c.DropOK = c.DropCollapse + 0.01 + r.Float64()*(0.99-c.DropCollapse)
	c.UsageMinBaseline = r.Float64() * 200
	c.CallsPseudoCount = r.Float64() * 50
	c.DormantDays = 1 + r.IntN(30)
	c.MinRecentCalls = 1 + r.Int64N(200)
	c.LatencyCollapseRatio = 1.1 + r.Float64()*8
	c.Errors4xxTolerance, c.Errors5xxTolerance = r.Float64()*0.2, r.Float64()*0.1
	c.Errors4xxCollapse, c.Errors5xxCollapse = 0.01+r.Float64()*0.5, 0.01+r.Float64()*0.3
	c.ConfidenceZ = r.Float64() * 3
	c.ResponseWindowHours = 1 + r.Float64()*120
	c.MinThreads = 1 + r.IntN(6)
	c.CollapseBelow = r.Float64() * 50
	return c
}

func TestInvariantsRandomConfig(t *testing.T) {
	for _, seed := range seeds {
		r := newRand(seed)
		cfg := randomConfig(t, r)
		in := randomInput(r, 1+r.IntN(40))
		checkInvariants(t, in, cfg, Score(in, cfg))
		if t.Failed() {
			t.Fatalf("seed %d, config %+v", seed, cfg)
		}
	}
}

func TestNoActivityMeansZeroContribution(t *testing.T) {
	idle := MemberInput{ID: 7, PrevCalls: 5000, PrevContributions: 40, ActiveProjects: 3,
		MilestonesDue: 2, MilestonesOnTime: 1, MilestonesOverdue: 1, Engaged: 4, Threads: 2, Responded: 1, FirstResponseHours: 3}
	busy := MemberInput{ID: 8, Calls: 1000, Consumers: 2, Contributions: 10, ActiveContributors: 2}
	in := Input{Members: []MemberInput{idle, busy}, Pairs: []PairInput{{A: 7, B: 8, SharedProjects: 2}}}
	res := Score(in, DefaultConfig())
	m := res.Members[0]
	if got, want := m.C, 0.0; got != want {
		t.Errorf("idle member: C = %v, want %v", got, want)
	}
	if got, want := m.I, 0.0; got != want {
		t.Errorf("idle member: I = %v, want %v", got, want)
	}
	// It still cooperates and gets its Shapley half of the tie.
	if !(m.K > 0) {
		t.Errorf("idle member: K = %v, want > 0", m.K)
	}
	if got, want := m.Phi, 0.5*m.K*res.Members[1].C; !approxEqual(got, want, 1e-12) {
		t.Errorf("idle member: φ = %v, want ½·K·C_busy = %v", got, want)
	}
	if !(res.Members[1].C > 0) {
		t.Errorf("busy member: C = %v, want > 0", res.Members[1].C)
	}
}

func TestMoreSharedProjectsNeverLowersK(t *testing.T) {
	cfg := DefaultConfig()
	for _, seed := range seeds {
		r := newRand(seed)
		in := randomInput(r, 2+r.IntN(30))
		before := Score(in, cfg)
		for range 10 {
			i := in.Members[r.IntN(len(in.Members))].ID
			j := in.Members[r.IntN(len(in.Members))].ID
			if i == j {
				continue
			}
			more := in
			more.Pairs = append(slices.Clip(in.Pairs), PairInput{A: j, B: i, SharedProjects: 1}) // either orientation
			after := Score(more, cfg)
			kb, ka := edgeK(before, i, j), edgeK(after, i, j)
			if ka < kb || (kb < 0.999 && !(ka > kb)) {
				t.Errorf("seed %d: one more shared project moved K(%d, %d) from %v to %v", seed, i, j, kb, ka)
			}
			// Nothing else moves, and health of i and j does not drop.
			for _, e := range before.Edges {
				if (e.A == min(i, j) && e.B == max(i, j)) || edgeK(after, e.A, e.B) == e.K {
					continue
				}
				t.Errorf("seed %d: K(%d, %d) changed from %v to %v", seed, e.A, e.B, e.K, edgeK(after, e.A, e.B))
			}
			b, a := scoreByID(before), scoreByID(after)
			for _, id := range []int64{i, j} {
				if a[id].Health < b[id].Health {
					t.Errorf("seed %d: member %d health dropped from %v to %v with more cooperation", seed, id, b[id].Health, a[id].Health)
				}
				if a[id].C != b[id].C {
					t.Errorf("seed %d: member %d C changed from %v to %v", seed, id, b[id].C, a[id].C)
				}
			}
		}
	}
}

func TestPairsNormalised(t *testing.T) {
	cfg := DefaultConfig()
	members := []MemberInput{{ID: 1, Calls: 10}, {ID: 2, Calls: 20}, {ID: 3, Calls: 30}}
	in := Input{Members: members, Pairs: []PairInput{
		{A: 2, B: 1, SharedProjects: 1},  // swapped
		{A: 1, B: 2, SharedThreads: 10},  // duplicate: summed
		{A: 3, B: 3, SharedProjects: 9},  // self: ignored
		{A: 3, B: 99, SharedProjects: 9}, // unknown: ignored
		{A: 2, B: 3, SharedThreads: -5},  // negative counts are 0: no edge
	}}
	res := Score(in, cfg)
	want := []domain.Edge{{A: 1, B: 2, K: -math.Expm1(-(0.5*1 + 0.05*10))}}
	if !slices.Equal(res.Edges, want) {
		t.Errorf("edges = %+v, want %+v", res.Edges, want)
	}
	if got, want := res.Members[2].K, 0.0; got != want {
		t.Errorf("member 3: K = %v, want %v", got, want)
	}
}

func TestDuplicateMemberCountsOnce(t *testing.T) {
	cfg := DefaultConfig()
	a := MemberInput{ID: 1, Calls: 100, Consumers: 1, Contributions: 3, ActiveContributors: 1}
	b := MemberInput{ID: 2, Calls: 50, Consumers: 2}
	pairs := []PairInput{{A: 1, B: 2, SharedProjects: 1}}
	once := Score(Input{Members: []MemberInput{a, b}, Pairs: pairs}, cfg)
	twice := Score(Input{Members: []MemberInput{a, b, {ID: 1, Calls: 1e9}}, Pairs: pairs}, cfg)
	if !sameScore(twice.Members[2], twice.Members[0]) {
		t.Errorf("repeated ID: %+v, want a copy of %+v", twice.Members[2], twice.Members[0])
	}
	if !sameScore(twice.Members[0], once.Members[0]) {
		t.Errorf("first row changed by a later duplicate: %+v vs %+v", twice.Members[0], once.Members[0])
	}
	if got, want := twice.R, once.R; got != want {
		t.Errorf("R = %v, want %v", got, want)
	}
	if got, want := twice.Health, once.Health; got != want {
		t.Errorf("health = %v, want %v", got, want)
	}
}

func TestEmptyInput(t *testing.T) {
	res := Score(Input{}, DefaultConfig())
	if res.R != 0 || res.Health != 0 {
		t.Errorf("empty input: R = %v, health = %v, want 0, 0", res.R, res.Health)
	}
	if res.Members == nil || res.Edges == nil {
		t.Errorf("empty input: want empty, non-nil slices (JSON [] not null), got %#v, %#v", res.Members, res.Edges)
	}
}

func TestEcosystemHealthFallbacks(t *testing.T) {
	cfg := DefaultConfig()
	// No member has data: 0.
	res := Score(Input{Members: []MemberInput{{ID: 1}, {ID: 2}}}, cfg)
	if got, want := res.Health, 0.0; got != want {
		t.Errorf("no data: ecosystem health = %v, want %v", got, want)
	}
	if got, want := res.Members[0].Status, domain.StatusNoData; got != want {
		t.Errorf("no data: status = %q, want %q", got, want)
	}
	// Members with data but Σ C = 0 (projects only, no activity): plain mean.
	res = Score(Input{Members: []MemberInput{
		{ID: 1, ActiveProjects: 1},                     // projects 100, cooperation 0
		{ID: 2, MilestonesDue: 2, MilestonesOnTime: 1}, // projects 50, cooperation 0
		{ID: 3}, // no data: left out
	}}, cfg)
	h1, h2 := 100*1/1.5, 50*1/1.5
	if got, want := res.Health, (h1+h2)/2; !approxEqual(got, want, 1e-12) {
		t.Errorf("Σ C = 0: ecosystem health = %v, want plain mean %v", got, want)
	}
	// With contributions, the C-weighted mean.
	in := randomInput(newRand(99), 20)
	res = Score(in, cfg)
	var num, den float64
	for _, m := range scoreByID(res) {
		if m.Status != domain.StatusNoData {
			num += m.C * m.Health
			den += m.C
		}
	}
	if !(den > 0) {
		t.Fatalf("test input has Σ C = %v, want > 0", den)
	}
	if got, want := res.Health, num/den; !approxEqual(got, want, 1e-9) {
		t.Errorf("ecosystem health = %v, want C-weighted mean %v", got, want)
	}
}

func TestGrowth(t *testing.T) {
	for _, c := range []struct{ cur, prev, want float64 }{
		{0, 0, 0.5}, {9, 9, 0.5}, {9, 4, 0.8}, {4, 9, 0.2}, {19, 4, 16.0 / 17}, {0, 1e18, 0},
	} {
		if got := growth(c.cur, c.prev); !approxEqual(got, c.want, 1e-12) && math.Abs(got-c.want) > 1e-30 {
			t.Errorf("growth(%v, %v) = %v, want %v", c.cur, c.prev, got, c.want)
		}
		// The documented tanh form.
		if c.prev < 1e6 {
			tanh := 0.5 + 0.5*math.Tanh(math.Log((c.cur+1)/(c.prev+1)))
			if got := growth(c.cur, c.prev); !approxEqual(got, tanh, 1e-12) {
				t.Errorf("growth(%v, %v) = %v, want ½ + ½·tanh(ln r) = %v", c.cur, c.prev, got, tanh)
			}
		}
	}
	for prev := 0.0; prev < 50; prev++ {
		for cur := 0.0; cur < 50; cur++ {
			if growth(cur+1, prev) <= growth(cur, prev) {
				t.Fatalf("growth not increasing in cur at (%v, %v)", cur, prev)
			}
		}
	}
}

func TestTechnicalComponents(t *testing.T) {
	cfg := DefaultConfig()
	slo := cfg.Technical.LatencySLOMS
	score := func(m MemberInput) domain.MemberScore {
		t.Helper()
		m.ID = 1
		return Score(Input{Members: []MemberInput{m}}, cfg).Members[0]
	}
	// Latency: at the SLO scores 1, at twice the SLO ½.
	at := score(MemberInput{Calls: 100, LatencyP95MS: slo})
	twice := score(MemberInput{Calls: 100, LatencyP95MS: 2 * slo})
	w := cfg.Technical.Weights
	apiW := w.Success + w.Integration + w.Latency
	if got, want := at.T, 1.0; got != want {
		t.Errorf("p95 = SLO: T = %v, want %v", got, want)
	}
	if got, want := twice.T, (w.Success+w.Integration+0.5*w.Latency)/apiW; !approxEqual(got, want, 1e-12) {
		t.Errorf("p95 = 2·SLO: T = %v, want %v", got, want)
	}
	// p95 unknown (0) with calls: no latency component.
	if got, want := score(MemberInput{Calls: 100, Errors5xx: 50}).T, 0.5*w.Success/(w.Success+w.Integration)+w.Integration/(w.Success+w.Integration); !approxEqual(got, want, 1e-12) {
		t.Errorf("no latency: T = %v, want %v", got, want)
	}
	// No calls, no milestones due: the no-data score, and no api dimension.
	none := score(MemberInput{Contributions: 5})
	if got, want := none.T, cfg.Technical.NoDataScore; got != want {
		t.Errorf("no T data: T = %v, want %v", got, want)
	}
	if !math.IsNaN(none.Dimensions[0]) {
		t.Errorf("no calls: api dimension = %v, want NaN", none.Dimensions[0])
	}
	// Milestones only.
	if got, want := score(MemberInput{MilestonesDue: 4, MilestonesOnTime: 3, MilestonesDelivered: 3}).T, 0.75; got != want {
		t.Errorf("milestones only: T = %v, want %v", got, want)
	}
}

func TestStatusOf(t *testing.T) {
	cfg := DefaultConfig()
	for _, c := range []struct {
		health float64
		want   string
	}{
		{100, domain.StatusHealthy}, {70, domain.StatusHealthy}, {69.99, domain.StatusWatch},
		{40, domain.StatusWatch}, {39.99, domain.StatusAtRisk}, {0, domain.StatusAtRisk},
		{math.NaN(), domain.StatusNoData},
	} {
		if got := StatusOf(c.health, cfg); got != c.want {
			t.Errorf("StatusOf(%v) = %q, want %q", c.health, got, c.want)
		}
	}
	cfg.Health.HealthyMin, cfg.Health.WatchMin = 80, 50
	if got, want := StatusOf(75, cfg), domain.StatusWatch; got != want {
		t.Errorf("healthy_min 80: StatusOf(75) = %q, want %q", got, want)
	}
	if got, want := StatusOf(49, cfg), domain.StatusAtRisk; got != want {
		t.Errorf("watch_min 50: StatusOf(49) = %q, want %q", got, want)
	}
}
