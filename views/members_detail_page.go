package views

import (
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// memberPage is what templates/pages/member.html receives.
type memberPage struct {
	CanEdit  bool
	Alerts   *Alerts
	Info     MemberInfo
	KindText string
	At       string

	Scored       bool
	Health       string
	HealthChange deltaView
	Badge        statusBadge
	T, I, M      string
	C, K, Phi    string
	PhiShare     string
	Reason       string
	ReasonKind   string
	Changes      []ChangeView // every signal that fell, worst first
	Dims         []memberDimRow
	NoDims       []string // dimensions without data, in words
	NoDimsText   string   // NoDims as a list in the page's language

	Gauge   chartBlock
	History chartBlock
	Radar   chartBlock

	Shown              DayShown   // which scored day is shown, when not the one asked
	Offer              *DataOffer // where the data is, when the page shows none
	DateMin, DateMax   string     // the date inputs' bounds: the days with data
	UsageFrom, UsageTo string
	Versions           []APIVersionShare // the version mix; none when no version is declared
	HasUsage           bool
	Calls              string
	Errors4xx          string
	Errors5xx          string
	ErrorRate          string
	P50, P95, P99      string
	HasLatency         bool   // some call of the range had a measured latency
	LatencyHint        string // how to measure it, when none had
	CallsChart         chartBlock
	ErrorChart         chartBlock
	LatencyChart       chartBlock
	Endpoints          []memberUsageRow
	Consumers          []memberUsageRow
	MoreConsumers      int // consumers not listed ("and N more")

	Projects    []memberProjectRow
	Milestones  MemberMilestoneCounts
	Timeline    chartBlock
	HasTimeline bool

	CommFrom, CommTo string
	HasCommunity     bool
	Contributions    int
	NewContributors  int
	Threads          int
	Responded        int
	ContribChart     chartBlock
	PeopleChart      chartBlock
	ResponseChart    chartBlock

	Ties      []memberTieRow
	TiesChart memberChartBlock
}

type memberDimRow struct {
	Label   string
	Help    string // the dimension in one line
	Value   string
	Median  string
	HasData bool
}

type memberUsageRow struct {
	Label     string
	LastDay   string
	Calls     string
	Share     string
	ErrorRate string
	P95       string
}

type memberProjectRow struct {
	MemberProjectView
	Badge string // CSS class of the status
	Next  string // next open milestone: "title (due YYYY-MM-DD)"
}

type memberTieRow struct {
	MemberTie
	KText string
	Badge statusBadge
	Score string
}

// MemberPage writes /members/:slug.
func (r *Renderer) MemberPage(w io.Writer, d MemberDetail) error {
	page, err := buildMemberPage(d, r.opts.Bands, r.Tr())
	if err != nil {
		return err
	}
	return r.render(w, "member", layoutData{
		Title:  d.Member.Name,
		Active: "/members",
		Fresh:  newFreshness(d.At, d.LastCollected),
		Page:   page,
	})
}

// memberFmtMS formats a latency in milliseconds.
func memberFmtMS(v float64) string {
	if !finiteNum(v) {
		return noValue
	}
	if v >= 100 {
		return groupThousands(strconv.FormatFloat(math.Round(v), 'f', 0, 64))
	}
	return strconv.FormatFloat(roundTo(v, 1), 'f', 1, 64)
}

func buildMemberPage(d MemberDetail, bands Bands, tr Tr) (memberPage, error) {
	p := memberPage{CanEdit: d.CanEdit, Alerts: d.Alerts, Info: d.Member, KindText: membersKindLabel(d.Member.Kind), At: d.At,
		Shown: d.DayShown, Offer: d.Available}
	p.DateMin, p.DateMax = dateBounds(d.DataRange, d.Usage.From, d.Usage.To)
	var err error

	if err := buildMemberScore(&p, d, bands, tr); err != nil {
		return p, err
	}

	// Health history.
	days := make([]string, len(d.History))
	mine := make([]float64, len(d.History))
	eco := make([]float64, len(d.History))
	for i, h := range d.History {
		days[i], mine[i], eco[i] = h.Day, math.NaN(), math.NaN()
		if h.Health != nil {
			mine[i] = *h.Health
		}
		if h.Ecosystem != nil {
			eco[i] = *h.Ecosystem
		}
	}
	p.History = chartBlock{ID: "chart-member-history", Title: tr("member.history_title"),
		Summary: trendTextIn(tr, tr("col.health"), days, mine, fmtScore, d.HistoryWarmingUp)}
	if p.History.Spec, err = trendLine(days, []lineSeries{
		{Name: tr("col.health"), Values: mine, Color: "#3b6fd8", Decimals: 1},
		{Name: tr("member.series_ecosystem"), Values: eco, Color: colorNoData, Decimals: 1},
	}, trendOpts{Min: 0, Max: 100, Bands: &bands, Message: tr("member.no_history"), WarmUp: d.HistoryWarmingUp, Tr: tr}); err != nil {
		return p, err
	}
	if !memberHasAny(mine) {
		p.History.Spec = noDataSpec(tr("member.no_history"))
	}

	if err := buildMemberUsage(&p, d.Usage, tr); err != nil {
		return p, err
	}
	if err := buildMemberProjects(&p, d, tr); err != nil {
		return p, err
	}
	if err := buildMemberCommunity(&p, d.Community, tr); err != nil {
		return p, err
	}

	// Ties.
	for _, t := range d.Ties {
		p.Ties = append(p.Ties, memberTieRow{MemberTie: t, KText: fmtNum(t.K), Badge: bands.badge(t.Status, t.Health), Score: fmtScore(t.Health)})
	}
	p.TiesChart = newMemberChartBlock(chartBlock{ID: "chart-member-ties", Title: tr("member.ties_title"),
		Summary: memberTiesSummary(d.Ties, tr)}, chartSpec{})
	if p.TiesChart.Spec.chartSpec, err = memberTiesBar(d.Ties, bands, tr); err != nil {
		return p, err
	}
	return p, nil
}

// buildMemberScore fills the member's score, gauge, dimensions and radar.
func buildMemberScore(p *memberPage, d MemberDetail, bands Bands, tr Tr) error {
	var err error
	p.Gauge = chartBlock{ID: "chart-member-gauge", Title: tr("col.health"), Size: "sm"}
	p.Radar = chartBlock{ID: "chart-member-radar", Title: tr("member.radar_title")}
	if s := d.Score; s != nil {
		p.Scored = true
		p.Health = fmtScore(s.Health)
		p.HealthChange = deltaIn(tr, scoreDelta(s.HealthChange), "")
		if s.ChangePartial != "" {
			p.HealthChange = partialDeltaIn(tr, s.ChangePartial)
		}
		p.Badge = bands.badge(s.Status, s.Health)
		p.T, p.I, p.M = fmtNum(s.T), fmtNum(s.I), fmtNum(s.M)
		p.C, p.K, p.Phi = fmtNum(s.C), fmtNum(s.K), fmtNum(s.Phi)
		p.PhiShare = fmtPct(s.PhiShare)
		p.Reason, p.ReasonKind, p.Changes = s.Reason, s.ReasonKind, s.Changes
		p.Gauge.Summary = tr("member.gauge_summary", "Health", p.Health, "Status", badgeWordIn(tr, p.Badge), "Day", d.At)
		if p.Gauge.Spec, err = healthGaugeIn(tr, s.Health, bands); err != nil {
			return err
		}
		if ser := optSeries(p.Gauge.Spec.Option, 0); ser != nil {
			ser["name"] = tr("col.health")
		}
		for _, dim := range domain.Dimensions {
			row := memberDimRow{Label: memberDimLabel(tr, dim), Help: termIn(tr, dim, bands).Text, Value: noValue, Median: noValue}
			if v, ok := s.Dimensions[dim]; ok {
				row.Value, row.HasData = fmtScore(v), true
			} else {
				p.NoDims = append(p.NoDims, strings.ToLower(memberDimLabel(tr, dim)))
			}
			if d.Median != nil {
				if v, ok := d.Median.Dimensions[dim]; ok {
					row.Median = fmtScore(v)
				}
			}
			p.Dims = append(p.Dims, row)
		}
		p.NoDimsText = strings.Join(p.NoDims, tr("member.list_sep"))
		p.Radar.Summary = memberRadarSummary(d, p.NoDimsText, tr)
		if p.Radar.Spec, err = memberRadar(s, d.Median, tr); err != nil {
			return err
		}
	} else {
		p.Badge = statusBadgeOf(domain.StatusNoData)
		p.Gauge.Summary = tr("member.no_score_summary", "Day", d.At)
		p.Gauge.Spec = noDataSpec(tr("member.no_score_chart", "Day", d.At))
		p.Radar.Summary = p.Gauge.Summary
		p.Radar.Spec = p.Gauge.Spec
	}
	return nil
}

func memberHasAny(values []float64) bool {
	for _, v := range values {
		if finiteNum(v) {
			return true
		}
	}
	return false
}

func memberRadarSummary(d MemberDetail, missing string, tr Tr) string {
	s := d.Score
	out := tr("member.radar_summary", "T", fmtNum(s.T), "I", fmtNum(s.I), "M", fmtNum(s.M))
	if d.Median != nil {
		out = tr("member.radar_summary_median", "T", fmtNum(s.T), "I", fmtNum(s.I), "M", fmtNum(s.M),
			"MT", fmtNum(d.Median.T), "MI", fmtNum(d.Median.I), "MM", fmtNum(d.Median.M))
	}
	if missing != "" {
		out += " " + tr("member.radar_no_data", "Dims", missing)
	}
	return out
}

// memberRadar compares T, I, M (×100) and the four health dimensions with
// the ecosystem median. A dimension without data is drawn at 0 and named in
// the chart's summary and the table beside it.
func memberRadar(s *MemberScoreView, med *MemberMedians, tr Tr) (chartSpec, error) {
	names := []string{"T ×100", "I ×100", "M ×100"}
	for _, dim := range domain.Dimensions {
		names = append(names, memberDimLabel(tr, dim))
	}
	values := func(t, i, m float64, dims map[string]float64) []any {
		out := []any{jsonNumber(t*100, 1), jsonNumber(i*100, 1), jsonNumber(m*100, 1)}
		for _, dim := range domain.Dimensions {
			if v, ok := dims[dim]; ok {
				out = append(out, jsonNumber(v, 1))
			} else {
				out = append(out, 0.0)
			}
		}
		for k, v := range out {
			if v == nil {
				out[k] = 0.0
			}
		}
		return out
	}
	ind := make([]*opts.Indicator, len(names))
	for k, n := range names {
		ind[k] = &opts.Indicator{Name: n, Max: 100}
	}
	r := charts.NewRadar()
	r.SetGlobalOptions(
		showTooltip("item"),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}),
		charts.WithRadarComponentOpts(opts.RadarComponent{Indicator: ind, Shape: "polygon", SplitNumber: 4,
			Center:    []string{"50%", "48%"},
			AxisName:  &opts.AxisName{Color: "#5b6475"},
			SplitLine: &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: "#e6e9ef"}},
			SplitArea: &opts.SplitArea{Show: opts.Bool(false)}}),
	)
	r.AddSeries(tr("member.this_member"), []opts.RadarData{{Name: tr("member.this_member"), Value: values(s.T, s.I, s.M, s.Dimensions)}},
		charts.WithLineStyleOpts(opts.LineStyle{Color: "#3b6fd8", Width: 2}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: "#3b6fd8"}),
		charts.WithAreaStyleOpts(opts.AreaStyle{Color: "#3b6fd8", Opacity: opts.Float(0.15)}))
	if med != nil {
		r.AddSeries(tr("member.eco_median"), []opts.RadarData{{Name: tr("member.eco_median"), Value: values(med.T, med.I, med.M, med.Dimensions)}},
			charts.WithLineStyleOpts(opts.LineStyle{Color: colorNoData, Width: 1.5, Type: "dashed"}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: colorNoData}))
	}
	opt, err := optionOf(r)
	if err != nil {
		return chartSpec{}, err
	}
	if rc, ok := opt["radar"].(map[string]any); ok {
		rc["radius"] = "62%"
	} else if list, ok := opt["radar"].([]any); ok && len(list) > 0 {
		if rc, ok := list[0].(map[string]any); ok {
			rc["radius"] = "62%"
		}
	}
	return chartSpec{Option: opt}, nil
}

