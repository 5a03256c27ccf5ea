package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// TestBrowserSnapshotsDrawAndDownload opens /snapshots and a week's page in
// headless Chromium: no console error, the charts drawn; then downloads the
// week's XLSX through the page's link and checks it is a workbook; and
// checks that the overview's open-alerts card fills in.
func TestBrowserSnapshotsDrawAndDownload(t *testing.T) {
	if !views.HasECharts() {
		t.Fatal("views/static/vendor/echarts.min.js is missing: run `make assets`")
	}
	db := seededDB(t)
	ctx := context.Background()
	if _, err := catchUpSnapshots(ctx, db, NewScorer(db, config.Default().Scoring, quietLogger()), demoEnd, 26); err != nil {
		t.Fatal(err)
	}
	if _, err := runAlerts(ctx, db, config.DefaultAlertConfig(), demoEnd, demoEnd); err != nil {
		t.Fatal(err)
	}
	b, base := browseApp(t, newTestApp(t, db), domain.RoleViewer)

	if err := chromedp.Do(b.ctx,
		chromedp.Navigate(base+"/snapshots"),
		chromedp.WaitVisible(chromedp.CSS("body[data-ready]")),
	); err != nil {
		t.Fatal(err)
	}
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors on /snapshots: %v", errs)
	}
	if got := evalInt(t, b, `document.querySelectorAll('table.snapshot-list tbody tr[data-week]').length`); got != 5 {
		t.Errorf("/snapshots lists %d weeks, want 5", got)
	}
	if got := evalInt(t, b, `document.querySelectorAll('[data-chart][data-rendered] canvas').length`); got < 1 {
		t.Errorf("/snapshots drew no chart")
	}

	if err := chromedp.Do(b.ctx,
		chromedp.Click(chromedp.CSS(`a[href="/snapshots/`+closedWeek+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#chart-shapley-split[data-rendered]")),
		chromedp.WaitVisible(chromedp.CSS("body[data-ready]")),
	); err != nil {
		t.Fatal(err)
	}
	if got := evalString(t, b, `location.pathname`); got != "/snapshots/"+closedWeek {
		t.Fatalf("the link led to %s", got)
	}
	if got := evalInt(t, b, `document.querySelectorAll('#chart-shapley-split canvas').length`); got < 1 {
		t.Errorf("the Shapley split chart has no canvas")
	}
	if got := evalInt(t, b, `document.querySelectorAll('table.snapshot-members tbody tr[data-slug]').length`); got < 30 {
		t.Errorf("the week's page shows %d members", got)
	}
	shot, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir(t), "snapshot.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}

	type fetched struct {
		Status      int    `json:"status"`
		Type        string `json:"type"`
		Disposition string `json:"disposition"`
		Data        string `json:"data"`
	}
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[fetched](`(async () => {
		const a = document.querySelector('a.download[data-format="xlsx"]');
		const r = await fetch(a.href);
		const bytes = new Uint8Array(await r.arrayBuffer());
		let s = '';
		for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
		return {status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'), data: btoa(s)};
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors on /snapshots/%s: %v", closedWeek, errs)
	}
	if got.Status != 200 || got.Type != exportContentTypes["xlsx"] || got.Disposition != `attachment; filename="ecopulse-`+closedWeek+`.xlsx"` {
		t.Errorf("XLSX download: %d %q %q", got.Status, got.Type, got.Disposition)
	}
	x, err := base64.StdEncoding.DecodeString(got.Data)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(x, []byte("PK")) {
		t.Fatalf("the download does not start with PK: %q", x[:min(len(x), 8)])
	}
	f, err := excelize.OpenReader(bytes.NewReader(x))
	if err != nil {
		t.Fatalf("the download is not a workbook: %v", err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); !slices.Contains(sheets, xlsxDataSheet) || !slices.Contains(sheets, xlsxChartSheet) {
		t.Errorf("downloaded workbook sheets = %v", sheets)
	}

	// The overview's open-alerts card fills in from /api/v1/alerts.
	if err := chromedp.Do(b.ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("body[data-ready]")),
		chromedp.WaitReady(chromedp.CSS("[data-alerts-ready]")),
	); err != nil {
		t.Fatal(err)
	}
	alerts, err := views.BuildAlerts(ctx, db, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := evalInt(t, b, `document.querySelectorAll('.alerts-card li.alert-item').length`), min(len(alerts.Open), 10); got != want || want == 0 {
		t.Errorf("the open-alerts card lists %d alerts, want %d", got, want)
	}
	if got, want := evalString(t, b, `document.querySelector('[data-alerts-count]').textContent`), strconv.Itoa(len(alerts.Open)); got != want {
		t.Errorf("the open-alerts count = %s, want %s", got, want)
	}
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors on /: %v", errs)
	}
}
