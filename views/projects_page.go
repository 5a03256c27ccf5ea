package views

import (
	"fmt"
	"io"
	"net/url"
	"strconv"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// projectsPage is what templates/pages/projects.html receives.
type projectsPage struct {
	Projects
	CanEdit     bool
	StatusOpts  []membersOption
	MemberOpts  []membersOption
	OnTime      string // a number of percent, or "—"
	HasOnTime   bool
	OverdueN    int
	BurnChart   chartBlock
	Rows        []projectsPageRow
	OverdueRows []ProjectsOverdue
	JSONURL     string
	Filtered    bool
}

type projectsPageRow struct {
	ProjectsRow
	Badge string
}

// ProjectsPage writes /projects. canEdit shows the links to register and
// edit agreements (managers).
func (r *Renderer) ProjectsPage(w io.Writer, p Projects, canEdit bool) error {
	page, err := buildProjectsPage(p, canEdit)
	if err != nil {
		return err
	}
	return r.render(w, "projects", layoutData{
		Title:  "Cooperation projects",
		Active: "/projects",
		Fresh:  newFreshness(p.To, p.LastCollected),
		Page:   page,
	})
}

func buildProjectsPage(p Projects, canEdit bool) (projectsPage, error) {
	page := projectsPage{Projects: p, CanEdit: canEdit, OverdueN: len(p.Overdue), OverdueRows: p.Overdue,
		Filtered: p.Status != "" || p.Member != ""}
	q := url.Values{"from": {p.From}, "to": {p.To}}
	if p.Status != "" {
		q.Set("status", p.Status)
	}
	if p.Member != "" {
		q.Set("member", p.Member)
	}
	page.JSONURL = "/api/v1/projects?" + q.Encode()
	for _, s := range p.Statuses {
		page.StatusOpts = append(page.StatusOpts, membersOption{Value: s, Label: s, Selected: s == p.Status})
	}
	for _, m := range p.Members {
		page.MemberOpts = append(page.MemberOpts, membersOption{Value: m.Slug, Label: m.Name, Selected: m.Slug == p.Member})
	}
	page.OnTime = noValue
	if p.OnTimeRate != nil {
		page.OnTime, page.HasOnTime = ecoPctNum(*p.OnTimeRate, 1), true
	}
	for _, r := range p.Projects {
		page.Rows = append(page.Rows, projectsPageRow{ProjectsRow: r, Badge: "project-" + r.Status})
	}
	ms := p.Milestones
	page.BurnChart = chartBlock{ID: "chart-projects-burnup", Title: "Milestone burn-up",
		Summary: fmt.Sprintf("By %s, %d milestones were due and %d done, of %d in all.", p.To, ms.DueByEnd, ms.DoneByEnd, ms.Total)}
	spec, err := projectsBurnChart(p)
	if err != nil {
		return page, err
	}
	page.BurnChart.Spec = spec
	return page, nil
}

// projectsBurnChart draws milestones due and done so far on each day of the
// range, and the scope.
func projectsBurnChart(p Projects) (chartSpec, error) {
	if p.Milestones.Total == 0 {
		return noDataSpec("No milestones in these projects"), nil
	}
	days := make([]string, len(p.BurnUp))
	due, done, scope := make([]float64, len(days)), make([]float64, len(days)), make([]float64, len(days))
	for i, b := range p.BurnUp {
		days[i], due[i], done[i], scope[i] = b.Day, float64(b.Due), float64(b.Done), float64(b.Scope)
	}
	spec, err := trendLine(days, []lineSeries{
		{Name: "Due", Values: due, Color: colorWatch},
		{Name: "Done", Values: done, Color: colorHealthy},
		{Name: "Scope", Values: scope, Color: colorNoData},
	}, trendOpts{Min: 0, YName: "milestones", Area: true})
	if err != nil || spec.NoData {
		return spec, err
	}
	memberUnsmooth(spec)
	memberIntegerAxis(spec)
	for i := 0; ; i++ {
		s := optSeries(spec.Option, i)
		if s == nil {
			break
		}
		s["step"] = "end" // counts change on a day, not between days
		if i == 2 {
			s["areaStyle"] = nil
			s["lineStyle"] = map[string]any{"type": "dashed", "width": 1.5, "color": colorNoData}
		}
	}
	return spec, nil
}

// projectPage is what templates/pages/project.html receives.
type projectPage struct {
	ProjectDetail
	CanEdit   bool
	Badge     string
	OnTime    string
	HasOnTime bool
	Timeline  memberChartBlock
	Sources   []string // the distinct sources of the record and its milestones
	EditURL   string
}

// ProjectPage writes /projects/:slug.
func (r *Renderer) ProjectPage(w io.Writer, d ProjectDetail, canEdit bool) error {
	page, err := buildProjectPage(d, canEdit)
	if err != nil {
		return err
	}
	return r.render(w, "project", layoutData{
		Title:  d.Project.Name,
		Active: "/projects",
		Fresh:  newFreshness(d.At, d.LastCollected),
		Page:   page,
	})
}

func buildProjectPage(d ProjectDetail, canEdit bool) (projectPage, error) {
	p := projectPage{ProjectDetail: d, CanEdit: canEdit, Badge: "project-" + d.Project.Status,
		EditURL: "/projects/" + d.Project.Slug + "/edit", OnTime: noValue}
	if d.OnTimeRate != nil {
		p.OnTime, p.HasOnTime = ecoPctNum(*d.OnTimeRate, 1), true
	}
	seen := map[string]bool{}
	for _, s := range append([]string{d.Project.Source}, projectMilestoneSources(d.Milestones)...) {
		if s != "" && !seen[s] {
			seen[s] = true
			p.Sources = append(p.Sources, s)
		}
	}
	c := d.States
	p.Timeline = memberChartBlock{chartBlock: chartBlock{ID: "chart-project-milestones", Title: "Milestones",
		Summary: fmt.Sprintf("On %s: %d done on time, %d done late, %d overdue, %d upcoming.", d.At, c.Done, c.Late, c.Overdue, c.Upcoming)}}
	spec, err := projectTimeline(d)
	if err != nil {
		return p, err
	}
	p.Timeline.Spec = spec
	return p, nil
}

func projectMilestoneSources(ms []ProjectMilestone) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Source
	}
	return out
}