func buildMemberUsage(p *memberPage, u MemberUsage, tr Tr) error {
	p.UsageFrom, p.UsageTo = u.From, u.To
	p.Versions = u.Versions
	p.HasUsage = u.Totals.Calls > 0
	p.CallsChart = chartBlock{ID: "chart-member-calls", Title: tr("member.calls_title")}
	p.ErrorChart = chartBlock{ID: "chart-member-errors", Title: tr("usage.error_rate"), Size: "sm"}
	p.LatencyChart = chartBlock{ID: "chart-member-latency", Title: tr("member.latency_title"), Size: "sm"}
	if !p.HasUsage {
		for _, c := range []*chartBlock{&p.CallsChart, &p.ErrorChart, &p.LatencyChart} {
			c.Summary = tr("member.no_usage_summary", "From", u.From, "To", u.To)
			c.Spec = noDataSpec(tr("member.no_usage_chart", "From", u.From, "To", u.To))
		}
		return nil
	}
	p.Calls = fmtCount(u.Totals.Calls)
	p.Errors4xx = fmtCount(u.Totals.Errors4xx)
	p.Errors5xx = fmtCount(u.Totals.Errors5xx)
	p.ErrorRate = memberPct2(u.ErrorRate)
	p.P50, p.P95, p.P99 = optMS(u.LatencyMS.P50), optMS(u.LatencyMS.P95), optMS(u.LatencyMS.P99)
	p.HasLatency = u.LatencyMS.Measured()
	if !p.HasLatency {
		p.LatencyHint = tr("member.latency_hint")
	}

	n := len(u.Days)
	days := make([]string, n)
	r4, r5 := make([]float64, n), make([]float64, n)
	p50, p95, p99 := make([]float64, n), make([]float64, n), make([]float64, n)
	for i, day := range u.Days {
		days[i] = day.Day
		r4[i], r5[i] = math.NaN(), math.NaN()
		p50[i], p95[i], p99[i] = math.NaN(), math.NaN(), math.NaN()
		if day.Calls > 0 {
			r4[i] = 100 * float64(day.Errors4xx) / float64(day.Calls)
			r5[i] = 100 * float64(day.Errors5xx) / float64(day.Calls)
		}
		if l := day.LatencyMS; l != nil && l.Measured() {
			p50[i], p95[i], p99[i] = *l.P50, *l.P95, *l.P99
		}
	}
	p.CallsChart.Summary = tr("member.calls_summary", "Calls", p.Calls, "From", u.From, "To", u.To, "Rate", p.ErrorRate)
	var err error
	if p.CallsChart.Spec, err = memberCallsChart(days, u.Days, tr); err != nil {
		return err
	}

	p.ErrorChart.Summary = tr("member.errors_summary", "Rate", p.ErrorRate, "E4", p.Errors4xx, "E5", p.Errors5xx)
	if p.ErrorChart.Spec, err = trendLine(days, []lineSeries{
		{Name: "4xx %", Values: r4, Color: colorWatch, Decimals: 2},
		{Name: "5xx %", Values: r5, Color: colorAtRisk, Decimals: 2},
	}, trendOpts{Min: 0, Message: tr("member.no_calls"), Tr: tr}); err != nil {
		return err
	}
	p.ErrorChart.Spec.ValueSuffix = "%"
	p.LatencyChart.Summary = tr("member.latency_summary", "P50", p.P50, "P95", p.P95, "P99", p.P99)
	if !p.HasLatency {
		p.LatencyChart.Summary = tr("member.no_latency_summary", "Hint", p.LatencyHint)
	}
	// Days without a measured call are gaps (NaN → null), not 0 ms.
	if p.LatencyChart.Spec, err = trendLine(days, []lineSeries{
		{Name: "p50", Values: p50, Color: "#2e9d5b", Decimals: 1},
		{Name: "p95", Values: p95, Color: colorWatch, Decimals: 1},
		{Name: "p99", Values: p99, Color: colorAtRisk, Decimals: 1},
	}, trendOpts{Min: 0, Message: tr("member.no_latency", "Hint", p.LatencyHint), Tr: tr}); err != nil {
		return err
	}
	p.LatencyChart.Spec.ValueSuffix = " " + tr("usage.ms")

	for _, g := range u.Endpoints {
		p.Endpoints = append(p.Endpoints, memberUsageRow{Label: g.Endpoint, Calls: fmtCount(g.Calls), Share: fmtPct(g.Share),
			ErrorRate: memberPct2(g.ErrorRate), P95: optMS(g.P95MS)})
	}
	p.MoreConsumers = u.ConsumerCount - len(u.Consumers)
	for _, g := range u.Consumers {
		p.Consumers = append(p.Consumers, memberUsageRow{Label: g.Consumer, LastDay: g.LastDay, Calls: fmtCount(g.Calls),
			Share: fmtPct(g.Share), ErrorRate: memberPct2(g.ErrorRate), P95: optMS(g.P95MS)})
	}
	return nil
}

