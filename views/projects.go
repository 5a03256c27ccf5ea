package views

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// The cooperation projects pages: /projects and /api/v1/projects (every
// agreement, the milestone burn-up, on-time rate and overdue list over a
// range) and /projects/:slug and /api/v1/projects/:slug (one agreement).

// ProjectsParams selects what /projects shows.
type ProjectsParams struct {
	RangeParams
	Status string // a project status, or "" for all
	Member string // a party's member slug, or "" for all
}

// ParseProjectsParams reads from, to, status and member from a query.
func ParseProjectsParams(get func(string) string) (ProjectsParams, error) {
	r, err := ParseRange(get)
	if err != nil {
		return ProjectsParams{}, err
	}
	p := ProjectsParams{RangeParams: r, Status: strings.TrimSpace(get("status")), Member: strings.TrimSpace(get("member"))}
	if p.Status != "" && !validProjectStatus(p.Status) {
		return p, domain.ErrorKey(domain.EINVALID, "errors.query.project_status", domain.Facts{"Value": fmt.Sprintf("%q", p.Status)}, "unknown status %q: want planned, active, completed or cancelled", p.Status)
	}
	if p.Member != "" && !domain.ValidSlug(p.Member) {
		return p, domain.ErrorKey(domain.EINVALID, "errors.query.member_slug", domain.Facts{"Value": fmt.Sprintf("%q", p.Member)}, "member %q is not a member slug", p.Member)
	}
	return p, nil
}

// ProjectStatuses are the states of a project, in their usual order.
var ProjectStatuses = []string{domain.ProjectPlanned, domain.ProjectActive, domain.ProjectCompleted, domain.ProjectCancelled}

func validProjectStatus(s string) bool {
	for _, v := range ProjectStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// ProjectsMilestones counts the milestones of the listed projects
// (cancelled projects' milestones do not count) as of the range's last day.
type ProjectsMilestones struct {
	Total         int                   `json:"total"`            // every milestone, whenever due
	DueByEnd      int                   `json:"due_by_end"`       // due on or before To: the burn-up's last "due"
	DoneByEnd     int                   `json:"done_by_end"`      // done on or before To: the burn-up's last "done"
	DueInRange    int                   `json:"due_in_range"`     // due From..To
	OnTimeInRange int                   `json:"on_time_in_range"` // of those, done on or before their due date
	DoneInRange   int                   `json:"done_in_range"`    // done From..To, on time or late
	States        MemberMilestoneCounts `json:"states"`           // done, late, overdue, upcoming on To
}

// ProjectsBurnPoint is one day of the milestone burn-up: milestones due so
// far and done so far (cumulative, since the first), and the scope.
type ProjectsBurnPoint struct {
	Day   string `json:"day"`
	Due   int    `json:"due"`
	Done  int    `json:"done"`
	Scope int    `json:"scope"` // every milestone, whenever due
}

// ProjectsOverdue is a milestone past its due date and still open on To.
type ProjectsOverdue struct {
	Project     string       `json:"project"` // slug
	ProjectName string       `json:"project_name"`
	Milestone   string       `json:"milestone"`
	DueOn       string       `json:"due_on"`
	DaysOverdue int          `json:"days_overdue"`
	Source      string       `json:"source"`
	Parties     []MemberLink `json:"parties"`
}

// ProjectsRow is one agreement in the list.
type ProjectsRow struct {
	Slug     string                `json:"slug"`
	Name     string                `json:"name"`
	Status   string                `json:"status"`
	Source   string                `json:"source"`
	StartOn  string                `json:"start_on"`
	EndOn    string                `json:"end_on,omitempty"`
	Parties  []MemberLink          `json:"parties"`
	States   MemberMilestoneCounts `json:"milestone_states"` // on To
	NextDue  string                `json:"next_due,omitempty"`
	NextName string                `json:"next_milestone,omitempty"`
}

// Projects is /projects and /api/v1/projects.
type Projects struct {
	From          string              `json:"from"`
	To            string              `json:"to"`
	Days          int                 `json:"days"`
	Status        string              `json:"status,omitempty"`
	Member        string              `json:"member,omitempty"`
	Total         int                 `json:"total"` // every agreement
	Count         int                 `json:"count"` // agreements listed
	Milestones    ProjectsMilestones  `json:"milestones"`
	OnTimeRate    *float64            `json:"on_time_rate"` // OnTimeInRange / DueInRange; null when none was due
	BurnUp        []ProjectsBurnPoint `json:"burn_up"`      // every day of the range
	Overdue       []ProjectsOverdue   `json:"overdue"`      // most overdue first
	Projects      []ProjectsRow       `json:"projects"`     // newest start first
	Statuses      []string            `json:"statuses"`
	Members       []MemberLink        `json:"members"` // every member that is a party of an agreement, for the filter
	LastCollected string              `json:"last_collected,omitempty"`
	// Available offers the days of the listed projects' milestones (due or
	// done) when none falls in the range shown; null otherwise.
	Available *DataOffer `json:"available"`
}

func projectLinks(ms []data.ProjectMember) []MemberLink {
	out := make([]MemberLink, len(ms))
	for i, m := range ms {
		out[i] = MemberLink{Slug: m.Slug, Name: m.Name, Role: m.Role}
	}
	return out
}

// milestoneSourceOf names where a milestone came from: its external id's
// prefix, else its project's source.
func milestoneSourceOf(m domain.Milestone, project string) string {
	if s := data.MilestoneSource(m.ExternalID); s != "" {
		return s
	}
	return project
}

func dateOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(domain.DateLayout)
}

