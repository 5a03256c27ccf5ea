package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

const day = 24 * time.Hour

// trajectory is how a member's activity evolves over the history.
type trajectory int

const (
	trajSteady    trajectory = iota
	trajGrowing              // traffic ×2–3 over the period, still growing
	trajDeclining            // traffic falling by half or more
	trajChurning             // traffic and activity stop about six weeks before End
	trajRamping              // joined recently, ramping up
)

// memberPlan is a member with the parameters that drive its activity.
type memberPlan struct {
	domain.Member
	tz        int
	traj      trajectory
	troubled  bool      // sloppy integration, slow workloads, slipping milestones, quiet community
	scale     float64   // peak-hour calls of its production key at End
	rate      float64   // growth (or decline) of ln(traffic) per day
	phase     float64   // of the steady wobble
	q4        float64   // share of client errors (4xx) once settled
	latency   float64   // latency factor of its workloads
	community float64   // propensity of its people to take part in the community
	churnAt   time.Time // trajectory churning: when it stops
	troubleAt time.Time // troubled: when things started to slip
}

// consumerPlan is an API key and the traffic behind it.
type consumerPlan struct {
	key, name string
	member    int     // index in plan.members, -1 for an unmapped key
	scale     float64 // peak-hour calls at End
	mix       []share
	batch     bool // nightly batch jobs
	staging   bool // tests during office hours
}

type affPlan struct {
	member   int
	from, to time.Time // [from, to); zero to = open
}

// personPlan is a person, their logins and where they worked when.
type personPlan struct {
	name, email       string
	github, discourse string
	affs              []affPlan
	rate              float64 // threads opened per week when fully active
	maintainer        bool
	bot               bool
	tz                int
	id                int64 // once stored
}

type partyPlan struct {
	member int
	role   string
}

type projectPlan struct {
	spec       projectSpec
	status     string
	start, end time.Time
	terms      string
	parties    []partyPlan
	troubled   bool
	milestones []domain.Milestone // ProjectID set when stored
}

// incident is a platform outage: server errors and slow responses on some
// endpoints for everyone who calls them.
type incident struct {
	start, end time.Time
	eps        [len(endpoints)]bool
	err5       float64 // share of 5xx at the peak
	latency    float64 // latency factor at the peak
}

// plan is the demo ecosystem, built deterministically from Options without
// touching the database. Seed stores it and its history; Tick rebuilds it to
// continue the same trajectories.
type plan struct {
	opt        Options
	endDay     time.Time // opt.End's day
	start, end time.Time // the history covers [start, end)
	members    []memberPlan
	consumers  []consumerPlan
	people     []personPlan
	projects   []projectPlan
	incidents  []incident
	bots       [2]int // people indices of dependabot and the CI bot
}

// historyRange returns the span the seeded history covers: Days whole days
// ending with End's day, or up to End itself when End carries a time of day.
func historyRange(opt Options) (start, end time.Time) {
	endDay := domain.Day(opt.End)
	start = endDay.AddDate(0, 0, -(opt.Days - 1))
	end = endDay.Add(day)
	if t := opt.End.UTC().Truncate(time.Minute); t.After(endDay) {
		end = t
	}
	return start, end
}

func newPlan(opt Options) *plan {
	p := &plan{opt: opt, endDay: domain.Day(opt.End)}
	p.start, p.end = historyRange(opt)
	r := newRand(opt.Seed, streamPlan)
	p.planMembers(r)
	p.planConsumers(r)
	p.planPeople(r)
	p.planProjects(r)
	p.planIncidents(r)
	return p
}

// daysBefore returns endDay − n days.
func (p *plan) daysBefore(n int) time.Time { return p.endDay.AddDate(0, 0, -n) }

// clampTime keeps t inside [lo, hi].
func clampTime(t, lo, hi time.Time) time.Time {
	if t.Before(lo) {
		return lo
	}
	if t.After(hi) {
		return hi
	}
	return t
}

