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

// planPeople draws the people of the members, who among them changes
// employer, the independent developers and the bots.
func (p *plan) planPeople(r *rand.Rand) {
	names := &personNamer{r: r, used: map[string]bool{}, logins: map[string]bool{}}
	p.planMemberPeople(r, names)
	p.planMoves(r)
	// Independent developers, affiliated with no member.
	for j := 0; j < max(2, int(math.Round(float64(len(p.members))*0.35))); j++ {
		pp := names.newPerson(timeZones[r.IntN(len(timeZones))], "mail.example")
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

// personNamer invents people whose names, and logins, are all distinct.
type personNamer struct {
	r      *rand.Rand
	used   map[string]bool // full names
	logins map[string]bool
}

// unique returns base, or base with the first free number appended.
func (n *personNamer) unique(base string) string {
	login := base
	for k := 2; n.logins[login]; k++ {
		login = fmt.Sprintf("%s%d", base, k)
	}
	n.logins[login] = true
	return login
}

// newPerson invents a person with an e-mail address at domain and GitHub
// and Discourse logins in one of the usual styles.
func (n *personNamer) newPerson(tz int, domain string) personPlan {
	r := n.r
	var first, last string
	for {
		first = firstNames[r.IntN(len(firstNames))]
		last = lastNames[r.IntN(len(lastNames))]
		if !n.used[first+" "+last] {
			n.used[first+" "+last] = true
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
		github:    n.unique(gh),
		discourse: n.unique(dc),
		rate:      logNormal(r, 1.5, 0.5),
		tz:        tz,
	}
}

// planMemberPeople gives every member its people (more for internal teams
// and big partners); internal people are the maintainers, or else the first
// two people are.
func (p *plan) planMemberPeople(r *rand.Rand, names *personNamer) {
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
			pp := names.newPerson(m.tz, m.Slug+".example")
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
}

// planMoves lets some people change employer during the period: their
// activity is then attributed to the new member. People of churning members
// move first.
func (p *plan) planMoves(r *rand.Rand) {
	for _, i := range p.movers(r) {
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
		to := pickWeighted(r, p.employerWeights(old, at))
		if to < 0 {
			continue
		}
		pp.affs[0].to = at
		pp.affs = append(pp.affs, affPlan{member: to, from: at})
		pp.email = strings.SplitN(pp.email, "@", 2)[0] + "@" + p.members[to].Slug + ".example"
	}
}

// movers returns, in order, the people who change employer: up to half of
// them from churning members, the rest drawn from settled members.
func (p *plan) movers(r *rand.Rand) []int {
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
	return movers
}

// employerWeights weighs every member as the new employer of someone leaving
// member old at time at: healthy members that exist by then, those of the
// same segment four times as likely.
func (p *plan) employerWeights(old int, at time.Time) []float64 {
	m := &p.members[old]
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
	return cands
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