// BuildProjects returns the projects page. The page and /api/v1/projects
// both call it.
func BuildProjects(ctx context.Context, db *data.DB, p ProjectsParams) (*Projects, error) {
	return oneRead(ctx, db, func(ctx context.Context) (*Projects, error) { return readProjects(ctx, db, p) })
}

// readProjects is BuildProjects inside its snapshot.
func readProjects(ctx context.Context, db *data.DB, p ProjectsParams) (*Projects, error) {
	from, to, err := resolveRange(ctx, db, p.RangeParams)
	if err != nil {
		return nil, err
	}
	out := &Projects{From: from.Format(domain.DateLayout), To: to.Format(domain.DateLayout), Status: p.Status, Member: p.Member,
		BurnUp: []ProjectsBurnPoint{}, Overdue: []ProjectsOverdue{}, Projects: []ProjectsRow{}, Statuses: ProjectStatuses, Members: []MemberLink{}}
	if out.LastCollected, err = ecoLastCollected(ctx, db); err != nil {
		return nil, err
	}
	all, err := db.Agreements(ctx)
	if err != nil {
		return nil, err
	}
	out.Total = len(all)
	out.Members = projectParties(all)
	t := &projectsTally{out: out, from: from, to: to}
	for _, a := range all {
		if p.Status != "" && a.Status != p.Status {
			continue
		}
		if p.Member != "" && !projectHasParty(a, p.Member) {
			continue
		}
		t.addProject(a)
	}
	out.Count = len(out.Projects)
	ms := &out.Milestones
	if ms.DueInRange > 0 {
		r := float64(ms.OnTimeInRange) / float64(ms.DueInRange)
		out.OnTimeRate = &r
	}
	sortProjectsOverdue(out.Overdue)
	out.BurnUp = projectsBurnUp(from, to, t.dues, t.dones, ms.Total)
	out.Days = len(out.BurnUp)
	if ms.DueInRange == 0 && ms.DoneInRange == 0 && len(t.dues) > 0 {
		out.Available = projectsOffer(p, t.dues, t.dones)
	}
	return out, nil
}

// projectParties returns every member that is a party of an agreement, by
// name.
func projectParties(all []data.Agreement) []MemberLink {
	seen := map[string]bool{}
	members := []MemberLink{}
	for _, a := range all {
		for _, m := range a.Members {
			if !seen[m.Slug] {
				seen[m.Slug] = true
				members = append(members, MemberLink{Slug: m.Slug, Name: m.Name})
			}
		}
	}
	sort.Slice(members, func(i, j int) bool {
		a, b := strings.ToLower(members[i].Name), strings.ToLower(members[j].Name)
		if a != b {
			return a < b
		}
		return members[i].Slug < members[j].Slug
	})
	return members
}

// projectsTally adds the listed projects to the page: their rows, and their
// milestones to the counts as of the range's last day, the overdue list and
// the burn-up's due and done days.
type projectsTally struct {
	out         *Projects
	from, to    time.Time
	dues, dones []time.Time
}

