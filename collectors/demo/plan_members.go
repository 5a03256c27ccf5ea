package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/ecopulse/ecopulse/domain"
)

// planMembers draws the members from the catalogue (and beyond it), their
// scale and their trajectories.
func (p *plan) planMembers(r *rand.Rand) {
	specs := memberSpecs(p.opt.Members)
	p.members = make([]memberPlan, len(specs))
	for i, s := range specs {
		p.planMember(r, i, s)
	}
	p.planTrajectories(r)
}

// memberSpecs returns the first n members of the catalogue, followed by
// generated ones once the catalogue runs out.
func memberSpecs(n int) []memberSpec {
	specs := make([]memberSpec, 0, n)
	for i := 0; i < n && i < len(catalog); i++ {
		specs = append(specs, catalog[i])
	}
	for i := 0; len(specs) < n; i++ {
		pre := extraPrefixes[i%len(extraPrefixes)]
		suf := extraSuffixes[(i/len(extraPrefixes)+i)%len(extraSuffixes)]
		round := i / (len(extraPrefixes) * len(extraSuffixes))
		name := pre + " " + suf.word
		if round > 0 {
			name = fmt.Sprintf("%s %d", name, round+1)
		}
		specs = append(specs, memberSpec{name, slugify(name), suf.kind, suf.tier, suf.segment, timeZones[i%len(timeZones)]})
	}
	return specs
}

// planMember fills p.members[i] from its spec as a steady member; the
// trajectories come later.
func (p *plan) planMember(r *rand.Rand, i int, s memberSpec) {
	m := &p.members[i]
	m.Member = domain.Member{Slug: s.slug, Name: s.name, Kind: s.kind, Tier: s.tier, Segment: s.segment}
	m.tz = s.tz
	m.traj = trajSteady
	m.phase = r.Float64() * 2 * math.Pi
	m.latency = logNormal(r, 1, 0.1)
	m.community = logNormal(r, 1, 0.3)
	planMemberScale(r, m, s)
	m.JoinedOn = p.daysBefore(betweenInt(r, p.opt.Days+30, p.opt.Days+1400))
	if s.kind == domain.KindInternal {
		m.JoinedOn = p.daysBefore(p.opt.Days + 1500 + 30*i)
	}
}

// planMemberScale draws the peak-hour calls of the member's production key
// and its share of client errors: a few heavy partners and a long tail.
// Mature integrations make few client errors.
func planMemberScale(r *rand.Rand, m *memberPlan, s memberSpec) {
	switch {
	case s.kind == domain.KindInternal:
		m.scale = logNormal(r, 20, 0.3)
		m.q4 = logNormal(r, 0.005, 0.4)
	case s.tier == tierStrategic:
		m.scale = logNormal(r, 1200, 0.25)
		m.q4 = logNormal(r, 0.004, 0.4)
	case s.tier == tierGold:
		m.scale = logNormal(r, 250, 0.25)
		m.q4 = logNormal(r, 0.006, 0.4)
	case s.tier == tierSilver:
		m.scale = logNormal(r, 35, 0.3)
		m.q4 = logNormal(r, 0.012, 0.4)
	case s.kind == domain.KindResearch:
		m.scale = logNormal(r, 5, 0.4)
		m.q4 = logNormal(r, 0.02, 0.4)
		m.community *= 1.3
	default: // developer studios: small but many
		m.scale = logNormal(r, 8, 0.5)
		m.q4 = logNormal(r, 0.025, 0.4)
	}
}

