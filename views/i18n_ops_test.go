package views

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// The operating pages — benefit allocation, API versions, the developer
// funnel — in Chinese: the interface's words (template and Go-built chart
// text alike) from the catalogues, the collected names and the numbers as
// the English page shows them.

// sameNumbers checks that both pages hold the same matches of re, in order.
func sameNumbers(t *testing.T, page string, re *regexp.Regexp, en, zh string) {
	t.Helper()
	a, b := re.FindAllString(en, -1), re.FindAllString(zh, -1)
	if len(a) == 0 || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("the %s page's numbers %v in English, %v in Chinese", page, a, b)
	}
}

func sampleAllocation() *Allocation {
	f := func(v float64) *float64 { return &v }
	return &Allocation{Period: "2026-W48", PeriodKind: "week", From: "2026-11-23", To: "2026-11-29", Pool: "100000.00", PoolMinor: 10000000,
		Currency: "CNY", MinorDigits: 2, Rule: "shapley",
		Basis: "Provisional: 2026-W48 is open (2026-W48 has no snapshot yet); weeks without a snapshot use their latest scored day, which may be scored again.",
		Weeks: []AllocationWeek{{Week: "2026-W48", Day: "2026-11-28"}}, Missing: []string{},
		Members: []AllocationMember{
			{Slug: "acme-ai", Name: "Acme AI", C: f(1.5), Phi: f(0.375), Basis: 0.375, Share: 0.6, Amount: "60000.00", AmountMinor: 6000000,
				Parts: []AllocationPart{{Kind: "tie", Partner: "bright", PartnerName: "Bright Labs", Value: 0.25, Amount: "40000.00", AmountMinor: 4000000},
					{Kind: "unattributed", Value: 0.125, Amount: "20000.00", AmountMinor: 2000000}}},
			{Slug: "bright", Name: "Bright Labs", C: f(1), Phi: f(0.25), Basis: 0.25, Share: 0.4, Amount: "40000.00", AmountMinor: 4000000,
				Parts: []AllocationPart{{Kind: "tie", Partner: "acme-ai", PartnerName: "Acme AI", Value: 0.25, Amount: "40000.00", AmountMinor: 4000000}}},
			{Slug: "evil", Name: hostileNames[0], Amount: "0.00", Note: "no share: its Σφ in the period is not positive", Parts: []AllocationPart{}},
		}}
}

