package views

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"math"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// chartJSON is a chart's option as JSON text, for asserting the words in it.
func chartJSON(t *testing.T, specs map[string]pageChartSpec, id string) string {
	t.Helper()
	s, ok := specs[id]
	if !ok {
		t.Fatalf("no chart %s", id)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestOverviewGoTextInChinese: the words the overview builds in Go — the
// page title, KPI labels and help, period names, the story's title, summary
// lines and reasons, chart titles, series names, band limits and the
// warm-up's label inside the charts' JSON — are Chinese on a Chinese page,
// with the same numbers; the English page says exactly what the JSON API
// says (its summary lines and reasons are the page's).
func TestOverviewGoTextInChinese(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	plantDataDays(t, db, "2026-03-02", "2026-06-28", "2026-06-16")
	scoreSundays(t, db, "2026-03-08", "2026-06-28")

	at, _ := domain.ParseDay("2026-06-14") // both weeks complete: compared
	o, err := BuildOverview(ctx, db, metrics.DefaultConfig(), at)
	if err != nil {
		t.Fatal(err)
	}
	en := renderOverviewWith(t, newTestRenderer(t), *o)
	zh := renderOverviewWith(t, newTestRenderer(t).In(LangChinese), *o)

	enWant := []string{"<title>Ecosystem overview · EcoPulse</title>", `<p class="kpi-label">Active members</p>`,
		"members with activity in the scoring window", `data-period="quarter">Quarter</a>`, "The ecosystem over the last 7 days",
		"<figcaption>Health, last 26 weeks</figcaption>", "up 1.0 against 2026-06-07"}
	for _, line := range o.Summary.Lines {
		enWant = append(enWant, pageText(line))
	}
	checkPage(t, "the English overview", en, enWant, nil)
	checkPage(t, "the Chinese overview", zh,
		[]string{"<title>生态总览 · EcoPulse</title>", `<p class="kpi-label">活跃成员</p>`, "评分窗口内有活动的成员",
			`data-period="week" aria-current="true">周</a>`, `data-period="month">月</a>`, `data-period="quarter">季度</a>`,
			"最近 7 天的生态", "<figcaption>健康度（近 26 周）</figcaption>", "<figcaption>生态价值 R（近 26 周）</figcaption>",
			"按贡献加权的生态健康度为 " + fmtScore(o.Health) + "/100", "较 2026-06-07 上升 1.0",
			`data-value="health">` + fmtScore(o.Health) + "<", `data-value="R">` + fmtNum(o.R) + "<",
			"此处最早的日期为 {day}。", "请按 YYYY-MM-DD 格式输入日期"}, // app.js's date messages, in data-messages
		[]string{"Active members", "Ecosystem health is", "The ecosystem over", ">Week<", "Health, last 26 weeks", "against 2026-06-07", "milestones overdue"})

	specs := pageChartSpecs(t, zh)
	trend := chartJSON(t, specs, "chart-health-trend-data")
	for _, w := range []string{`"name":"健康度"`, `"name":"健康"`, `"name":"风险"`, `"name":"预热中"`} {
		if !strings.Contains(trend, w) {
			t.Errorf("the Chinese health trend lacks %s", w)
		}
	}
	if gauge := chartJSON(t, specs, "chart-health-gauge-data"); !strings.Contains(gauge, `"name":"生态健康度"`) {
		t.Errorf("the Chinese gauge's series is not named in Chinese: %s", gauge)
	}
	enTrend := chartJSON(t, pageChartSpecs(t, en), "chart-health-trend-data")
	for _, w := range []string{`"name":"Health"`, `"name":"healthy"`, `"name":"at risk"`, `"name":"` + WarmUpLabel + `"`} {
		if !strings.Contains(enTrend, w) {
			t.Errorf("the English health trend lacks %s", w)
		}
	}
	// The same points in both languages.
	if a, b := specs["chart-health-trend-data"].Option["series"], pageChartSpecs(t, en)["chart-health-trend-data"].Option["series"]; !sameData(a, b) {
		t.Error("the Chinese health trend's points differ from the English")
	}

	// A partial week: its reason said in each language, the JSON's English
	// on the English page.
	at, _ = domain.ParseDay("2026-06-21")
	if o, err = BuildOverview(ctx, db, metrics.DefaultConfig(), at); err != nil {
		t.Fatal(err)
	}
	if o.ChangePartial == "" {
		t.Fatal("2026-06-21: no partial week")
	}
	checkPage(t, "the English partial overview", renderOverviewWith(t, newTestRenderer(t), *o),
		[]string{pageText("Changes not computed: " + o.ChangePartial + "."), "</span> partial week<span"}, nil)
	checkPage(t, "the Chinese partial overview", renderOverviewWith(t, newTestRenderer(t).In(LangChinese), *o),
		[]string{"未计算变化：本周数据不完整：截至 2026-06-21 的 7 天中仅 6 天有采集数据。", "</span> 不完整周<span"},
		[]string{"partial week", "only 6 of the 7 days", "not compared"})
}

// pageText is s as html/template writes it between tags.
func pageText(s string) string {
	return strings.ReplaceAll(html.EscapeString(s), "+", "&#43;")
}

// sameData reports whether two series lists hold the same data points.
func sameData(a, b any) bool {
	la, _ := a.([]any)
	lb, _ := b.([]any)
	if len(la) != len(lb) || len(la) == 0 {
		return false
	}
	for i := range la {
		da, _ := json.Marshal(la[i].(map[string]any)["data"])
		db, _ := json.Marshal(lb[i].(map[string]any)["data"])
		if !bytes.Equal(da, db) {
			return false
		}
	}
	return true
}

// TestAPIUsageGoTextInChinese: the API usage page's Go-built words — title,
// chart titles, series, axes, weekdays, tooltips, summaries and its "no
// data" messages — are Chinese on a Chinese page, the numbers and the
// collected names unchanged.
func TestAPIUsageGoTextInChinese(t *testing.T) {
	page := func(u APIUsage) func(*Renderer, *bytes.Buffer) error {
		return func(r *Renderer, b *bytes.Buffer) error { return r.APIUsagePage(b, u) }
	}
	en := renderIn(t, LangEnglish, page(apiUsageSample()))
	zh := renderIn(t, LangChinese, page(apiUsageSample()))
	checkPage(t, "the English usage page", en,
		[]string{"<title>API usage · EcoPulse</title>", "<figcaption>Top 10 endpoints: calls and errors</figcaption>",
			"<figcaption>p95 latency by hour of day and weekday (UTC)</figcaption>"}, nil)
	checkPage(t, "the Chinese usage page", zh,
		[]string{"<title>API 使用情况 · EcoPulse</title>", "<figcaption>前 10 个端点：调用与错误</figcaption>",
			"<figcaption>按小时与星期的 p95 延迟（UTC）</figcaption>", "2026-06-29 至 2026-06-30 共 1,500 次调用，其中 150 次来自未映射的调用方。",
			`data-value="calls">1,500<`, `data-value="availability_budget">66.7<`, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"},
		[]string{"Top 10 endpoints", "calls from 2026-06-29", "latency by hour", "<script>alert"})

	specs := pageChartSpecs(t, zh)
	for id, words := range map[string][]string{
		"chart-usage-segments-data":  {`"name":"未映射的调用方"`, `"name":"调用"`, `"name":"（无细分）"`},
		"chart-usage-endpoints-data": {`"name":"成功"`, `"name":"4xx"`},
		"chart-usage-budget-data":    {`"name":"可用性预算"`, `"name":"延迟预算"`, `"name":"已用 %"`, `"name":"预算"`},
		"chart-usage-heatmap-data":   {`"周一"`, `"周日"`, `"调用次数"`, `"错误率"`, `"p95 延迟（ms）"`, `"慢（ms）"`, `周一 09:00–10:00 UTC`},
		"chart-usage-unmapped-data":  {`"name":"未映射调用"`},
	} {
		js := chartJSON(t, specs, id)
		for _, w := range words {
			if !strings.Contains(js, w) {
				t.Errorf("%s lacks %s", id, w)
			}
		}
		for _, english := range []string{"Unmapped", "Succeeded", "budget", "Mon", "Error rate", "slow"} {
			if strings.Contains(js, english) {
				t.Errorf("%s holds %q", id, english)
			}
		}
	}
	if a, b := specs["chart-usage-segments-data"].Option["series"], pageChartSpecs(t, en)["chart-usage-segments-data"].Option["series"]; !sameData(a, b) {
		t.Error("the Chinese segments chart's points differ from the English")
	}

	// No calls: every chart says so, in Chinese.
	empty := APIUsage{From: "2020-01-01", To: "2020-01-07", Top: 10, Heatmap: APIUsageHeatmap{Weekdays: apiUsageWeekdays}}
	for id, s := range pageChartSpecs(t, renderIn(t, LangChinese, page(empty))) {
		if !s.NoData || s.Message != "2020-01-01 至 2020-01-07 之间没有 API 调用" {
			t.Errorf("%s without calls: %+v", id, s)
		}
	}
	// A trend's default "no data" message, in Chinese when the chart speaks it.
	spec, err := trendLine([]string{"2025-01-01"}, []lineSeries{{Name: "x", Values: []float64{math.NaN()}}}, trendOpts{Tr: newTestRenderer(t).In(LangChinese).Tr()})
	if err != nil || !spec.NoData || spec.Message != "该时段暂无数据" {
		t.Errorf("an empty trend in Chinese: %+v, %v", spec, err)
	}
	if spec, _ := trendLine(nil, nil, trendOpts{}); spec.Message != "No data for this period" {
		t.Errorf("an empty trend without a Tr: %q, want the English", spec.Message)
	}
}

// TestScoreTermsInChinese: every score's description the pages show is in
// the catalogues — the same English as the page always said, and Chinese
// on a Chinese page (with the configured bands in the status's).
func TestScoreTermsInChinese(t *testing.T) {
	b := Bands{HealthyMin: 75, WatchMin: 45}
	zh := newTestRenderer(t).In(LangChinese).Tr()
	for _, d := range termDefs {
		en := termOf(d.Key, b)
		if got := termIn(EnglishTr(), d.Key, b); got != en {
			t.Errorf("%s in English: %+v, want %+v", d.Key, got, en)
		}
		if got := termIn(zh, d.Key, b); got.Label == en.Label || got.Text == en.Text || got.Href != en.Href {
			t.Errorf("%s in Chinese: %+v", d.Key, got)
		}
	}
	if got := termIn(zh, "status", b).Text; got != "75 及以上为健康，45 至 75 为关注，低于 45 为风险。" {
		t.Errorf("the status term in Chinese: %q", got)
	}
	var buf bytes.Buffer
	if err := newTestRenderer(t).In(LangChinese).HowScoresPage(&buf); err != nil {
		t.Fatal(err)
	}
	checkPage(t, "the Chinese how-scores page", buf.String(), []string{"<title>评分说明 · EcoPulse</title>", "生态价值 R", "按贡献 C 加权平均的成员健康度"},
		[]string{"Members' health averaged"})
}

// TestSetupStepsInChinese: the getting-started checklist the overview shows
// is said in the page's language; in English exactly as its JSON says it.
func TestSetupStepsInChinese(t *testing.T) {
	s, err := BuildSetup(context.Background(), datatest.MustOpenDB(t))
	if err != nil {
		t.Fatal(err)
	}
	en := s.in(EnglishTr())
	zh := s.in(newTestRenderer(t).In(LangChinese).Tr())
	for i, st := range s.Steps {
		if en.Steps[i] != st {
			t.Errorf("step %s in English: %+v, want %+v", st.ID, en.Steps[i], st)
		}
		if z := zh.Steps[i]; z.Title == st.Title || z.How == st.How || z.ID != st.ID || z.Href != st.Href || z.Done != st.Done {
			t.Errorf("step %s in Chinese: %+v", st.ID, z)
		}
	}
	if s.Steps[0].Title != "Add your ecosystem's members" {
		t.Errorf("the setup's JSON changed: %q", s.Steps[0].Title)
	}
}

var hanRE = regexp.MustCompile(`\p{Han}`)

// TestReasonsInChinese: a member's reason said from its facts is the
// domain's English sentence word for word in English, and Chinese with the
// same numbers on a Chinese page, for every kind of reason.
func TestReasonsInChinese(t *testing.T) {
	zh := newTestRenderer(t).In(LangChinese).Tr()
	changes := []domain.Change{
		{Kind: domain.ChangeUsageDrop, Dimension: "api", Now: 4700, Before: 12400},
		{Kind: domain.ChangeDormant, Dimension: "api", Now: 9, Before: 350},
		{Kind: domain.ChangeDormant, Dimension: "api", Now: 1, Before: 35},
		{Kind: domain.ChangeLatency, Dimension: "api", Now: 1850, Before: 800},
		{Kind: domain.ChangeErrors4xx, Dimension: "api", Now: 0.213, Before: 0.004},
		{Kind: domain.ChangeErrors5xx, Dimension: "api", Now: 0.05, Before: 0.01},
		{Kind: domain.ChangeUnanswered, Dimension: "community", Now: 3, Of: 7, Before: 48},
		{Kind: domain.ChangeSlowResponse, Dimension: "community", Now: 30.5, Before: 24},
		{Kind: domain.ChangeContributionDrop, Dimension: "community", Now: 3, Before: 0},
		{Kind: domain.ChangeContributorLoss, Dimension: "community", Now: 4, Before: 9},
		{Kind: domain.ChangeMilestonesOverdue, Dimension: "projects", Now: 1},
		{Kind: domain.ChangeMilestonesOverdue, Dimension: "projects", Now: 3},
		{Kind: domain.ChangeMilestonesLate, Dimension: "projects", Now: 1, Of: 4},
	}
	var scores []domain.MemberScore
	for _, c := range changes {
		c.Score = 0.2
		scores = append(scores, domain.MemberScore{Status: domain.StatusAtRisk, Changes: []domain.Change{c}})
	}
	low := domain.MemberScore{Status: domain.StatusWatch, Dimensions: [4]float64{80, 41.6, math.NaN(), 10}}
	none := domain.MemberScore{Status: domain.StatusWatch, Dimensions: [4]float64{math.NaN(), math.NaN(), math.NaN(), 10}}
	scores = append(scores, low, none)
	for _, s := range scores {
		e := s.Explain()
		f := reasonFactsOf(&s)
		if got := reasonIn(EnglishTr(), f); got != e.Text {
			t.Errorf("%s in English: %q, want %q", e.Kind, got, e.Text)
		}
		if got := reasonIn(zh, f); got == e.Text || !hanRE.MatchString(got) {
			t.Errorf("%s in Chinese: %q", e.Kind, got)
		}
	}
	if got := reasonIn(zh, reasonFactsOf(&scores[0])); got != "API 调用较前四周 −62%（每周 12.4k → 4.70k）" {
		t.Errorf("usage drop in Chinese: %q", got)
	}
	if got := reasonIn(zh, reasonFactsOf(&low)); got != "项目里程碑 42/100，为其最低维度；相对自身基线没有下降项" {
		t.Errorf("lowest dimension in Chinese: %q", got)
	}
	rows := []MemberRow{{Slug: "a", Reason: scores[0].Explain().Text}, {Slug: "b", Reason: "kept"}}
	out := rowsIn(zh, rows, map[string]reasonFacts{"a": reasonFactsOf(&scores[0])})
	if out[0].Reason != "API 调用较前四周 −62%（每周 12.4k → 4.70k）" || out[1].Reason != "kept" || rows[0].Reason != scores[0].Explain().Text {
		t.Errorf("rowsIn: %+v (the rows given: %+v)", out, rows)
	}
}

// TestLagInChinese: a source's lag reads in the page's language, the same
// digits; in English as it always did.
func TestLagInChinese(t *testing.T) {
	zh := newTestRenderer(t).In(LangChinese).Tr()
	for _, c := range []struct {
		sec    int64
		en, zh string
	}{{45, "45s", "45 秒"}, {720, "12m", "12 分钟"}, {3*3600 + 300, "3h 5m", "3 小时 5 分钟"}, {2*86400 + 4*3600, "2d 4h", "2 天 4 小时"}} {
		if got := fmtLag(c.sec); got != c.en {
			t.Errorf("fmtLag(%d) = %q, want %q", c.sec, got, c.en)
		}
		if got := fmtLagIn(zh, c.sec); got != c.zh {
			t.Errorf("fmtLagIn(zh, %d) = %q, want %q", c.sec, got, c.zh)
		}
	}
}

// TestCommunityAndProjectsGoTextInChinese: the community page's and an
// agreement's charts speak Chinese on a Chinese page — series, axes,
// marks, legends, tooltips, summaries — the numbers unchanged.
func TestCommunityAndProjectsGoTextInChinese(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	c := Community{From: "2026-06-01", To: "2026-06-14", Days: 14, Contributions: 20, ActiveContributors: 6, NewContributors: 2,
		PROpened: 4, PRMerged: 3, ClosureRatio: f(0.75), Threads: 5, Responded: 4, FirstResponseMedian: f(3.25), FirstResponseP90: f(30),
		BusFactor: 2, BusFactorShare: 0.6, Concentration: []float64{0.35, 0.6, 0.8, 0.9, 0.95, 1},
		Weeks: []CommunityWeek{
			{Week: "2026-W23", Start: "2026-06-01", End: "2026-06-07", Contributions: 12, ActiveContributors: 5, NewContributors: 2, PROpened: 2, PRMerged: 2, ClosureRatio: f(1), FirstResponseMedian: f(3), FirstResponseP90: f(5), DataDays: 7},
			{Week: "2026-W24", Start: "2026-06-08", End: "2026-06-14", Contributions: 8, ActiveContributors: 3, PROpened: 2, PRMerged: 1, ClosureRatio: f(0.5), DataDays: 7},
		}}
	page := func(r *Renderer, b *bytes.Buffer) error { return r.CommunityPage(b, c) }
	en, zh := renderIn(t, LangEnglish, page), renderIn(t, LangChinese, page)
	checkPage(t, "the English community page", en, []string{"<title>Community · EcoPulse</title>", "6 active contributors, 2 of them new, from 2026-06-01 to 2026-06-14."}, nil)
	checkPage(t, "the Chinese community page", zh, []string{"<title>社区 · EcoPulse</title>", "2026-06-01 至 2026-06-14 共有 6 名活跃贡献者，其中 2 名为新人。",
		"新开 4 个拉取请求，合并 3 个：关闭率 75.0%。"}, []string{"active contributors", "pull requests opened"})
	specs := pageChartSpecs(t, zh)
	for id, words := range map[string][]string{
		"chart-community-people-data":        {`"name":"活跃"`, `"name":"新人"`},
		"chart-community-response-data":      {`"name":"中位数"`, `"name":"第 90 百分位"`, `"name":"小时"`},
		"chart-community-closure-data":       {`"name":"新开"`, `"name":"已合并"`, `"name":"关闭率 %"`},
		"chart-community-concentration-data": {`"name":"贡献占比"`, `"name":"最活跃的贡献者"`, `"name":"巴士系数 2"`},
	} {
		js := chartJSON(t, specs, id)
		for _, w := range words {
			if !strings.Contains(js, w) {
				t.Errorf("%s lacks %s", id, w)
			}
		}
	}

	d := ProjectDetail{At: "2026-03-14", States: MemberMilestoneCounts{Done: 1, Overdue: 1},
		Milestones: []ProjectMilestone{
			{Title: "A", DueOn: "2026-03-01", DoneOn: "2026-02-27", State: "done", Source: "registry"},
			{Title: "C", DueOn: "2026-03-12", State: "overdue", Source: "github", DaysOverdue: 2},
		}}
	zp, err := buildProjectPageIn(newTestRenderer(t).In(LangChinese).Tr(), d, false)
	if err != nil {
		t.Fatal(err)
	}
	ep, err := buildProjectPage(d, false)
	if err != nil {
		t.Fatal(err)
	}
	if zp.Timeline.Title != "里程碑" || zp.Timeline.Summary != "2026-03-14：1 个按时完成，0 个延期完成，1 个逾期，0 个未到期。" ||
		ep.Timeline.Summary != "On 2026-03-14: 1 done on time, 0 done late, 1 overdue, 0 upcoming." {
		t.Errorf("the timeline's words: %q %q / %q", zp.Timeline.Title, zp.Timeline.Summary, ep.Timeline.Summary)
	}
	js, _ := json.Marshal(zp.Timeline.Spec)
	for _, w := range []string{`"name":"已完成"`, `"name":"逾期"`, `"name":"交付日期"`, `"到期"`, `"2 天"`, `"A（已交付）"`} {
		if !strings.Contains(string(js), w) {
			t.Errorf("the Chinese timeline lacks %s", w)
		}
	}
	js, _ = json.Marshal(ep.Timeline.Spec)
	for _, w := range []string{`"name":"done"`, `"name":"delivered on"`, `"Overdue by"`, `"2 days"`, `"A (delivered)"`} {
		if !strings.Contains(string(js), w) {
			t.Errorf("the English timeline lacks %s", w)
		}
	}
}

// TestErrorsAndSourcesInChinese: the error page names its status, and the
// sources page says a run's failure, in the page's language; the raw
// error stays as it was, and the caller's rows keep the English sentence
// (the JSON's).
func TestErrorsAndSourcesInChinese(t *testing.T) {
	errPage := func(r *Renderer, b *bytes.Buffer) error { return r.Error(b, 404, "") }
	checkPage(t, "the English 404", renderIn(t, LangEnglish, errPage), []string{"<title>Not Found · EcoPulse</title>"}, nil)
	checkPage(t, "the Chinese 404", renderIn(t, LangChinese, errPage), []string{"<title>未找到 · EcoPulse</title>"}, []string{"Not Found"})

	next := time.Date(2026, 6, 30, 14, 5, 0, 0, time.UTC)
	raw := "github: GET /repos/x: 401 Unauthorized"
	s := Sources{Sources: []SourceRow{{Name: "gh", Type: "github", Status: "failed", LagSeconds: 720, LastError: raw,
		NextRun: next.Format(time.RFC3339), LastErrorText: ErrorSentence("github", raw, next)}}}
	en := s.Sources[0].LastErrorText
	page := func(r *Renderer, b *bytes.Buffer) error { return r.SourcesPage(b, s, nil) }
	checkPage(t, "the English sources", renderIn(t, LangEnglish, page), []string{pageText(en), ">12m<"}, nil)
	checkPage(t, "the Chinese sources", renderIn(t, LangChinese, page),
		[]string{"<title>数据源 · EcoPulse</title>", "GitHub 拒绝了凭据（401）：请检查数据源环境变量中的令牌或 API 密钥；下次运行时间为 14:05 UTC。", ">12 分钟<"},
		[]string{"refused the credentials", "the next run is at"})
	if s.Sources[0].LastErrorText != en {
		t.Errorf("the caller's row changed: %q", s.Sources[0].LastErrorText)
	}
}

// TestPageErrorsInChinese: a bad date, range or period in a page's URL is
// still EINVALID with the same English message (the JSON API's), and says
// itself in Chinese on a Chinese page.
func TestPageErrorsInChinese(t *testing.T) {
	zh := newTestRenderer(t).In(LangChinese).Tr()
	_, badDay := ParseQueryDay("at", "2026-13-01")
	_, farDay := ParseQueryDay("at", "1999-12-31")
	_, badPeriod := ParseOverviewQuery(func(k string) string {
		if k == "period" {
			return "year"
		}
		return ""
	})
	for _, c := range []struct {
		err    error
		en, zh string
	}{
		{badDay, `at: invalid date "2026-13-01": want YYYY-MM-DD`, `at："2026-13-01" 不是有效日期，应为 YYYY-MM-DD`},
		{farDay, "at: 1999-12-31 is out of range: want a date from 2000-01-01 to 2200-01-01", "at：1999-12-31 超出范围，日期应在 2000-01-01 至 2200-01-01 之间"},
		{badPeriod, `unknown period "year": want week, month or quarter`, `未知的时段 "year"：应为 week、month 或 quarter`},
	} {
		if domain.ErrorCode(c.err) != domain.EINVALID || domain.ErrorMessage(c.err) != c.en || ErrorMessageIn(EnglishTr(), c.err) != c.en {
			t.Errorf("%v: code %s, message %q; want EINVALID, %q", c.err, domain.ErrorCode(c.err), domain.ErrorMessage(c.err), c.en)
		}
		if got := ErrorMessageIn(zh, c.err); got != c.zh {
			t.Errorf("in Chinese: %q, want %q", got, c.zh)
		}
	}
	if got := ErrorMessageIn(zh, domain.Errorf(domain.ENOTFOUND, "no member named %q", "x")); got != `no member named "x"` {
		t.Errorf("another error's message: %q", got)
	}
	if got := ErrorMessageIn(zh, os.ErrNotExist); got != "内部错误" {
		t.Errorf("an internal error in Chinese: %q", got)
	}
}
