package views

import (
	"bytes"
	"encoding/json"
	stdhtml "html"
	"io/fs"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/metrics"
)

// Hostile strings a member may be named: they must reach the page as text.
var hostileNames = []string{
	`</script><script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`,
	`__f__function(){alert(1)}__f__`,
}

// pageChartSpec mirrors chartSpec for decoding a page's JSON blocks.
type pageChartSpec struct {
	NoData      bool           `json:"noData"`
	Message     string         `json:"message"`
	ValueSuffix string         `json:"valueSuffix"`
	Option      map[string]any `json:"option"`
}

func newTestRenderer(tb testing.TB) *Renderer {
	tb.Helper()
	return newBandsRenderer(tb, DefaultBands())
}

// newBandsRenderer is a Renderer of the default options but the bands b.
func newBandsRenderer(tb testing.TB, b Bands) *Renderer {
	tb.Helper()
	opts := OptionsOf(metrics.DefaultConfig())
	opts.Bands = b
	r, err := NewRenderer(opts)
	if err != nil {
		tb.Fatalf("NewRenderer: %v", err)
	}
	return r
}

func renderOverviewHTML(tb testing.TB, o Overview) string {
	tb.Helper()
	return renderOverviewWith(tb, newTestRenderer(tb), o)
}

func renderOverviewWith(tb testing.TB, r *Renderer, o Overview) string {
	tb.Helper()
	var buf bytes.Buffer
	if err := r.Overview(&buf, o); err != nil {
		tb.Fatalf("Overview: %v", err)
	}
	return buf.String()
}

var jsonBlockRE = regexp.MustCompile(`(?s)<script type="application/json" id="([^"]+)">(.*?)</script>`)

// pageChartSpecs decodes every chart JSON block of a page, by element id.
func pageChartSpecs(tb testing.TB, html string) map[string]pageChartSpec {
	tb.Helper()
	specs := map[string]pageChartSpec{}
	for _, m := range jsonBlockRE.FindAllStringSubmatch(html, -1) {
		id, text := m[1], m[2]
		if strings.ContainsAny(text, "<>") {
			tb.Errorf("block %s holds a raw < or >: %q", id, text)
		}
		var s pageChartSpec
		if err := json.Unmarshal([]byte(text), &s); err != nil {
			tb.Fatalf("block %s is not JSON: %v\n%s", id, err, text)
		}
		specs[id] = s
	}
	return specs
}

// pageSampleTrend is 26 weekly points, oldest first.
func pageSampleTrend() []TrendPoint {
	trend := make([]TrendPoint, 26)
	for i := range trend {
		trend[i] = TrendPoint{
			Day:    "2025-" + []string{"01", "02", "03", "04", "05", "06", "07"}[i/4] + "-" + []string{"03", "10", "17", "24"}[i%4],
			Health: 55 + float64(i)*0.7,
			R:      8 + float64(i)*0.17,
		}
	}
	return trend
}

func pageSampleOverview() Overview {
	return Overview{
		At:            "2025-06-29",
		Health:        72.44,
		HealthChange:  1.26,
		Status:        "healthy",
		R:             12.3456,
		RChange:       0.05,
		Members:       Count{Value: 42, Change: 3},
		Consumers:     Count{Value: 118, Change: -2},
		Contributors:  Count{Value: 305, Change: 0},
		Trend:         pageSampleTrend(),
		LastCollected: "2025-06-29T08:15:00Z",
		Top: []MemberRow{
			{Slug: "acme-ai", Name: "Acme AI", Segment: "NLP", Health: 81.25, Status: "healthy", ValueFigures: ValueFigures{Phi: 5.0864}, PhiShare: 0.412},
			{Slug: "visionary", Name: "Visionary Labs", Segment: "vision", Health: 64, Status: "watch", ValueFigures: ValueFigures{Phi: 3.2}, PhiShare: 0.259},
			{Slug: "homely", Name: "Homely", Segment: "smart home", Health: 31.5, Status: "at_risk", ValueFigures: ValueFigures{Phi: 0.75}, PhiShare: 0.061},
		},
		AtRisk: []MemberRow{
			{Slug: "homely", Name: "Homely", Segment: "smart home", Health: 31.5, Status: "at_risk", Reason: "API quality: errors or latency above the SLO (22/100)", ReasonKind: "latency"},
		},
		Attention: []MemberRow{
			{Slug: "homely", Name: "Homely", Segment: "smart home", Health: 31.5, Status: "at_risk", Reason: "API quality: errors or latency above the SLO (22/100)", ReasonKind: "latency"},
		},
	}
}