// memberCallsChart stacks each day's successful calls, 4xx and 5xx.
func memberCallsChart(days []string, usage []MemberUsageDay, tr Tr) (chartSpec, error) {
	n := len(usage)
	ok, e4, e5 := make([]opts.BarData, n), make([]opts.BarData, n), make([]opts.BarData, n)
	for i, day := range usage {
		ok[i] = opts.BarData{Value: day.Calls - day.Errors4xx - day.Errors5xx}
		e4[i] = opts.BarData{Value: day.Errors4xx}
		e5[i] = opts.BarData{Value: day.Errors5xx}
	}
	b := charts.NewBar()
	b.SetGlobalOptions(
		showTooltip("axis"),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0"}),
		charts.WithDataZoomOpts(opts.DataZoom{Type: "inside", Start: 0, End: 100}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "16", Top: "36", Bottom: "8", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Color: "#5b6475"}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", SplitLine: &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: "#e6e9ef"}}}),
	)
	b.SetXAxis(days)
	stack := charts.WithBarChartOpts(opts.BarChart{Stack: "calls"})
	b.AddSeries(tr("member.succeeded"), ok, stack, charts.WithItemStyleOpts(opts.ItemStyle{Color: "#3b6fd8"}))
	b.AddSeries("4xx", e4, stack, charts.WithItemStyleOpts(opts.ItemStyle{Color: colorWatch}))
	b.AddSeries("5xx", e5, stack, charts.WithItemStyleOpts(opts.ItemStyle{Color: colorAtRisk}))
	opt, err := optionOf(b)
	if err != nil {
		return chartSpec{}, err
	}
	// A day without data is a gap, not a day of no calls (series.go).
	measured := make([]bool, n)
	okCalls, e4Calls, e5Calls := make([]int64, n), make([]int64, n), make([]int64, n)
	for i, day := range usage {
		measured[i] = day.HasData
		okCalls[i], e4Calls[i], e5Calls[i] = day.Calls-day.Errors4xx-day.Errors5xx, day.Errors4xx, day.Errors5xx
	}
	setSeriesData(opt, [][]any{
		barValues(countValues(okCalls, measured), 0, nil),
		barValues(countValues(e4Calls, measured), 0, nil),
		barValues(countValues(e5Calls, measured), 0, nil),
	})
	return chartSpec{Option: opt}, nil
}

