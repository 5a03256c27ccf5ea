package app

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// TestBrowserOverviewTrendIsDrawnWithAGap: the demo ecosystem (data from
// 2026-01-02, so warming up to 01-29) is scored on its last five weeks and
// by the scoring job on the Sundays of its first months but one,
// 2026-03-15. In headless
// Chromium the overview's health trend has no point there while its
// neighbours have one (ECharts lays the missing value out at no height and
// does not join the line across it), the demo's first 28 days are shaded
// "warming up", and /api/v1/overview, fetched by the page's session, says
// the same: null at that point, the same warm-up range.
func TestBrowserOverviewTrendIsDrawnWithAGap(t *testing.T) {
	if !views.HasECharts() {
		t.Fatal("views/static/vendor/echarts.min.js is missing: run `make assets`")
	}
	ctx := context.Background()
	db := seededDB(t)
	scorer := NewScorer(db, config.Default().Scoring, quietLogger())
	first, _ := domain.ParseDay("2026-01-11") // the first of the trend's 26 points
	gap, _ := domain.ParseDay("2026-03-15")
	last, _ := domain.ParseDay("2026-05-24") // the seeded scores start on 05-26
	for d := first; !d.After(last); d = d.AddDate(0, 0, 7) {
		if d.Equal(gap) {
			continue
		}
		if _, err := scorer.ScoreDay(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	b, base := browseApp(t, newTestApp(t, db), domain.RoleViewer)
	ecoOpenReady(t, b, base+"/")
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors on /: %v", errs)
	}

	raw := evalString(t, b, `(function () {
		var el = document.getElementById('chart-health-trend');
		var chart = echarts.getInstanceByDom(el);
		var opt = chart.getOption();
		var days = opt.xAxis[0].data;
		var data = chart.getModel().getSeriesByIndex(0).getData();
		var i = days.indexOf('2026-03-15');
		var pts = data.getLayout('points'); // x0, y0, x1, y1 …: where the line goes
		function num(v) { return isFinite(v) ? v : null; }
		function at(k) { return {x: num(pts[2 * k]), y: num(pts[2 * k + 1]), value: num(data.get(data.mapDimension('y'), k))}; }
		var area = opt.series[0].markArea.data[0];
		return JSON.stringify({index: i, points: days.length, gap: at(i), before: at(i - 1), after: at(i + 1),
			connectNulls: opt.series[0].connectNulls,
			area: {label: area[0].name, from: area[0].xAxis, to: area[1].xAxis}});
	})()`)
	type point struct {
		X, Y  *float64 // null: not laid out
		Value *float64
	}
	var drawn struct {
		Index, Points      int
		Gap, Before, After point
		ConnectNulls       bool
		Area               struct{ Label, From, To string }
	}
	if err := json.Unmarshal([]byte(raw), &drawn); err != nil {
		t.Fatalf("chart state %q: %v", raw, err)
	}
	if drawn.Index < 1 || drawn.Index+1 >= drawn.Points {
		t.Fatalf("2026-03-15 is point %d of %d, want a point inside the trend", drawn.Index, drawn.Points)
	}
	if drawn.Gap.Y != nil || drawn.Gap.Value != nil {
		t.Errorf("the point of 2026-03-15 is drawn at y %v (value %v); want no point (a gap)", drawn.Gap.Y, drawn.Gap.Value)
	}
	for name, p := range map[string]point{"before": drawn.Before, "after": drawn.After} {
		if p.Y == nil || p.Value == nil || *p.Value <= 0 {
			t.Errorf("the week %s the gap is not drawn: %+v", name, p)
		}
	}
	if drawn.ConnectNulls {
		t.Error("the line is joined across the gap (connectNulls)")
	}
	if drawn.Area.Label != views.WarmUpLabel || drawn.Area.From != "2026-01-11" || drawn.Area.To != "2026-01-25" {
		t.Errorf("shaded %q from %s to %s; want %q over the trend's Sundays in the demo's first 28 days, 2026-01-11..2026-01-25",
			drawn.Area.Label, drawn.Area.From, drawn.Area.To, views.WarmUpLabel)
	}

	// The JSON API, with the page's own session.
	body, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](
		`fetch('/api/v1/overview', {credentials: 'same-origin'}).then(function (r) { return r.text(); })`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	var api struct {
		Trend []struct {
			Day    string   `json:"day"`
			Health *float64 `json:"health"`
		} `json:"trend"`
		WarmingUp *struct{ From, To string } `json:"trend_warming_up"`
	}
	if err := json.Unmarshal([]byte(body), &api); err != nil {
		t.Fatalf("/api/v1/overview: %v: %.200s", err, body)
	}
	if len(api.Trend) != drawn.Points || api.Trend[drawn.Index].Day != "2026-03-15" || api.Trend[drawn.Index].Health != nil {
		t.Errorf("/api/v1/overview trend: %d points, point %d = %+v; want null health on 2026-03-15", len(api.Trend), drawn.Index, api.Trend[drawn.Index])
	}
	if api.WarmingUp == nil || api.WarmingUp.From != drawn.Area.From || api.WarmingUp.To != drawn.Area.To {
		t.Errorf("/api/v1/overview trend_warming_up = %+v, want the chart's %s..%s", api.WarmingUp, drawn.Area.From, drawn.Area.To)
	}
	ecoShoot(t, b, "overview-trend-gap.png")
}
