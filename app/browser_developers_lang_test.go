package app

import (
	"testing"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// TestBrowserDevelopersDrawsEveryChartInChinese opens /developers in
// Chinese in headless Chromium: every chart is drawn with no console
// error, and the heatmap's weeks ECharts shows are the Chinese ones the
// page's spec carries (/api-versions in Chinese:
// TestBrowserAPIVersionsDrawsItsCharts).
func TestBrowserDevelopersDrawsEveryChartInChinese(t *testing.T) {
	if !views.HasECharts() {
		t.Fatal("views/static/vendor/echarts.min.js is missing: run `make assets`")
	}
	b, base := browseApp(t, newTestApp(t, seededDB(t)), domain.RoleViewer)
	b.takeErrors()
	ecoOpenReady(t, b, base+"/developers?lang=zh-CN")
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors on /developers in Chinese: %v", errs)
	}
	for _, id := range []string{"chart-developers-funnel", "chart-developers-retention", "chart-developers-ttfs"} {
		if n := evalInt(t, b, `document.querySelectorAll('#`+id+`[data-rendered] canvas').length`); n == 0 {
			t.Errorf("%s is not drawn", id)
		}
	}
	week := evalString(t, b, `echarts.getInstanceByDom(document.getElementById('chart-developers-retention')).getOption().xAxis[0].data[0]`)
	lang := evalString(t, b, `document.documentElement.lang`)
	if week != "第 1 周" || lang != "zh-CN" {
		t.Errorf("the heatmap's first week is %q on a page in %q, want 第 1 周 in zh-CN", week, lang)
	}
}
