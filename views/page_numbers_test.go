package views

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// The numbers of this file are shown by a page and not by the JSON API
// (colours, percentages formatted from ratios, orders), so no handler test
// comparing the page with the API can catch them.

// specOf returns the decoded chart option whose block id starts with id.
func specOf(t *testing.T, html, id string) map[string]any {
	t.Helper()
	for k, s := range pageChartSpecs(t, html) {
		if strings.HasPrefix(k, id) {
			return s.Option
		}
	}
	t.Fatalf("no chart %s on the page", id)
	return nil
}

func firstSeries(t *testing.T, opt map[string]any) map[string]any {
	t.Helper()
	list, _ := opt["series"].([]any)
	if len(list) == 0 {
		t.Fatal("chart without series")
	}
	s, _ := list[0].(map[string]any)
	return s
}

// TestOverviewBandColoursUnderConfiguredThresholds: with the bands moved to
// 80/50, a health of 75 is "watch" on the page — badge, gauge pointer, the
// gauge's arc stops, the trend's limit lines and the share bars' colours.
func TestOverviewBandColoursUnderConfiguredThresholds(t *testing.T) {
	bands := Bands{HealthyMin: 80, WatchMin: 50}
	o := pageSampleOverview()
	o.Health, o.Status = 75, "" // the page classes it by the bands
	o.Top = []MemberRow{
		{Slug: "a", Name: "A", Health: 85, ValueFigures: ValueFigures{Phi: 3}, PhiShare: 0.3},   // healthy
		{Slug: "b", Name: "B", Health: 79.9, ValueFigures: ValueFigures{Phi: 2}, PhiShare: 0.2}, // watch (healthy under 70/40)
		{Slug: "c", Name: "C", Health: 49.9, ValueFigures: ValueFigures{Phi: 1}, PhiShare: 0.1}, // at risk (watch under 70/40)
	}
	html := renderOverviewWith(t, newBandsRenderer(t, bands), o)

	page, err := buildOverviewPage(o, bands)
	if err != nil {
		t.Fatal(err)
	}
	if page.Status.Label != "watch" {
		t.Errorf("the overview's status badge for 75 under bands 80/50 = %q, want watch", page.Status.Label)
	}

	gauge := firstSeries(t, specOf(t, html, "chart-health-gauge"))
	pointer, _ := gauge["pointer"].(map[string]any)
	if style, _ := pointer["itemStyle"].(map[string]any); style["color"] != colorWatch {
		t.Errorf("gauge pointer colour = %v, want the watch colour %s", style["color"], colorWatch)
	}
	axis, _ := gauge["axisLine"].(map[string]any)
	line, _ := axis["lineStyle"].(map[string]any)
	stops, _ := json.Marshal(line["color"])
	if want := fmt.Sprintf(`[[0.5,%q],[0.8,%q],[1,%q]]`, colorAtRisk, colorWatch, colorHealthy); string(stops) != want {
		t.Errorf("gauge arc stops = %s, want %s", stops, want)
	}

	trend := firstSeries(t, specOf(t, html, "chart-health-trend"))
	ml, _ := trend["markLine"].(map[string]any)
	items, _ := ml["data"].([]any)
	got := map[float64]any{}
	for _, it := range items {
		m, _ := it.(map[string]any)
		y, _ := m["yAxis"].(float64)
		style, _ := m["lineStyle"].(map[string]any)
		got[y] = style["color"]
	}
	if len(got) != 2 || got[80] != colorHealthy || got[50] != colorAtRisk {
		t.Errorf("trend limit lines = %v, want 80 in %s and 50 in %s", got, colorHealthy, colorAtRisk)
	}

	// Lines at other bands take their colours from those bands too (65 is
	// below the default healthy bound of 70: still the healthy colour).
	trend = firstSeries(t, specOf(t, renderOverviewWith(t, newBandsRenderer(t, Bands{HealthyMin: 65, WatchMin: 30}), o), "chart-health-trend"))
	ml, _ = trend["markLine"].(map[string]any)
	items, _ = ml["data"].([]any)
	moved := map[float64]any{}
	for _, it := range items {
		m, _ := it.(map[string]any)
		y, _ := m["yAxis"].(float64)
		style, _ := m["lineStyle"].(map[string]any)
		moved[y] = style["color"]
	}
	if len(moved) != 2 || moved[65] != colorHealthy || moved[30] != colorAtRisk {
		t.Errorf("trend limit lines under 65/30 = %v, want 65 in %s and 30 in %s", moved, colorHealthy, colorAtRisk)
	}

	share := firstSeries(t, specOf(t, html, "chart-phi-share"))
	bars, _ := share["data"].([]any)
	var colours []any
	for _, b := range bars {
		m, _ := b.(map[string]any)
		style, _ := m["itemStyle"].(map[string]any)
		colours = append(colours, style["color"])
	}
	if want := []any{colorHealthy, colorWatch, colorAtRisk}; fmt.Sprint(colours) != fmt.Sprint(want) {
		t.Errorf("share bar colours = %v, want %v (85, 79.9, 49.9 under 80/50)", colours, want)
	}
}

