package app

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// ecoOpenReady navigates to a page and waits until app.js has drawn its charts.
func ecoOpenReady(tb testing.TB, b *browser, target string) {
	tb.Helper()
	if err := chromedp.Do(b.ctx,
		chromedp.Navigate(target),
		chromedp.WaitVisible(chromedp.CSS("body[data-ready]")),
	); err != nil {
		tb.Fatalf("open %s: %v", target, err)
	}
}

// ecoLocation returns the page's URL.
func ecoLocation(tb testing.TB, b *browser) *url.URL {
	tb.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		tb.Fatal(err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// ecoShoot leaves a full-page screenshot in screenshotDir.
func ecoShoot(tb testing.TB, b *browser, name string) {
	tb.Helper()
	shot, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(screenshotDir(tb), name)
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("screenshot: %s", path)
}

// TestBrowserEcosystemPages opens the API usage, projects and community
// pages in headless Chromium as a manager: no console error and charts
// drawn on each; a new date range through the filter form changes the URL
// and the page; and an agreement registered through the form (rows added
// by the form's script) lands on its page, its hostile name shown as text.
func TestBrowserEcosystemPages(t *testing.T) {
	if !views.HasECharts() {
		t.Fatal("views/static/vendor/echarts.min.js is missing: run `make assets`")
	}
	db := seededDB(t)
	b, base := browseApp(t, newTestApp(t, db), domain.RoleManager)
	b.takeErrors()

	for _, p := range []struct {
		path, shot string
		min        int
	}{
		{"/api-usage", "api-usage.png", 5},
		{"/projects", "projects.png", 1},
		{"/community", "community.png", 4},
	} {
		ecoOpenReady(t, b, base+p.path)
		charts := evalInt(t, b, `window.__chartsReady`)
		drawn := evalInt(t, b, `document.querySelectorAll('[data-chart][data-rendered] canvas').length`)
		ecoShoot(t, b, p.shot)
		if errs := b.takeErrors(); len(errs) > 0 {
			t.Errorf("console errors on %s: %v", p.path, errs)
		}
		if charts < p.min || drawn < p.min {
			t.Errorf("%s: %d charts settled, %d drawn; want at least %d", p.path, charts, drawn, p.min)
		}
	}

	// A new range through the filter form: the URL carries it, and the
	// page (a bookmark of it) shows it.
	ecoOpenReady(t, b, base+"/api-usage")
	from := demoEnd.AddDate(0, 0, -13).Format(domain.DateLayout)
	if err := chromedp.Do(b.ctx,
		chromedp.SetValue(chromedp.CSS(`#usage-filter input[name="from"]`), from),
		chromedp.Click(chromedp.CSS(`#usage-filter button[type="submit"]`)),
	); err != nil {
		t.Fatal(err)
	}
	// The new page is the one whose form was rendered with the new range
	// (a value attribute: the old page only had its property changed).
	if err := chromedp.Do(b.ctx, chromedp.WaitReady(chromedp.CSS(`body[data-ready] #usage-filter input[name="from"][value="`+from+`"]`))); err != nil {
		t.Fatal(err)
	}
	u := ecoLocation(t, b)
	if u.Path != "/api-usage" || u.Query().Get("from") != from || u.Query().Get("to") != demoEnd.Format(domain.DateLayout) {
		t.Errorf("the filter went to %s", u)
	}
	ecoOpenReady(t, b, u.String()) // the same URL: a bookmark gives the same view
	if got := evalString(t, b, `document.querySelector('.eco-filters h2').textContent`); !strings.Contains(got, from) {
		t.Errorf("the page after filtering shows %q, want the range from %s", got, from)
	}
	if n := evalInt(t, b, `document.querySelectorAll('#chart-usage-segments canvas').length`); n == 0 {
		t.Error("the filtered page draws no traffic chart")
	}
	// The projects page's filter too.
	ecoOpenReady(t, b, base+"/projects")
	if err := chromedp.Do(b.ctx,
		chromedp.SetValue(chromedp.CSS(`#projects-filter select[name="status"]`), "active"),
		chromedp.Click(chromedp.CSS(`#projects-filter button[type="submit"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(b.ctx, chromedp.WaitReady(chromedp.CSS(`body[data-ready] #projects-filter option[value="active"][selected]`))); err != nil {
		t.Fatal(err)
	}
	if u := ecoLocation(t, b); u.Path != "/projects" || u.Query().Get("status") != "active" {
		t.Errorf("the filter went to %s", u)
	}
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors while filtering: %v", errs)
	}

	// Register an agreement through the form.
	ms, err := db.Members(t.Context())
	if err != nil || len(ms) < 2 {
		t.Fatal(err)
	}
	name := `Browser pilot <img src=x onerror="window.__xss=1">`
	ecoOpenReady(t, b, base+"/projects/new")
	rows := evalInt(t, b, `document.querySelectorAll('#milestone-rows .form-row').length`)
	if err := chromedp.Do(b.ctx,
		chromedp.Click(chromedp.CSS(`[data-add-row="milestone"]`)),
		chromedp.Click(chromedp.CSS(`[data-add-row="party"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if got := evalInt(t, b, `document.querySelectorAll('#milestone-rows .form-row').length`); got != rows+1 {
		t.Errorf("adding a milestone row: %d rows, want %d", got, rows+1)
	}
	if err := chromedp.Do(b.ctx,
		chromedp.SetValue(chromedp.CSS(`#agreement-form input[name="name"]`), name),
		chromedp.SetValue(chromedp.CSS(`#agreement-form input[name="slug"]`), "browser-pilot"),
		chromedp.SetValue(chromedp.CSS(`#agreement-form select[name="status"]`), "active"),
		chromedp.SetValue(chromedp.CSS(`#agreement-form input[name="start_on"]`), "2026-05-01"),
		chromedp.SetValue(chromedp.CSS(`#agreement-form input[name="end_on"]`), "2026-12-31"),
		chromedp.SetValue(chromedp.CSS(`#agreement-form textarea[name="terms"]`), "Shared roadmap; <b>no</b> exclusivity"),
		chromedp.SetValue(chromedp.CSS(`#party-rows .form-row:nth-child(1) select`), ms[0].Slug),
		chromedp.SetValue(chromedp.CSS(`#party-rows .form-row:nth-child(1) input[name="party_role"]`), "lead"),
		chromedp.SetValue(chromedp.CSS(`#party-rows .form-row:nth-child(3) select`), ms[1].Slug),
		chromedp.SetValue(chromedp.CSS(`#milestone-rows .form-row:nth-child(1) input[name="ms_title"]`), "Kick-off"),
		chromedp.SetValue(chromedp.CSS(`#milestone-rows .form-row:nth-child(1) input[name="ms_due"]`), "2026-05-10"),
		chromedp.SetValue(chromedp.CSS(`#milestone-rows .form-row:nth-child(1) input[name="ms_done"]`), "2026-05-09"),
		chromedp.SetValue(chromedp.CSS(`#milestone-rows .form-row:last-child input[name="ms_title"]`), "Pilot"),
		chromedp.SetValue(chromedp.CSS(`#milestone-rows .form-row:last-child input[name="ms_due"]`), "2026-07-15"),
	); err != nil {
		t.Fatal(err)
	}
	ecoShoot(t, b, "agreement-form.png")
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(`#agreement-form button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(b.ctx, chromedp.WaitReady(chromedp.CSS(`body[data-ready] #milestones-table`))); err != nil {
		t.Fatal(err)
	}
	if u := ecoLocation(t, b); u.Path != "/projects/browser-pilot" {
		t.Fatalf("the form went to %s", u)
	}
	if got := evalString(t, b, `document.querySelector('h1').textContent`); got != name {
		t.Errorf("the agreement's page is titled %q, want %q", got, name)
	}
	if xss := evalString(t, b, `String(window.__xss)`); xss != "undefined" {
		t.Errorf("an injected script ran: window.__xss = %s", xss)
	}
	if n := evalInt(t, b, `document.querySelectorAll('#milestones-table tbody tr').length`); n != 2 {
		t.Errorf("%d milestones on the page, want 2", n)
	}
	if n := evalInt(t, b, `document.querySelectorAll('#parties-table tbody tr').length`); n != 2 {
		t.Errorf("%d parties on the page, want 2", n)
	}
	ecoShoot(t, b, "project.png")
	a, err := db.AgreementBySlug(t.Context(), "browser-pilot")
	if err != nil {
		t.Fatal(err)
	}
	if a.Source != data.SourceUI || a.Name != name || len(a.Members) != 2 || len(a.Milestones) != 2 {
		t.Errorf("stored %+v", a)
	}
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
