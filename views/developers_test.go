package views

import (
	"bytes"
	"strings"
	"testing"
)

// sampleDevelopers is a funnel with two cohorts, the later one's weeks 3
// to 8 not over yet, and a member named to break out of the page.
func sampleDevelopers() Developers {
	f := func(v float64) *float64 { return &v }
	stages := func(n, ok int) []DeveloperStage {
		return []DeveloperStage{{Stage: "first_call", Label: "First call", Count: n, Observed: n, Rate: f(1)},
			{Stage: "first_success", Label: "First successful call", Count: ok, Observed: n, Rate: f(float64(ok) / float64(n))},
			{Stage: "active_week_8", Label: "Active in week 8", Count: 0, Observed: 0}}
	}
	cells := func(observed int, upTo int) []DeveloperCell {
		var out []DeveloperCell
		for k := 1; k <= 8; k++ {
			c := DeveloperCell{Week: k}
			if k <= upTo {
				c.Active, c.Observed, c.Rate = 1, observed, f(1/float64(observed))
			}
			out = append(out, c)
		}
		return out
	}
	member := DeveloperGroup{Key: "evil", Label: hostileNames[0], DeveloperFunnel: DeveloperFunnel{Consumers: 2, Stages: stages(2, 1)}}
	return Developers{From: "2026-06-01", To: "2026-06-14", ObservedThrough: "2026-06-20", UsageFrom: "2026-01-01",
		DeveloperFunnel: DeveloperFunnel{Consumers: 5, Stages: stages(5, 3), TTFSMedian: f(2), TTFSP90: f(6.4)},
		Segments:        []DeveloperGroup{{Key: "NLP", Label: "NLP", DeveloperFunnel: DeveloperFunnel{Consumers: 5, Stages: stages(5, 3)}}},
		Cohorts: []DeveloperCohort{
			{Week: "2026-W23", Start: "2026-06-01", End: "2026-06-07", DeveloperFunnel: DeveloperFunnel{Consumers: 3, Stages: stages(3, 2), TTFSMedian: f(1), TTFSP90: f(2)},
				Retention: cells(3, 2), Members: []DeveloperGroup{member}},
			{Week: "2026-W24", Start: "2026-06-08", End: "2026-06-14", DeveloperFunnel: DeveloperFunnel{Consumers: 2, Stages: stages(2, 1)},
				Retention: cells(2, 1)},
		}}
}

// TestDevelopersPageRendersAndEscapes: the numbers are on the page, a
// hostile member name is text, each chart is drawn, a week not over is a
// blank cell of the heatmap (not 0%), a cohort nobody succeeded in is a gap
// of the time-to-success trend.
func TestDevelopersPageRendersAndEscapes(t *testing.T) {
	var buf bytes.Buffer
	if err := newTestRenderer(t).DevelopersPage(&buf, sampleDevelopers()); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{`data-n="consumers">5<`, `data-n="ttfs_median_days">2.0<`, `data-n="ttfs_p90_days">6.4<`,
		`data-n="first_success.count">3<`, `data-n="first_success.rate">60.0<`, `data-n="active_week_8.rate">—<`,
		`data-n="2026-W23.member.evil.first_success.count">1<`, `&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;`,
		`<a href="/developers" aria-current="page">`} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(html, hostileNames[0]) {
		t.Error("a member name reached the page unescaped")
	}
	specs := pageChartSpecs(t, html)
	for _, id := range []string{"chart-developers-funnel-data", "chart-developers-retention-data", "chart-developers-ttfs-data"} {
		if s := specs[id]; s.NoData || s.Option["series"] == nil {
			t.Errorf("chart %s: %+v", id, s)
		}
	}
	heat := optSeries(specs["chart-developers-retention-data"].Option, 0)
	items, _ := heat["data"].([]any)
	if len(items) != 16 {
		t.Fatalf("heatmap has %d cells, want 2 cohorts × 8 weeks", len(items))
	}
	value := func(i int) []any { v, _ := items[i].(map[string]any)["value"].([]any); return v }
	if v := value(8 + 2); v[2] != "-" { // W24, week 3: not over
		t.Errorf("a week not over is drawn as %v, want blank", v[2])
	}
	if v := value(1); v[2] != 33.3 { // W23, week 2: 1 of 3
		t.Errorf("W23 week 2 = %v, want 33.3", v[2])
	}
	ttfs := optSeries(specs["chart-developers-ttfs-data"].Option, 0)
	if d, _ := ttfs["data"].([]any); len(d) != 2 || d[1] != nil {
		t.Errorf("median trend %v: want a gap for the cohort without success", d)
	}
}

// TestDevelopersPageWithoutConsumers says so on every chart.
func TestDevelopersPageWithoutConsumers(t *testing.T) {
	var buf bytes.Buffer
	d := Developers{From: "2026-06-01", To: "2026-06-14"}
	if err := newTestRenderer(t).DevelopersPage(&buf, d); err != nil {
		t.Fatal(err)
	}
	for id, s := range pageChartSpecs(t, buf.String()) {
		if strings.HasPrefix(id, "chart-developers") && !s.NoData {
			t.Errorf("%s draws a chart of nothing", id)
		}
	}
}
