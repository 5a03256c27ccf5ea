package metrics

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// Result is the outcome of scoring one day.
type Result struct {
	Day     time.Time
	Members []domain.MemberScore // same order as Input.Members; Day and MemberID filled
	Edges   []domain.Edge        // only K > 0, A < B, sorted by (A, B)
	R       float64              // Σ_i C_i·K_i
	Health  float64              // ecosystem health, 0–100: the C-weighted mean
	// HealthMean is the plain mean of member health over the members with
	// data (0 without any): every member counts once, whatever its C.
	HealthMean float64
}

// Score computes T, I, M, C, K, φ, the health dimensions, health and status
// of every member, the cooperation edges, R and the ecosystem health of one
// day. It is pure: the result depends only on in and cfg (never on the wall
// clock), in is not modified, and the same input gives bit-for-bit the same
// result whatever the order of in.Members and in.Pairs (apart from the order
// of Result.Members, which follows in.Members).
//
// Members are identified by ID. If an ID appears more than once, its first
// row is scored, later rows get a copy of that score, and the ID counts once
// in R, φ and the ecosystem health. Pairs naming an unknown ID or the same ID
// twice are ignored; A > B is swapped; repeated pairs are summed.
//
// cfg should pass Validate. With an invalid cfg the output is still finite
// and within range (non-positive weights are ignored) but not meaningful.
func Score(in Input, cfg Config) Result {
	n := len(in.Members)
	res := Result{
		Day:     in.Day,
		Members: make([]domain.MemberScore, n),
		Edges:   []domain.Edge{},
	}

	// Rows by ID; the first row of an ID is its primary row.
	rowOf := make(map[int64]int, n)
	order := make([]int, 0, n) // primary rows, by ascending ID
	for i := range in.Members {
		if _, seen := rowOf[in.Members[i].ID]; !seen {
			rowOf[in.Members[i].ID] = i
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(in.Members[a].ID, in.Members[b].ID) })

	var eco ecosystemMax
	for _, i := range order {
		eco.observe(&in.Members[i])
	}

	edges, ends := cooperation(in.Pairs, rowOf, cfg.Cooperation)
	kSum := make([]float64, n)
	for e, edge := range edges {
		kSum[ends[e][0]] += edge.K
		kSum[ends[e][1]] += edge.K
	}
	res.Edges = edges

	for _, i := range order {
		res.Members[i] = scoreMember(&in.Members[i], &eco, kSum[i], cfg)
		res.Members[i].Day = in.Day
	}

	// φ, over the edges in (A, B) order.
	c, phi := make([]float64, n), make([]float64, n)
	for _, i := range order {
		c[i] = res.Members[i].C
	}
	shapley(phi, c, edges, ends)
	for _, i := range order {
		res.Members[i].Phi = phi[i]
	}

	// R and the ecosystem health, summed in ascending ID order.
	var cSum, cHealth, plain float64
	var withData int
	for _, i := range order {
		m := &res.Members[i]
		res.R += m.C * m.K
		if m.Status == domain.StatusNoData {
			continue
		}
		withData++
		cSum += m.C
		cHealth += m.C * m.Health
		plain += m.Health
	}
	if withData > 0 {
		res.HealthMean = clamp(plain/float64(withData), 0, 100)
	}
	switch {
	case withData == 0:
		res.Health = 0
	case cSum > 0:
		res.Health = clamp(cHealth/cSum, 0, 100)
	default:
		res.Health = clamp(plain/float64(withData), 0, 100)
	}

	// Repeated IDs get a copy of their primary row's score.
	for i := range in.Members {
		if p := rowOf[in.Members[i].ID]; p != i {
			res.Members[i] = res.Members[p]
		}
	}
	return res
}

// shapley adds to phi each player's Shapley share of R for the cooperative
// game v(S) = Σ_{i∈S} C_i Σ_{j∈S} K_ij, in closed form: every pair term
// K_ij (C_i + C_j) needs both i and j and is split equally between them, so
// φ_i = ½ Σ_j K_ij (C_i + C_j) and Σ_i φ_i = R. It runs in O(len(edges)).
//
// Players are indexes into c and phi: ends[e] are the players of edges[e],
// whose IDs it does not read. Repeated edges add up; an edge from a player to
// itself is ignored. Sums follow the order of edges, so the result is
// deterministic.
func shapley(phi, c []float64, edges []domain.Edge, ends [][2]int) {
	for e, edge := range edges {
		a, b := ends[e][0], ends[e][1]
		if a == b {
			continue
		}
		half := 0.5 * edge.K * (c[a] + c[b])
		phi[a] += half
		phi[b] += half
	}
}

// ecosystemMax holds the largest value of each log-scaled component over
// the ecosystem's members.
type ecosystemMax struct {
	calls, contributions, delivered, contributors, consumers, engaged float64
}

