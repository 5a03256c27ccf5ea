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

var projectTerms = []string{
	"Memorandum of understanding, 12 months; joint roadmap reviewed quarterly.",
	"Co-development agreement; shared IP on the reference design; co-marketing.",
	"Research collaboration; results published under CC BY 4.0.",
	"Pilot agreement with platform credits; go/no-go at the pilot review.",
	"Strategic partnership annex; dedicated capacity and solution engineering.",
}

// planProjects draws the cooperation projects from the catalogue: status,
// dates, parties (members at risk in the slipping ones) and milestones.
func (p *plan) planProjects(r *rand.Rand) {
	n := len(p.members)
	np := min(len(projectCatalog), max(3, int(math.Round(float64(n)*15/40))))
	statuses := projectStatuses(np)
	troubledOf := p.slippingProjects(r, statuses)
	st := &projectStaffing{p: p, r: r, leads: make([]int, n), parties: make([]int, n)}
	for pi := 0; pi < np; pi++ {
		spec := projectCatalog[pi]
		pr := projectPlan{spec: spec, status: statuses[pi], terms: projectTerms[r.IntN(len(projectTerms))]}
		p.projectDates(r, &pr)
		if bad := troubledOf[pi]; len(bad) > 0 {
			pr.troubled = true
			pr.start = p.daysBefore(betweenInt(r, 130, 160))
			pr.end = p.endDay.AddDate(0, 0, betweenInt(r, 45, 90))
			st.add(&pr, bad[0], "lead")
			st.leads[bad[0]]++
			for _, m := range bad[1:] {
				st.add(&pr, m, "partner")
			}
		} else {
			st.addLead(&pr)
		}
		st.addPartners(&pr)
		pr.milestones = p.planMilestones(r, &pr)
		p.projects = append(p.projects, pr)
	}
}

// projectStatuses returns the status of each of the first np project
// templates. Fixed positions keep the mix whatever the seed: the last
// template is cancelled, two are planned and a fifth is completed.
func projectStatuses(np int) []string {
	statuses := make([]string, np)
	for i := range statuses {
		statuses[i] = domain.ProjectActive
	}
	statuses[np-1] = domain.ProjectCancelled
	if np >= 6 {
		statuses[np-2], statuses[np-3] = domain.ProjectPlanned, domain.ProjectPlanned
	}
	for i := 1; i < np-3; i += 5 {
		statuses[i] = domain.ProjectCompleted
	}
	return statuses
}

// slippingProjects puts the members at risk into active projects that slip:
// two members at risk per slipping project, in at most half the active ones.
// It returns the members at risk by project index.
func (p *plan) slippingProjects(r *rand.Rand, statuses []string) map[int][]int {
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
	troubledOf := map[int][]int{}
	if nt := min((len(atRisk)+1)/2, max(1, len(activeIdx)/2)); len(activeIdx) > 0 {
		for k, m := range atRisk {
			pi := activeIdx[k%nt]
			troubledOf[pi] = append(troubledOf[pi], m)
		}
	}
	return troubledOf
}

// projectDates draws the project's start and end to suit its status.
func (p *plan) projectDates(r *rand.Rand, pr *projectPlan) {
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
}

// projectStaffing chooses the parties of projects, counting what each member
// already leads and joined so that the projects spread over the members.
type projectStaffing struct {
	p       *plan
	r       *rand.Rand
	leads   []int // projects led
	parties []int // projects joined
}

func inProject(pr *projectPlan, m int) bool {
	return slices.ContainsFunc(pr.parties, func(x partyPlan) bool { return x.member == m })
}

// add makes member m a party of pr in role, unless it is none (m < 0) or
// already one.
func (st *projectStaffing) add(pr *projectPlan, m int, role string) {
	if m >= 0 && !inProject(pr, m) {
		pr.parties = append(pr.parties, partyPlan{m, role})
		st.parties[m]++
	}
}

// eligible reports whether member m may join pr: healthy, there when it
// starts and not in it yet.
func (st *projectStaffing) eligible(pr *projectPlan, m int) bool {
	mp := &st.p.members[m]
	return mp.traj != trajChurning && !mp.troubled && !mp.JoinedOn.After(pr.start) && !inProject(pr, m)
}

// best returns the eligible member that fits most, fewest projects first,
// or -1 when none fits.
func (st *projectStaffing) best(pr *projectPlan, fit func(*memberPlan) float64) int {
	bi, bs := -1, 0.0
	for m := range st.p.members {
		if !st.eligible(pr, m) {
			continue
		}
		s := fit(&st.p.members[m])
		if s <= 0 {
			continue
		}
		s = s/float64(1+st.leads[m]+st.parties[m]) + 0.01*st.r.Float64()
		if s > bs {
			bi, bs = m, s
		}
	}
	return bi
}

// addLead gives pr a lead: big partners of the project's segment first.
func (st *projectStaffing) addLead(pr *projectPlan) {
	lead := st.best(pr, func(m *memberPlan) float64 {
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
		if m.Segment != pr.spec.segment {
			w *= 0.1
		}
		return w
	})
	st.add(pr, lead, "lead")
	if lead >= 0 {
		st.leads[lead]++
	}
}

// addPartners fills pr up to two to four parties (one more for a slipping
// project), members of its segment and research institutes first.
func (st *projectStaffing) addPartners(pr *projectPlan) {
	r := st.r
	want := betweenInt(r, 2, 4)
	if pr.troubled {
		want = len(pr.parties) + 1
	}
	for len(pr.parties) < want {
		m := st.best(pr, func(m *memberPlan) float64 {
			w := 1.0
			if m.Segment == pr.spec.segment {
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
		switch st.p.members[m].Kind {
		case domain.KindResearch:
			role = "research"
		case domain.KindInternal:
			role = "sponsor"
		}
		st.add(pr, m, role)
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
