package app

import (
	"context"
	"html"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

var ecoValueRE = regexp.MustCompile(`data-value="([A-Za-z_]+)">([^<]*)<`)

// ecoShown returns the numbers a page marks with data-value, as shown.
func ecoShown(page string) map[string]string {
	out := map[string]string{}
	for _, m := range ecoValueRE.FindAllStringSubmatch(page, -1) {
		out[m[1]] = strings.TrimSpace(html.UnescapeString(m[2]))
	}
	return out
}

// ecoCheckShown checks that each number is on the page, shown as want
// rounded to the digits shown ("12.3" shows 12.34, "1,234" shows 1234).
func ecoCheckShown(t *testing.T, page string, want map[string]float64) {
	t.Helper()
	shown := ecoShown(page)
	for name, w := range want {
		s, ok := shown[name]
		if !ok {
			t.Errorf("the page does not show %s", name)
			continue
		}
		s = strings.ReplaceAll(s, ",", "")
		got, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Errorf("%s = %q is not a number", name, s)
			continue
		}
		decimals := 0
		if i := strings.IndexByte(s, '.'); i >= 0 {
			decimals = len(s) - i - 1
		}
		if math.Abs(got-w) > 0.5*math.Pow10(-decimals)+1e-9 {
			t.Errorf("page %s = %s, API = %v", name, s, w)
		}
	}
}

// ecoGet fetches a JSON twin and its page.
func ecoGet[T any](t *testing.T, a *App, api, page string) (T, string) {
	t.Helper()
	status, body, _ := get(t, a.Fiber(), api)
	if status != 200 {
		t.Fatalf("GET %s = %d: %s", api, status, body)
	}
	v := decode[T](t, body)
	status, html, _ := get(t, a.Fiber(), page)
	if status != 200 {
		t.Fatalf("GET %s = %d: %s", page, status, html[:min(len(html), 300)])
	}
	return v, html
}

func TestAPIUsagePageShowsTheAPINumbers(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	u, page := ecoGet[views.APIUsage](t, a, "/api/v1/api-usage/breakdown", "/api-usage")
	if got, want := u.To, demoEnd.Format(domain.DateLayout); got != want {
		t.Errorf("default range ends %s, want the latest scored day %s", got, want)
	}
	if got, want := u.From, demoEnd.AddDate(0, 0, -27).Format(domain.DateLayout); got != want {
		t.Errorf("default range starts %s, want %s", got, want)
	}
	if u.Days != 28 || len(u.Daily) != 28 || u.Totals.Calls == 0 || len(u.Segments) < 2 || len(u.Endpoints) == 0 {
		t.Fatalf("breakdown: %d days, %d calls, segments %v, %d endpoints", len(u.Daily), u.Totals.Calls, u.Segments, len(u.Endpoints))
	}
	if u.Unmapped.Totals.Calls == 0 || u.Unmapped.ConsumerCount == 0 {
		t.Errorf("the demo's unmapped consumers are missing: %+v", u.Unmapped)
	}
	ecoCheckShown(t, page, map[string]float64{
		"calls":               float64(u.Totals.Calls),
		"client_errors":       float64(u.Totals.Errors4xx),
		"server_errors":       float64(u.Totals.Errors5xx),
		"error_rate":          100 * u.ErrorRate,
		"latency_ms":          *u.LatencyMS.P95, // the demo measures latency
		"availability_budget": 100 * u.SLO.Availability.BudgetUsed,
		"latency_budget":      100 * u.SLO.Latency.BudgetUsed,
		"endpoints":           float64(u.EndpointCount),
		"endpoints_shown":     float64(len(u.Endpoints)),
		"heatmap_calls":       float64(u.Heatmap.Calls),
		"unmapped_calls":      float64(u.Unmapped.Totals.Calls),
		"unmapped_share":      100 * u.Unmapped.Share,
		"unmapped_consumers":  float64(u.Unmapped.ConsumerCount),
	})
	for _, e := range u.Endpoints {
		if !strings.Contains(page, "<code>"+html.EscapeString(e.Endpoint)+"</code>") {
			t.Errorf("endpoint %s is not in the table", e.Endpoint)
		}
	}
	for _, id := range []string{"chart-usage-segments", "chart-usage-endpoints", "chart-usage-budget", "chart-usage-heatmap", "chart-usage-unmapped"} {
		if !strings.Contains(page, `id="`+id+`-data"`) {
			t.Errorf("chart %s is missing", id)
		}
	}
	// The SLO arithmetic.
	av := u.SLO.Availability
	if got, want := av.BudgetUsed, float64(u.Totals.Errors5xx)/(0.005*float64(u.Totals.Calls)); math.Abs(got-want) > 1e-9 {
		t.Errorf("availability budget used %v, want 5xx / (0.5%% of calls) = %v", got, want)
	}
	if got, want := u.SLO.Latency.ThresholdMS, config.Default().Scoring.Technical.LatencySLOMS; got != want {
		t.Errorf("latency SLO %v ms, want the scoring config's %v", got, want)
	}
	last := u.Daily[len(u.Daily)-1]
	if math.Abs(last.AvailabilityBudgetUsed-av.BudgetUsed) > 1e-9 || math.Abs(last.LatencyBudgetUsed-u.SLO.Latency.BudgetUsed) > 1e-9 {
		t.Errorf("the budget curve ends at %v / %v, the range used %v / %v", last.AvailabilityBudgetUsed, last.LatencyBudgetUsed, av.BudgetUsed, u.SLO.Latency.BudgetUsed)
	}
}

