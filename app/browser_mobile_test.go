package app

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// Issue 18: every page in both themes, on a phone and on a desktop.

// browserPages is every HTML page the browser tests visit: each GET route
// (path parameters filled with values that exist) but the JSON API, static
// files, downloads, probes and the login form.
func browserPages(tb testing.TB, a *App, db *data.DB) []string {
	tb.Helper()
	var pages []string
	for _, target := range getRoutes(tb, a, testRouteValues(tb, db)) {
		if strings.HasPrefix(target, "/api/") || strings.HasPrefix(target, "/static/") || strings.Contains(target, ".") ||
			target == "/healthz" || target == "/readyz" || target == "/metrics" || target == "/login" {
			continue
		}
		pages = append(pages, target)
	}
	return pages
}

// setTheme makes theme the remembered choice of the browser's origin, as the
// header's toggle does.
func setTheme(tb testing.TB, b *browser, theme string) {
	tb.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(localStorage.setItem('ecopulse-theme', `+jsString(theme)+`), true)`)); err != nil {
		tb.Fatalf("set theme %s: %v", theme, err)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// pageFitJS measures what a page must not do at any width: scroll
// sideways, leave a chart undrawn or blank.
const pageFitJS = `(function () {
	var out = {theme: document.documentElement.getAttribute('data-theme') || '',
		scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
		charts: 0, drawn: 0, blank: [], failed: document.querySelectorAll('.chart-message.error').length};
	Array.prototype.forEach.call(document.querySelectorAll('[data-chart]'), function (el) {
		out.charts++;
		if (el.classList.contains('is-empty')) { return; } // "no data" said in words
		var canvas = el.querySelector('canvas');
		if (!canvas || !canvas.width || !canvas.height) { out.blank.push(el.id + ': no canvas'); return; }
		var px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
		for (var i = 3; i < px.length; i += 4) { if (px[i] !== 0) { out.drawn++; return; } }
		out.blank.push(el.id + ': nothing painted');
	});
	return JSON.stringify(out);
})()`

type pageFit struct {
	Theme       string
	ScrollWidth int
	InnerWidth  int
	Charts      int
	Drawn       int
	Blank       []string
	Failed      int
}

// contrastJS computes the WCAG contrast ratio of the text of body text,
// links, table text, muted text and the band colours (status badges and
// changes) against the background they are painted on (the nearest
// backgrounds, blended), and lists those under 4.5:1.
const contrastJS = `(function () {
	function parse(c) {
		var m = /rgba?\(([^)]+)\)/.exec(c || '');
		if (!m) { return null; }
		var p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
		return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
	}
	function blend(top, under) {
		var a = top.a;
		return {r: top.r * a + under.r * (1 - a), g: top.g * a + under.g * (1 - a), b: top.b * a + under.b * (1 - a), a: 1};
	}
	function lum(c) {
		function ch(v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }
		return 0.2126 * ch(c.r) + 0.7152 * ch(c.g) + 0.0722 * ch(c.b);
	}
	function background(el) {
		var layers = [];
		for (var e = el; e; e = e.parentElement) {
			var c = parse(getComputedStyle(e).backgroundColor);
			if (c && c.a > 0) { layers.push(c); if (c.a >= 1) { break; } }
		}
		var bg = {r: 255, g: 255, b: 255, a: 1};
		for (var i = layers.length - 1; i >= 0; i--) { bg = blend(layers[i], bg); }
		return bg;
	}
	function ownText(el) {
		var t = '';
		Array.prototype.forEach.call(el.childNodes, function (n) { if (n.nodeType === 3) { t += n.nodeValue; } });
		return t.trim();
	}
	var groups = {'body text': 'main p', 'links': 'main a', 'table text': 'main td, main th', 'muted text': 'main .muted',
		'bands': 'main .badge, main .delta'};
	var out = {bad: [], seen: {}};
	Object.keys(groups).forEach(function (g) {
		out.seen[g] = 0;
		Array.prototype.forEach.call(document.querySelectorAll(groups[g]), function (el) {
			var text = ownText(el);
			var box = el.getBoundingClientRect();
			if (!text || box.width <= 1 || box.height <= 1 || getComputedStyle(el).visibility === 'hidden') { return; }
			out.seen[g]++;
			var bg = background(el);
			var fg = blend(parse(getComputedStyle(el).color), bg);
			var l1 = lum(fg), l2 = lum(bg);
			var ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
			if (ratio < 4.5 && out.bad.length < 8) {
				out.bad.push(g + ' "' + text.slice(0, 24) + '" ' + ratio.toFixed(2) + ':1, ' + getComputedStyle(el).color +
					' on rgb(' + [bg.r, bg.g, bg.b].map(Math.round).join(',') + ')');
			}
		});
	});
	return JSON.stringify(out);
})()`

type contrastReport struct {
	Bad  []string
	Seen map[string]int
}

// fitRound is a pass of TestBrowserEveryPageFitsAndReads over every page:
// a language, a theme, a window width.
type fitRound struct {
	lang, theme string
	width       int
}

// fitRounds: each language in both themes at both widths. Chinese changes
// the words — their widths, where lines break, what overflows — and the
// themes the colours the contrast check measures.
var fitRounds = []fitRound{
	{views.LangEnglish, "light", 390}, {views.LangEnglish, "light", 1440},
	{views.LangEnglish, "dark", 390}, {views.LangEnglish, "dark", 1440},
	{views.LangChinese, "light", 390}, {views.LangChinese, "light", 1440},
	{views.LangChinese, "dark", 390}, {views.LangChinese, "dark", 1440},
}

// TestBrowserEveryPageFitsAndReads visits every page at 390 px and at
// 1440 px, in the light and in the dark theme, in English and in Chinese
// (fitRounds): every page says its language (<html lang>) and shows no
// catalogue key in place of a message, no page scrolls
// sideways, every chart with data is drawn (a canvas with something
// painted), no console error, and text — body, links, tables, muted, band
// colours — is at least 4.5:1 against its background. ECOPULSE_SCREENSHOTS=DIR
// keeps a screenshot of each.
func TestBrowserEveryPageFitsAndReads(t *testing.T) {
	if !views.HasECharts() {
		t.Fatal("views/static/vendor/echarts.min.js is missing: run `make assets`")
	}
	db := seededDB(t)
	a := newTestApp(t, db)
	base := serveTestApp(t, a)
	pages := browserPages(t, a, db)
	keys, err := views.CatalogueKeys(views.LangEnglish)
	if err != nil {
		t.Fatal(err)
	}
	keep := os.Getenv("ECOPULSE_SCREENSHOTS") != ""
	seen := map[string]map[string]int{} // by theme
	for _, r := range fitRounds {
		if seen[r.theme] == nil {
			seen[r.theme] = map[string]int{}
		}
		// A browser per round: each has a time limit (newBrowser).
		b := loggedInBrowser(t, base, domain.RoleAdmin)
		setTheme(t, b, r.theme)
		// The header's switch: the language of this browser and the admin's
		// setting, whatever the round before chose.
		ecoOpenReady(t, b, base+"/?lang="+r.lang)
		b.takeErrors()
		if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(int64(r.width), 900)); err != nil {
			t.Fatal(err)
		}
		for _, p := range pages {
			where := fmt.Sprintf("%s at %d px, %s, %s", p, r.width, r.theme, r.lang)
			ecoOpenReady(t, b, base+p)
			if got := evalString(t, b, `document.documentElement.lang`); got != r.lang {
				t.Errorf("%s: the page is in %q", where, got)
			}
			// A message the catalogues lack shows as its key (Tr's fallback).
			text := evalString(t, b, `document.body.innerText + ' ' + Array.from(document.querySelectorAll('[title],[aria-label],[placeholder]')).map(function (e) { return [e.title, e.getAttribute('aria-label'), e.placeholder].join(' ') }).join(' ')`)
			for _, k := range keys {
				if strings.Contains(text, k) {
					t.Errorf("%s: shows the catalogue key %q", where, k)
				}
			}
			var fit pageFit
			if err := json.Unmarshal([]byte(evalString(t, b, pageFitJS)), &fit); err != nil {
				t.Fatal(err)
			}
			if fit.Theme != r.theme {
				t.Errorf("%s: the page is in the %q theme", where, fit.Theme)
			}
			if fit.ScrollWidth > fit.InnerWidth {
				t.Errorf("%s: scrolls sideways (%d px wide in a %d px window)", where, fit.ScrollWidth, fit.InnerWidth)
			}
			if len(fit.Blank) > 0 || fit.Failed > 0 {
				t.Errorf("%s: charts not drawn %v, %d failed", where, fit.Blank, fit.Failed)
			}
			var c contrastReport
			if err := json.Unmarshal([]byte(evalString(t, b, contrastJS)), &c); err != nil {
				t.Fatal(err)
			}
			for _, bad := range c.Bad {
				t.Errorf("%s: contrast under 4.5:1: %s", where, bad)
			}
			for g, n := range c.Seen {
				seen[r.theme][g] += n
			}
			if errs := b.takeErrors(); len(errs) > 0 {
				t.Errorf("%s: console errors %v", where, errs)
			}
			if keep {
				name := strings.NewReplacer("/", "_", "?", "_", "=", "_", "&", "_").Replace(strings.TrimPrefix(p, "/"))
				ecoShoot(t, b, fmt.Sprintf("fit-%s-%s-%d-%s.png", r.lang, r.theme, r.width, name))
			}
		}
	}
	// Every kind of text was measured somewhere: the check is not empty.
	for theme, byGroup := range seen {
		for _, g := range []string{"body text", "links", "table text", "muted text", "bands"} {
			if byGroup[g] == 0 {
				t.Errorf("%s theme: no %s measured on any page", theme, g)
			}
		}
	}
}

// graphFitJS lists the network's nodes (and the label room of the labelled
// ones) that lie outside its chart.
const graphFitJS = `(function () {
	var el = document.getElementById('chart-network');
	var chart = echarts.getInstanceByDom(el);
	var s = chart.getModel().getSeriesByIndex(0);
	var data = s.getData();
	var w = el.clientWidth, h = el.clientHeight, out = [], labels = 0, legends = 0;
	for (var i = 0; i < data.count(); i++) {
		var p = chart.convertToPixel({seriesIndex: 0}, data.getItemLayout(i));
		var el2 = data.getItemGraphicEl(i);
		var box = el2.getBoundingRect().clone();
		box.applyTransform(el2.getComputedTransform());
		var host = el2.childAt ? el2.childAt(0) : el2; // a node is a group around its symbol, which holds the label
		var label = host && host.getTextContent && host.getTextContent();
		if (label && !label.ignore && !label.invisible) {
			labels++;
			var lb = label.getBoundingRect().clone();
			lb.applyTransform(label.getComputedTransform());
			box.union(lb);
		}
		if (box.x < 0 || box.y < 0 || box.x + box.width > w || box.y + box.height > h) {
			out.push(data.getRawDataItem(i).slug + ' at ' + Math.round(p[0]) + ',' + Math.round(p[1]));
		}
	}
	legends = (chart.getOption().legend || []).filter(function (l) { return l.show !== false; }).length;
	return JSON.stringify({outside: out, labels: labels, nodes: data.count(), legends: legends});
})()`

// TestBrowserNetworkFitsAndFilters draws the network on a phone and on a
// desktop: every node and label inside the chart, the legend once (the
// page's), labels on a few members only; the minimum-K slider puts its
// value in the URL and the graph keeps the stronger ties only.
func TestBrowserNetworkFitsAndFilters(t *testing.T) {
	b, base := browseApp(t, newTestApp(t, seededDB(t)), domain.RoleViewer)
	for _, width := range []int{390, 1440} {
		if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(int64(width), 900)); err != nil {
			t.Fatal(err)
		}
		mpOpenReady(t, b, base+"/network")
		var g struct {
			Outside                []string
			Labels, Nodes, Legends int
		}
		if err := json.Unmarshal([]byte(evalString(t, b, graphFitJS)), &g); err != nil {
			t.Fatal(err)
		}
		if len(g.Outside) > 0 {
			t.Errorf("at %d px, nodes run off the chart: %v", width, g.Outside)
		}
		if g.Labels == 0 || g.Labels*2 > g.Nodes {
			t.Errorf("at %d px, %d of %d nodes labelled: want a few landmarks", width, g.Labels, g.Nodes)
		}
		if g.Legends != 0 {
			t.Errorf("at %d px, the chart draws %d legends beside the page's", width, g.Legends)
		}
		if n := evalInt(t, b, `document.querySelectorAll('.legend-bands').length`); n != 1 {
			t.Errorf("at %d px, %d band legends", width, n)
		}
		if roam := evalString(t, b, `String(echarts.getInstanceByDom(document.getElementById('chart-network')).getOption().series[0].roam)`); roam != "true" {
			t.Errorf("at %d px, the graph cannot be zoomed: roam = %s", width, roam)
		}
	}
	all := evalInt(t, b, `+document.querySelector('[data-value="edges"]').textContent`)
	// Let go of the slider at 0.3: the form goes to ?min_k=0.3.
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(function () {
		var s = document.querySelector('#network-filter input[name="min_k"]');
		s.value = '0.3';
		s.dispatchEvent(new Event('input', {bubbles: true}));
		s.dispatchEvent(new Event('change', {bubbles: true}));
		return true;
	})()`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(b.ctx, chromedp.WaitReady(chromedp.CSS(`body[data-ready] input[name="min_k"][value="0.3"]`))); err != nil {
		t.Fatal(err)
	}
	if u := ecoLocation(t, b); u.Query().Get("min_k") != "0.3" {
		t.Errorf("the slider went to %s", u)
	}
	strong := evalInt(t, b, `+document.querySelector('[data-value="edges"]').textContent`)
	links := evalInt(t, b, `echarts.getInstanceByDom(document.getElementById('chart-network')).getOption().series[0].links.length`)
	if !(strong < all) || links != strong {
		t.Errorf("min_k=0.3: %d ties listed and %d drawn, of %d", strong, links, all)
	}
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// TestBrowserThemeToggle follows the system's dark preference, then the
// toggle: the page and its charts change theme at once (new chart
// instances in ECharts' dark theme), and the choice outlives a reload and
// the system's preference.
func TestBrowserThemeToggle(t *testing.T) {
	b, base := browseApp(t, newTestApp(t, seededDB(t)), domain.RoleViewer)
	if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}}); err != nil {
		t.Fatal(err)
	}
	mpOpenReady(t, b, base+"/")
	if got := evalString(t, b, `document.documentElement.getAttribute('data-theme')`); got != "dark" {
		t.Errorf("with the system dark and no choice, the theme is %q", got)
	}
	chartIDs := `Array.prototype.map.call(document.querySelectorAll('[data-chart][data-rendered]'), function (el) {
		var c = echarts.getInstanceByDom(el); return c ? c.id : 'none'; }).join(',')`
	bg := `getComputedStyle(document.body).backgroundColor`
	before, bgBefore := evalString(t, b, chartIDs), evalString(t, b, bg)
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(`.theme-toggle`))); err != nil {
		t.Fatal(err)
	}
	if got := evalString(t, b, `document.documentElement.getAttribute('data-theme') + ' ' + localStorage.getItem('ecopulse-theme') + ' ' + document.querySelector('.theme-toggle').getAttribute('aria-pressed')`); got != "light light false" {
		t.Errorf("after the toggle: theme, stored, pressed = %q", got)
	}
	after := evalString(t, b, chartIDs)
	if before == "" || strings.Contains(after, "none") || len(strings.Split(after, ",")) != len(strings.Split(before, ",")) {
		t.Fatalf("charts before %q, after %q", before, after)
	}
	for _, id := range strings.Split(after, ",") {
		if strings.Contains(","+before+",", ","+id+",") {
			t.Errorf("chart %s was not drawn again in the new theme", id)
		}
	}
	if evalString(t, b, bg) == bgBefore {
		t.Error("the page's background did not change with the theme")
	}
	// The choice is remembered, over the system's preference.
	mpOpenReady(t, b, base+"/members")
	if got := evalString(t, b, `document.documentElement.getAttribute('data-theme')`); got != "light" {
		t.Errorf("after a reload the theme is %q, want the chosen light", got)
	}
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// TestBrowserPhoneMenuAndCards: at 390 px the navigation is behind the menu
// button, which opens it; the members table is a list of cards of name,
// status, health, change and reason, each value labelled with its column,
// within the page; a long name is cut with an ellipsis, whole in its title.
func TestBrowserPhoneMenuAndCards(t *testing.T) {
	b, base := browseApp(t, newTestApp(t, seededDB(t)), domain.RoleViewer)
	if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	mpOpenReady(t, b, base+"/members")
	navShown := `getComputedStyle(document.getElementById('site-nav')).display !== 'none'`
	if evalString(t, b, `String(`+navShown+`)`) != "false" {
		t.Error("at 390 px the navigation is open before the menu button is pressed")
	}
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(`.nav-toggle`))); err != nil {
		t.Fatal(err)
	}
	if got := evalString(t, b, `String(`+navShown+`) + ' ' + document.querySelector('.nav-toggle').getAttribute('aria-expanded')`); got != "true true" {
		t.Errorf("after the menu button: navigation shown, expanded = %q", got)
	}
	cards := evalString(t, b, `(function () {
		var row = document.querySelector('#members-table tbody tr');
		var table = document.getElementById('members-table').getBoundingClientRect();
		var shown = [], wide = 0;
		Array.prototype.forEach.call(row.cells, function (td, i) {
			if (getComputedStyle(td).display === 'none') { return; }
			shown.push(i === 0 ? 'name' : td.getAttribute('data-label'));
			if (td.getBoundingClientRect().right > table.right + 0.5) { wide++; }
		});
		return getComputedStyle(row).display + ' | ' + shown.join(',') + ' | ' + wide;
	})()`)
	if cards != "block | name,Status,Health,Δ week,Reason | 0" {
		t.Errorf("a members card: %q", cards)
	}
	// A long name: cut, whole in its title.
	evalString(t, b, `(function () {
		var a = document.querySelector('#members-table tbody td.name-cell a');
		a.textContent = 'An Ecosystem Member Whose Name Goes On And On Far Beyond Any Phone Screen Incorporated';
		a.parentNode.title = a.textContent;
		return '';
	})()`)
	cut := evalString(t, b, `(function () {
		var a = document.querySelector('#members-table tbody td.name-cell a');
		return getComputedStyle(a).textOverflow + ' ' + (a.scrollWidth > a.clientWidth) + ' ' + (a.getBoundingClientRect().right <= window.innerWidth);
	})()`)
	if cut != "ellipsis true true" {
		t.Errorf("a long name: text-overflow, cut, inside the screen = %q", cut)
	}
	if n := evalInt(t, b, `document.documentElement.scrollWidth - window.innerWidth`); n > 0 {
		t.Errorf("the members page scrolls %d px sideways", n)
	}
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