// TestAllocationPageInChinese: the form, the statement's words, the rule
// names, its basis and notes and the amounts chart in Chinese; the amounts,
// the member names and the statement itself (what the JSON and the
// downloads give) as they are.
func TestAllocationPageInChinese(t *testing.T) {
	a := sampleAllocation()
	q := AllocationQuery{Period: "2026-W48", Pool: "100000", Rule: "shapley"}
	render := func(r *Renderer) string {
		var b bytes.Buffer
		if err := r.AllocationPage(&b, q, a); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	en, zh := render(newTestRenderer(t)), render(newTestRenderer(t).In(LangChinese))
	checkPage(t, "the English allocation page", en, []string{"<h2>Statement</h2>", "tie with Bright Labs: K(C+C′)/2", "Provisional: 2026-W48 is open",
		`<option value="equal">equal</option>`, "no share: its Σφ in the period is not positive", "rule shapley"}, nil)
	checkPage(t, "the Chinese allocation page", zh, []string{"<title>收益分配", "<h2>分配表</h2>", `<option value="shapley" selected>Shapley</option>`,
		`<option value="equal">平均</option>`, "<th scope=\"col\" class=\"n\">金额（CNY）</th>", "与 Bright Labs 的合作关系: K(C+C′)/2 = 0.25",
		"未冻结合作关系的周的 φ: 0.125", "暂定：2026-W48 尚未结束（2026-W48 还没有快照）", "无份额：其在该周期内的 Σφ 不为正",
		"2026-W48（2026-11-23 至 2026-11-29），规则：Shapley", "周：2026-W48（2026-11-28 的得分）", "<figcaption>各成员分配金额（CNY）</figcaption>",
		"2026-W48 的 100000.00 CNY 按Shapley规则分配：Acme AI 60000.00、Bright Labs 40000.00、&lt;/script&gt;",
		`<a href="/members/acme-ai">Acme AI</a>`, `data-amount="60000.00">60000.00<`, `data-part-amount="20000.00">20000.00<`},
		[]string{"Statement", ">Members<", "Provisional", "tie with", "no share", "Amount by member", "Benefit allocation", "Weeks:", hostileNames[0]})
	sameNumbers(t, "allocation", regexp.MustCompile(`data-(?:part-)?amount="[^"]*">[^<]*<`), en, zh)
	if s := optSeries(specOf(t, zh, "chart-allocation"), 0); s["name"] != "金额（CNY）" {
		t.Errorf("the amounts series is named %v", s["name"])
	}
	if !strings.HasPrefix(a.Basis, "Provisional:") || !strings.HasPrefix(a.Members[2].Note, "no share:") {
		t.Errorf("rendering in Chinese changed the statement: %q, %q", a.Basis, a.Members[2].Note)
	}
	a.Closed = true
	checkPage(t, "the Chinese closed allocation page", render(newTestRenderer(t).In(LangChinese)),
		[]string{`<p class="kpi-label">已结算</p>`, "已结算：仅按 2026-W48 的每周快照"}, []string{"Closed"})
	var empty bytes.Buffer
	if err := newTestRenderer(t).In(LangChinese).AllocationPage(&empty, AllocationQuery{}, nil); err != nil {
		t.Fatal(err)
	}
	checkPage(t, "the Chinese empty allocation page", empty.String(), []string{"请选择周期和资金池"}, []string{"Choose a period"})
}

// TestAPIVersionsPageInChinese: statuses, sunsets, the charts' titles,
// axes and the unversioned series in Chinese; versions, member slugs,
// calls and shares as on the English page; the JSON's machine names kept.
func TestAPIVersionsPageInChinese(t *testing.T) {
	db, vs, at := versionsFixture(t)
	v, err := BuildAPIVersions(context.Background(), db, vs, APIVersionsQuery{At: at, SunsetDays: 14})
	if err != nil {
		t.Fatal(err)
	}
	render := func(r *Renderer) string {
		var b bytes.Buffer
		if err := r.APIVersionsPage(&b, v); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	en, zh := render(newTestRenderer(t)), render(newTestRenderer(t).In(LangChinese))
	checkPage(t, "the English versions page", en, []string{"<h3>v1: sunset 2026-03-26 (in 5 days)</h3>", `data-status="deprecated">deprecated</span>`, "<h2>Sunsets</h2>", "Would break now: "}, nil)
	checkPage(t, "the Chinese versions page", zh, []string{"<h2>API 版本 · 截至 2026-03-21</h2>", `data-status="deprecated">已弃用</span>`,
		`data-status="current">当前</span>`, "<h3>v1：2026-03-26 停用（还有 5 天）</h3>", "现在停用将受影响：",
		`<a href="/members/laggard" data-at-risk="laggard">laggard</a>（`, `>未归属版本</th>`, "<h2>调用已弃用版本的成员</h2>",
		"<figcaption>各版本每日调用占比</figcaption>", "2026-02-22 至 2026-03-21 的调用占比：v1 ", `data-risk="v1">v1</span>`},
		[]string{"<h2>Versions</h2>", "Sunsets", "Would break", ">deprecated<", ">current<", ">unversioned<", "Share of calls", "Members on deprecated", "as of"})
	sameNumbers(t, "versions", regexp.MustCompile(`data-(?:calls|share|deprecated-calls|deprecated-share)="[^"]*">[^<]*<`), en, zh)
	opt := specOf(t, zh, "chart-version-adoption")
	last := optSeries(opt, len(v.Adoption.Series)-1)
	if v.Adoption.Series[len(v.Adoption.Series)-1].Name != "unversioned" || last["name"] != "未归属版本" {
		t.Errorf("the unversioned series: %q in the JSON, %v on the chart", v.Adoption.Series[len(v.Adoption.Series)-1].Name, last["name"])
	}
	if y, _ := opt["yAxis"].([]any); len(y) == 0 || y[0].(map[string]any)["name"] != "调用占比（%）" {
		t.Errorf("the adoption chart's axis: %v", opt["yAxis"])
	}
	if v.Versions[0].Status != "deprecated" {
		t.Errorf("the JSON's status is %q, want deprecated", v.Versions[0].Status)
	}
}

// TestDevelopersPageInChinese: the stages, the heatmap's axis and
// tooltips, the time-to-success series, the cohorts and the groups of no
// segment or no member in Chinese; the counts, rates and days as in
// English, member names escaped, the JSON's English labels kept.
func TestDevelopersPageInChinese(t *testing.T) {
	d := sampleDevelopers()
	d.Segments = append(d.Segments, DeveloperGroup{Key: "", Label: "No segment", DeveloperFunnel: d.Segments[0].DeveloperFunnel})
	d.Cohorts[1].Members = []DeveloperGroup{{Key: "", Label: "Unmapped consumers", DeveloperFunnel: d.Cohorts[1].DeveloperFunnel}}
	render := func(r *Renderer) string {
		var b bytes.Buffer
		if err := r.DevelopersPage(&b, d); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	en, zh := render(newTestRenderer(t)), render(newTestRenderer(t).In(LangChinese))
	checkPage(t, "the English developers page", en, []string{"<td>First successful call</td>", "<td>No segment</td>", "Unmapped consumers", "<h2>Funnel</h2>"}, nil)
	checkPage(t, "the Chinese developers page", zh, []string{"<h2>开发者漏斗 · 2026-06-01 至 2026-06-14 首次出现的调用方</h2>", "<td>首次成功调用</td>",
		`<th scope="col" class="n">第 8 周活跃</th>`, "<td>无细分</td>", "未映射的调用方", "<td>NLP</td>", "<h2>每周同期群及其成员</h2>",
		"自每个调用方首次调用起跟踪 8 周，截至调用数据的最后一天 <span class=\"nowrap\">2026-06-20</span>：届时尚未结束的周不计入",
		"5 个新调用方：首次调用 5/5（100.0%）；首次成功调用 3/5（60.0%）", "首次成功调用耗时中位数 2.0 天，第 90 百分位 6.4 天。",
		"&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;", `data-n="first_success.rate">60.0<`},
		[]string{"First call", "First successful call", "No segment", "Unmapped consumers", "<h2>Funnel</h2>", "Weekly cohorts", "New consumers",
			"Share of new consumers", "week 1", hostileNames[0]})
	sameNumbers(t, "developers", regexp.MustCompile(`data-n="[^"]*">[^<]*<`), en, zh)
	heat := specOf(t, zh, "chart-developers-retention")
	if x, _ := heat["xAxis"].([]any); len(x) == 0 || fmt.Sprint(x[0].(map[string]any)["data"]) != "[第 1 周 第 2 周 第 3 周 第 4 周 第 5 周 第 6 周 第 7 周 第 8 周]" {
		t.Errorf("the heatmap's weeks: %v", heat["xAxis"])
	}
	if cells, _ := optSeries(heat, 0)["data"].([]any); len(cells) == 0 || cells[1].(map[string]any)["tip"] != "2026-W23 同期群，第 2 周" {
		t.Errorf("the heatmap's tooltips: %v", cells)
	}
	ttfs := specOf(t, zh, "chart-developers-ttfs")
	if s := optSeries(ttfs, 1); s["name"] != "第 90 百分位" {
		t.Errorf("the 90th percentile series is named %v", s["name"])
	}
	if d.Stages[1].Label != "First successful call" || d.Segments[1].Label != "No segment" {
		t.Errorf("rendering in Chinese changed the funnel's labels: %q, %q", d.Stages[1].Label, d.Segments[1].Label)
	}
}
