package views

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// projectsTestDB holds two agreements worked out by hand: "pilot" (active,
// from 2026-03-01, Alpha lead and Beta) with milestones A (due 03-05, done
// 03-04), B (due 03-10, done 03-12), C (due 03-12, open), D (due 03-20,
// open); and "dropped" (cancelled) with E (due 03-06, open).
func projectsTestDB(t *testing.T) *data.DB {
	t.Helper()
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	var ids []int64
	for _, slug := range []string{"alpha", "beta"} {
		m := &domain.Member{Slug: slug, Name: strings.ToUpper(slug[:1]) + slug[1:], Kind: domain.KindPartner, JoinedOn: ecoDay(t, "2026-01-01")}
		if err := db.CreateMember(ctx, m); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	pilot := &domain.Project{Slug: "pilot", Name: "Pilot", Status: domain.ProjectActive, StartOn: ecoDay(t, "2026-03-01"), Source: data.SourceRegistry,
		Parties: []domain.ProjectParty{{MemberID: ids[0], Role: "lead"}, {MemberID: ids[1], Role: "partner"}}}
	dropped := &domain.Project{Slug: "dropped", Name: "Dropped", Status: domain.ProjectCancelled, StartOn: ecoDay(t, "2026-02-01"), Source: data.SourceUI,
		Parties: []domain.ProjectParty{{MemberID: ids[1]}}}
	for _, p := range []*domain.Project{pilot, dropped} {
		if err := db.CreateProject(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AddMilestones(ctx, []domain.Milestone{
		{ProjectID: pilot.ID, ExternalID: "registry:pilot:a", Title: "A", DueOn: ecoDay(t, "2026-03-05"), DoneOn: ecoDay(t, "2026-03-04")},
		{ProjectID: pilot.ID, ExternalID: "registry:pilot:b", Title: "B", DueOn: ecoDay(t, "2026-03-10"), DoneOn: ecoDay(t, "2026-03-12")},
		{ProjectID: pilot.ID, ExternalID: "github:acme/sdk#3", Title: "C", DueOn: ecoDay(t, "2026-03-12")},
		{ProjectID: pilot.ID, ExternalID: "registry:pilot:d", Title: "D", DueOn: ecoDay(t, "2026-03-20")},
		{ProjectID: dropped.ID, ExternalID: "ui:e", Title: "E", DueOn: ecoDay(t, "2026-03-06")},
	}); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestBuildProjectsOnPaper(t *testing.T) {
	db := projectsTestDB(t)
	ctx := context.Background()
	p, err := BuildProjects(ctx, db, ProjectsParams{RangeParams: RangeParams{From: ecoDay(t, "2026-03-08"), To: ecoDay(t, "2026-03-14")}})
	if err != nil {
		t.Fatal(err)
	}
	var burn [][3]int
	for _, b := range p.BurnUp {
		burn = append(burn, [3]int{b.Due, b.Done, b.Scope})
	}
	if want := [][3]int{{1, 1, 4}, {1, 1, 4}, {2, 1, 4}, {2, 1, 4}, {3, 2, 4}, {3, 2, 4}, {3, 2, 4}}; !reflect.DeepEqual(burn, want) {
		t.Errorf("burn-up %v, want %v", burn, want)
	}
	want := ProjectsMilestones{Total: 4, DueByEnd: 3, DoneByEnd: 2, DueInRange: 2, OnTimeInRange: 0, DoneInRange: 1,
		States: MemberMilestoneCounts{Done: 1, Late: 1, Overdue: 1, Upcoming: 1}}
	if p.Milestones != want {
		t.Errorf("milestones %+v, want %+v", p.Milestones, want)
	}
	if p.OnTimeRate == nil || *p.OnTimeRate != 0 {
		t.Errorf("on-time rate %v, want 0", p.OnTimeRate)
	}
	if len(p.Overdue) != 1 || p.Overdue[0].Milestone != "C" || p.Overdue[0].DaysOverdue != 2 || p.Overdue[0].Source != data.SourceGitHub ||
		len(p.Overdue[0].Parties) != 2 {
		t.Errorf("overdue %+v", p.Overdue)
	}
	if p.Count != 2 || p.Total != 2 || p.Projects[0].Slug != "pilot" || p.Projects[0].NextName != "C" || len(p.Members) != 2 {
		t.Errorf("rows %+v, members %+v", p.Projects, p.Members)
	}
	c, err := BuildProjects(ctx, db, ProjectsParams{RangeParams: projectsRangeOf(p), Status: domain.ProjectCancelled})
	if err != nil {
		t.Fatal(err)
	}
	if c.Count != 1 || c.Milestones.Total != 0 || c.OnTimeRate != nil || len(c.Overdue) != 0 {
		t.Errorf("cancelled only: %+v", c)
	}
	b, err := BuildProjects(ctx, db, ProjectsParams{RangeParams: projectsRangeOf(p), Member: "alpha"})
	if err != nil {
		t.Fatal(err)
	}
	if b.Count != 1 || b.Projects[0].Slug != "pilot" {
		t.Errorf("alpha's: %+v", b.Projects)
	}

	d, err := BuildProject(ctx, db, ProjectParams{Slug: "pilot", At: ecoDay(t, "2026-03-14")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range d.Milestones {
		got = append(got, m.Title+":"+m.State+":"+m.Source)
	}
	if want := []string{"A:done:registry", "B:late:registry", "C:overdue:github", "D:upcoming:registry"}; !reflect.DeepEqual(got, want) {
		t.Errorf("milestones %v, want %v", got, want)
	}
	if d.OnTimeRate == nil || *d.OnTimeRate != 0.5 || d.Project.Source != data.SourceRegistry || d.Parties[0].Role != "lead" {
		t.Errorf("project %+v, on time %v", d.Project, d.OnTimeRate)
	}
	if _, err := BuildProject(ctx, db, ProjectParams{Slug: "nope"}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("unknown project: %v", err)
	}

	// The pages render, and say where records came from.
	var buf bytes.Buffer
	r := newTestRenderer(t)
	if err := r.ProjectsPage(&buf, *p, true); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{`data-value="due">3<`, `data-value="done">2<`, `data-value="overdue">1<`, `href="/projects/new"`,
		`href="/projects/pilot"`, `registry file`} {
		if !strings.Contains(html, want) {
			t.Errorf("projects page lacks %s", want)
		}
	}
	if spec := pageChartSpecs(t, html)["chart-projects-burnup-data"]; spec.NoData || spec.Option["dataZoom"] == nil {
		t.Errorf("burn-up chart %+v", spec)
	}
	buf.Reset()
	if err := r.ProjectPage(&buf, *d, false); err != nil {
		t.Fatal(err)
	}
	html = buf.String()
	for _, want := range []string{`data-value="milestones">4<`, `data-value="late">1<`, `GitHub milestones`, `data-source="registry"`} {
		if !strings.Contains(html, want) {
			t.Errorf("project page lacks %s", want)
		}
	}
	if strings.Contains(html, "/edit") {
		t.Error("a viewer's project page links to the form")
	}
}

// projectsRangeOf is the range p was built for.
func projectsRangeOf(p *Projects) RangeParams {
	from, _ := domain.ParseDay(p.From)
	to, _ := domain.ParseDay(p.To)
	return RangeParams{From: from, To: to}
}