func (t *projectsTally) addProject(a data.Agreement) {
	row := ProjectsRow{Slug: a.Slug, Name: a.Name, Status: a.Status, Source: a.Source, StartOn: dateOrEmpty(a.StartOn),
		EndOn: dateOrEmpty(a.EndOn), Parties: projectLinks(a.Members)}
	for _, m := range a.Milestones {
		state := memberMilestoneState(m, t.to)
		row.States.add(state)
		if row.NextDue == "" && (state == memberMsOverdue || state == memberMsUpcoming) {
			row.NextDue, row.NextName = m.DueOn.Format(domain.DateLayout), m.Title
		}
		if a.Status != domain.ProjectCancelled { // cancelled projects' milestones do not count
			t.addMilestone(a, m, state)
		}
	}
	t.out.Projects = append(t.out.Projects, row)
}

func (t *projectsTally) addMilestone(a data.Agreement, m domain.Milestone, state string) {
	from, to := t.from, t.to
	ms := &t.out.Milestones
	ms.Total++
	ms.States.add(state)
	t.dues = append(t.dues, m.DueOn)
	if !m.DoneOn.IsZero() {
		t.dones = append(t.dones, m.DoneOn)
	}
	if !m.DueOn.After(to) {
		ms.DueByEnd++
	}
	if !m.DoneOn.IsZero() && !m.DoneOn.After(to) {
		ms.DoneByEnd++
		if !m.DoneOn.Before(from) {
			ms.DoneInRange++
		}
	}
	if !m.DueOn.Before(from) && !m.DueOn.After(to) {
		ms.DueInRange++
		if !m.DoneOn.IsZero() && !m.DoneOn.After(m.DueOn) {
			ms.OnTimeInRange++
		}
	}
	if state == memberMsOverdue {
		t.out.Overdue = append(t.out.Overdue, ProjectsOverdue{Project: a.Slug, ProjectName: a.Name, Milestone: m.Title,
			DueOn: m.DueOn.Format(domain.DateLayout), DaysOverdue: int(to.Sub(m.DueOn).Hours() / 24),
			Source: milestoneSourceOf(m, a.Source), Parties: projectLinks(a.Members)})
	}
}

// sortProjectsOverdue puts the most overdue milestones first.
func sortProjectsOverdue(overdue []ProjectsOverdue) {
	sort.SliceStable(overdue, func(i, j int) bool {
		a, b := overdue[i], overdue[j]
		if a.DaysOverdue != b.DaysOverdue {
			return a.DaysOverdue > b.DaysOverdue
		}
		if a.ProjectName != b.ProjectName {
			return a.ProjectName < b.ProjectName
		}
		return a.Milestone < b.Milestone
	})
}

// projectsBurnUp returns the burn-up: cumulative counts of the milestones
// due and done on every day of [from, to], against the scope. It sorts dues
// and dones.
func projectsBurnUp(from, to time.Time, dues, dones []time.Time, scope int) []ProjectsBurnPoint {
	sort.Slice(dues, func(i, j int) bool { return dues[i].Before(dues[j]) })
	sort.Slice(dones, func(i, j int) bool { return dones[i].Before(dones[j]) })
	burnUp := []ProjectsBurnPoint{}
	di, dn := 0, 0
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		for di < len(dues) && !dues[di].After(d) {
			di++
		}
		for dn < len(dones) && !dones[dn].After(d) {
			dn++
		}
		burnUp = append(burnUp, ProjectsBurnPoint{Day: d.Format(domain.DateLayout), Due: di, Done: dn, Scope: scope})
	}
	return burnUp
}

// projectsOffer offers the days from the first to the last milestone date
// (due or done; dues and dones sorted), the filters kept.
func projectsOffer(p ProjectsParams, dues, dones []time.Time) *DataOffer {
	first, last := dues[0], dues[len(dues)-1]
	if len(dones) > 0 {
		if dones[0].Before(first) {
			first = dones[0]
		}
		if dones[len(dones)-1].After(last) {
			last = dones[len(dones)-1]
		}
	}
	q := url.Values{}
	if p.Status != "" {
		q.Set("status", p.Status)
	}
	if p.Member != "" {
		q.Set("member", p.Member)
	}
	return rangeOffer("/projects", q, domain.Day(first), domain.Day(last))
}

func projectHasParty(a data.Agreement, slug string) bool {
	for _, m := range a.Members {
		if m.Slug == slug {
			return true
		}
	}
	return false
}