// planTrajectories assigns trajectories by quota, so that every seed has each
// of them. The first members (the anchors), strategic partners and internal
// teams never churn, decline or start from scratch.
func (p *plan) planTrajectories(r *rand.Rand) {
	n := p.opt.Members
	quota := func(f float64) int { return max(1, int(math.Round(float64(n)*f))) }
	pool := p.trajectoryPool(r)
	anyone := func(*memberPlan) bool { return true }
	for _, i := range pool.take(quota(0.075), anyone) {
		m := &p.members[i]
		m.traj = trajChurning
		m.churnAt = clampTime(p.daysBefore(betweenInt(r, 39, 45)), p.start.AddDate(0, 0, p.opt.Days/3), p.endDay)
		m.community *= 0.8
	}
	newcomer := func(m *memberPlan) bool { return m.Tier != tierGold }
	for _, i := range pool.take(quota(0.075), newcomer) {
		m := &p.members[i]
		m.traj = trajRamping
		m.JoinedOn = clampTime(p.daysBefore(betweenInt(r, 25, 60)), p.start.AddDate(0, 0, 3), p.endDay)
		m.community *= 0.7
	}
	for _, i := range pool.take(quota(0.05), anyone) {
		m := &p.members[i]
		m.traj = trajDeclining
		m.troubled = true
		m.rate = math.Log(between(r, 1.8, 2.6)) / float64(p.opt.Days)
		m.q4 = between(r, 0.3, 0.4)
		m.latency = between(r, 2.4, 3)
		m.community = 0.25
		m.troubleAt = clampTime(p.daysBefore(betweenInt(r, 60, 80)), p.start, p.endDay)
	}
	for _, i := range pool.take(int(math.Round(float64(n)*0.15)), anyone) {
		m := &p.members[i]
		m.traj = trajDeclining
		m.rate = math.Log(between(r, 1.8, 3.2)) / float64(p.opt.Days)
		m.community *= 0.7
		m.q4 = min(m.q4*1.6, 0.08)
	}
	p.planGrowing(r)
}

// memberPool is the shuffled members that may still be given a trajectory
// other than steady or growing.
type memberPool struct {
	members []memberPlan
	ids     []int
}

// trajectoryPool returns the members that may churn, decline or ramp up, in
// random order.
func (p *plan) trajectoryPool(r *rand.Rand) *memberPool {
	pool := &memberPool{members: p.members}
	for i := range p.members {
		if i >= min(7, p.opt.Members/3+1) && p.members[i].Kind != domain.KindInternal && p.members[i].Tier != tierStrategic {
			pool.ids = append(pool.ids, i)
		}
	}
	r.Shuffle(len(pool.ids), func(a, b int) { pool.ids[a], pool.ids[b] = pool.ids[b], pool.ids[a] })
	return pool
}

// take removes k members from the pool, each of a kind and tier not taken
// yet when possible (so that not all churners are gold partners), and those
// that fit first.
func (pool *memberPool) take(k int, fit func(*memberPlan) bool) []int {
	var out []int
	used := map[string]bool{}
	for len(out) < k && len(pool.ids) > 0 {
		pick := 0
		for pass := 0; pass < 3; pass++ {
			j := slices.IndexFunc(pool.ids, func(i int) bool {
				m := &pool.members[i]
				return (pass >= 2 || fit(m)) && (pass >= 1 || !used[string(m.Kind)+m.Tier])
			})
			if j >= 0 {
				pick = j
				break
			}
		}
		i := pool.ids[pick]
		pool.ids = slices.Delete(pool.ids, pick, pick+1)
		used[string(pool.members[i].Kind)+pool.members[i].Tier] = true
		out = append(out, i)
	}
	return out
}

// planGrowing makes growing members of any of the steady rest, anchors
// included.
func (p *plan) planGrowing(r *rand.Rand) {
	var rest []int
	for i := range p.members {
		if p.members[i].traj == trajSteady {
			rest = append(rest, i)
		}
	}
	r.Shuffle(len(rest), func(a, b int) { rest[a], rest[b] = rest[b], rest[a] })
	grow := rest[:min(len(rest), int(math.Round(float64(p.opt.Members)*0.3)))]
	for k, i := range grow {
		m := &p.members[i]
		m.traj = trajGrowing
		m.rate = math.Log(between(r, 1.8, 3)) / float64(p.opt.Days)
		m.community *= 1.2
		if k == 0 && m.Kind != domain.KindInternal {
			// One member joined early in the period and is still growing.
			m.JoinedOn = clampTime(p.start.AddDate(0, 0, betweenInt(r, 10, 40)), p.start, p.endDay)
		}
	}
}

// slugify turns a name into a slug: lower case, dashes, nothing else.
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			b.WriteRune(c)
			dash = false
		case c == '\'':
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