// projectTimeline puts each milestone on its own row at its due date,
// coloured by its state on the day shown, with a diamond where it was done
// and a line at the day shown.
func projectTimeline(d ProjectDetail) (memberLinkSpec, error) {
	if len(d.Milestones) == 0 {
		return memberLinkSpec{chartSpec: noDataSpec("This agreement has no milestones")}, nil
	}
	t := milestoneTimeline{LabelWidth: 200, SymbolSize: 14, Zoom: true, At: d.At, AtLabel: "start"}
	info := func(m ProjectMilestone, label string) []any {
		pairs := []string{"Due", m.DueOn, "State", label, "Source", m.Source}
		if m.DoneOn != "" {
			pairs = append(pairs, "Done", m.DoneOn)
		}
		if m.DaysOverdue > 0 {
			pairs = append(pairs, "Overdue by", domain.Plural(m.DaysOverdue, "day", "days"))
		}
		return memberTipInfo(pairs...)
	}
	for i, m := range d.Milestones {
		t.Rows = append(t.Rows, strconv.Itoa(i+1)+". "+m.Title)
		t.Marks = append(t.Marks, timelineMark{State: m.State, Title: m.Title, Day: m.DueOn, Row: i, Tip: m.Title, Info: info(m, milestoneStateLabel(m.State))})
		if m.DoneOn != "" {
			// The diamond's tooltip names the state by its key, as it always has.
			t.Delivered = append(t.Delivered, timelineMark{Title: m.Title, Day: m.DoneOn, Row: i, Tip: m.Title + " (delivered)", Info: info(m, m.State)})
		}
	}
	opt, err := t.option()
	if err != nil {
		return memberLinkSpec{}, err
	}
	return memberLinkSpec{chartSpec: chartSpec{Option: opt}, Tooltip: "info"}, nil
}

// projectSourceLabel says in words where a record came from.
func projectSourceLabel(s string) string {
	switch s {
	case data.SourceUI:
		return "entered in EcoPulse"
	case data.SourceRegistry:
		return "registry file"
	case data.SourceGitHub:
		return "GitHub milestones"
	case data.SourceDemo:
		return "demo data"
	case "":
		return "unknown"
	}
	return s
}