func TestTemplatesParse(t *testing.T) {
	pages, err := parseTemplates()
	if err != nil {
		t.Fatalf("parseTemplates: %v", err)
	}
	for _, page := range []string{"overview", "error"} {
		tpl, ok := pages[page]
		if !ok {
			t.Fatalf("page %q missing; have %v", page, pages)
		}
		for _, name := range []string{"layout", "content", "chart", "delta", "status", "member"} {
			if tpl.Lookup(name) == nil {
				t.Errorf("page %q: template %q not defined", page, name)
			}
		}
	}
}

func TestOverviewNumbers(t *testing.T) {
	html := renderOverviewHTML(t, pageSampleOverview())
	// html/template writes "+" as "&#43;": compare the text a browser shows.
	shown := stdhtml.UnescapeString(html)

	for _, want := range []string{
		`<span class="num" data-value="health">72.4</span>`, // health, one decimal
		`<span class="num" data-value="R">12.3</span>`,      // R, three significant digits
		`<span aria-hidden="true">▲</span> +1.3`,            // health change
		`<span aria-hidden="true">▲</span> +5.0%`,           // R change, relative
		`<span class="num">42</span>`,
		`<span aria-hidden="true">▲</span> +3`, // active members
		`<span class="num">118</span>`,
		`<span aria-hidden="true">▼</span> -2`, // API consumers
		`<span class="num">305</span>`,
		`<span aria-hidden="true">→</span> 0`, // contributors
		`<span class="badge healthy">healthy</span>`,
		`data as of <time datetime="2025-06-29">2025-06-29</time>`,
		`last collected <time datetime="2025-06-29T08:15:00Z">2025-06-29 08:15 UTC</time>`,
		`<a href="/members/acme-ai">Acme AI</a>`,
		`<td class="n">41.2%</td>`, // φ share
		`<td class="n">5.09</td>`,  // φ
		`API quality: errors or latency above the SLO (22/100)`,
	} {
		if !strings.Contains(shown, want) {
			t.Errorf("page lacks %q", want)
		}
	}

	specs := pageChartSpecs(t, html)
	if got, want := len(specs), 4; got != want {
		t.Fatalf("chart blocks = %d, want %d", got, want)
	}
	gauge := specs["chart-health-gauge-data"]
	if got, want := gaugeValue(t, gauge), 72.4; got != want {
		t.Errorf("gauge value = %v, want %v", got, want)
	}
	if got, want := len(seriesData(t, specs["chart-health-trend-data"], 0)), 26; got != want {
		t.Errorf("health trend points = %d, want %d", got, want)
	}
	rData := seriesData(t, specs["chart-r-trend-data"], 0)
	if got, want := rData[len(rData)-1], 8+25*0.17; math.Abs(toFloat(t, got)-want) > 1e-4 {
		t.Errorf("last R point = %v, want %v", got, want)
	}
	for id, s := range specs {
		if s.NoData {
			t.Errorf("chart %s: unexpected noData (%s)", id, s.Message)
		}
	}
}

