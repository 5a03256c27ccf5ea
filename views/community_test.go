package views

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data"
)

func TestBusFactor(t *testing.T) {
	for _, c := range []struct {
		counts []int
		k      int
		share  float64
	}{
		{nil, 0, 0},
		{[]int{0, 0}, 0, 0},
		{[]int{10}, 1, 1},
		{[]int{5, 5}, 1, 0.5},       // exactly half is enough
		{[]int{4, 3, 2, 1}, 2, 0.7}, // 4 < 5, 4+3 ≥ 5
		{[]int{3, 2, 1, 1, 1}, 2, 5.0 / 8},
		{[]int{1, 1, 1, 1, 1, 1}, 3, 0.5},
	} {
		k, share := BusFactor(c.counts, CommunityBusShare)
		if k != c.k || share != c.share {
			t.Errorf("BusFactor(%v) = %d, %v; want %d, %v", c.counts, k, share, c.k, c.share)
		}
	}
}

func TestCommunityPageRendersAndEscapes(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	c := Community{From: "2026-06-01", To: "2026-06-14", Days: 14, Contributions: 20, ActiveContributors: 6, NewContributors: 2,
		PROpened: 4, PRMerged: 3, ClosureRatio: f(0.75), Threads: 5, Responded: 4, FirstResponseMedian: f(3.25), FirstResponseP90: f(30),
		BusFactor: 2, BusFactorShare: 0.6, Concentration: []float64{0.35, 0.6, 0.8, 0.9, 0.95, 1}, UnaffiliatedContributors: 1,
		Weeks: []CommunityWeek{
			{Week: "2026-W23", Start: "2026-06-01", End: "2026-06-07", Contributions: 12, ActiveContributors: 5, NewContributors: 2, PROpened: 2, PRMerged: 2, ClosureRatio: f(1), FirstResponseMedian: f(3), FirstResponseP90: f(5), DataDays: 7},
			{Week: "2026-W24", Start: "2026-06-08", End: "2026-06-14", Contributions: 8, ActiveContributors: 3, PROpened: 2, PRMerged: 1, ClosureRatio: f(0.5), DataDays: 7},
		}}
	c.Unaffiliated = []data.ActorCount{{Source: "github", Login: hostileNames[0], Activities: 3}}
	var buf bytes.Buffer
	if err := newTestRenderer(t).CommunityPage(&buf, c); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{`data-value="active_contributors">6<`, `data-value="response_median">3.3<`, `data-value="response_p_ninety">30.0<`,
		`data-value="closure_ratio">75.0<`, `data-value="bus_factor">2<`, `data-value="unaffiliated">1<`, `<tr data-week="2026-W24">`,
		`&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;`} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	specs := pageChartSpecs(t, html)
	for _, id := range []string{"chart-community-people-data", "chart-community-response-data", "chart-community-closure-data", "chart-community-concentration-data"} {
		if s := specs[id]; s.NoData || s.Option["tooltip"] == nil {
			t.Errorf("chart %s: %+v", id, s)
		}
	}
	if series := specs["chart-community-closure-data"].Option["series"].([]any); len(series) != 3 {
		t.Errorf("closure chart has %d series, want opened, merged and the ratio", len(series))
	}
}
