package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// storyBox is where a block of the overview is drawn, in CSS pixels from
// the top of the page.
type storyBox struct {
	Top    float64 `json:"top"`
	Bottom float64 `json:"bottom"`
	Height float64 `json:"height"`
}

// storyLayoutJS measures the story's blocks and the first chart, and reads
// what they show.
const storyLayoutJS = `(() => {
  const box = sel => {
    const el = document.querySelector(sel);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return {top: r.top + window.scrollY, bottom: r.bottom + window.scrollY, height: r.height};
  };
  const text = sel => Array.from(document.querySelectorAll(sel), el => el.textContent.trim());
  return JSON.stringify({
    summary: box('[data-summary]'),
    distribution: box('[data-distribution]'),
    attention: box('[data-attention]'),
    chart: box('[data-chart]'),
    viewport: window.innerHeight,
    width: window.innerWidth,
    lines: text('[data-summary-line]'),
    slugs: Array.from(document.querySelectorAll('[data-attention] li[data-slug]'), li => li.dataset.slug),
    reasons: text('[data-attention] li[data-slug] .reason'),
    atRisk: Number(document.querySelector('[data-count="at_risk"]').textContent),
    healthy: Number(document.querySelector('[data-count="healthy"]').textContent),
    watch: Number(document.querySelector('[data-count="watch"]').textContent),
  });
})()`

// TestBrowserOverviewTellsTheStoryAboveTheFold opens the overview at
// 1440×900 in headless Chromium: the summary, the status distribution and
// the members needing attention are drawn before the first chart and
// within the first 900 pixels, and show what /api/v1/overview says.
func TestBrowserOverviewTellsTheStoryAboveTheFold(t *testing.T) {
	if !views.HasECharts() {
		t.Fatal("views/static/vendor/echarts.min.js is missing: run `make assets`")
	}
	a := newTestApp(t, seededDB(t))
	_, body, _ := get(t, a.Fiber(), "/api/v1/overview")
	o := decode[views.Overview](t, body)
	if len(o.Attention) == 0 || len(o.Summary.Lines) != 3 {
		t.Fatalf("the seeded overview has %d members needing attention and %d summary lines", len(o.Attention), len(o.Summary.Lines))
	}
	b, base := browseApp(t, a, domain.RoleViewer)
	if err := chromedp.Do(b.ctx,
		chromedp.EmulateViewport(1440, 900),
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("body[data-ready]")),
	); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Summary, Distribution, Attention, Chart *storyBox
		Viewport, Width                         float64
		Lines, Slugs, Reasons                   []string
		AtRisk, Healthy, Watch                  int
	}
	if err := json.Unmarshal([]byte(evalString(t, b, storyLayoutJS)), &got); err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(screenshotDir(t), "overview-above-the-fold.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors on /: %v", errs)
	}

	if got.Viewport != 900 || got.Width != 1440 {
		t.Fatalf("viewport %v×%v, want 1440×900", got.Width, got.Viewport)
	}
	if got.Chart == nil {
		t.Fatal("the overview draws no chart")
	}
	for name, box := range map[string]*storyBox{"summary": got.Summary, "distribution": got.Distribution, "attention list": got.Attention} {
		switch {
		case box == nil:
			t.Errorf("the %s is not on the page", name)
		case box.Height < 20:
			t.Errorf("the %s is %v px high: not drawn", name, box.Height)
		case box.Bottom > got.Viewport:
			t.Errorf("the %s ends at %v px, below the fold (%v px)", name, box.Bottom, got.Viewport)
		case box.Bottom > got.Chart.Top:
			t.Errorf("the %s ends at %v px, after the first chart starts (%v px)", name, box.Bottom, got.Chart.Top)
		}
	}

	// What is drawn is what the API says.
	if len(got.Lines) != len(o.Summary.Lines) {
		t.Errorf("%d summary lines drawn, want %d", len(got.Lines), len(o.Summary.Lines))
	}
	for i := range min(len(got.Lines), len(o.Summary.Lines)) {
		if got.Lines[i] != o.Summary.Lines[i] {
			t.Errorf("summary line %d = %q, API %q", i+1, got.Lines[i], o.Summary.Lines[i])
		}
	}
	d := o.Distribution
	if got.Healthy != d.Healthy || got.Watch != d.Watch || got.AtRisk != d.AtRisk {
		t.Errorf("distribution drawn %d/%d/%d, API %d/%d/%d", got.Healthy, got.Watch, got.AtRisk, d.Healthy, d.Watch, d.AtRisk)
	}
	if len(got.Slugs) != len(o.Attention) {
		t.Fatalf("%d members drawn in the attention list, API %d", len(got.Slugs), len(o.Attention))
	}
	for i, m := range o.Attention {
		if got.Slugs[i] != m.Slug || got.Reasons[i] != m.Reason {
			t.Errorf("attention %d: %s %q drawn, API %s %q", i+1, got.Slugs[i], got.Reasons[i], m.Slug, m.Reason)
		}
	}

	// The period selector: a click on Month changes the URL and every
	// change shown.
	if err := chromedp.Do(b.ctx,
		chromedp.Click(chromedp.CSS(`.period-tabs a[data-period="month"]`)),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready] .period-tabs a[data-period="month"][aria-current]`)),
	); err != nil {
		t.Fatal(err)
	}
	_, body, _ = get(t, a.Fiber(), "/api/v1/overview?period=month")
	month := decode[views.Overview](t, body)
	if u := ecoLocation(t, b); u.Query().Get("period") != "month" {
		t.Errorf("the Month link went to %s", u)
	}
	if since := evalString(t, b, `document.querySelector('[data-since]').textContent`); month.ComparedWith == "" || !strings.Contains(since, month.ComparedWith) {
		t.Errorf("after choosing Month the page says %q, want changes against %q", since, month.ComparedWith)
	}
}