// TestOverviewAtRiskOrder: the at-risk list is the members at risk, the
// weakest first, at most ten, whatever their order by φ — from the store
// through to the rendered table.
func TestOverviewAtRiskOrder(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	day := ecoDay(t, "2026-03-28")
	// By descending φ: m00 … m13. Eleven at risk (one more than the list
	// holds), their healths not in φ order; watch members (50, 45) and a
	// healthy one (90) that must not be listed.
	healths := []float64{35, 12, 30, 5, 50, 20, 25, 1, 33, 15, 9, 28, 45, 90}
	ds := &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: day, R: 10, Health: 50, Members: len(healths)}}
	for i, h := range healths {
		m := &domain.Member{Slug: fmt.Sprintf("m%02d", i), Name: fmt.Sprintf("M%02d", i), Kind: domain.KindPartner, JoinedOn: ecoDay(t, "2026-01-01")}
		if err := db.CreateMember(ctx, m); err != nil {
			t.Fatal(err)
		}
		st := domain.StatusAtRisk
		switch {
		case h >= 70:
			st = domain.StatusHealthy
		case h >= 40:
			st = domain.StatusWatch
		}
		ds.Members = append(ds.Members, domain.MemberScore{Day: day, MemberID: m.ID, C: 1, Phi: float64(100 - i), Health: h, Status: st,
			Dimensions: [4]float64{h, h, h, h}})
	}
	if err := db.SaveDayScores(ctx, ds); err != nil {
		t.Fatal(err)
	}
	o, err := BuildOverview(ctx, db, metrics.DefaultConfig(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	// The eleven at risk by health: 1 (m07), 5 (m03), 9 (m10), 12 (m01),
	// 15 (m09), 20 (m05), 25 (m06), 28 (m11), 30 (m02), 33 (m08); 35 (m00)
	// falls past the ten.
	want := []string{"m07", "m03", "m10", "m01", "m09", "m05", "m06", "m11", "m02", "m08"}
	var got []string
	for _, r := range o.AtRisk {
		got = append(got, r.Slug)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("at-risk list = %v, want %v", got, want)
	}
	// The page's table keeps that order.
	html := renderOverviewHTML(t, *o)
	start := strings.Index(html, "<h2>Needs attention</h2>")
	if start < 0 {
		t.Fatal("no attention list on the page")
	}
	html = html[start:]
	last := -1
	for _, slug := range want {
		i := strings.Index(html, `/members/`+slug+`"`)
		if i < 0 {
			t.Fatalf("the page does not link %s", slug)
		}
		if i < last {
			t.Errorf("%s comes before the member above it in the list", slug)
		}
		last = i
	}
}

// TestEndpointTableErrorRate: the endpoint table shows each endpoint's
// (4xx + 5xx) / calls as a percentage with two decimals, from the store.
func TestEndpointTableErrorRate(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	c := &domain.APIConsumer{Key: "k1"}
	if err := db.UpsertConsumer(ctx, c); err != nil {
		t.Fatal(err)
	}
	at := ecoDay(t, "2026-03-04").Add(9 * time.Hour)
	roll := func(endpoint string, class int, calls int64) domain.UsageRollup {
		r := domain.UsageRollup{Bucket: at, ConsumerID: c.ID, Endpoint: endpoint, StatusClass: class, Calls: calls}
		r.Latency.Observe(50, calls)
		return r
	}
	// /v1/chat: 800 calls, 14 4xx and 6 5xx: 20/800 = 2.50%.
	// /v1/embed: 300 calls, no 4xx, 1 5xx: 1/300 = 0.33%.
	// /v1/files: 3 calls, all 4xx: 100.00%.
	if err := db.AddUsage(ctx, []domain.UsageRollup{
		roll("/v1/chat", 2, 780), roll("/v1/chat", 4, 14), roll("/v1/chat", 5, 6),
		roll("/v1/embed", 2, 299), roll("/v1/embed", 5, 1),
		roll("/v1/files", 4, 3),
	}); err != nil {
		t.Fatal(err)
	}
	u, err := BuildAPIUsage(ctx, db, metrics.DefaultConfig(), APIUsageParams{RangeParams: RangeParams{From: ecoDay(t, "2026-03-01"), To: ecoDay(t, "2026-03-07")}})
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	if err := newTestRenderer(t).APIUsagePage(&buf, *u); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, row := range []struct{ endpoint, cells string }{
		{"/v1/chat", `<td class="n">800</td><td class="n">72.5%</td><td class="n">14</td><td class="n">6</td><td class="n">2.50%</td>`},
		{"/v1/embed", `<td class="n">300</td><td class="n">27.2%</td><td class="n">0</td><td class="n">1</td><td class="n">0.33%</td>`},
		{"/v1/files", `<td class="n">3</td><td class="n">0.3%</td><td class="n">3</td><td class="n">0</td><td class="n">100.00%</td>`},
	} {
		if !strings.Contains(html, `<code>`+row.endpoint+`</code></td>`+row.cells) {
			i := strings.Index(html, `<code>`+row.endpoint+`</code>`)
			t.Errorf("endpoint row %s: want cells %s, page has %.300s", row.endpoint, row.cells, html[max(i, 0):])
		}
	}
}