func (e *ecosystemMax) observe(m *MemberInput) {
	e.calls = max(e.calls, count(m.Calls))
	e.contributions = max(e.contributions, count(int64(m.Contributions)))
	e.delivered = max(e.delivered, count(int64(m.MilestonesDelivered)))
	e.contributors = max(e.contributors, count(int64(m.ActiveContributors)))
	e.consumers = max(e.consumers, count(int64(m.Consumers)))
	e.engaged = max(e.engaged, count(int64(m.Engaged)))
}

// pairSum accumulates the pair records of one (A, B).
type pairSum struct {
	a, b       int64 // IDs, a < b
	ra, rb     int   // rows of a and b in Input.Members
	projects   int64
	milestones int64
	threads    int64
}

// cooperation builds the edges with K > 0 in (A, B) order, and for each the
// rows of its two ends.
func cooperation(pairs []PairInput, rowOf map[int64]int, k CooperationConfig) ([]domain.Edge, [][2]int) {
	sums := make([]pairSum, 0, len(pairs))
	for _, p := range pairs {
		a, b := p.A, p.B
		if a == b {
			continue
		}
		if a > b {
			a, b = b, a
		}
		ra, okA := rowOf[a]
		rb, okB := rowOf[b]
		if !okA || !okB {
			continue
		}
		sums = append(sums, pairSum{a: a, b: b, ra: ra, rb: rb,
			projects: nonNeg(p.SharedProjects), milestones: nonNeg(p.SharedMilestones), threads: nonNeg(p.SharedThreads)})
	}
	byEnds := func(x, y pairSum) int {
		if c := cmp.Compare(x.a, y.a); c != 0 {
			return c
		}
		return cmp.Compare(x.b, y.b)
	}
	if !slices.IsSortedFunc(sums, byEnds) { // the data layer sends them sorted
		slices.SortFunc(sums, byEnds)
	}

	edges := make([]domain.Edge, 0, len(sums))
	ends := make([][2]int, 0, len(sums))
	for i := 0; i < len(sums); {
		s := sums[i]
		j := i + 1
		for ; j < len(sums) && sums[j].a == s.a && sums[j].b == s.b; j++ {
			s.projects = satAdd(s.projects, sums[j].projects)
			s.milestones = satAdd(s.milestones, sums[j].milestones)
			s.threads = satAdd(s.threads, sums[j].threads)
		}
		i = j
		x := k.SharedProjects*float64(s.projects) + k.SharedMilestones*float64(s.milestones) + k.SharedThreads*float64(s.threads)
		kij := -math.Expm1(-x) // 1 − e^(−x), accurate for small x
		if kij > 0 {           // false for NaN
			edges = append(edges, domain.Edge{A: s.a, B: s.b, K: min(kij, 1)})
			ends = append(ends, [2]int{s.ra, s.rb})
		}
	}
	return edges, ends
}

// weighted accumulates a weighted mean of the components that have data;
// components with a non-positive (or NaN) weight are left out.
type weighted struct{ num, den float64 }

func (w *weighted) add(weight, v float64) {
	if weight > 0 {
		w.num += weight * v
		w.den += weight
	}
}

// mean returns the weighted mean in [0,1] (for components in [0,1]) and
// whether any component counted.
func (w weighted) mean() (float64, bool) {
	if !(w.den > 0) || math.IsInf(w.den, 0) {
		return 0, false
	}
	return clamp(w.num/w.den, 0, 1), true
}

// scoreMember computes everything of one member but φ (which needs the
// other members' C) and Day.
func scoreMember(m *MemberInput, eco *ecosystemMax, kSum float64, cfg Config) domain.MemberScore {
	s := domain.MemberScore{MemberID: m.ID, K: kSum}
	f := factsOf(m, cfg)
	s.T = technical(&f, cfg)
	s.I = investment(&f, eco, cfg.Investment)
	s.M = influence(m, &f, eco, cfg.Influence)
	s.C = s.T * s.I * s.M

	// What changed against the member's baseline and targets: a dimension
	// is no better than its worst change signal, and has one when a signal
	// speaks for it (a member that stopped calling has no calls left to
	// score, but its api dimension is its dormancy).
	dims := healthDimensions(m, &f, kSum, cfg.Health)
	s.Changes = changes(m, cfg)
	floor := changeFloor(s.Changes)
	for d := range 3 {
		if floor[d] < 1 {
			if math.IsNaN(dims[d]) {
				dims[d] = 100 * floor[d]
			} else {
				dims[d] = min(dims[d], 100*floor[d])
			}
		}
	}
	if math.IsNaN(dims[3]) && !(math.IsNaN(dims[0]) && math.IsNaN(dims[1]) && math.IsNaN(dims[2])) {
		dims[3] = cooperationDimension(kSum, cfg.Health)
	}
	s.Dimensions = dims
	s.Health, s.Status = memberHealth(dims, floor, cfg)
	return s
}

