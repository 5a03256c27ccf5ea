package app

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// mpOpenReady navigates to a page and waits until app.js has drawn its charts.
func mpOpenReady(tb testing.TB, b *browser, target string) {
	tb.Helper()
	if err := chromedp.Do(b.ctx,
		chromedp.Navigate(target),
		chromedp.WaitVisible(chromedp.CSS("body[data-ready]")),
	); err != nil {
		tb.Fatalf("open %s: %v", target, err)
	}
}

// mpWaitLocation polls the page's URL until ok accepts it, through navigations.
func mpWaitLocation(tb testing.TB, b *browser, ok func(*url.URL) bool) *url.URL {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		loc, err := chromedp.Run(b.ctx, chromedp.Location())
		if err == nil {
			last = loc
			if u, err := url.Parse(loc); err == nil && ok(u) {
				return u
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.Fatalf("the page stayed at %s", last)
	return nil
}

func mpShoot(tb testing.TB, b *browser, name string) {
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

// TestBrowserMembersPagesDrawCharts opens the members list, a member's page
// and the network in headless Chromium: no console error, every chart
// settled and at least one drawn on a canvas.
func TestBrowserMembersPagesDrawCharts(t *testing.T) {
	if !views.HasECharts() {
		t.Fatal("views/static/vendor/echarts.min.js is missing: run `make assets`")
	}
	b, base := browseApp(t, newTestApp(t, seededDB(t)), domain.RoleViewer)
	b.takeErrors()
	for _, p := range []struct {
		path, shot string
		min        int
	}{
		{"/members", "members.png", 1},
		{"/members/quillstone", "member.png", 8},
		{"/network", "network.png", 1},
	} {
		mpOpenReady(t, b, base+p.path)
		charts := evalInt(t, b, `window.__chartsReady`)
		drawn := evalInt(t, b, `document.querySelectorAll('[data-chart][data-rendered] canvas').length`)
		mpShoot(t, b, p.shot)
		if errs := b.takeErrors(); len(errs) > 0 {
			t.Errorf("console errors on %s: %v", p.path, errs)
		}
		if charts < p.min || drawn < p.min {
			t.Errorf("%s: %d charts settled, %d drawn; want at least %d", p.path, charts, drawn, p.min)
		}
	}
	// The member page's empty sections are words, not blank charts.
	mpOpenReady(t, b, base+"/members/quillstone?from=2020-01-01&to=2020-01-28")
	if text := evalString(t, b, `document.body.innerText`); !strings.Contains(text, "No API usage between 2020-01-01 and 2020-01-28") {
		t.Error("a range without traffic does not say so")
	}
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// TestBrowserMembersFilter picks a segment in the filter form, submits it,
// and sees the URL and the rows change.
func TestBrowserMembersFilter(t *testing.T) {
	b, base := browseApp(t, newTestApp(t, seededDB(t)), domain.RoleViewer)
	mpOpenReady(t, b, base+"/members")
	before := evalInt(t, b, `document.querySelectorAll('#members-table tbody tr[data-slug]').length`)
	segment := evalString(t, b, `document.querySelector('select[name=segment] option:nth-child(2)').value`)
	if segment == "" || before == 0 {
		t.Fatalf("segment %q, %d rows", segment, before)
	}
	if err := chromedp.Do(b.ctx,
		chromedp.SetValue(chromedp.CSS(`select[name="segment"]`), segment),
		chromedp.Click(chromedp.CSS(`#members-filter button[type="submit"]`)),
	); err != nil {
		t.Fatal(err)
	}
	u := mpWaitLocation(t, b, func(u *url.URL) bool { return u.Query().Get("segment") == segment })
	if u.Path != "/members" {
		t.Errorf("the form went to %s", u.Path)
	}
	mpOpenReady(t, b, u.String()) // the same URL: a bookmark gives the same view
	after := evalInt(t, b, `document.querySelectorAll('#members-table tbody tr[data-slug]').length`)
	segs := evalString(t, b, `Array.from(document.querySelectorAll('#members-table tbody tr[data-slug] td:nth-child(2)')).map(td => td.textContent).join('|')`)
	if after == 0 || after >= before {
		t.Errorf("rows: %d before, %d after filtering by %s", before, after, segment)
	}
	for _, s := range strings.Split(segs, "|") {
		if s != segment {
			t.Errorf("row of segment %q after filtering by %q", s, segment)
		}
	}
	if got := evalString(t, b, `document.querySelector('select[name=segment]').value`); got != segment {
		t.Errorf("the select shows %q after reload, want %q", got, segment)
	}
	// Sorting by a header link keeps the filter.
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(`th a[data-sort="name"]`))); err != nil {
		t.Fatal(err)
	}
	u = mpWaitLocation(t, b, func(u *url.URL) bool { return u.Query().Get("sort") == "name" })
	if u.Query().Get("segment") != segment {
		t.Errorf("sorting dropped the segment: %s", u)
	}
	mpOpenReady(t, b, u.String())
	mpShoot(t, b, "members-filtered.png")
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// TestBrowserNetworkClickOpensMember clicks a node of the force graph where
// ECharts drew it and lands on that member's page.
func TestBrowserNetworkClickOpensMember(t *testing.T) {
	b, base := browseApp(t, newTestApp(t, seededDB(t)), domain.RoleViewer)
	mpOpenReady(t, b, base+"/network")
	// The node farthest from every other (so no neighbour or label covers
	// it), from its layout position, in page pixels.
	raw := evalString(t, b, `(function () {
		var el = document.getElementById('chart-network');
		el.scrollIntoView({block: 'center'});
		var chart = echarts.getInstanceByDom(el);
		var data = chart.getModel().getSeriesByIndex(0).getData();
		var r = el.getBoundingClientRect();
		var pts = [];
		for (var i = 0; i < data.count(); i++) {
			var p = chart.convertToPixel({seriesIndex: 0}, data.getItemLayout(i));
			var size = data.getItemVisual(i, 'symbolSize');
			pts.push({x: p[0], y: p[1], r: (Array.isArray(size) ? size[0] : size) / 2, slug: data.getRawDataItem(i).slug});
		}
		var best = null, room = -Infinity;
		pts.forEach(function (a) {
			if (a.x < 20 || a.y < 40 || a.x > r.width - 20 || a.y > r.height - 20) return;
			var free = Infinity;
			pts.forEach(function (b) {
				if (b !== a) free = Math.min(free, Math.hypot(a.x - b.x, a.y - b.y) - b.r - a.r);
			});
			if (free > room) { room = free; best = a; }
		});
		return JSON.stringify({x: r.left + best.x, y: r.top + best.y, slug: best.slug, room: room});
	})()`)
	var node struct {
		X, Y, Room float64
		Slug       string
	}
	if err := json.Unmarshal([]byte(raw), &node); err != nil {
		t.Fatalf("node position %q: %v", raw, err)
	}
	if node.Slug == "" || node.X <= 0 || node.Y <= 0 {
		t.Fatalf("node %+v", node)
	}
	// Its tooltip is app.js's, built from the node's info as text.
	tip := evalString(t, b, `(function () {
		var el = document.getElementById('chart-network');
		echarts.getInstanceByDom(el).dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0});
		return el.innerText;
	})()`)
	for _, want := range []string{"Health: ", "C: ", "K: ", "Ties: "} {
		if !strings.Contains(tip, want) {
			t.Errorf("node tooltip %q lacks %q", tip, want)
		}
	}
	if err := chromedp.Do(b.ctx, chromedp.MouseClickXY(node.X, node.Y)); err != nil {
		t.Fatal(err)
	}
	u := mpWaitLocation(t, b, func(u *url.URL) bool { return strings.HasPrefix(u.Path, "/members/") })
	if got, want := u.Path, "/members/"+node.Slug; got != want {
		t.Errorf("clicking the node of %s opened %s", node.Slug, got)
	}
	mpOpenReady(t, b, u.String())
	if h1 := evalString(t, b, `document.querySelector('h1').textContent`); h1 == "" {
		t.Error("the member page has no title")
	}
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// TestBrowserMembersPagesRunNoInjectedScript stores hostile names and
// checks, in a real browser, that none runs on the new pages or in their
// chart tooltips.
func TestBrowserMembersPagesRunNoInjectedScript(t *testing.T) {
	db := seededDB(t)
	s, err := views.BuildScores(t.Context(), db, demoEnd)
	if err != nil {
		t.Fatal(err)
	}
	payloads := []string{
		`</script><script>window.__xss=1</script>`,
		`"><img src=x onerror="window.__xss=2">`,
		`<svg onload="window.__xss=3">`,
		`__f__function(){window.__xss=4}__f__`,
	}
	for i, p := range payloads {
		renameMember(t, db, s.Members[i].Slug, p)
	}
	b, base := browseApp(t, newTestApp(t, db), domain.RoleViewer)
	for _, path := range []string{"/members", "/network", "/members/" + s.Members[0].Slug} {
		mpOpenReady(t, b, base+path)
		// Show every graph/scatter item's tooltip once.
		evalInt(t, b, `(function () {
			var n = 0;
			document.querySelectorAll('[data-chart]').forEach(function (el) {
				var c = window.echarts && echarts.getInstanceByDom(el);
				if (!c) return;
				var d = c.getModel().getSeriesByIndex(0).getData();
				for (var i = 0; i < d.count(); i++) { c.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: i}); n++; }
			});
			return n;
		})()`)
		time.Sleep(300 * time.Millisecond)
		if xss := evalString(t, b, `String(window.__xss)`); xss != "undefined" {
			t.Errorf("%s: an injected script ran: window.__xss = %s", path, xss)
		}
	}
	if text := evalString(t, b, `document.body.innerText`); !strings.Contains(text, payloads[0]) && !strings.Contains(text, payloads[1]) {
		t.Error("the hostile names are not shown as text on the member page")
	}
}
