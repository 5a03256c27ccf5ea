package views

import (
	"io"
	"net/url"
	"strconv"

	"github.com/ecopulse/ecopulse/data"
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
	tr := r.Tr()
	page, err := buildProjectsPageIn(tr, p, canEdit)
	if err != nil {
		return err
	}
	return r.render(w, "projects", layoutData{
		Title:  tr("projectspage.title"),
		Active: "/projects",
		Fresh:  newFreshness(p.To, p.LastCollected),
		Page:   page,
	})
}

// buildProjectsPageIn is the page in tr's language (nil: English).
func buildProjectsPageIn(tr Tr, p Projects, canEdit bool) (projectsPage, error) {
	tr = orEnglish(tr)
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
	page.BurnChart = chartBlock{ID: "chart-projects-burnup", Title: tr("projects.burn_chart"),
		Summary: tr("projectspage.burn_summary", "Day", p.To, "Due", ms.DueByEnd, "Done", ms.DoneByEnd, "Total", ms.Total)}
	spec, err := projectsBurnChart(tr, p)
	if err != nil {
		return page, err
	}
	page.BurnChart.Spec = spec
	return page, nil
}

// projectsBurnChart draws milestones due and done so far on each day of the
// range, and the scope.
func projectsBurnChart(tr Tr, p Projects) (chartSpec, error) {
	if p.Milestones.Total == 0 {
		return noDataSpec(tr("projectspage.no_milestones")), nil
	}
	days := make([]string, len(p.BurnUp))
	due, done, scope := make([]float64, len(days)), make([]float64, len(days)), make([]float64, len(days))
	for i, b := range p.BurnUp {
		days[i], due[i], done[i], scope[i] = b.Day, float64(b.Due), float64(b.Done), float64(b.Scope)
	}
	spec, err := trendLine(days, []lineSeries{
		{Name: tr("projectspage.due"), Values: due, Color: colorWatch},
		{Name: tr("projectspage.done"), Values: done, Color: colorHealthy},
		{Name: tr("projectspage.scope"), Values: scope, Color: colorNoData},
	}, trendOpts{Min: 0, YName: tr("projectspage.axis_milestones"), Area: true, Tr: tr})
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
	page, err := buildProjectPageIn(r.Tr(), d, canEdit)
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
	return buildProjectPageIn(nil, d, canEdit)
}

// buildProjectPageIn is the page in tr's language (nil: English).
func buildProjectPageIn(tr Tr, d ProjectDetail, canEdit bool) (projectPage, error) {
	tr = orEnglish(tr)
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
	p.Timeline = memberChartBlock{chartBlock: chartBlock{ID: "chart-project-milestones", Title: tr("projects.milestones"),
		Summary: tr("projectspage.timeline_summary", "Day", d.At, "Done", c.Done, "Late", c.Late, "Overdue", c.Overdue, "Upcoming", c.Upcoming)}}
	spec, err := projectTimeline(tr, d)
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
func projectTimeline(tr Tr, d ProjectDetail) (memberLinkSpec, error) {
	if len(d.Milestones) == 0 {
		return memberLinkSpec{chartSpec: noDataSpec(tr("projectspage.no_agreement_milestones"))}, nil
	}
	t := milestoneTimeline{LabelWidth: 200, SymbolSize: 14, Zoom: true, At: d.At, AtLabel: "start", Tr: tr}
	info := func(m ProjectMilestone, label string) []any {
		pairs := []string{tr("projectspage.due"), m.DueOn, tr("projectspage.state"), label, tr("projectspage.source"), m.Source}
		if m.DoneOn != "" {
			pairs = append(pairs, tr("projectspage.done"), m.DoneOn)
		}
		if m.DaysOverdue > 0 {
			pairs = append(pairs, tr("projectspage.overdue_by"), nDays(tr, m.DaysOverdue))
		}
		return memberTipInfo(pairs...)
	}
	for i, m := range d.Milestones {
		t.Rows = append(t.Rows, strconv.Itoa(i+1)+". "+m.Title)
		t.Marks = append(t.Marks, timelineMark{State: m.State, Title: m.Title, Day: m.DueOn, Row: i, Tip: m.Title, Info: info(m, milestoneStateLabelIn(tr, m.State))})
		if m.DoneOn != "" {
			// The diamond's tooltip names the state by its key, as it always has.
			t.Delivered = append(t.Delivered, timelineMark{Title: m.Title, Day: m.DoneOn, Row: i, Tip: m.Title + tr("projectspage.delivered"), Info: info(m, milestoneStateKeyIn(tr, m.State))})
		}
	}
	opt, err := t.option()
	if err != nil {
		return memberLinkSpec{}, err
	}
	return memberLinkSpec{chartSpec: chartSpec{Option: opt}, Tooltip: "info"}, nil
}

// milestoneStateKeyIn names a state by its key's word ("late"), in tr's
// language: the English is the key itself.
func milestoneStateKeyIn(tr Tr, state string) string {
	switch state {
	case memberMsDone:
		return tr("ms.done")
	case memberMsLate:
		return tr("ms.late")
	case memberMsOverdue:
		return tr("ms.overdue")
	case memberMsUpcoming:
		return tr("ms.upcoming")
	}
	return state
}

// projectSourceLabel says in words where a record came from.
func projectSourceLabel(s string) string { return projectSourceLabelIn(nil, s) }

// projectSourceLabelIn is projectSourceLabel in tr's language (nil:
// English).
func projectSourceLabelIn(tr Tr, s string) string {
	tr = orEnglish(tr)
	switch s {
	case data.SourceUI:
		return tr("source_label.ui")
	case data.SourceRegistry:
		return tr("source_label.registry")
	case data.SourceGitHub:
		return tr("source_label.github")
	case data.SourceDemo:
		return tr("source_label.demo")
	case "":
		return tr("source_label.unknown")
	}
	return s
}