func (p *plan) planMembers(r *rand.Rand) {
	n := p.opt.Members
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

	p.members = make([]memberPlan, n)
	for i, s := range specs {
		m := &p.members[i]
		m.Member = domain.Member{Slug: s.slug, Name: s.name, Kind: s.kind, Tier: s.tier, Segment: s.segment}
		m.tz = s.tz
		m.traj = trajSteady
		m.phase = r.Float64() * 2 * math.Pi
		m.latency = logNormal(r, 1, 0.1)
		m.community = logNormal(r, 1, 0.3)
		// Peak-hour calls of the production key: a few heavy partners and a
		// long tail. Mature integrations make few client errors.
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
		m.JoinedOn = p.daysBefore(betweenInt(r, p.opt.Days+30, p.opt.Days+1400))
		if s.kind == domain.KindInternal {
			m.JoinedOn = p.daysBefore(p.opt.Days + 1500 + 30*i)
		}
	}

	// Trajectories by quota, so that every seed has each of them. The first
	// members (the anchors), strategic partners and internal teams never
	// churn, decline or start from scratch.
	quota := func(f float64) int { return max(1, int(math.Round(float64(n)*f))) }
	var pool []int
	for i := range p.members {
		if i >= min(7, n/3+1) && p.members[i].Kind != domain.KindInternal && p.members[i].Tier != tierStrategic {
			pool = append(pool, i)
		}
	}
	r.Shuffle(len(pool), func(a, b int) { pool[a], pool[b] = pool[b], pool[a] })
	// take removes k members from the pool, each of a kind and tier not taken
	// yet when possible (so that not all churners are gold partners), and
	// those that fit first.
	take := func(k int, fit func(*memberPlan) bool) []int {
		var out []int
		used := map[string]bool{}
		for len(out) < k && len(pool) > 0 {
			pick := 0
			for pass := 0; pass < 3; pass++ {
				j := slices.IndexFunc(pool, func(i int) bool {
					m := &p.members[i]
					return (pass >= 2 || fit(m)) && (pass >= 1 || !used[string(m.Kind)+m.Tier])
				})
				if j >= 0 {
					pick = j
					break
				}
			}
			i := pool[pick]
			pool = slices.Delete(pool, pick, pick+1)
			used[string(p.members[i].Kind)+p.members[i].Tier] = true
			out = append(out, i)
		}
		return out
	}
	anyone := func(*memberPlan) bool { return true }
	for _, i := range take(quota(0.075), anyone) {
		m := &p.members[i]
		m.traj = trajChurning
		m.churnAt = clampTime(p.daysBefore(betweenInt(r, 39, 45)), p.start.AddDate(0, 0, p.opt.Days/3), p.endDay)
		m.community *= 0.8
	}
	newcomer := func(m *memberPlan) bool { return m.Tier != tierGold }
	for _, i := range take(quota(0.075), newcomer) {
		m := &p.members[i]
		m.traj = trajRamping
		m.JoinedOn = clampTime(p.daysBefore(betweenInt(r, 25, 60)), p.start.AddDate(0, 0, 3), p.endDay)
		m.community *= 0.7
	}
	for _, i := range take(quota(0.05), anyone) {
		m := &p.members[i]
		m.traj = trajDeclining
		m.troubled = true
		m.rate = math.Log(between(r, 1.8, 2.6)) / float64(p.opt.Days)
		m.q4 = between(r, 0.3, 0.4)
		m.latency = between(r, 2.4, 3)
		m.community = 0.25
		m.troubleAt = clampTime(p.daysBefore(betweenInt(r, 60, 80)), p.start, p.endDay)
	}
	for _, i := range take(int(math.Round(float64(n)*0.15)), anyone) {
		m := &p.members[i]
		m.traj = trajDeclining
		m.rate = math.Log(between(r, 1.8, 3.2)) / float64(p.opt.Days)
		m.community *= 0.7
		m.q4 = min(m.q4*1.6, 0.08)
	}
	// Growing members: any of the rest, anchors included.
	var rest []int
	for i := range p.members {
		if p.members[i].traj == trajSteady {
			rest = append(rest, i)
		}
	}
	r.Shuffle(len(rest), func(a, b int) { rest[a], rest[b] = rest[b], rest[a] })
	grow := rest[:min(len(rest), int(math.Round(float64(n)*0.3)))]
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

func (p *plan) planConsumers(r *rand.Rand) {
	for i := range p.members {
		m := &p.members[i]
		mix := segmentEndpoints[m.Segment][:2] // the segment's two main endpoints
		if m.Kind == domain.KindResearch {
			mix = mix[:1]
		}
		p.consumers = append(p.consumers, consumerPlan{
			key: "key_" + m.Slug + "_prod", name: m.Name + " production",
			member: i, scale: m.scale, mix: mix,
		})
		if m.Tier == tierStrategic || m.Tier == tierGold || m.Kind == domain.KindInternal {
			p.consumers = append(p.consumers, consumerPlan{
				key: "key_" + m.Slug + "_batch", name: m.Name + " nightly batch",
				member: i, scale: m.scale * between(r, 0.2, 0.4), mix: []share{{batchEndpoint[m.Segment], 1}}, batch: true,
			})
		}
		if m.Kind == domain.KindPartner || m.Kind == domain.KindInternal || chance(r, 0.4) {
			p.consumers = append(p.consumers, consumerPlan{
				key: "key_" + m.Slug + "_staging", name: m.Name + " staging",
				member: i, scale: max(1.5, m.scale*between(r, 0.01, 0.03)), mix: mix[:1], staging: true,
			})
		}
	}
	for _, u := range unmappedConsumers {
		p.consumers = append(p.consumers, consumerPlan{key: u.key, name: u.name, member: -1, scale: u.scale, mix: u.mix})
	}
}

func (p *plan) planPeople(r *rand.Rand) {
	used := map[string]bool{}
	logins := map[string]bool{}
	unique := func(base string) string {
		login := base
		for k := 2; logins[login]; k++ {
			login = fmt.Sprintf("%s%d", base, k)
		}
		logins[login] = true
		return login
	}
	newPerson := func(tz int, domain string) personPlan {
		var first, last string
		for {
			first = firstNames[r.IntN(len(firstNames))]
			last = lastNames[r.IntN(len(lastNames))]
			if !used[first+" "+last] {
				used[first+" "+last] = true
				break
			}
		}
		f, l := slugify(first), strings.ReplaceAll(slugify(last), "-", "")
		var gh, dc string
		switch r.IntN(4) {
		case 0:
			gh = f[:1] + l
		case 1:
			gh = f + "-" + l
		case 2:
			gh = f + l[:1] + fmt.Sprint(betweenInt(r, 7, 99))
		default:
			gh = l + "-" + f[:1]
		}
		switch r.IntN(3) {
		case 0:
			dc = f + "." + l
		case 1:
			dc = f + "_" + l[:1]
		default:
			dc = f + l
		}
		return personPlan{
			name:  first + " " + last,
			email: f + "." + l + "@" + domain,
			// github and discourse logins live in separate namespaces but one
			// set keeps them distinct, which reads better in the demo.
			github:    unique(gh),
			discourse: unique(dc),
			rate:      logNormal(r, 1.5, 0.5),
			tz:        tz,
		}
	}

	for i := range p.members {
		m := &p.members[i]
		var k int
		switch {
		case m.Kind == domain.KindInternal:
			k = 4
		case m.Tier == tierStrategic || m.Tier == tierGold:
			k = 3
		default:
			k = 2
		}
		for j := 0; j < k; j++ {
			pp := newPerson(m.tz, m.Slug+".example")
			from := p.start.AddDate(0, 0, -betweenInt(r, 20, 900))
			if from.Before(m.JoinedOn) {
				from = m.JoinedOn
			}
			if m.traj == trajRamping || m.JoinedOn.After(p.start) {
				from = m.JoinedOn.AddDate(0, 0, betweenInt(r, 0, 10))
			}
			pp.affs = []affPlan{{member: i, from: from}}
			if m.Kind == domain.KindInternal {
				pp.maintainer = true
				pp.rate = logNormal(r, 2.4, 0.3)
			}
			p.people = append(p.people, pp)
		}
	}
	if !slices.ContainsFunc(p.people, func(pp personPlan) bool { return pp.maintainer }) {
		for j := 0; j < 2 && j < len(p.people); j++ {
			p.people[j].maintainer = true
		}
	}

	// Some people change employer during the period: their activity is then
	// attributed to the new member. People of churning members move first.
	moves := max(1, int(math.Round(float64(len(p.people))*0.09)))
	var movers []int
	for i := range p.people {
		pp := &p.people[i]
		m := &p.members[pp.affs[0].member]
		if m.traj == trajChurning && !pp.maintainer {
			movers = append(movers, i)
		}
	}
	var others []int
	for i := range p.people {
		pp := &p.people[i]
		m := &p.members[pp.affs[0].member]
		if m.traj != trajChurning && m.traj != trajRamping && m.Kind != domain.KindInternal && !m.troubled {
			others = append(others, i)
		}
	}
	r.Shuffle(len(others), func(a, b int) { others[a], others[b] = others[b], others[a] })
	movers = append(movers[:min(len(movers), moves/2)], others...)
	movers = movers[:min(len(movers), moves)]
	slices.Sort(movers)
	for _, i := range movers {
		pp := &p.people[i]
		old := pp.affs[0].member
		m := &p.members[old]
		lo, hi := p.start.AddDate(0, 0, 20), p.daysBefore(15)
		if m.traj == trajChurning {
			lo = m.churnAt.AddDate(0, 0, 3)
		}
		if !lo.Before(hi) || !lo.After(pp.affs[0].from) {
			continue
		}
		at := lo.AddDate(0, 0, r.IntN(int(hi.Sub(lo)/day)+1))
		var cands []float64
		for j := range p.members {
			c := &p.members[j]
			w := 0.0
			if j != old && c.traj != trajChurning && !c.troubled && c.JoinedOn.Before(at) {
				w = 1
				if c.Segment == m.Segment {
					w = 4
				}
			}
			cands = append(cands, w)
		}
		to := pickWeighted(r, cands)
		if to < 0 {
			continue
		}
		pp.affs[0].to = at
		pp.affs = append(pp.affs, affPlan{member: to, from: at})
		pp.email = strings.SplitN(pp.email, "@", 2)[0] + "@" + p.members[to].Slug + ".example"
	}

	// Independent developers, affiliated with no member.
	for j := 0; j < max(2, int(math.Round(float64(len(p.members))*0.35))); j++ {
		pp := newPerson(timeZones[r.IntN(len(timeZones))], "mail.example")
		pp.rate = logNormal(r, 1, 0.5)
		p.people = append(p.people, pp)
	}
	// Bots.
	p.bots = [2]int{len(p.people), len(p.people) + 1}
	p.people = append(p.people,
		personPlan{name: "dependabot[bot]", github: "dependabot[bot]", bot: true},
		personPlan{name: "ecopulse-ci[bot]", github: "ecopulse-ci[bot]", bot: true},
	)
}

// memberAt returns the member a person was affiliated with at t, or -1.
func (pp *personPlan) memberAt(t time.Time) int {
	for k := len(pp.affs) - 1; k >= 0; k-- {
		a := pp.affs[k]
		if !t.Before(a.from) && (a.to.IsZero() || t.Before(a.to)) {
			return a.member
		}
	}
	return -1
}

var projectTerms = []string{
	"Memorandum of understanding, 12 months; joint roadmap reviewed quarterly.",
	"Co-development agreement; shared IP on the reference design; co-marketing.",
	"Research collaboration; results published under CC BY 4.0.",
	"Pilot agreement with platform credits; go/no-go at the pilot review.",
	"Strategic partnership annex; dedicated capacity and solution engineering.",
}

func (p *plan) planProjects(r *rand.Rand) {
	n := len(p.members)
	np := min(len(projectCatalog), max(3, int(math.Round(float64(n)*15/40))))
	statuses := make([]string, np)
	for i := range statuses {
		statuses[i] = domain.ProjectActive
	}
	// Fixed positions keep the mix whatever the seed: the last template is
	// cancelled, two are planned and a fifth is completed.
	statuses[np-1] = domain.ProjectCancelled
	if np >= 6 {
		statuses[np-2], statuses[np-3] = domain.ProjectPlanned, domain.ProjectPlanned
	}
	for i := 1; i < np-3; i += 5 {
		statuses[i] = domain.ProjectCompleted
	}

	// Members at risk go into active projects that slip.
	var atRisk []int
	for i := range p.members {
		if p.members[i].traj == trajChurning || p.members[i].troubled {
			atRisk = append(atRisk, i)
		}
	}
	var activeIdx []int
	for i, s := range statuses {
		if s == domain.ProjectActive {
			activeIdx = append(activeIdx, i)
		}
	}
	r.Shuffle(len(activeIdx), func(a, b int) { activeIdx[a], activeIdx[b] = activeIdx[b], activeIdx[a] })
	// Two members at risk per slipping project, in at most half the active ones.
	troubledOf := map[int][]int{}
	if nt := min((len(atRisk)+1)/2, max(1, len(activeIdx)/2)); len(activeIdx) > 0 {
		for k, m := range atRisk {
			pi := activeIdx[k%nt]
			troubledOf[pi] = append(troubledOf[pi], m)
		}
	}

	leads := make([]int, n)   // projects led, to spread the leads
	parties := make([]int, n) // projects joined
	for pi := 0; pi < np; pi++ {
		spec := projectCatalog[pi]
		pr := projectPlan{spec: spec, status: statuses[pi], terms: projectTerms[r.IntN(len(projectTerms))]}
		switch pr.status {
		case domain.ProjectCompleted:
			pr.start = p.daysBefore(betweenInt(r, 200, 320))
			pr.end = p.daysBefore(betweenInt(r, 5, 50))
		case domain.ProjectActive:
			pr.start = p.daysBefore(betweenInt(r, 90, 200))
			if chance(r, 0.8) {
				pr.end = p.endDay.AddDate(0, 0, betweenInt(r, 40, 200))
			}
		case domain.ProjectPlanned:
			pr.start = p.endDay.AddDate(0, 0, betweenInt(r, 7, 45))
			pr.end = pr.start.AddDate(0, 0, betweenInt(r, 120, 240))
		case domain.ProjectCancelled:
			pr.start = p.daysBefore(betweenInt(r, 130, 170))
			pr.end = p.daysBefore(betweenInt(r, 30, 70))
		}

		inProject := func(m int) bool {
			return slices.ContainsFunc(pr.parties, func(x partyPlan) bool { return x.member == m })
		}
		add := func(m int, role string) {
			if m >= 0 && !inProject(m) {
				pr.parties = append(pr.parties, partyPlan{m, role})
				parties[m]++
			}
		}
		eligible := func(m int) bool {
			mp := &p.members[m]
			return mp.traj != trajChurning && !mp.troubled && !mp.JoinedOn.After(pr.start) && !inProject(m)
		}
		// best returns the eligible member that fits most, fewest projects first.
		best := func(fit func(*memberPlan) float64) int {
			bi, bs := -1, 0.0
			for m := range p.members {
				if !eligible(m) {
					continue
				}
				s := fit(&p.members[m])
				if s <= 0 {
					continue
				}
				s = s/float64(1+leads[m]+parties[m]) + 0.01*r.Float64()
				if s > bs {
					bi, bs = m, s
				}
			}
			return bi
		}
		bad := troubledOf[pi]
		if len(bad) > 0 {
			pr.troubled = true
			pr.start = p.daysBefore(betweenInt(r, 130, 160))
			pr.end = p.endDay.AddDate(0, 0, betweenInt(r, 45, 90))
			add(bad[0], "lead")
			leads[bad[0]]++
			for _, m := range bad[1:] {
				add(m, "partner")
			}
		} else {
			lead := best(func(m *memberPlan) float64 {
				w := 0.0
				switch {
				case m.Tier == tierStrategic:
					w = 4
				case m.Tier == tierGold:
					w = 3
				case m.Kind == domain.KindResearch:
					w = 1.5
				case m.Kind == domain.KindInternal:
					w = 1
				case m.Tier == tierSilver:
					w = 1
				}
				if m.Segment != spec.segment {
					w *= 0.1
				}
				return w
			})
			add(lead, "lead")
			if lead >= 0 {
				leads[lead]++
			}
		}
		want := betweenInt(r, 2, 4)
		if pr.troubled {
			want = len(pr.parties) + 1
		}
		for len(pr.parties) < want {
			m := best(func(m *memberPlan) float64 {
				w := 1.0
				if m.Segment == spec.segment {
					w = 5
				}
				if m.Kind == domain.KindResearch && r.IntN(2) == 0 {
					w *= 2
				}
				return w
			})
			if m < 0 {
				break
			}
			role := "partner"
			switch p.members[m].Kind {
			case domain.KindResearch:
				role = "research"
			case domain.KindInternal:
				role = "sponsor"
			}
			add(m, role)
		}
		pr.milestones = p.planMilestones(r, &pr)
		p.projects = append(p.projects, pr)
	}
}

// projectKey is a tracker-style key of a project: its slug's initials.
func projectKey(slug string) string {
	var b strings.Builder
	for _, w := range strings.Split(slug, "-") {
		if w != "" {
			b.WriteString(strings.ToUpper(w[:1]))
		}
	}
	return b.String()
}

func (p *plan) planMilestones(r *rand.Rand, pr *projectPlan) []domain.Milestone {
	k := betweenInt(r, 3, 8)
	if pr.troubled {
		k = betweenInt(r, 5, 7)
	}
	idx := r.Perm(len(milestoneTitles))[:k]
	slices.Sort(idx)
	first := pr.start.AddDate(0, 0, 14)
	last := pr.end
	if last.IsZero() {
		last = pr.start.AddDate(0, 0, 300)
	}
	if pr.status == domain.ProjectCancelled {
		last = last.AddDate(0, 0, 90) // planned well past the day it was stopped
	}
	span := last.Sub(first)
	troubleAt := p.endDay
	for _, party := range pr.parties {
		m := &p.members[party.member]
		if m.traj == trajChurning && m.churnAt.Before(troubleAt) {
			troubleAt = m.churnAt
		}
		if m.troubled && m.troubleAt.Before(troubleAt) {
			troubleAt = m.troubleAt
		}
	}
	type draft struct {
		due   time.Time
		title string
		open  bool // slipping: still open as of End
	}
	drafts := make([]draft, 0, k+1)
	for j, ti := range idx {
		due := first.Add(time.Duration(float64(span) * float64(j) / float64(max(1, k-1))))
		drafts = append(drafts, draft{due: domain.Day(due.AddDate(0, 0, betweenInt(r, -4, 4))), title: milestoneTitles[ti]})
	}
	if pr.troubled {
		// A deliverable due in the last weeks that nobody delivered.
		drafts = append(drafts, draft{due: p.daysBefore(betweenInt(r, 4, 18)), title: "Pilot readiness review", open: true})
	}
	slices.SortStableFunc(drafts, func(a, b draft) int { return a.due.Compare(b.due) })

	key := projectKey(pr.spec.slug)
	var out []domain.Milestone
	for j, d := range drafts {
		due := d.due
		ms := domain.Milestone{ExternalID: fmt.Sprintf("%s-%d", key, j+1), Title: d.title, DueOn: due}
		onTime := func() { ms.DoneOn = due.AddDate(0, 0, -betweenInt(r, 0, 6)) }
		late := func() { ms.DoneOn = due.AddDate(0, 0, betweenInt(r, 2, 30)) }
		switch {
		case d.open:
		case due.After(p.endDay):
			if due.Before(p.endDay.AddDate(0, 0, 20)) && chance(r, 0.15) && !pr.troubled {
				ms.DoneOn = p.daysBefore(betweenInt(r, 0, 5))
			}
		case pr.status == domain.ProjectPlanned:
		case pr.status == domain.ProjectCancelled && !due.Before(pr.end):
		case pr.troubled && !due.Before(troubleAt):
			if chance(r, 0.25) {
				late()
			}
		case pr.status == domain.ProjectCompleted:
			if j == 0 || chance(r, 0.3) {
				late()
			} else {
				onTime()
			}
		default:
			switch x := r.Float64(); {
			case x < 0.7:
				onTime()
			case x < 0.92:
				late()
			case due.After(p.daysBefore(90)):
				// left open: overdue
			default:
				late()
			}
		}
		if ms.DoneOn.After(p.endDay) {
			ms.DoneOn = time.Time{} // not done yet as of End: overdue
		}
		out = append(out, ms)
	}
	return out
}

func (p *plan) planIncidents(r *rand.Rand) {
	span := p.end.Sub(p.start)
	at := func(lo, hi float64) time.Time {
		d := p.start.Add(time.Duration(between(r, lo, hi) * float64(span)))
		return domain.Day(d).Add(time.Duration(betweenInt(r, 13, 16)) * time.Hour)
	}
	mk := func(start time.Time, hours int, err5, lat float64, eps ...int) incident {
		in := incident{start: start, end: start.Add(time.Duration(hours) * time.Hour), err5: err5, latency: lat}
		for _, e := range eps {
			in.eps[e] = true
		}
		return in
	}
	// GPU pool exhaustion: chat and images fail and crawl for a few hours.
	p.incidents = append(p.incidents, mk(at(0.15, 0.3), betweenInt(r, 3, 4), between(r, 0.3, 0.4), between(r, 3.5, 5), epChat, epImages))
	if p.opt.Days >= 45 {
		// A gateway misconfiguration hits every endpoint.
		p.incidents = append(p.incidents, mk(at(0.45, 0.65), 2, between(r, 0.45, 0.55), 2, epChat, epEmbeddings, epImages, epTranscriptions, epSpeech, epModerations))
	}
	if p.opt.Days >= 30 {
		// Speech backend degradation, recent enough to show in the scoring window.
		start := domain.Day(p.end.Add(-time.Duration(betweenInt(r, 8, 20)) * day)).Add(time.Duration(betweenInt(r, 13, 15)) * time.Hour)
		p.incidents = append(p.incidents, mk(start, betweenInt(r, 3, 5), between(r, 0.2, 0.3), between(r, 4, 6), epTranscriptions, epSpeech, epChat))
	}
}
