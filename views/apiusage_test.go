package views

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

func ecoDay(tb testing.TB, s string) time.Time {
	tb.Helper()
	d, err := domain.ParseDay(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func TestParseRange(t *testing.T) {
	get := func(q map[string]string) func(string) string { return func(k string) string { return q[k] } }
	p, err := ParseRange(get(map[string]string{"from": "2026-06-01", "to": " 2026-06-30 "}))
	if err != nil || !p.From.Equal(ecoDay(t, "2026-06-01")) || !p.To.Equal(ecoDay(t, "2026-06-30")) {
		t.Errorf("ParseRange = %+v, %v", p, err)
	}
	if _, err := ParseRange(get(map[string]string{"to": "June"})); domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), "to") {
		t.Errorf("a bad day: %v", err)
	}
	for q, ok := range map[string]bool{"": true, "1": true, "50": true, "0": false, "51": false, "ten": false, "-3": false} {
		p, err := ParseAPIUsageParams(get(map[string]string{"top": q}))
		if (err == nil) != ok {
			t.Errorf("top=%q: %+v, %v", q, p, err)
		}
	}
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	// Nothing scored: the range ends on Now.
	from, to, err := resolveRange(ctx, db, RangeParams{Now: ecoDay(t, "2026-03-31").Add(15 * time.Hour)})
	if err != nil || from.Format(domain.DateLayout) != "2026-03-04" || to.Format(domain.DateLayout) != "2026-03-31" {
		t.Errorf("default range %s..%s, %v", from, to, err)
	}
	for _, bad := range []RangeParams{
		{From: ecoDay(t, "2026-03-10"), To: ecoDay(t, "2026-03-09")},
		{From: ecoDay(t, "2025-01-01"), To: ecoDay(t, "2026-03-09")},
	} {
		if _, _, err := resolveRange(ctx, db, bad); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%+v: %v, want invalid", bad, err)
		}
	}
}

func TestEcoQuantile(t *testing.T) {
	for _, c := range []struct {
		xs   []float64
		q    float64
		want float64
	}{
		{[]float64{5}, 0.5, 5}, {[]float64{5}, 0.9, 5}, {[]float64{2, 4}, 0.5, 3}, {[]float64{2, 4}, 0.9, 3.8},
		{[]float64{2, 4, 24}, 0.5, 4}, {[]float64{2, 4, 24}, 0.9, 20}, {[]float64{1, 2, 3, 4}, 1, 4},
	} {
		if got := ecoQuantile(c.xs, c.q); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("quantile(%v, %v) = %v, want %v", c.xs, c.q, got, c.want)
		}
	}
	if !math.IsNaN(ecoQuantile(nil, 0.5)) {
		t.Error("the quantile of nothing is a number")
	}
}