// memberPct2 formats a small ratio (error rates) with two decimals.
func memberPct2(r float64) string {
	if !finiteNum(r) {
		return noValue
	}
	return strconv.FormatFloat(roundTo(r*100, 2), 'f', 2, 64) + "%"
}

func buildMemberProjects(p *memberPage, d MemberDetail, tr Tr) error {
	p.Milestones = d.Milestones
	for _, pr := range d.Projects {
		row := memberProjectRow{MemberProjectView: pr, Badge: "project-" + pr.Status}
		for _, ms := range pr.Milestones {
			if ms.State == memberMsUpcoming || ms.State == memberMsOverdue {
				row.Next = tr("member.next", "Title", ms.Title, "Day", ms.DueOn)
				break
			}
		}
		p.Projects = append(p.Projects, row)
	}
	p.Timeline = chartBlock{ID: "chart-member-milestones", Title: tr("projects.milestones")}
	c := d.Milestones
	p.Timeline.Summary = tr("member.timeline_summary", "Day", d.At, "Done", c.Done, "Late", c.Late, "Overdue", c.Overdue, "Upcoming", c.Upcoming)
	spec, err := memberTimeline(d.Projects, d.At, tr)
	if err != nil {
		return err
	}
	p.Timeline.Spec = spec
	p.HasTimeline = !spec.NoData
	if len(d.Projects) == 0 {
		p.Timeline.Summary = tr("member.no_projects_summary")
	}
	return nil
}