// memberFacts are a member's counts as non-negative numbers and the API and
// milestone quality components, each with whether the member has data for it.
type memberFacts struct {
	calls, contributions, delivered, contributors, due float64
	active                                             bool // any calls, contributions, deliveries or contributors

	hasAPI                        bool // the member had calls
	success, integration, latency float64
	hasLatency                    bool
	onTime                        float64 // share of the due milestones delivered on time
	hasMilestones                 bool    // any milestones due
}

func factsOf(m *MemberInput, cfg Config) memberFacts {
	f := memberFacts{
		calls:         count(m.Calls),
		contributions: count(int64(m.Contributions)),
		delivered:     count(int64(m.MilestonesDelivered)),
		contributors:  count(int64(m.ActiveContributors)),
		due:           count(int64(m.MilestonesDue)),
	}
	f.active = f.calls > 0 || f.contributions > 0 || f.delivered > 0 || f.contributors > 0
	// API quality components, defined when the member had calls.
	f.hasAPI = f.calls > 0
	if f.hasAPI {
		f.success = 1 - clamp(count(m.Errors5xx)/f.calls, 0, 1)
		f.integration = 1 - clamp(count(m.Errors4xx)/f.calls, 0, 1)
		f.latency, f.hasLatency = latencyScore(m.LatencyP95MS, cfg.Technical.LatencySLOMS)
	}
	f.hasMilestones = f.due > 0
	if f.hasMilestones {
		f.onTime = clamp(count(int64(m.MilestonesOnTime))/f.due, 0, 1)
	}
	return f
}

// technical is T_i: the weighted API and milestone quality, or the no-data
// score without either.
func technical(f *memberFacts, cfg Config) float64 {
	tw := cfg.Technical.Weights
	var t weighted
	if f.hasAPI {
		t.add(tw.Success, f.success)
		t.add(tw.Integration, f.integration)
		if f.hasLatency {
			t.add(tw.Latency, f.latency)
		}
	}
	if f.hasMilestones {
		t.add(tw.Milestones, f.onTime)
	}
	if v, ok := t.mean(); ok {
		return v
	}
	return clamp(cfg.Technical.NoDataScore, 0, 1)
}

// investment is I_i: components log-scaled against the ecosystem maximum; a
// component nobody has (maximum 0) is left out for everyone.
func investment(f *memberFacts, eco *ecosystemMax, iw InvestmentWeights) float64 {
	var inv weighted
	addRel(&inv, iw.Calls, f.calls, eco.calls)
	addRel(&inv, iw.Contributions, f.contributions, eco.contributions)
	addRel(&inv, iw.Milestones, f.delivered, eco.delivered)
	addRel(&inv, iw.Contributors, f.contributors, eco.contributors)
	v, _ := inv.mean()
	if !f.active {
		v = 0 // already 0 by construction: every component is log1p(0) = 0
	}
	return v
}

// influence is M_i: reach log-scaled like I; growth when the member had the
// activity in either window.
func influence(m *MemberInput, f *memberFacts, eco *ecosystemMax, mw InfluenceWeights) float64 {
	var inf weighted
	addRel(&inf, mw.Consumers, count(int64(m.Consumers)), eco.consumers)
	addRel(&inf, mw.Engaged, count(int64(m.Engaged)), eco.engaged)
	if prev := count(m.PrevCalls); f.calls+prev > 0 {
		inf.add(mw.CallGrowth, growth(f.calls, prev))
	}
	if prev := count(int64(m.PrevContributions)); f.contributions+prev > 0 {
		inf.add(mw.ContributionGrowth, growth(f.contributions, prev))
	}
	v, _ := inf.mean()
	return v
}

// healthDimensions returns the api, projects, community and cooperation
// dimensions in [0,100] before the change signals, NaN without data.
func healthDimensions(m *MemberInput, f *memberFacts, kSum float64, h HealthConfig) [4]float64 {
	dims := [4]float64{math.NaN(), math.NaN(), math.NaN(), math.NaN()}
	if f.hasAPI {
		var api weighted
		api.add(h.APIWeights.Success, f.success)
		api.add(h.APIWeights.Integration, f.integration)
		if f.hasLatency {
			api.add(h.APIWeights.Latency, f.latency)
		}
		if v, ok := api.mean(); ok {
			dims[0] = 100 * v
		}
	}
	if m.ActiveProjects > 0 || f.due > 0 || f.delivered > 0 || m.MilestonesOverdue > 0 {
		rate := 1.0
		if f.hasMilestones {
			rate = f.onTime
		}
		penalty := math.Exp(-count(int64(m.MilestonesOverdue)) / h.OverdueScale)
		dims[1] = 100 * clamp(rate*penalty, 0, 1)
	}
	dims[2] = communityDimension(m, f, h)
	// Cooperation is scored for every member with another dimension or a
	// tie: isolation then counts as 0, and more cooperation never lowers health.
	if kSum > 0 || !math.IsNaN(dims[0]) || !math.IsNaN(dims[1]) || !math.IsNaN(dims[2]) {
		dims[3] = cooperationDimension(kSum, h)
	}
	return dims
}

