package app

import (
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// TestBrowserDateInputsReadISOAndRoundTrip opens /members in headless
// Chromium: its day input shows the server's value as YYYY-MM-DD text (not
// the locale's mm/dd/yyyy), refuses a US-style date and a day out of the
// scored range, and a day typed as YYYY-MM-DD is sent as it is and shown
// again after the page reloads.
func TestBrowserDateInputsReadISOAndRoundTrip(t *testing.T) {
	if !views.HasECharts() {
		t.Fatal("views/static/vendor/echarts.min.js is missing: run `make assets`")
	}
	b, base := browseApp(t, newTestApp(t, seededDB(t)), domain.RoleViewer)
	shown := demoEnd.Format(domain.DateLayout)
	if err := chromedp.Do(b.ctx,
		chromedp.Navigate(base+"/members?at="+shown),
		chromedp.WaitVisible(chromedp.CSS("body[data-ready]")),
	); err != nil {
		t.Fatal(err)
	}
	const at = `document.querySelector('#members-filter input[name="at"]')`
	if got := evalString(t, b, at+`.type`); got != "text" {
		t.Errorf("the day input is %q, want text taking YYYY-MM-DD", got)
	}
	if got := evalString(t, b, at+`.value`); got != shown {
		t.Errorf("the day input shows %q, want %s", got, shown)
	}
	if got := evalString(t, b, at+`.placeholder`); got != "YYYY-MM-DD" {
		t.Errorf("placeholder %q", got)
	}
	before := demoEnd.AddDate(0, 0, -1).Format(domain.DateLayout)
	for value, valid := range map[string]bool{
		// Not ISO; no such day, though between the scored days (2026-05-26 to
		// 2026-06-30 as text) so that only the day check refuses it; before them.
		"06/29/2026": false, "2026-05-32": false, "1999-01-01": false,
		before: true, "": true,
	} {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(function(){var i=`+at+`; i.value=`+jsString(value)+
			`; i.dispatchEvent(new Event('input', {bubbles: true})); return i.checkValidity();})()`))
		if err != nil {
			t.Fatal(err)
		}
		if ok != valid {
			t.Errorf("day %q: valid %v, want %v", value, ok, valid)
		}
	}
	// The day typed goes to the server as it is, and comes back.
	if err := chromedp.Do(b.ctx, chromedp.SetValue(chromedp.CSS(`#members-filter input[name="at"]`), before)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`setTimeout(function(){document.getElementById('members-filter').requestSubmit()}, 0), true`)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		q, _ := url.ParseQuery(evalString(t, b, `location.search.slice(1)`))
		if q.Get("at") == before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the form sent at=%q, want %s", q.Get("at"), before)
		}
		if err := chromedp.Do(b.ctx, chromedp.WaitVisible(chromedp.CSS("body[data-ready]"))); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(b.ctx, chromedp.WaitVisible(chromedp.CSS("body[data-ready]"))); err != nil {
		t.Fatal(err)
	}
	if got := evalString(t, b, at+`.value`); got != before {
		t.Errorf("after the reload the day input shows %q, want %s", got, before)
	}
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
