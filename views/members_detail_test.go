package views

import (
	"bytes"
	"strings"
	"testing"
)

func memberDetailSample() MemberDetail {
	h := func(v float64) *float64 { return &v }
	ms := h // a latency, measured
	d := MemberDetail{
		At:     "2026-06-30",
		Member: MemberInfo{Slug: "acme", Name: "Acme AI", Kind: "partner", Tier: "gold", Segment: "NLP", JoinedOn: "2024-01-01"},
		Score: &MemberScoreView{Health: 72.44, HealthChange: -1.2, Status: "healthy", ScoreFigures: ScoreFigures{Factors: Factors{T: 0.8, I: 0.5, M: 0.4}, ValueFigures: ValueFigures{C: 0.16, K: 1.5, Phi: 0.3}}, PhiShare: 0.05,
			Dimensions: map[string]float64{"api": 90, "community": 55, "cooperation": 60}, Reason: "community: little activity or slow responses (55/100)"},
		Median: &MemberMedians{Members: 40, Health: 60, T: 0.6, I: 0.3, M: 0.3, Dimensions: map[string]float64{"api": 80, "projects": 50, "community": 50, "cooperation": 40}},
		History: []MemberHistoryPoint{
			{Day: "2026-06-21", Ecosystem: h(70)}, {Day: "2026-06-28", Health: h(73), Ecosystem: h(71)}, {Day: "2026-06-30", Health: h(72.44), Ecosystem: h(71)},
		},
		Usage: MemberUsage{From: "2026-06-29", To: "2026-06-30",
			Days:      []MemberUsageDay{{Day: "2026-06-29", Calls: 1000, Errors4xx: 10, Errors5xx: 5, LatencyMS: &MemberLatency{P50: ms(40), P95: ms(300), P99: ms(900)}, HasData: true}, {Day: "2026-06-30", HasData: true}},
			Endpoints: []MemberUsageGroup{{Endpoint: "/v1/chat", Calls: 1000, Share: 1}},
			Consumers: []MemberUsageGroup{{Consumer: hostileNames[0], Calls: 1000, Share: 1, LastDay: "2026-06-29"}},
			LatencyMS: MemberLatency{P50: ms(40), P95: ms(300), P99: ms(900)}},
		Projects: []MemberProjectView{{Slug: "p", Name: hostileNames[1], Status: "active", Role: "lead", StartOn: "2026-01-01",
			Partners:   []MemberLink{{Slug: "bolt", Name: "Bolt"}},
			Counts:     MemberMilestoneCounts{Done: 1, Overdue: 1},
			Milestones: []MemberMilestone{{Title: "M1", DueOn: "2026-05-01", DoneOn: "2026-04-30", State: memberMsDone}, {Title: "M2", DueOn: "2026-06-01", State: memberMsOverdue}}}},
		Milestones: MemberMilestoneCounts{Done: 1, Overdue: 1},
		Community: MemberCommunity{From: "2026-04-13", To: "2026-06-30", Contributions: 12, NewContributors: 2,
			Weeks: []MemberCommunityWeek{{Week: "2026-W26", Start: "2026-06-22", Contributions: 12, ActiveContributors: 3, NewContributors: 2, FirstResponseHours: h(5), DataDays: 7}}},
		Ties: []MemberTie{{Slug: "bolt", Name: "Bolt", K: 0.8, Health: 50, Status: "watch"}},
	}
	d.Usage.Totals.Calls, d.Usage.Totals.Errors4xx, d.Usage.Totals.Errors5xx = 1000, 10, 5
	d.Usage.ErrorRate = 0.015
	return d
}

func renderMember(tb testing.TB, d MemberDetail) string {
	tb.Helper()
	var buf bytes.Buffer
	if err := newTestRenderer(tb).MemberPage(&buf, d); err != nil {
		tb.Fatal(err)
	}
	return buf.String()
}