// memberTimeline places each milestone on its due date, one row per
// project, coloured by state, with a line at the day shown.
func memberTimeline(projects []MemberProjectView, at string, tr Tr) (chartSpec, error) {
	t := milestoneTimeline{LabelWidth: 160, SymbolSize: 12, At: at, AtLabel: "end", Tr: tr}
	for _, pr := range projects {
		if pr.Status == domain.ProjectCancelled || len(pr.Milestones) == 0 {
			continue
		}
		row := len(t.Rows)
		t.Rows = append(t.Rows, pr.Name)
		for _, ms := range pr.Milestones {
			info := []string{tr("member.col.project"), pr.Name, tr("projects.col.due"), ms.DueOn, tr("project.col.state"), milestoneStateLabelIn(tr, ms.State)}
			if ms.DoneOn != "" {
				info = append(info, tr("project.col.done"), ms.DoneOn)
			}
			t.Marks = append(t.Marks, timelineMark{State: ms.State, Title: ms.Title, Day: ms.DueOn, Row: row, Tip: ms.Title, Info: memberTipInfo(info...)})
		}
	}
	if len(t.Rows) == 0 {
		return noDataSpec(tr("member.no_milestones")), nil
	}
	opt, err := t.option()
	if err != nil {
		return chartSpec{}, err
	}
	return chartSpec{Option: opt}, nil
}

