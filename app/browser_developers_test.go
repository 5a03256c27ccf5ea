package app

import (
	"testing"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// TestBrowserDevelopersDrawsEveryChart opens /developers on the demo in
// headless Chromium: the funnel, the cohort retention heatmap and the time
// to first success are drawn, with no console error, and the heatmap has a
// cell for each cohort and week.
func TestBrowserDevelopersDrawsEveryChart(t *testing.T) {
	if !views.HasECharts() {
		t.Fatal("views/static/vendor/echarts.min.js is missing: run `make assets`")
	}
	b, base := browseApp(t, newTestApp(t, seededDB(t)), domain.RoleViewer)
	b.takeErrors()
	ecoOpenReady(t, b, base+"/developers")
	ecoShoot(t, b, "developers.png")
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors on /developers: %v", errs)
	}
	for _, id := range []string{"chart-developers-funnel", "chart-developers-retention", "chart-developers-ttfs"} {
		if n := evalInt(t, b, `document.querySelectorAll('#`+id+`[data-rendered] canvas').length`); n == 0 {
			t.Errorf("%s is not drawn", id)
		}
	}
	cells := evalInt(t, b, `echarts.getInstanceByDom(document.getElementById('chart-developers-retention')).getOption().series[0].data.length`)
	cohorts := evalInt(t, b, `document.querySelectorAll('#funnel-cohorts tr.cohort-row').length`)
	if cohorts == 0 || cells != 8*cohorts {
		t.Errorf("the heatmap has %d cells for %d cohorts, want 8 a cohort", cells, cohorts)
	}
}
