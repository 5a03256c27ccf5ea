package app

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// TestBrowserAllocationDrawsItsChart opens a closed month's statement in
// headless Chromium as a manager: no console error, the amounts chart drawn,
// and the first member's amount on the page is the API's (fetched by the
// page's own session).
func TestBrowserAllocationDrawsItsChart(t *testing.T) {
	if !views.HasECharts() {
		t.Fatal("views/static/vendor/echarts.min.js is missing: run `make assets`")
	}
	chromiumPath(t) // skip before seeding when there is no browser
	a, _ := allocationApp(t)
	b, base := browseApp(t, a, domain.RoleManager)
	const q = "?period=2026-06&pool=100000&rule=shapley"
	if err := chromedp.Do(b.ctx,
		chromedp.Navigate(base+"/allocation"+q),
		chromedp.WaitVisible(chromedp.CSS("body[data-ready]")),
		chromedp.WaitVisible(chromedp.CSS("#chart-allocation[data-rendered]")),
	); err != nil {
		t.Fatal(err)
	}
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors on /allocation: %v", errs)
	}
	if got := evalInt(t, b, `document.querySelectorAll('#chart-allocation canvas').length`); got < 1 {
		t.Errorf("the amounts chart has no canvas")
	}
	if got := evalInt(t, b, `document.querySelectorAll('table.allocation-members tbody tr[data-slug]').length`); got < 10 {
		t.Errorf("the statement shows %d members", got)
	}
	page := evalString(t, b, `document.querySelector('table.allocation-members tbody tr[data-slug] [data-amount]').dataset.amount`)
	api, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`fetch('/api/v1/allocation`+q+`').then(r => r.json()).then(j => j.members[0].amount)`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if page == "" || page != api {
		t.Errorf("first amount on the page %q, in the API %q", page, api)
	}
}