func buildMemberCommunity(p *memberPage, c MemberCommunity, tr Tr) error {
	p.CommFrom, p.CommTo = c.From, c.To
	p.Contributions, p.NewContributors, p.Threads, p.Responded = c.Contributions, c.NewContributors, c.Threads, c.Responded
	p.HasCommunity = c.Contributions > 0
	p.ContribChart = chartBlock{ID: "chart-member-contributions", Title: tr("member.contrib_title"), Size: "sm"}
	p.PeopleChart = chartBlock{ID: "chart-member-contributors", Title: tr("community.chart.people"), Size: "sm"}
	p.ResponseChart = chartBlock{ID: "chart-member-response", Title: tr("member.response_title"), Size: "sm"}
	if !p.HasCommunity {
		for _, b := range []*chartBlock{&p.ContribChart, &p.PeopleChart, &p.ResponseChart} {
			b.Summary = tr("member.no_community_summary", "From", c.From, "To", c.To)
			b.Spec = noDataSpec(tr("member.no_community_chart", "From", c.From, "To", c.To))
		}
		return nil
	}
	n := len(c.Weeks)
	weeks := make([]string, n)
	contrib := make([]opts.BarData, n)
	act, fresh, resp := make([]float64, n), make([]float64, n), make([]float64, n)
	counts, partial := make([]float64, n), make([]bool, n)
	for i, w := range c.Weeks {
		weeks[i] = w.Week
		contrib[i] = opts.BarData{Value: w.Contributions}
		counts[i], act[i], fresh[i] = float64(w.Contributions), float64(w.ActiveContributors), float64(w.NewContributors)
		resp[i] = math.NaN()
		if w.FirstResponseHours != nil {
			resp[i] = *w.FirstResponseHours
		}
		if w.DataDays == 0 { // nothing collected that week: a gap, not zeros
			counts[i], act[i], fresh[i] = math.NaN(), math.NaN(), math.NaN()
		}
		partial[i] = w.Partial
	}
	p.ContribChart.Summary = tr("member.contrib_summary", "N", c.Contributions, "From", c.From, "To", c.To)
	b := charts.NewBar()
	b.SetGlobalOptions(
		showTooltip("axis"),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "16", Top: "12", Bottom: "8", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Color: "#5b6475"}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", MinInterval: 1, SplitLine: &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: "#e6e9ef"}}}),
	)
	b.SetXAxis(weeks)
	b.AddSeries(tr("community.col.contributions"), contrib, charts.WithItemStyleOpts(opts.ItemStyle{Color: "#7a4fd0"}),
		charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.BarMaxWidth = "28" }))
	opt, err := optionOf(b)
	if err != nil {
		return err
	}
	setSeriesData(opt, [][]any{barValues(counts, 0, partial)})
	p.ContribChart.Spec = chartSpec{Option: opt}

	p.PeopleChart.Summary = tr("member.people_summary", "N", c.NewContributors, "From", c.From, "To", c.To)
	if p.PeopleChart.Spec, err = trendLine(weeks, []lineSeries{
		{Name: tr("community.col.active"), Values: act, Color: "#3b6fd8"},
		{Name: tr("community.col.new"), Values: fresh, Color: colorHealthy},
	}, trendOpts{Min: 0, Partial: partial, Tr: tr}); err != nil {
		return err
	}
	memberUnsmooth(p.PeopleChart.Spec)
	memberIntegerAxis(p.PeopleChart.Spec) // people come whole
	p.ResponseChart.Summary = trendSummaryIn(tr, tr("member.response_title"), weeks, resp, fmtNum)
	if p.ResponseChart.Spec, err = trendLine(weeks, []lineSeries{
		{Name: tr("member.median_first_response"), Values: resp, Color: colorWatch, Decimals: 1},
	}, trendOpts{Min: 0, Message: tr("member.no_response"), Partial: partial, Tr: tr}); err != nil {
		return err
	}
	p.ResponseChart.Spec.ValueSuffix = " " + tr("member.hours_unit")
	memberUnsmooth(p.ResponseChart.Spec)
	return nil
}