func TestMemberPageRenders(t *testing.T) {
	html := renderMember(t, memberDetailSample())
	for _, want := range []string{
		`<title>Acme AI · EcoPulse</title>`,
		`data-value="health">72.4<`,
		`<dd data-value="calls">1,000</dd>`,
		`<span data-value="p95">300</span> ms`,
		`<b data-value="overdue">1</b>`,
		`<tr data-tie="bolt"><td><a href="/members/bolt">Bolt</a>`,
		`No data in the scoring window for: projects.`,
		`1.50%`, // error rate
		`&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, bad := range []string{"<script>alert", "<img src=x"} {
		if strings.Contains(html, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	specs := pageChartSpecs(t, html)
	for _, id := range []string{"chart-member-gauge-data", "chart-member-history-data", "chart-member-radar-data", "chart-member-calls-data",
		"chart-member-errors-data", "chart-member-latency-data", "chart-member-milestones-data", "chart-member-contributions-data",
		"chart-member-contributors-data", "chart-member-response-data", "chart-member-ties-data"} {
		s, ok := specs[id]
		if !ok {
			t.Errorf("no chart %s", id)
		} else if s.NoData {
			t.Errorf("chart %s says noData: %s", id, s.Message)
		}
	}
	radar := specs["chart-member-radar-data"]
	vals := seriesData(t, radar, 0)[0].(map[string]any)["value"].([]any)
	if got, want := len(vals), 7; got != want {
		t.Fatalf("radar values %v", vals)
	}
	if vals[0] != 80.0 || vals[4] != 0.0 || vals[3] != 90.0 {
		t.Errorf("radar values %v, want T×100 = 80, API 90 and the missing projects at 0", vals)
	}
	if got, want := seriesData(t, radar, 1)[0].(map[string]any)["value"].([]any)[4], any(50.0); got != want {
		t.Errorf("median projects = %v, want %v", got, want)
	}
	ties := specs["chart-member-ties-data"]
	if item := seriesData(t, ties, 0)[0].(map[string]any); item["slug"] != "bolt" {
		t.Errorf("ties bar item %v carries no slug", item)
	}
	if !strings.Contains(html, `"links":"member"`) {
		t.Error("no chart block asks for member links")
	}
	if specs["chart-member-errors-data"].ValueSuffix != "%" || specs["chart-member-latency-data"].ValueSuffix != " ms" {
		t.Error("error and latency tooltips lack their units")
	}
}

func TestMemberPageSaysWhatIsMissing(t *testing.T) {
	d := memberDetailSample()
	d.Usage = MemberUsage{From: "2026-06-03", To: "2026-06-30"}
	d.Projects, d.Milestones = []MemberProjectView{}, MemberMilestoneCounts{}
	d.Community = MemberCommunity{From: "2026-04-06", To: "2026-06-30"}
	d.Ties = []MemberTie{}
	html := renderMember(t, d)
	for _, want := range []string{
		"No API usage between 2026-06-03 and 2026-06-30",
		"No cooperation projects",
		"No community activity between 2026-04-06 and 2026-06-30",
		"No cooperation tie on 2026-06-30.",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	specs := pageChartSpecs(t, html)
	for _, id := range []string{"chart-member-calls-data", "chart-member-contributions-data", "chart-member-milestones-data"} {
		if _, ok := specs[id]; ok {
			t.Errorf("chart %s is drawn without data", id)
		}
	}
	if s := specs["chart-member-ties-data"]; !s.NoData {
		t.Error("the ties chart without ties should say noData")
	}

	// Not scored on the day.
	d.Score, d.Median = nil, nil
	html = renderMember(t, d)
	if !strings.Contains(html, "No score on 2026-06-30") {
		t.Error("an unscored member's page does not say so")
	}
	specs = pageChartSpecs(t, html)
	if !specs["chart-member-gauge-data"].NoData || !specs["chart-member-radar-data"].NoData {
		t.Error("gauge and radar of an unscored member should say noData")
	}
}