// TestAPIUsageBreakdownTotalsEqualTheTotalsAPI holds the breakdown against
// /api/v1/api-usage for the same ranges, and its parts against its whole.
func TestAPIUsageBreakdownTotalsEqualTheTotalsAPI(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	day := func(back int) string { return demoEnd.AddDate(0, 0, -back).Format(domain.DateLayout) }
	for _, r := range [][2]string{{day(27), day(0)}, {day(6), day(0)}, {day(0), day(0)}, {day(90), day(60)}, {"2020-01-01", "2020-01-07"}} {
		q := "?from=" + r[0] + "&to=" + r[1]
		status, body, _ := get(t, a.Fiber(), "/api/v1/api-usage"+q)
		if status != 200 {
			t.Fatalf("GET /api/v1/api-usage%s = %d: %s", q, status, body)
		}
		want := decode[struct{ Totals domain.UsageTotals }](t, body).Totals
		status, body, _ = get(t, a.Fiber(), "/api/v1/api-usage/breakdown"+q+"&top=50")
		if status != 200 {
			t.Fatalf("GET breakdown%s = %d: %s", q, status, body)
		}
		u := decode[views.APIUsage](t, body)
		if got := u.Totals; got.Calls != want.Calls || got.Errors4xx != want.Errors4xx || got.Errors5xx != want.Errors5xx || got.Bytes != want.Bytes {
			t.Errorf("%s: breakdown totals %+v, /api/v1/api-usage %+v", q, got, want)
		}
		if got, want := u.Heatmap.Calls, want.Calls; got != want {
			t.Errorf("%s: heatmap cells sum to %d calls, the range has %d", q, got, want)
		}
		var cells, days, endpoints int64
		for _, c := range u.Heatmap.Cells {
			cells += c.Calls
		}
		if cells != u.Heatmap.Calls || len(u.Heatmap.Cells) != 7*24 {
			t.Errorf("%s: %d cells summing to %d, heatmap says %d", q, len(u.Heatmap.Cells), cells, u.Heatmap.Calls)
		}
		for _, d := range u.Daily {
			days += d.Calls
			parts := d.Unmapped
			for _, s := range d.BySegment {
				parts += s
			}
			if parts != d.Calls {
				t.Errorf("%s %s: segments and unmapped sum to %d, the day has %d", q, d.Day, parts, d.Calls)
			}
		}
		for _, e := range u.Endpoints {
			endpoints += e.Calls
		}
		if days != want.Calls || (u.EndpointCount <= 50 && endpoints != want.Calls) {
			t.Errorf("%s: days sum to %d, endpoints to %d; the range has %d", q, days, endpoints, want.Calls)
		}
		status, page, _ := get(t, a.Fiber(), "/api-usage"+q)
		if status != 200 {
			t.Fatalf("GET /api-usage%s = %d", q, status)
		}
		if want.Calls == 0 && !strings.Contains(page, "No API calls between "+r[0]+" and "+r[1]) {
			t.Errorf("%s: an empty range does not say so", q)
		}
	}
}