// memberIntegerAxis keeps a value axis to whole numbers.
func memberIntegerAxis(spec chartSpec) {
	switch y := spec.Option["yAxis"].(type) {
	case []any:
		for _, a := range y {
			if m, ok := a.(map[string]any); ok {
				m["minInterval"] = 1
			}
		}
	case map[string]any:
		y["minInterval"] = 1
	}
}

// memberUnsmooth draws a trend's series as straight segments: counts and
// medians of a few weeks must not overshoot between the points.
func memberUnsmooth(spec chartSpec) {
	for i := 0; ; i++ {
		s := optSeries(spec.Option, i)
		if s == nil {
			return
		}
		s["smooth"] = false
	}
}

func memberTiesSummary(ties []MemberTie, tr Tr) string {
	if len(ties) == 0 {
		return tr("member.no_tie_summary")
	}
	parts := make([]string, len(ties))
	for i, t := range ties {
		parts[i] = t.Name + " " + fmtNum(t.K)
	}
	return tr("member.ties_summary", "List", strings.Join(parts, tr("member.list_sep")))
}

// memberTiesBar is a horizontal bar of the strongest ties; clicking a bar
// opens the other member's page.
func memberTiesBar(ties []MemberTie, bands Bands, tr Tr) (chartSpec, error) {
	if len(ties) == 0 {
		return noDataSpec(tr("member.no_tie_chart")), nil
	}
	names := make([]string, len(ties))
	points := make([]opts.BarData, len(ties))
	fields := make([]map[string]any, len(ties))
	for i, t := range ties {
		names[i] = t.Name
		points[i] = opts.BarData{Value: jsonNumber(t.K, 3), ItemStyle: &opts.ItemStyle{Color: bands.color(t.Health)}}
		fields[i] = map[string]any{"slug": t.Slug, "tip": t.Name,
			"info": memberTipInfo("K_ij", fmtNum(t.K), tr("col.health"), fmtScore(t.Health)+" ("+badgeWordIn(tr, bands.badge(t.Status, t.Health))+")")}
	}
	b := charts.NewBar()
	b.SetGlobalOptions(
		showTooltip("item"),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "24", Top: "8", Bottom: "8", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Max: 1, AxisLabel: &opts.AxisLabel{Color: "#5b6475"}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Color: "#273043", Width: 150, Overflow: "truncate"}}),
	)
	b.SetXAxis(names).XYReversal()
	b.AddSeries("K_ij", points, charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.BarMaxWidth = "20" }))
	opt, err := optionOf(b)
	if err != nil {
		return chartSpec{}, err
	}
	memberMergeItemFields(opt, [][]map[string]any{fields})
	return chartSpec{Option: opt}, nil
}
