package views

import (
	"bytes"
	"context"
	"strconv"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/metrics"
)

// seriesNames are the names of a chart's series, in order.
func seriesNames(s pageChartSpec) []string {
	var out []string
	list, _ := s.Option["series"].([]any)
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			name, _ := m["name"].(string)
			out = append(out, name)
		}
	}
	return out
}

// checkSeries fails unless the chart id of specs names its series want.
func checkSeries(t *testing.T, specs map[string]pageChartSpec, id string, want ...string) {
	t.Helper()
	got := seriesNames(specs[id])
	if len(got) != len(want) {
		t.Errorf("%s: series %q, want %q", id, got, want)
		return
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s: series %q, want %q", id, got, want)
			return
		}
	}
}

// TestMemberPageInChinese: the member page's own words, its charts'
// series and messages and its summaries come from the catalogue; the
// member's name, its partners, its segment and every number stay as they
// are. English is unchanged.
func TestMemberPageInChinese(t *testing.T) {
	d := memberDetailSample()
	page := func(r *Renderer, b *bytes.Buffer) error { return r.MemberPage(b, d) }
	en, zh := renderIn(t, LangEnglish, page), renderIn(t, LangChinese, page)

	checkPage(t, "the English member page", en,
		[]string{`<h2>Health dimensions</h2>`, `<h2>Strongest ties (<span data-value="ties">1</span>)</h2>`, `No data in the scoring window for: projects.`,
			`<span class="ms-state">done</span> M1 <span class="muted">due 2026-05-01, done 2026-04-30</span>`, `· gold tier ·`, `Health is 72.4 out of 100 (healthy) on 2026-06-30.`},
		nil)
	checkPage(t, "the Chinese member page", zh,
		[]string{`<title>Acme AI · EcoPulse</title>`, `<h2>健康度各维度</h2>`, `<h2>最强合作关系 (<span data-value="ties">1</span>)</h2>`,
			`评分窗口内以下维度没有数据：项目。`, `<p class="kpi-label">变化原因</p>`, `<span class="ms-state">已完成</span> M1 <span class="muted">2026-05-01 到期，2026-04-30 完成</span>`,
			`<h2>API 调用 · 2026-06-29 至 2026-06-30</h2>`, `<h2>合作项目 (<span data-value="projects">1</span>)</h2>`, `<h2>社区 · 2026-04-13 至 2026-06-30 各周</h2>`,
			`2026-06-30 的健康度为 72.4/100（健康）。`, `2026-06-29 至 2026-06-30 共 1,000 次 API 调用，其中 1.50% 为错误。`, `最强合作关系：Bolt 0.800。`,
			`<a href="/members">← 成员</a>`, `合作伙伴 · gold 等级 · NLP · 加入于`, `<span data-value="p95">300</span> 毫秒`, `<dd data-value="calls">1,000</dd>`,
			`data-value="health">72.4<`, `<a href="/members/bolt">Bolt</a>`, `&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;`},
		[]string{"Health dimensions", "Strongest ties", "Cooperation projects", "What changed", "No data in the scoring window", "Top endpoints",
			"Profile against the ecosystem median", "API calls per day", "Health is 72.4", "done late", "gold tier", "Milestones on", ">Consumers<"})

	specs := pageChartSpecs(t, zh)
	checkSeries(t, specs, "chart-member-radar-data", "本成员", "生态中位数")
	checkSeries(t, specs, "chart-member-history-data", "健康度", "生态")
	checkSeries(t, specs, "chart-member-calls-data", "成功", "4xx", "5xx")
	checkSeries(t, specs, "chart-member-contributors-data", "活跃", "新增")
	checkSeries(t, specs, "chart-member-milestones-data", "已完成", "逾期")
	if s := specs["chart-member-latency-data"]; s.ValueSuffix != " 毫秒" {
		t.Errorf("the Chinese latency chart's unit is %q", s.ValueSuffix)
	}

	// A member without usage or ties: the notices too.
	d.Usage, d.Ties = MemberUsage{From: "2026-06-01", To: "2026-06-02"}, nil
	zh = renderIn(t, LangChinese, page)
	checkPage(t, "the Chinese member page without usage", zh,
		[]string{`2026-06-01 至 2026-06-02 之间没有 API 调用：该成员的 API 调用方在此期间没有发起调用。`, `<td colspan="3" class="muted">2026-06-30 没有合作关系。</td>`},
		[]string{"No API usage", "No cooperation tie"})
	if m := pageChartSpecs(t, zh)["chart-member-ties-data"].Message; m != "当天没有合作关系" {
		t.Errorf("the Chinese ties chart without ties says %q", m)
	}
}