func TestAPIUsageBadQueriesAre400(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	for _, q := range []string{"?from=2026-06-10&to=2026-06-01", "?top=0", "?top=51", "?top=x", "?from=yesterday", "?from=2024-01-01&to=2026-01-01"} {
		for _, path := range []string{"/api/v1/api-usage/breakdown", "/api-usage"} {
			if status, body, _ := get(t, a.Fiber(), path+q); status != 400 {
				t.Errorf("GET %s%s = %d, want 400 (%s)", path, q, status, body[:min(len(body), 200)])
			}
		}
	}
}

func TestProjectsPageShowsTheAPINumbers(t *testing.T) {
	db := seededDB(t)
	a := newTestApp(t, db)
	p, page := ecoGet[views.Projects](t, a, "/api/v1/projects", "/projects")
	if p.Total == 0 || p.Count != p.Total || len(p.BurnUp) != 28 {
		t.Fatalf("projects: total %d, count %d, %d burn-up days", p.Total, p.Count, len(p.BurnUp))
	}
	// The burn-up ends at the counts of milestones due and done by the last
	// day, counted here from the store.
	to, _ := domain.ParseDay(p.To)
	all, err := db.Agreements(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var due, done, total int
	for _, ag := range all {
		if ag.Status == domain.ProjectCancelled {
			continue
		}
		for _, m := range ag.Milestones {
			total++
			if !m.DueOn.After(to) {
				due++
			}
			if !m.DoneOn.IsZero() && !m.DoneOn.After(to) {
				done++
			}
		}
	}
	last := p.BurnUp[len(p.BurnUp)-1]
	if last.Day != p.To || last.Due != due || last.Done != done || last.Scope != total {
		t.Errorf("burn-up ends %+v, want due %d, done %d, scope %d on %s", last, due, done, total, p.To)
	}
	if p.Milestones.DueByEnd != due || p.Milestones.DoneByEnd != done {
		t.Errorf("counts due %d, done %d; want %d, %d", p.Milestones.DueByEnd, p.Milestones.DoneByEnd, due, done)
	}
	for i := 1; i < len(p.BurnUp); i++ {
		if p.BurnUp[i].Due < p.BurnUp[i-1].Due || p.BurnUp[i].Done < p.BurnUp[i-1].Done {
			t.Errorf("the burn-up falls on %s", p.BurnUp[i].Day)
		}
	}
	if got, want := len(p.Overdue), p.Milestones.States.Overdue; got != want {
		t.Errorf("overdue list %d, overdue count %d", got, want)
	}
	for _, o := range p.Overdue {
		d, _ := domain.ParseDay(o.DueOn)
		if want := int(to.Sub(d).Hours() / 24); o.DaysOverdue != want || want <= 0 || len(o.Parties) == 0 {
			t.Errorf("overdue %+v: want %d days and parties", o, want)
		}
	}
	want := map[string]float64{"count": float64(p.Count), "total": float64(p.Total), "due": float64(due), "done": float64(done),
		"milestones": float64(total), "due_in_range": float64(p.Milestones.DueInRange), "done_in_range": float64(p.Milestones.DoneInRange),
		"on_time": float64(p.Milestones.OnTimeInRange), "overdue": float64(len(p.Overdue)), "rows": float64(len(p.Projects)),
		"overdue_rows": float64(len(p.Overdue)), "in_range": float64(p.Milestones.DueInRange),
		"state_done": float64(p.Milestones.States.Done), "state_late": float64(p.Milestones.States.Late),
		"state_overdue": float64(p.Milestones.States.Overdue), "state_upcoming": float64(p.Milestones.States.Upcoming)}
	if p.OnTimeRate != nil {
		want["on_time_rate"] = 100 * *p.OnTimeRate
		if got := *p.OnTimeRate; math.Abs(got-float64(p.Milestones.OnTimeInRange)/float64(p.Milestones.DueInRange)) > 1e-12 {
			t.Errorf("on-time rate %v", got)
		}
	}
	ecoCheckShown(t, page, want)
	for _, r := range p.Projects {
		if !strings.Contains(page, `href="/projects/`+r.Slug+`"`) {
			t.Errorf("project %s is not linked", r.Slug)
		}
	}
	if !strings.Contains(page, `href="/projects/new"`) {
		t.Error("a manager is not offered to register an agreement")
	}

	// Filters.
	active, _ := ecoGet[views.Projects](t, a, "/api/v1/projects?status=active", "/projects?status=active")
	for _, r := range active.Projects {
		if r.Status != domain.ProjectActive {
			t.Errorf("status=active lists %s (%s)", r.Slug, r.Status)
		}
	}
	if active.Count == 0 || active.Count == p.Count {
		t.Errorf("status=active lists %d of %d", active.Count, p.Count)
	}
	member := p.Projects[0].Parties[0].Slug
	mine, _ := ecoGet[views.Projects](t, a, "/api/v1/projects?member="+member, "/projects?member="+member)
	for _, r := range mine.Projects {
		found := false
		for _, party := range r.Parties {
			found = found || party.Slug == member
		}
		if !found {
			t.Errorf("member=%s lists %s", member, r.Slug)
		}
	}
	if mine.Count == 0 {
		t.Errorf("member=%s lists nothing", member)
	}
	for _, q := range []string{"?status=done", "?member=" + url.QueryEscape("x' OR 1=1"), "?from=2026-06-10&to=2026-06-01"} {
		if status, _, _ := get(t, a.Fiber(), "/api/v1/projects"+q); status != 400 {
			t.Errorf("GET /api/v1/projects%s = %d, want 400", q, status)
		}
	}
	// A viewer sees no editing links.
	s := loginAs(t, a, domain.RoleViewer)
	testSessions.Store(a.Fiber(), s)
	_, page, _ = get(t, a.Fiber(), "/projects")
	if strings.Contains(page, `href="/projects/new"`) {
		t.Error("a viewer is offered to register an agreement")
	}
}

func TestProjectPageShowsTheRecord(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	status, body, _ := get(t, a.Fiber(), "/api/v1/projects")
	if status != 200 {
		t.Fatal(status)
	}
	list := decode[views.Projects](t, body)
	slug := list.Projects[0].Slug
	d, page := ecoGet[views.ProjectDetail](t, a, "/api/v1/projects/"+slug, "/projects/"+slug)
	if d.Project.Slug != slug || d.Project.Source != data.SourceDemo || len(d.Parties) == 0 || len(d.Milestones) == 0 {
		t.Fatalf("project %+v: %d parties, %d milestones", d.Project, len(d.Parties), len(d.Milestones))
	}
	if d.At != demoEnd.Format(domain.DateLayout) {
		t.Errorf("seen on %s, want the latest scored day", d.At)
	}
	c := d.States
	if c.Done+c.Late+c.Overdue+c.Upcoming != len(d.Milestones) {
		t.Errorf("states %+v for %d milestones", c, len(d.Milestones))
	}
	want := map[string]float64{"milestones": float64(len(d.Milestones)), "done": float64(c.Done), "late": float64(c.Late),
		"overdue": float64(c.Overdue), "upcoming": float64(c.Upcoming), "parties": float64(len(d.Parties))}
	if d.OnTimeRate != nil {
		want["on_time_rate"] = 100 * *d.OnTimeRate
	}
	ecoCheckShown(t, page, want)
	if !strings.Contains(page, "demo data") || !strings.Contains(page, `data-source="demo"`) {
		t.Error("the page does not show where the record came from")
	}
	for _, p := range d.Parties {
		if !strings.Contains(page, `href="/members/`+p.Slug+`"`) {
			t.Errorf("party %s is not linked", p.Slug)
		}
	}
	if !strings.Contains(page, `href="/projects/`+slug+`/edit"`) {
		t.Error("a manager has no edit link")
	}
	for _, path := range []string{"/projects/no-such-project", "/api/v1/projects/no-such-project", "/projects/Bad%20Slug", "/projects/no-such-project/edit"} {
		if status, _, _ := get(t, a.Fiber(), path); status != 404 {
			t.Errorf("GET %s = %d, want 404", path, status)
		}
	}
	if status, _, _ := get(t, a.Fiber(), "/api/v1/projects/"+slug+"?at=soon"); status != 400 {
		t.Errorf("a bad day: %d, want 400", status)
	}
}

// ecoCommunityDB is a fortnight of community activity worked out by hand:
// the range 2026-03-02 (a Monday) to 2026-03-15, Carl affiliated with a
// member, everyone else unaffiliated, one bot.
func ecoCommunityDB(t *testing.T) *data.DB {
	t.Helper()
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	day := func(s string) time.Time { d, _ := domain.ParseDay(s); return d }
	m := &domain.Member{Slug: "alpha", Name: "Alpha", Kind: domain.KindPartner, JoinedOn: day("2026-01-01")}
	if err := db.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	carl := &domain.Person{Name: "Carl"}
	if err := db.CreatePerson(ctx, carl, domain.Identity{Source: "github", Login: "carl"}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddAffiliation(ctx, &domain.Affiliation{PersonID: carl.ID, MemberID: m.ID, From: day("2026-01-01")}); err != nil {
		t.Fatal(err)
	}
	act := func(id, kind, when, actor, thread string, bot bool) domain.Activity {
		at, err := time.Parse("2006-01-02 15:04", when)
		if err != nil {
			t.Fatal(err)
		}
		return domain.Activity{Source: "github", ExternalID: id, Kind: kind, At: at, Actor: actor, Thread: thread, Bot: bot}
	}
	if _, err := db.AddActivities(ctx, []domain.Activity{
		act("0", domain.ActReply, "2026-02-20 10:00", "ann", "T0", false),
		act("1", domain.ActThreadOpened, "2026-03-02 09:00", "ann", "T1", false),
		act("2", domain.ActReply, "2026-03-02 11:00", "bob", "T1", false),
		act("3", domain.ActPROpened, "2026-03-03 10:00", "ann", "PR1", false),
		act("4", domain.ActReview, "2026-03-03 14:00", "bob", "PR1", false),
		act("5", domain.ActPRMerged, "2026-03-04 10:00", "carl", "PR1", false),
		act("6", domain.ActThreadOpened, "2026-03-10 08:00", "dave", "T2", false),
		act("7", domain.ActReply, "2026-03-10 08:30", "helper[bot]", "T2", true),
		act("8", domain.ActReply, "2026-03-11 08:00", "ann", "T2", false),
		act("9", domain.ActPROpened, "2026-03-12 12:00", "eve", "PR2", false),
		act("10", domain.ActReview, "2026-03-16 12:00", "frank", "PR2", false),
	}); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestCommunityMetricsOnPaper checks /api/v1/community and its page on the
// hand-made fortnight. On paper:
//
//	week 10 (Mar 2–8): ann, bob, carl active (bob and carl new: ann was
//	  active in February); 5 contributions; 1 PR opened, 1 merged → closure
//	  1; T1 answered after 2 h, PR1 after 4 h → median 3 h, p90 2 + 0.9·2 = 3.8 h.
//	week 11 (Mar 9–15): dave, ann, eve active (dave and eve new); 3
//	  contributions (the bot left out); 1 PR opened, 0 merged → closure 0;
//	  T2 answered after 24 h (the bot does not count), PR2 not before the
//	  range ends → median and p90 24 h.
//	range: 8 contributions by 5 people, 4 new; closure 1/2; response times
//	  2, 4, 24 h → median 4 h, p90 4 + 0.8·20 = 20 h; contributions per
//	  person 3 (ann), 2 (bob), 1, 1, 1 → half (4) needs ann and bob: bus
//	  factor 2, covering 5/8; unaffiliated: ann, bob, dave, eve = 4 (carl is
//	  affiliated, the bot is left out).
func TestCommunityMetricsOnPaper(t *testing.T) {
	a := newTestApp(t, ecoCommunityDB(t))
	q := "?from=2026-03-02&to=2026-03-15"
	c, page := ecoGet[views.Community](t, a, "/api/v1/community"+q, "/community"+q)
	f := func(p *float64) float64 {
		if p == nil {
			return math.NaN()
		}
		return *p
	}
	near := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if len(c.Weeks) != 2 {
		t.Fatalf("%d weeks, want 2", len(c.Weeks))
	}
	w0, w1 := c.Weeks[0], c.Weeks[1]
	if w0.Week != "2026-W10" || w1.Week != "2026-W11" || w0.Start != "2026-03-02" || w1.End != "2026-03-15" {
		t.Errorf("weeks %s (%s–%s), %s (%s–%s)", w0.Week, w0.Start, w0.End, w1.Week, w1.Start, w1.End)
	}
	for _, tc := range []struct {
		name      string
		got, want int
	}{
		{"week 10 active", w0.ActiveContributors, 3}, {"week 10 new", w0.NewContributors, 2}, {"week 10 contributions", w0.Contributions, 5},
		{"week 11 active", w1.ActiveContributors, 3}, {"week 11 new", w1.NewContributors, 2}, {"week 11 contributions", w1.Contributions, 3},
		{"active", c.ActiveContributors, 5}, {"new", c.NewContributors, 4}, {"contributions", c.Contributions, 8},
		{"PRs opened", c.PROpened, 2}, {"PRs merged", c.PRMerged, 1}, {"threads", c.Threads, 4}, {"responded", c.Responded, 3},
		{"bus factor", c.BusFactor, 2}, {"unaffiliated", c.UnaffiliatedContributors, 4},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %d, want %d", tc.name, tc.got, tc.want)
		}
	}
	near("week 10 closure", f(w0.ClosureRatio), 1)
	near("week 11 closure", f(w1.ClosureRatio), 0)
	near("closure", f(c.ClosureRatio), 0.5)
	near("week 10 median", f(w0.FirstResponseMedian), 3)
	near("week 10 p90", f(w0.FirstResponseP90), 3.8)
	near("week 11 median", f(w1.FirstResponseMedian), 24)
	near("week 11 p90", f(w1.FirstResponseP90), 24)
	near("median", f(c.FirstResponseMedian), 4)
	near("p90", f(c.FirstResponseP90), 20)
	near("bus factor share", c.BusFactorShare, 5.0/8)
	if want := []float64{3.0 / 8, 5.0 / 8, 6.0 / 8, 7.0 / 8, 1}; len(c.Concentration) != len(want) {
		t.Errorf("concentration %v, want %v", c.Concentration, want)
	}
	ecoCheckShown(t, page, map[string]float64{"active_contributors": 5, "new_contributors": 4, "contributions": 8,
		"response_median": 4, "response_p_ninety": 20, "responded": 3, "threads": 4, "closure_ratio": 50,
		"prs_merged": 1, "prs_opened": 2, "bus_factor": 2, "unaffiliated": 4})
	for _, login := range []string{"ann", "bob", "dave", "eve"} {
		if !strings.Contains(page, "<td>"+login+"</td>") {
			t.Errorf("unaffiliated %s is not listed", login)
		}
	}
	if strings.Contains(page, "<td>carl</td>") || strings.Contains(page, "helper[bot]") {
		t.Error("an affiliated person or a bot is listed as unaffiliated")
	}

	// A range without activity says so.
	c, page = ecoGet[views.Community](t, a, "/api/v1/community?from=2025-01-01&to=2025-01-31", "/community?from=2025-01-01&to=2025-01-31")
	if c.Contributions != 0 || c.BusFactor != 0 || c.FirstResponseMedian != nil || c.ClosureRatio != nil {
		t.Errorf("empty range: %+v", c)
	}
	if !strings.Contains(page, "No community activity between 2025-01-01 and 2025-01-31") {
		t.Error("an empty range does not say so")
	}
}

func TestCommunityPageShowsTheAPINumbers(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	c, page := ecoGet[views.Community](t, a, "/api/v1/community", "/community")
	if c.To != demoEnd.Format(domain.DateLayout) || c.Contributions == 0 || len(c.Weeks) < 4 || c.BusFactor == 0 {
		t.Fatalf("community to %s: %d contributions, %d weeks, bus factor %d", c.To, c.Contributions, len(c.Weeks), c.BusFactor)
	}
	sum, active := 0, 0
	for _, w := range c.Weeks {
		sum += w.Contributions
		active = max(active, w.ActiveContributors)
	}
	if sum != c.Contributions || active > c.ActiveContributors {
		t.Errorf("weeks sum to %d contributions (range %d); busiest week %d active of %d", sum, c.Contributions, active, c.ActiveContributors)
	}
	want := map[string]float64{"active_contributors": float64(c.ActiveContributors), "new_contributors": float64(c.NewContributors),
		"contributions": float64(c.Contributions), "responded": float64(c.Responded), "threads": float64(c.Threads),
		"prs_merged": float64(c.PRMerged), "prs_opened": float64(c.PROpened), "bus_factor": float64(c.BusFactor),
		"unaffiliated": float64(c.UnaffiliatedContributors)}
	if c.FirstResponseMedian != nil {
		want["response_median"], want["response_p_ninety"] = *c.FirstResponseMedian, *c.FirstResponseP90
	}
	if c.ClosureRatio != nil {
		want["closure_ratio"] = 100 * *c.ClosureRatio
	}
	ecoCheckShown(t, page, want)
	for _, id := range []string{"chart-community-people", "chart-community-response", "chart-community-closure", "chart-community-concentration"} {
		if !strings.Contains(page, `id="`+id+`-data"`) {
			t.Errorf("chart %s is missing", id)
		}
	}
}
