package app

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// TestBrowserAPIVersionsDrawsItsCharts opens /api-versions in headless
// Chromium as a viewer over a generated log: no console error, the stacked
// adoption chart and the burndown drawn, and the members at risk and the
// first member's deprecated share on the page are the API's (fetched by the
// page's own session).
func TestBrowserAPIVersionsDrawsItsCharts(t *testing.T) {
	if !views.HasECharts() {
		t.Fatal("views/static/vendor/echarts.min.js is missing: run `make assets`")
	}
	chromiumPath(t)
	members := []versionMember{
		{"early", v1Until(20), always},
		{"stuck", func(int) float64 { return 0.6 }, always},
	}
	a, db := versionsApp(t, members)
	lines, _ := generateVersionLog(rand.New(rand.NewPCG(3, 4)), members)
	if code, body := post(t, a, newToken(t, db, "gateway", ""), strings.Join(lines, "\n")+"\n", nil); code != 202 {
		t.Fatalf("ingest: %d %s", code, body)
	}
	if _, err := db.ApplyKeyPatterns(t.Context()); err != nil {
		t.Fatal(err)
	}
	b, base := browseApp(t, a, domain.RoleViewer)
	q := "?at=" + versionsAt.Format(domain.DateLayout)
	// open shows the page with both charts drawn and no console error.
	open := func(target string) {
		t.Helper()
		if err := chromedp.Do(b.ctx,
			chromedp.Navigate(base+target),
			chromedp.WaitVisible(chromedp.CSS("body[data-ready]")),
			chromedp.WaitVisible(chromedp.CSS("#chart-version-adoption[data-rendered]")),
			chromedp.WaitVisible(chromedp.CSS("#chart-version-burndown[data-rendered]")),
		); err != nil {
			t.Fatal(err)
		}
		if errs := b.takeErrors(); len(errs) > 0 {
			t.Errorf("console errors on %s: %v", target, errs)
		}
	}
	open("/api-versions" + q)
	for _, id := range []string{"chart-version-adoption", "chart-version-burndown"} {
		if got := evalInt(t, b, `document.querySelectorAll('#`+id+` canvas').length`); got < 1 {
			t.Errorf("%s has no canvas", id)
		}
	}
	page := evalString(t, b, `[...document.querySelectorAll('[data-at-risk]')].map(e => e.dataset.atRisk).join(',')`)
	api, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`fetch('/api/v1/api-versions`+q+`').then(r => r.json()).then(j => j.sunsets.flatMap(s => s.members.map(m => m.slug)).join(','))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if page != "stuck" || page != api {
		t.Errorf("at risk on the page %q, in the API %q, want stuck", page, api)
	}
	share := evalString(t, b, `document.querySelector('tr[data-slug] [data-deprecated-share]').dataset.deprecatedShare`)
	apiShare, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`fetch('/api/v1/api-versions`+q+`').then(r => r.json()).then(j => String(j.members[0].deprecated_share))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if share == "" || share != apiShare {
		t.Errorf("first member's deprecated share on the page %q, in the API %q", share, apiShare)
	}

	// In Chinese: the same charts drawn, their axes and the statuses in
	// Chinese, the members at risk the same.
	open("/api-versions" + q + "&lang=zh-CN")
	axis := evalString(t, b, `echarts.getInstanceByDom(document.getElementById('chart-version-adoption')).getOption().yAxis[0].name`)
	status := evalString(t, b, `document.querySelector('[data-status="deprecated"]').textContent`)
	atRisk := evalString(t, b, `[...document.querySelectorAll('[data-at-risk]')].map(e => e.dataset.atRisk).join(',')`)
	if axis != "调用占比（%）" || status != "已弃用" || atRisk != page {
		t.Errorf("in Chinese: axis %q, status %q, at risk %q; want 调用占比（%%）, 已弃用, %q", axis, status, atRisk, page)
	}
}