// communityDimension needs the member's own activity: outsiders still
// talking in its old threads (Engaged) alone would score its activity 0.
// It is NaN without it.
func communityDimension(m *MemberInput, f *memberFacts, h HealthConfig) float64 {
	if !(f.contributions > 0 || f.contributors > 0 || m.Threads > 0) {
		return math.NaN()
	}
	var com weighted
	com.add(h.CommunityWeights.Activity, clamp(math.Log1p(f.contributions)/math.Log1p(h.ActivityTarget), 0, 1))
	if threads := count(int64(m.Threads)); threads > 0 {
		com.add(h.CommunityWeights.Responded, clamp(count(int64(m.Responded))/threads, 0, 1))
	}
	if m.Responded > 0 && m.FirstResponseHours >= 0 && !math.IsInf(m.FirstResponseHours, 0) {
		com.add(h.CommunityWeights.ResponseTime, targetScore(m.FirstResponseHours, h.ResponseTargetHours))
	}
	if v, ok := com.mean(); ok {
		return 100 * v
	}
	return math.NaN()
}

// cooperationDimension scores the member's ties K in [0,100].
func cooperationDimension(kSum float64, h HealthConfig) float64 {
	return 100 * clamp(-math.Expm1(-kSum/h.CooperationScale), 0, 1)
}

// memberHealth weighs the dimensions that have data into the member's health
// and its status, or 0 and no data when none has.
func memberHealth(dims, floor [4]float64, cfg Config) (float64, string) {
	h := cfg.Health
	hw := [4]float64{h.Weights.API, h.Weights.Projects, h.Weights.Community, h.Weights.Cooperation}
	var health weighted
	for d, v := range dims {
		if !math.IsNaN(v) {
			health.add(hw[d], v/100)
		}
	}
	v, ok := health.mean()
	if !ok {
		return 0, domain.StatusNoData
	}
	score := 100 * v
	// A dimension whose change signals collapsed caps health. The cap reads
	// the signals, which weigh their evidence, not the dimension's absolute
	// value: one milestone of one due delivered late makes the projects
	// dimension 0, but is not a collapse. Cooperation, a measure of ties
	// rather than of decline, has no signals.
	offset := h.HealthyMin - cfg.Changes.CollapseBelow
	for d := range 3 {
		if v := 100 * floor[d]; hw[d] > 0 && !math.IsNaN(dims[d]) && v < cfg.Changes.CollapseBelow {
			score = min(score, v+offset)
		}
	}
	score = clamp(score, 0, 100)
	return score, StatusOf(score, cfg)
}

// addRel adds the component log1p(x)/log1p(top), top being the ecosystem
// maximum, unless nobody has any (top 0).
func addRel(w *weighted, weight, x, top float64) {
	if top > 0 {
		w.add(weight, clamp(math.Log1p(x)/math.Log1p(top), 0, 1))
	}
}

// growth scores cur against prev in [0,1]:
// 0.5 + 0.5·tanh(ln r) = r²/(1+r²) with r = (cur+1)/(prev+1).
// Equal windows score 0.5, doubling 0.8, halving 0.2.
func growth(cur, prev float64) float64 {
	r := (cur + 1) / (prev + 1)
	r2 := r * r
	return clamp(r2/(1+r2), 0, 1)
}

// latencyScore scores a p95 latency against the SLO: 1 at or under it,
// SLO/p95 above. A p95 that is not a positive number is no data.
func latencyScore(p95, slo float64) (float64, bool) {
	if !(p95 > 0) || math.IsInf(p95, 0) {
		return 0, false
	}
	return targetScore(p95, slo), true
}

// targetScore is 1 when v ≤ target, else target/v, in [0,1].
func targetScore(v, target float64) float64 {
	if v <= target {
		return 1
	}
	return clamp(target/v, 0, 1)
}

// count turns a count into a float64, negative counts being 0.
func count(n int64) float64 {
	if n < 0 {
		return 0
	}
	return float64(n)
}

func nonNeg(n int) int64 {
	if n < 0 {
		return 0
	}
	return int64(n)
}

// satAdd adds two non-negative counts, saturating instead of overflowing.
func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// clamp limits v to [lo, hi]; NaN becomes lo.
func clamp(v, lo, hi float64) float64 {
	switch {
	case v >= hi:
		return hi
	case v >= lo:
		return v
	}
	return lo
}