func TestOverviewEscapesHostileNames(t *testing.T) {
	o := pageSampleOverview()
	o.Top, o.AtRisk, o.Attention = nil, nil, nil
	for i, name := range hostileNames {
		row := MemberRow{
			Slug: "m" + string(rune('a'+i)), Name: name, Segment: hostileNames[(i+1)%len(hostileNames)],
			Health: 30 + float64(i), Status: "at_risk", ValueFigures: ValueFigures{Phi: 1}, PhiShare: 0.3,
			Reason: name, Kind: name, Tier: name,
		}
		o.Top = append(o.Top, row)
		o.AtRisk = append(o.AtRisk, row)
		o.Attention = append(o.Attention, row)
	}
	o.Status = hostileNames[1]
	o.LastCollected = hostileNames[1]
	o.Summary.Lines = hostileNames // the summary names members: text, never markup
	html := renderOverviewHTML(t, o)

	for _, bad := range []string{"<script>alert", "<img src=x", "onerror=alert(1)>"} {
		if strings.Contains(html, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	// No inline script: every <script> either loads a file or is a JSON block.
	for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAllString(html, -1) {
		if !strings.Contains(tag, ` src="`) && !strings.Contains(tag, `type="application/json"`) {
			t.Errorf("inline script tag %s", tag)
		}
	}
	// Shown as text in the tables, not dropped.
	for _, want := range []string{
		`&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;`,
		`&#34;&gt;&lt;img src=x onerror=alert(1)&gt;`,
		`__f__function(){alert(1)}__f__`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks the escaped text %q", want)
		}
	}

	specs := pageChartSpecs(t, html)
	if got, want := len(specs), 4; got != want {
		t.Fatalf("chart blocks = %d, want %d", got, want)
	}
	share := specs["chart-phi-share-data"]
	names := axisData(t, share, "yAxis")
	if got, want := len(names), len(hostileNames); got != want {
		t.Fatalf("share chart names = %d, want %d", got, want)
	}
	for i, want := range hostileNames {
		if got := names[i]; got != want {
			t.Errorf("share chart name %d = %q, want %q", i, got, want)
		}
	}
}

func TestOverviewEmpty(t *testing.T) {
	setup := &Setup{Steps: []SetupStep{{ID: "members", Title: "Add your ecosystem's members", Done: true, Href: "/members/new"},
		{ID: "scores", Title: "First scores", Href: "/members"}}}
	html := renderOverviewHTML(t, Overview{Empty: true, Setup: setup})
	text := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(html, "")
	if want := "No member scored yet"; !strings.Contains(text, want) {
		t.Errorf("empty page lacks %q", want)
	}
	if !strings.Contains(html, `<li class="done" data-step="members">`) || !strings.Contains(html, `<li class="todo" data-step="scores">`) ||
		!strings.Contains(html, `href="/members/new"`) {
		t.Error("the getting-started checklist does not tick the steps done and link each")
	}
	if strings.Contains(text, "0.0") || strings.Contains(text, "at risk") {
		t.Error("an empty installation is shown a health score")
	}
	if strings.Contains(html, "data-chart=") || strings.Contains(html, `type="application/json"`) {
		t.Error("empty page draws charts")
	}
	if !strings.Contains(html, `data as of —`) {
		t.Error("empty page lacks the freshness line")
	}
}

func TestOverviewNoDataCharts(t *testing.T) {
	o := pageSampleOverview()
	o.Trend, o.Top, o.AtRisk, o.Attention = nil, nil, nil, nil
	html := renderOverviewHTML(t, o)
	specs := pageChartSpecs(t, html)
	for _, id := range []string{"chart-health-trend-data", "chart-r-trend-data", "chart-phi-share-data"} {
		s := specs[id]
		if !s.NoData || s.Message == "" || s.Option != nil {
			t.Errorf("chart %s = %+v, want noData with a message", id, s)
		}
	}
	if specs["chart-health-gauge-data"].NoData {
		t.Error("gauge has data but says noData")
	}
	if !strings.Contains(html, "No member has a score yet.") || !strings.Contains(html, "No member is at risk or on watch.") {
		t.Error("empty tables lack their message")
	}
}

func TestOverviewNaN(t *testing.T) {
	o := pageSampleOverview()
	o.Health = math.NaN()
	o.Trend[3].Health = math.NaN()
	o.Trend[4].R = math.Inf(1)
	o.Top[0].Phi = math.NaN()
	html := renderOverviewHTML(t, o)
	specs := pageChartSpecs(t, html)
	if !specs["chart-health-gauge-data"].NoData {
		t.Error("gauge of a NaN health should say noData")
	}
	if got := seriesData(t, specs["chart-health-trend-data"], 0)[3]; got != nil {
		t.Errorf("NaN trend point = %v, want null (a gap)", got)
	}
	if got := seriesData(t, specs["chart-r-trend-data"], 0)[4]; got != nil {
		t.Errorf("Inf trend point = %v, want null (a gap)", got)
	}
	if !strings.Contains(html, `data-value="health">—<`) {
		t.Error("NaN health is not shown as —")
	}
}

func TestChartOptions(t *testing.T) {
	html := renderOverviewHTML(t, pageSampleOverview())
	for id, s := range pageChartSpecs(t, html) {
		if _, ok := s.Option["tooltip"].(map[string]any); !ok {
			t.Errorf("chart %s has no tooltip", id)
		}
		if strings.Contains(mustJSON(t, s.Option), "__f__") {
			t.Errorf("chart %s carries a __f__ function string", id)
		}
		if seriesType(t, s, 0) != "line" {
			continue
		}
		zooms, _ := s.Option["dataZoom"].([]any)
		if got, want := len(zooms), 1; got != want {
			t.Fatalf("chart %s: dataZoom = %v, want one", id, s.Option["dataZoom"])
		}
		if got, want := zooms[0].(map[string]any)["type"], any("inside"); got != want {
			t.Errorf("chart %s: dataZoom type = %v, want %v", id, got, want)
		}
	}

	// A legend appears when a line chart has several series.
	for _, n := range []int{1, 2} {
		list := []lineSeries{{Name: "a", Values: []float64{1, 2}}, {Name: "b", Values: []float64{3, 4}}}[:n]
		spec, err := trendLine([]string{"2025-01-01", "2025-01-08"}, list, trendOpts{})
		if err != nil {
			t.Fatal(err)
		}
		legend, _ := spec.Option["legend"].(map[string]any)
		if got, want := legend["show"] == true, n > 1; got != want {
			t.Errorf("%d series: legend shown = %v, want %v", n, got, want)
		}
	}
}

func TestGaugeBands(t *testing.T) {
	for _, tc := range []struct {
		health float64
		color  string
	}{{85, colorHealthy}, {70, colorHealthy}, {55, colorWatch}, {40, colorWatch}, {12, colorAtRisk}} {
		spec, err := healthGauge(tc.health, DefaultBands())
		if err != nil {
			t.Fatal(err)
		}
		s := optSeries(spec.Option, 0)
		detail, _ := s["detail"].(map[string]any)
		if got, want := detail["color"], any(tc.color); got != want {
			t.Errorf("health %v: value colour = %v, want %v", tc.health, got, want)
		}
		bands := s["axisLine"].(map[string]any)["lineStyle"].(map[string]any)["color"].([]any)
		if got, want := len(bands), 3; got != want {
			t.Errorf("health %v: %d bands, want %d", tc.health, got, want)
		}
	}
}

func TestErrorPage(t *testing.T) {
	var buf bytes.Buffer
	if err := newTestRenderer(t).Error(&buf, 404, `no member "<b>x</b>"`); err != nil {
		t.Fatalf("Error: %v", err)
	}
	html := buf.String()
	for _, want := range []string{
		"<title>Not Found · EcoPulse</title>",
		"404 · Not Found",
		`no member &#34;&lt;b&gt;x&lt;/b&gt;&#34;`,
		`<a href="/sources">Sources</a>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("error page lacks %q", want)
		}
	}
	if strings.Contains(html, "<b>x") {
		t.Error("error message is not escaped")
	}
	if strings.Contains(html, "data as of") {
		t.Error("error page shows a freshness line")
	}
}

func TestNavigation(t *testing.T) {
	html := renderOverviewHTML(t, pageSampleOverview())
	last := -1
	for _, l := range []struct{ path, label string }{
		{"/", "Overview"}, {"/members", "Members"}, {"/network", "Network"}, {"/api-usage", "API usage"},
		{"/projects", "Projects"}, {"/community", "Community"}, {"/snapshots", "Snapshots"}, {"/sources", "Sources"},
	} {
		link := `<a href="` + l.path + `"`
		i := strings.Index(html, `<li>`+link)
		if i < 0 {
			t.Errorf("navigation lacks %s", l.path)
			continue
		}
		if i < last {
			t.Errorf("navigation entry %s out of order", l.path)
		}
		last = i
		if !strings.Contains(html[i:], ">"+l.label+"</a>") {
			t.Errorf("navigation entry %s lacks its label %q", l.path, l.label)
		}
	}
	if !strings.Contains(html, `<a href="/" aria-current="page">Overview</a>`) {
		t.Error("Overview is not marked as the current page")
	}
	if got, want := strings.Count(html, `aria-current="page"`), 1; got != want {
		t.Errorf("current entries = %d, want %d", got, want)
	}
}

func TestStaticFS(t *testing.T) {
	static := StaticFS()
	for _, name := range []string{"app.js", "app.css"} {
		b, err := fs.ReadFile(static, name)
		if err != nil {
			t.Fatalf("StaticFS: %v", err)
		}
		if len(b) == 0 {
			t.Errorf("%s is empty", name)
		}
	}
	_, err := fs.Stat(static, "vendor/echarts.min.js")
	if got, want := HasECharts(), err == nil; got != want {
		t.Errorf("HasECharts() = %v, but stat vendor/echarts.min.js gave %v", got, err)
	}
	if !HasECharts() {
		t.Log("vendor/echarts.min.js is absent: run scripts/assets.sh to bundle ECharts")
	}

	// The page loads what StaticFS holds, under StaticPrefix.
	html := renderOverviewHTML(t, pageSampleOverview())
	if !strings.Contains(html, `<script src="/static/app.js" defer></script>`) {
		t.Error("page does not load /static/app.js")
	}
	if got, want := strings.Contains(html, `/static/vendor/echarts.min.js`), HasECharts(); got != want {
		t.Errorf("page loads echarts = %v, want %v", got, want)
	}
}

func gaugeValue(tb testing.TB, s pageChartSpec) float64 {
	tb.Helper()
	data := seriesData(tb, s, 0)
	if len(data) != 1 {
		tb.Fatalf("gauge data = %v", data)
	}
	item, _ := data[0].(map[string]any)
	return toFloat(tb, item["value"])
}

func seriesType(tb testing.TB, s pageChartSpec, i int) string {
	tb.Helper()
	list, _ := s.Option["series"].([]any)
	if i >= len(list) {
		tb.Fatalf("no series %d in %v", i, s.Option)
	}
	typ, _ := list[i].(map[string]any)["type"].(string)
	return typ
}

// seriesData returns the values of series i; {"value": v} items become v
// for line charts, and stay whole otherwise.
func seriesData(tb testing.TB, s pageChartSpec, i int) []any {
	tb.Helper()
	list, _ := s.Option["series"].([]any)
	if i >= len(list) {
		tb.Fatalf("no series %d in %v", i, s.Option)
	}
	ser := list[i].(map[string]any)
	data, _ := ser["data"].([]any)
	if ser["type"] != "line" {
		return data
	}
	out := make([]any, len(data))
	for j, d := range data {
		if m, ok := d.(map[string]any); ok {
			out[j] = m["value"]
		} else {
			out[j] = d
		}
	}
	return out
}

func axisData(tb testing.TB, s pageChartSpec, key string) []string {
	tb.Helper()
	var axis map[string]any
	switch v := s.Option[key].(type) {
	case []any:
		if len(v) > 0 {
			axis, _ = v[0].(map[string]any)
		}
	case map[string]any:
		axis = v
	}
	raw, _ := axis["data"].([]any)
	out := make([]string, len(raw))
	for i, v := range raw {
		out[i], _ = v.(string)
	}
	return out
}

func toFloat(tb testing.TB, v any) float64 {
	tb.Helper()
	f, ok := v.(float64)
	if !ok {
		tb.Fatalf("%v (%T) is not a number", v, v)
	}
	return f
}

func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