// TestBuildAPIUsageSLOOnPaper builds the page over a hand-made day:
// 1,000 calls of a mapped consumer (10 of them 5xx, all at 50 ms except 100
// at 2,000 ms) and 200 calls of an unmapped one at 50 ms.
//
// Availability: budget 0.5% of 1,200 = 6 calls; 10 failed → 10/6 used.
// Latency (p95 ≤ 1,000 ms): budget 5% of 1,200 = 60; 100 calls at 2,000 ms
// (a bucket wholly above 1,000 ms) → 100/60 used.
func TestBuildAPIUsageSLOOnPaper(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	m := &domain.Member{Slug: "alpha", Name: "Alpha", Kind: domain.KindPartner, Segment: "NLP", JoinedOn: ecoDay(t, "2026-01-01")}
	if err := db.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	mapped := &domain.APIConsumer{Key: "k1", MemberID: m.ID}
	unmapped := &domain.APIConsumer{Key: "k2"}
	for _, c := range []*domain.APIConsumer{mapped, unmapped} {
		if err := db.UpsertConsumer(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	at := ecoDay(t, "2026-03-04").Add(9 * time.Hour) // a Wednesday, 09:00
	roll := func(consumer int64, class int, calls int64, ms float64) domain.UsageRollup {
		r := domain.UsageRollup{Bucket: at, ConsumerID: consumer, Endpoint: "/v1/chat", StatusClass: class, Calls: calls}
		r.Latency.Observe(ms, calls)
		return r
	}
	if err := db.AddUsage(ctx, []domain.UsageRollup{
		roll(mapped.ID, 2, 890, 50), roll(mapped.ID, 2, 100, 2000), roll(mapped.ID, 5, 10, 50), roll(unmapped.ID, 2, 200, 50),
	}); err != nil {
		t.Fatal(err)
	}
	u, err := BuildAPIUsage(ctx, db, metrics.DefaultConfig(), APIUsageParams{RangeParams: RangeParams{From: ecoDay(t, "2026-03-01"), To: ecoDay(t, "2026-03-07")}})
	if err != nil {
		t.Fatal(err)
	}
	near := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	near("availability allowed", u.SLO.Availability.Allowed, 6)
	near("availability used", u.SLO.Availability.BudgetUsed, 10.0/6)
	near("achieved", *u.SLO.Availability.Achieved, 1-10.0/1200)
	near("latency allowed", u.SLO.Latency.Allowed, 60)
	near("latency slow", u.SLO.Latency.Slow, 100)
	near("latency used", u.SLO.Latency.BudgetUsed, 100.0/60)
	near("unmapped share", u.Unmapped.Share, 200.0/1200)
	if u.Days != 7 || u.Daily[3].Calls != 1200 || u.Daily[3].Unmapped != 200 || u.Daily[3].BySegment[0] != 1000 || u.Segments[0] != "NLP" {
		t.Errorf("daily %+v, segments %v", u.Daily[3], u.Segments)
	}
	near("budget before the day", u.Daily[2].AvailabilityBudgetUsed, 0)
	near("budget after the day", u.Daily[6].AvailabilityBudgetUsed, 10.0/6)
	cell := u.Heatmap.Cells[2*24+9] // Wednesday 09:00
	if cell.Calls != 1200 || cell.Errors != 10 || cell.P95MS == nil || u.Heatmap.Calls != 1200 {
		t.Errorf("Wednesday 09:00 %+v, heatmap calls %d", cell, u.Heatmap.Calls)
	}
	if len(u.Unmapped.Consumers) != 1 || u.Unmapped.Consumers[0].Consumer != "k2" || u.Unmapped.Consumers[0].LastDay != "2026-03-04" {
		t.Errorf("unmapped consumers %+v", u.Unmapped.Consumers)
	}
}

func apiUsageSample() APIUsage {
	f := func(v float64) *float64 { return &v }
	u := APIUsage{From: "2026-06-29", To: "2026-06-30", Days: 2, Top: 10, Segments: []string{hostileNames[2], NoSegment},
		Daily: []APIUsageDay{
			{Day: "2026-06-29", Calls: 1000, Errors4xx: 10, Errors5xx: 2, BySegment: []int64{700, 200}, Unmapped: 100, P95MS: f(300), AvailabilityBudgetUsed: 0.2, LatencyBudgetUsed: 0.1, HasData: true},
			{Day: "2026-06-30", Calls: 500, Errors4xx: 5, Errors5xx: 3, BySegment: []int64{300, 150}, Unmapped: 50, AvailabilityBudgetUsed: 0.6667, LatencyBudgetUsed: 0.5, HasData: true},
		},
		Endpoints:     []APIUsageEndpoint{{Endpoint: hostileNames[1], Calls: 1500, Share: 1, Errors4xx: 15, Errors5xx: 5, ErrorRate: 0.0133, P95MS: f(320)}},
		EndpointCount: 1,
		ErrorRate:     0.0133,
		LatencyMS:     MemberLatency{P50: f(40), P95: f(320), P99: f(900)},
		SLO: APIUsageSLO{Availability: APIUsageAvailability{Target: AvailabilitySLO, Calls: 1500, Failed: 5, Allowed: 7.5, BudgetUsed: 0.6667, Achieved: f(0.99667)},
			Latency: APIUsageLatency{ThresholdMS: 1000, Quantile: 0.95, Measured: 1000, Slow: 25, Allowed: 50, BudgetUsed: 0.5, P95MS: f(320)}},
		Unmapped: APIUsageUnmapped{Share: 0.1, ConsumerCount: 1, Consumers: []APIUsageConsumer{{Consumer: hostileNames[0], Calls: 150, LastDay: "2026-06-30"}}},
	}
	u.Totals.Calls, u.Totals.Errors4xx, u.Totals.Errors5xx = 1500, 15, 5
	u.Unmapped.Totals.Calls = 150
	u.Heatmap = APIUsageHeatmap{Weekdays: apiUsageWeekdays, Cells: make([]APIUsageCell, 7*24), Calls: 1500, MaxP95MS: 320}
	for i := range u.Heatmap.Cells {
		u.Heatmap.Cells[i] = APIUsageCell{Weekday: i / 24, Hour: i % 24}
	}
	u.Heatmap.Cells[9] = APIUsageCell{Weekday: 0, Hour: 9, Calls: 1500, Errors: 20, P95MS: f(320)}
	return u
}

func TestAPIUsagePageRendersAndEscapes(t *testing.T) {
	var buf bytes.Buffer
	if err := newTestRenderer(t).APIUsagePage(&buf, apiUsageSample()); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{
		`<title>API usage · EcoPulse</title>`, `<a href="/api-usage" aria-current="page">`,
		`data-value="calls">1,500<`, `data-value="availability_budget">66.7<`, `data-value="latency_budget">50.0<`,
		`data-value="error_rate">1.33<`, `data-value="unmapped_calls">150<`, `name="from" value="2026-06-29"`,
		`&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;`, // the consumer, as text
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	specs := pageChartSpecs(t, html)
	for _, id := range []string{"chart-usage-segments-data", "chart-usage-endpoints-data", "chart-usage-budget-data", "chart-usage-heatmap-data", "chart-usage-unmapped-data"} {
		s, ok := specs[id]
		if !ok || s.NoData || s.Option == nil {
			t.Errorf("chart %s: %+v", id, s)
			continue
		}
		if _, ok := s.Option["tooltip"]; !ok {
			t.Errorf("chart %s has no tooltip", id)
		}
	}
	seg := specs["chart-usage-segments-data"].Option
	if _, ok := seg["dataZoom"]; !ok {
		t.Error("the segments chart cannot zoom")
	}
	if series := seg["series"].([]any); len(series) != 3 || series[2].(map[string]any)["name"] != "Unmapped consumers" {
		t.Errorf("segments series %v", series)
	}
	if _, ok := specs["chart-usage-heatmap-data"].Option["visualMap"]; !ok {
		t.Error("the heatmap has no visual map")
	}
	if strings.Contains(html, "<script>alert") || strings.Contains(html, `<img src=x`) {
		t.Error("a hostile name reached the page raw")
	}
}

func TestAPIUsagePageWithoutCalls(t *testing.T) {
	u := APIUsage{From: "2020-01-01", To: "2020-01-07", Top: 10, Heatmap: APIUsageHeatmap{Weekdays: apiUsageWeekdays}}
	var buf bytes.Buffer
	if err := newTestRenderer(t).APIUsagePage(&buf, u); err != nil {
		t.Fatal(err)
	}
	if html := buf.String(); !strings.Contains(html, "No API calls between 2020-01-01 and 2020-01-07") {
		t.Error("the page does not say there were no calls")
	}
}