// ProjectParams selects what /projects/:slug shows.
type ProjectParams struct {
	Slug string
	At   time.Time // the day milestone states are seen from; zero: the latest scored day
	Now  time.Time // "today" when nothing is scored yet
}

// ProjectInfo is an agreement's own fields.
type ProjectInfo struct {
	Slug      string `json:"slug"`
	Name      string `json:"name"`
	Scope     string `json:"scope"`
	Terms     string `json:"terms"`
	Status    string `json:"status"`
	Source    string `json:"source"` // who last wrote it: registry, github, ui or demo
	StartOn   string `json:"start_on"`
	EndOn     string `json:"end_on,omitempty"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// ProjectMilestone is a milestone of the agreement and its state on At.
type ProjectMilestone struct {
	ID          int64  `json:"id"`
	Title       string `json:"title"`
	DueOn       string `json:"due_on"`
	DoneOn      string `json:"done_on,omitempty"` // empty while open (on any day)
	State       string `json:"state"`             // done, late, overdue or upcoming on At
	Source      string `json:"source"`            // ui, registry, github or demo
	DaysOverdue int    `json:"days_overdue,omitempty"`
}

// ProjectDetail is /projects/:slug and /api/v1/projects/:slug.
type ProjectDetail struct {
	At            string                `json:"at"`
	Project       ProjectInfo           `json:"project"`
	Parties       []MemberLink          `json:"parties"`
	Milestones    []ProjectMilestone    `json:"milestones"` // by due date
	States        MemberMilestoneCounts `json:"milestone_states"`
	OnTimeRate    *float64              `json:"on_time_rate"` // of the milestones delivered by At, the share on time; null when none
	LastCollected string                `json:"last_collected,omitempty"`
}

// BuildProject returns one agreement. An unknown slug is ENOTFOUND.
func BuildProject(ctx context.Context, db *data.DB, p ProjectParams) (*ProjectDetail, error) {
	return oneRead(ctx, db, func(ctx context.Context) (*ProjectDetail, error) { return readProject(ctx, db, p) })
}

// readProject is BuildProject inside its snapshot.
func readProject(ctx context.Context, db *data.DB, p ProjectParams) (*ProjectDetail, error) {
	if !domain.ValidSlug(p.Slug) {
		return nil, domain.ErrorKey(domain.ENOTFOUND, "errors.no_project", domain.Facts{"Slug": fmt.Sprintf("%q", p.Slug)}, "no project %q", p.Slug)
	}
	a, err := db.AgreementBySlug(ctx, p.Slug)
	if err != nil {
		return nil, err
	}
	at := domain.Day(p.At)
	if p.At.IsZero() {
		if _, at, err = resolveRange(ctx, db, RangeParams{Now: p.Now}); err != nil {
			return nil, err
		}
	}
	d := &ProjectDetail{At: at.Format(domain.DateLayout), Parties: projectLinks(a.Members), Milestones: []ProjectMilestone{},
		Project: ProjectInfo{Slug: a.Slug, Name: a.Name, Scope: a.Scope, Terms: a.Terms, Status: a.Status, Source: a.Source,
			StartOn: dateOrEmpty(a.StartOn), EndOn: dateOrEmpty(a.EndOn),
			CreatedAt: a.CreatedAt.Format(time.RFC3339), UpdatedAt: a.UpdatedAt.Format(time.RFC3339)}}
	if d.LastCollected, err = ecoLastCollected(ctx, db); err != nil {
		return nil, err
	}
	delivered, onTime := 0, 0
	for _, m := range a.Milestones {
		state := memberMilestoneState(m, at)
		pm := ProjectMilestone{ID: m.ID, Title: m.Title, DueOn: m.DueOn.Format(domain.DateLayout), DoneOn: dateOrEmpty(m.DoneOn),
			State: state, Source: milestoneSourceOf(m, a.Source)}
		if state == memberMsOverdue {
			pm.DaysOverdue = int(at.Sub(m.DueOn).Hours() / 24)
		}
		if state == memberMsDone || state == memberMsLate {
			delivered++
			if state == memberMsDone {
				onTime++
			}
		}
		d.States.add(state)
		d.Milestones = append(d.Milestones, pm)
	}
	if delivered > 0 {
		r := float64(onTime) / float64(delivered)
		d.OnTimeRate = &r
	}
	return d, nil
}