// TestSnapshotPagesInChinese: the snapshot list, a week and two weeks
// compared in Chinese; weeks, names and numbers as they are.
func TestSnapshotPagesInChinese(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	threeSnapshots(t, db)
	week, err := BuildSnapshot(ctx, db, metrics.DefaultConfig(), "2026-W25")
	if err != nil {
		t.Fatal(err)
	}
	list, err := BuildSnapshots(ctx, db, metrics.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	cmp, err := BuildSnapshotCompare(ctx, db, metrics.DefaultConfig(), "2026-W22", "2026-W25")
	if err != nil {
		t.Fatal(err)
	}

	weekPage := func(r *Renderer, b *bytes.Buffer) error { return r.SnapshotPage(b, *week) }
	checkPage(t, "the English snapshot", renderIn(t, LangEnglish, weekPage),
		[]string{`<title>Snapshot 2026-W25 · EcoPulse</title>`, `Compared with <a href="/snapshots/`, `<h3>Health risers</h3>`}, nil)
	zh := renderIn(t, LangChinese, weekPage)
	checkPage(t, "the Chinese snapshot", zh,
		[]string{`<title>快照 2026-W25 · EcoPulse</title>`, `<h2>对比 <a href="/snapshots/`, `<h3>健康度上升</h3>`, `<h3>φ 下降</h3>`,
			`<p class="kpi-label">已冻结</p>`, `<th scope="col">成员</th><th scope="col">类型</th>`, `R = Σ C_i · K_i = Σ φ_i`, `的 Shapley 分配：各成员份额 φ / R</figcaption>`,
			`data-value="members">` + strconv.Itoa(week.Ecosystem.Members) + `<`, `href="/members/alpha">ALPHA</a>`},
		[]string{"Compared with", "Health risers", "Risers and fallers", "Frozen", "Downloads", "This snapshot has no member", "Snapshot 2026-W25"})

	listPage := func(r *Renderer, b *bytes.Buffer) error { return r.SnapshotsPage(b, *list) }
	checkPage(t, "the Chinese snapshot list", renderIn(t, LangChinese, listPage),
		[]string{`<title>每周快照 · EcoPulse</title>`, `<h2>各周</h2>`, `<h2>跨周对比</h2>`, `>任选两周对比</a>`, `<th scope="col">周</th>`,
			`<a href="/snapshots/2026-W25">2026-W25</a>`},
		[]string{"Weekly snapshots", "Across weeks", "Compare any two weeks", "<h2>Weeks</h2>", "Taken at"})
	checkPage(t, "the empty Chinese snapshot list", renderIn(t, LangChinese, func(r *Renderer, b *bytes.Buffer) error {
		return r.SnapshotsPage(b, SnapshotList{Snapshots: []SnapshotSummary{}})
	}), []string{`还没有快照——请运行 <code>ecopulse snapshot</code>，或等待本周结束`}, []string{"No snapshot yet"})

	cmpPage := func(r *Renderer, b *bytes.Buffer) error { return r.SnapshotComparePage(b, *cmp) }
	checkPage(t, "the English comparison", renderIn(t, LangEnglish, cmpPage),
		[]string{`<tr data-total="at_risk"><th scope="row">At risk</th>`, `only in 2026-W22`}, nil)
	checkPage(t, "the Chinese comparison", renderIn(t, LangChinese, cmpPage),
		[]string{`<title>快照 2026-W22 与 2026-W25 对比 · EcoPulse</title>`, `<tr data-total="at_risk"><th scope="row">风险</th>`,
			`<tr data-total="health"><th scope="row">健康度</th>`, `仅在 2026-W22`, `<label class="field">周 a`, `>对比</button>`,
			`<td class="n" data-col="health-a">`, `href="/members/foxtrot"`},
		[]string{"Week a", "only in", ">Compare<", "Neither week", "Frozen scores of", ">At risk<", ">Members<"})
}

// TestNetworkPageInChinese: the network's filter (the minimum-K slider),
// legend, hints and tables in Chinese, and the graph's categories and
// summary; names and numbers as they are.
func TestNetworkPageInChinese(t *testing.T) {
	n := networkSample()
	page := func(r *Renderer, b *bytes.Buffer) error { return r.NetworkPage(b, n) }
	checkPage(t, "the English network", renderIn(t, LangEnglish, page),
		[]string{`Min. K<sub>ij</sub>`, `scroll or pinch to zoom`, `<span data-value="nodes">4</span> members, <span data-value="edges">3</span> ties with K<sub>ij</sub> &gt; 0.`,
			`4 members and 3 ties with k &gt; 0 on 2026-06-30.`},
		nil)
	zh := renderIn(t, LangChinese, page)
	checkPage(t, "the Chinese network", zh,
		[]string{`<title>合作网络 · EcoPulse</title>`, `最小 K<sub>ij</sub>`, `滚动或双指捏合可缩放`, `<span data-value="nodes">4</span> 个成员，<span data-value="edges">3</span> 条合作关系，K<sub>ij</sub> &gt; 0。节点大小`,
			`<span class="swatch no-data"></span>无数据`, `<h2>最强合作关系</h2>`, `<option value="">全部细分</option>`,
			`2026-06-30：4 个成员，3 条合作关系（k &gt; 0）。`, `<a href="/members/acme">Acme AI</a>`, `Acme AI (0.900)`},
		[]string{"Min. K", "pinch", "Strongest tie", "Cooperation network", "all segments", "members,", "No tie"})

	spec := pageChartSpecs(t, zh)["chart-network-data"]
	list, _ := spec.Option["series"].([]any)
	if len(list) != 1 {
		t.Fatalf("network series: %v", spec.Option["series"])
	}
	cats, _ := list[0].(map[string]any)["categories"].([]any)
	var names []string
	for _, c := range cats {
		names = append(names, c.(map[string]any)["name"].(string))
	}
	if len(names) != 4 || names[0] != "健康" || names[2] != "风险" {
		t.Errorf("the Chinese graph's categories: %q", names)
	}

	// One member and one tie: the summary's counts take their one form.
	one := Network{At: "2026-06-30", Nodes: n.Nodes[:2], Edges: n.Edges[:1]}
	en := renderIn(t, LangEnglish, func(r *Renderer, b *bytes.Buffer) error { return r.NetworkPage(b, one) })
	checkPage(t, "the English network of one tie", en, []string{`2 members and 1 tie with k &gt; 0`}, nil)
}
