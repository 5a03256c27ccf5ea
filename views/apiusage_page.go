package views

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// apiUsagePage is what templates/pages/api-usage.html receives.
type apiUsagePage struct {
	From, To   string
	Top        int
	TopOptions []int
	HasCalls   bool
	JSONURL    string

	Calls            string
	ClientErrors     string
	ServerErrors     string
	ErrorRate        string // a number: the template adds "%"
	P50, P95         string
	Offer            *DataOffer // where the data is, when the range shows none
	DateMin, DateMax string     // the date inputs' bounds: the days with usage
	HasLatency       bool       // some call of the range had a measured latency
	LatencyHint      string     // how to measure it, when none had
	Bytes            string

	AvailTarget   string
	AvailUsed     string // a number of percent
	AvailClass    string // budget-ok, budget-warn or budget-over
	AvailAchieved string
	LatencySLO    string
	LatencyUsed   string
	LatencyClass  string

	UnmappedCalls    string
	UnmappedShare    string
	UnmappedRate     string
	UnmappedCount    int
	HasUnmapped      bool
	EndpointCount    int
	HeatmapCalls     string
	Endpoints        []apiUsageEndpointRow
	Consumers        []apiUsageConsumerRow
	CanMap           bool            // a manager: the rows can be mapped to members
	MapTargets       []membersOption // slug → "Name (slug)", for the datalist
	Back             string          // this page's URL, to come back to after mapping
	SegmentsChart    chartBlock
	EndpointsChart   chartBlock
	BudgetChart      chartBlock
	HeatmapChart     memberChartBlock
	UnmappedChart    chartBlock
	SegmentNames     []string
	AvailabilityNote string
}

type apiUsageEndpointRow struct {
	Endpoint  string
	Calls     string
	Share     string
	Errors4xx string
	Errors5xx string
	ErrorRate string
	P95       string
}

type apiUsageConsumerRow struct {
	FirstDay    string
	TopEndpoint string
	Key         string
	Consumer    string
	Calls       string
	ErrorRate   string
	LastDay     string
}

// APIUsagePage writes /api-usage.
func (r *Renderer) APIUsagePage(w io.Writer, u APIUsage) error {
	tr := r.Tr()
	page, err := buildAPIUsagePageIn(tr, u)
	if err != nil {
		return err
	}
	return r.render(w, "api-usage", layoutData{
		Title:  tr("usagepage.title"),
		Active: "/api-usage",
		Fresh:  newFreshness(u.To, u.LastCollected),
		Page:   page,
	})
}

// ecoPctNum formats a ratio as a number of percent with decimals digits,
// without the sign: 0.1234 → "12.3".
func ecoPctNum(r float64, decimals int) string {
	if !finiteNum(r) {
		return noValue
	}
	return strconv.FormatFloat(roundTo(r*100, decimals), 'f', decimals, 64)
}

func budgetClass(used float64) string {
	switch {
	case used > 1:
		return "budget-over"
	case used > 0.75:
		return "budget-warn"
	}
	return "budget-ok"
}

func optMS(v *float64) string {
	if v == nil {
		return noValue
	}
	return memberFmtMS(*v)
}

// buildAPIUsagePageIn is the page in tr's language (nil: English): the
// words change, the numbers are u's.
func buildAPIUsagePageIn(tr Tr, u APIUsage) (apiUsagePage, error) {
	tr = orEnglish(tr)
	p := apiUsagePage{From: u.From, To: u.To, Top: u.Top, TopOptions: []int{5, 10, 20, 50},
		HasCalls: u.Totals.Calls > 0, EndpointCount: u.EndpointCount, SegmentNames: u.Segments,
		JSONURL: fmt.Sprintf("/api/v1/api-usage/breakdown?from=%s&to=%s&top=%d", u.From, u.To, u.Top)}
	p.Offer = u.Available
	p.DateMin, p.DateMax = dateBounds(u.DataRange, u.From, u.To)
	p.Calls = fmtCount(u.Totals.Calls)
	p.ClientErrors = fmtCount(u.Totals.Errors4xx)
	p.ServerErrors = fmtCount(u.Totals.Errors5xx)
	p.Bytes = fmtCount(u.Totals.Bytes)
	p.ErrorRate = ecoPctNum(u.ErrorRate, 2)
	p.P50, p.P95 = optMS(u.LatencyMS.P50), optMS(u.LatencyMS.P95)
	if p.HasLatency = u.LatencyMS.Measured(); !p.HasLatency {
		p.LatencyHint = tr("usagepage.latency_hint")
	}
	av, lat := u.SLO.Availability, u.SLO.Latency
	p.AvailTarget = strconv.FormatFloat(av.Target*100, 'f', -1, 64) + "%"
	p.AvailUsed, p.AvailClass = ecoPctNum(av.BudgetUsed, 1), budgetClass(av.BudgetUsed)
	p.AvailAchieved = noValue
	if av.Achieved != nil {
		p.AvailAchieved = ecoPctNum(*av.Achieved, 3) + "%"
	}
	p.LatencySLO = fmt.Sprintf("p%.0f ≤ %s ms", lat.Quantile*100, memberFmtMS(lat.ThresholdMS))
	p.LatencyUsed, p.LatencyClass = ecoPctNum(lat.BudgetUsed, 1), budgetClass(lat.BudgetUsed)
	um := u.Unmapped
	p.HasUnmapped = um.Totals.Calls > 0
	p.UnmappedCalls = fmtCount(um.Totals.Calls)
	p.UnmappedShare = ecoPctNum(um.Share, 2)
	p.UnmappedRate = ecoPctNum(um.ErrorRate, 2)
	p.UnmappedCount = um.ConsumerCount
	p.HeatmapCalls = fmtCount(u.Heatmap.Calls)
	for _, e := range u.Endpoints {
		p.Endpoints = append(p.Endpoints, apiUsageEndpointRow{Endpoint: e.Endpoint, Calls: fmtCount(e.Calls), Share: fmtPct(e.Share),
			Errors4xx: fmtCount(e.Errors4xx), Errors5xx: fmtCount(e.Errors5xx), ErrorRate: memberPct2(e.ErrorRate), P95: optMS(e.P95MS)})
	}
	for _, c := range um.Consumers {
		p.Consumers = append(p.Consumers, apiUsageConsumerRow{FirstDay: c.FirstDay, TopEndpoint: c.TopEndpoint, Key: c.Key, Consumer: c.Consumer, Calls: fmtCount(c.Calls),
			ErrorRate: memberPct2(c.ErrorRate), LastDay: c.LastDay})
	}
	p.CanMap = len(u.MapTargets) > 0
	for _, m := range u.MapTargets {
		p.MapTargets = append(p.MapTargets, membersOption{Value: m.Slug, Label: m.Name})
	}
	p.Back = "/api-usage?from=" + u.From + "&to=" + u.To + "#unmapped"

	none := tr("usagepage.none", "From", u.From, "To", u.To)
	p.SegmentsChart = chartBlock{ID: "chart-usage-segments", Title: tr("usage.chart.segments"), Size: "lg"}
	p.EndpointsChart = chartBlock{ID: "chart-usage-endpoints", Title: tr("usagepage.endpoints_title", "N", u.Top)}
	p.BudgetChart = chartBlock{ID: "chart-usage-budget", Title: tr("usage.chart.budget")}
	p.HeatmapChart = memberChartBlock{chartBlock: chartBlock{ID: "chart-usage-heatmap",
		Title: tr("usagepage.heatmap_title", "Q", fmt.Sprintf("%.0f", LatencySLOQuantile*100))}}
	p.UnmappedChart = chartBlock{ID: "chart-usage-unmapped", Title: tr("usage.chart.unmapped"), Size: "sm"}
	if !p.HasCalls {
		for _, b := range []*chartBlock{&p.SegmentsChart, &p.EndpointsChart, &p.BudgetChart, &p.HeatmapChart.chartBlock, &p.UnmappedChart} {
			b.Summary = none + tr("story.end")
			b.Spec = noDataSpec(none)
		}
		p.HeatmapChart.Spec.chartSpec = p.HeatmapChart.chartBlock.Spec
		return p, nil
	}
	var err error
	p.SegmentsChart.Summary = tr("usagepage.segments_summary", "Calls", p.Calls, "From", u.From, "To", u.To, "Unmapped", p.UnmappedCalls)
	if p.SegmentsChart.Spec, err = apiUsageSegmentsChart(tr, u); err != nil {
		return p, err
	}
	p.EndpointsChart.Summary = apiUsageEndpointsSummary(tr, u)
	if p.EndpointsChart.Spec, err = apiUsageEndpointsChart(tr, u.Endpoints); err != nil {
		return p, err
	}
	p.BudgetChart.Summary = tr("usagepage.budget_summary", "Target", p.AvailTarget, "AvailUsed", p.AvailUsed, "Latency", p.LatencySLO, "LatencyUsed", p.LatencyUsed)
	if p.BudgetChart.Spec, err = apiUsageBudgetChart(tr, u); err != nil {
		return p, err
	}
	p.HeatmapChart.Summary = tr("usagepage.heatmap_summary", "Calls", p.HeatmapCalls, "Q", fmt.Sprintf("%.0f", LatencySLOQuantile*100), "MS", memberFmtMS(u.Heatmap.MaxP95MS))
	if p.HeatmapChart.Spec, err = apiUsageHeatmapChart(tr, u.Heatmap, u.SLO.Latency.ThresholdMS); err != nil {
		return p, err
	}
	p.UnmappedChart.Summary = tr("usagepage.unmapped_summary", "Calls", p.UnmappedCalls, "Share", p.UnmappedShare, "N", p.UnmappedCount)
	if p.UnmappedChart.Spec, err = apiUsageUnmappedChart(tr, u); err != nil {
		return p, err
	}
	return p, nil
}

func apiUsageEndpointsSummary(tr Tr, u APIUsage) string {
	if len(u.Endpoints) == 0 {
		return tr("usagepage.no_endpoint") + tr("story.end")
	}
	e := u.Endpoints[0]
	return tr("usagepage.endpoints_summary", "N", u.EndpointCount, "Endpoint", e.Endpoint, "Calls", fmtCount(e.Calls), "Rate", memberPct2(e.ErrorRate))
}

// apiUsagePalette colours the segments; unmapped traffic is grey.
var apiUsagePalette = []string{"#3b6fd8", "#7a4fd0", "#2e9d5b", "#e3a21a", "#d64545", "#1a9bb0", "#b0568f", "#6b8e23", "#c0703a", "#4a5d8f"}

// apiUsageSegmentsChart stacks the mapped calls of each segment per day and
// draws the unmapped consumers' calls beside them as a dashed line.
func apiUsageSegmentsChart(tr Tr, u APIUsage) (chartSpec, error) {
	days := make([]string, len(u.Daily))
	for i, d := range u.Daily {
		days[i] = d.Day
	}
	b := charts.NewBar()
	b.SetGlobalOptions(
		showTooltip("axis"),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0", Type: "scroll"}),
		charts.WithDataZoomOpts(opts.DataZoom{Type: "inside", Start: 0, End: 100}, opts.DataZoom{Type: "slider", Start: 0, End: 100}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "16", Top: "36", Bottom: "36", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Color: "#5b6475"}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: tr("usagepage.axis_calls"), SplitLine: &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: "#e6e9ef"}}}),
	)
	b.SetXAxis(days)
	stack := charts.WithBarChartOpts(opts.BarChart{Stack: "segments"})
	measured := make([]bool, len(u.Daily))
	for j, d := range u.Daily {
		measured[j] = d.HasData
	}
	values := make([][]any, 0, len(u.Segments)+1)
	for i, seg := range u.Segments {
		points := make([]opts.BarData, len(u.Daily))
		counts := make([]int64, len(u.Daily))
		for j, d := range u.Daily {
			points[j] = opts.BarData{Value: d.BySegment[i]}
			counts[j] = d.BySegment[i]
		}
		values = append(values, barValues(countValues(counts, measured), 0, nil))
		color := apiUsagePalette[i%len(apiUsagePalette)]
		if seg == NoSegment {
			seg = tr("usagepage.no_segment")
		}
		b.AddSeries(seg, points, stack, charts.WithItemStyleOpts(opts.ItemStyle{Color: color}))
	}
	opt, err := optionOf(b)
	if err != nil {
		return chartSpec{}, err
	}
	setSeriesData(opt, values) // a day without data is a gap (series.go)
	if zooms, ok := opt["dataZoom"].([]any); ok && len(zooms) == 2 {
		if slider, ok := zooms[1].(map[string]any); ok {
			slider["height"], slider["bottom"] = 18, 4
		}
	}
	unmapped := make([]int64, len(u.Daily))
	for j, d := range u.Daily {
		unmapped[j] = d.Unmapped
	}
	series, _ := opt["series"].([]any)
	opt["series"] = append(series, map[string]any{
		"name": tr("usage.unmapped"), "type": "line", "data": chartValues(countValues(unmapped, measured), 0, nil), "symbolSize": 4, "connectNulls": false,
		"lineStyle": map[string]any{"type": "dashed", "width": 2, "color": colorNoData},
		"itemStyle": map[string]any{"color": colorNoData},
	})
	return chartSpec{Option: opt}, nil
}

// apiUsageEndpointsChart is a horizontal bar per endpoint: succeeded, 4xx
// and 5xx calls stacked.
func apiUsageEndpointsChart(tr Tr, list []APIUsageEndpoint) (chartSpec, error) {
	if len(list) == 0 {
		return noDataSpec(tr("usagepage.no_endpoint")), nil
	}
	names := make([]string, len(list))
	ok, e4, e5 := make([]opts.BarData, len(list)), make([]opts.BarData, len(list)), make([]opts.BarData, len(list))
	for i, e := range list {
		names[i] = e.Endpoint
		ok[i] = opts.BarData{Value: e.Calls - e.Errors4xx - e.Errors5xx}
		e4[i] = opts.BarData{Value: e.Errors4xx}
		e5[i] = opts.BarData{Value: e.Errors5xx}
	}
	b := charts.NewBar()
	b.SetGlobalOptions(
		showTooltip("axis"),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "40", Top: "36", Bottom: "8", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", AxisLabel: &opts.AxisLabel{Color: "#5b6475"}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Color: "#273043", Width: 160, Overflow: "truncate"}}),
	)
	b.SetXAxis(names).XYReversal()
	stack := charts.WithBarChartOpts(opts.BarChart{Stack: "calls"})
	width := charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.BarMaxWidth = "22" })
	b.AddSeries(tr("usagepage.succeeded"), ok, stack, width, charts.WithItemStyleOpts(opts.ItemStyle{Color: "#3b6fd8"}))
	b.AddSeries("4xx", e4, stack, width, charts.WithItemStyleOpts(opts.ItemStyle{Color: colorWatch}))
	b.AddSeries("5xx", e5, stack, width, charts.WithItemStyleOpts(opts.ItemStyle{Color: colorAtRisk}))
	opt, err := optionOf(b)
	if err != nil {
		return chartSpec{}, err
	}
	if x, ok := opt["xAxis"].([]any); ok && len(x) > 0 {
		if m, ok := x[0].(map[string]any); ok {
			m["splitNumber"] = 3 // room for "1,000,000" labels
		}
	}
	return chartSpec{Option: opt}, nil
}

// apiUsageBudgetChart shows how much of each error budget the range used,
// day by day, with the limit at 100%.
func apiUsageBudgetChart(tr Tr, u APIUsage) (chartSpec, error) {
	days := make([]string, len(u.Daily))
	av, lat := make([]float64, len(u.Daily)), make([]float64, len(u.Daily))
	for i, d := range u.Daily {
		days[i] = d.Day
		av[i] = 100 * d.AvailabilityBudgetUsed
		lat[i] = 100 * d.LatencyBudgetUsed
		if u.SLO.Latency.Measured == 0 {
			lat[i] = math.NaN()
		}
		if !d.HasData { // nothing collected: a gap (series.go)
			av[i], lat[i] = math.NaN(), math.NaN()
		}
	}
	spec, err := trendLine(days, []lineSeries{
		{Name: tr("usagepage.avail_budget"), Values: av, Color: "#3b6fd8", Decimals: 1},
		{Name: tr("usagepage.latency_budget"), Values: lat, Color: colorWatch, Decimals: 1},
	}, trendOpts{Min: 0, YName: tr("usagepage.pct_used"), Message: tr("usagepage.no_calls"), Tr: tr})
	if err != nil || spec.NoData {
		return spec, err
	}
	spec.ValueSuffix = "%"
	memberUnsmooth(spec)
	if s := optSeries(spec.Option, 0); s != nil {
		s["markLine"] = map[string]any{
			"silent":    true,
			"symbol":    []any{"none", "none"},
			"lineStyle": map[string]any{"type": "dashed", "color": colorAtRisk, "width": 1},
			"label":     map[string]any{"formatter": "{b}", "color": colorAtRisk, "position": "insideStartTop"},
			"data":      []any{map[string]any{"name": tr("usagepage.budget"), "yAxis": 100}},
		}
	}
	return spec, nil
}

// apiUsageHeatmapChart colours each hour of the week by its p95 latency;
// app.js writes each cell's tooltip from its "tip" and "info" fields.
func apiUsageHeatmapChart(tr Tr, h APIUsageHeatmap, sloMS float64) (memberLinkSpec, error) {
	hours := make([]string, 24)
	for i := range hours {
		hours[i] = fmt.Sprintf("%02d", i)
	}
	weekdays := make([]string, len(h.Weekdays))
	for i, d := range h.Weekdays {
		weekdays[i] = weekdayIn(tr, d)
	}
	points := make([]opts.HeatMapData, len(h.Cells))
	fields := make([]map[string]any, len(h.Cells))
	found := false
	for i, c := range h.Cells {
		var v any = "-"
		p95 := noValue
		if c.P95MS != nil {
			v, p95 = roundTo(*c.P95MS, 1), memberFmtMS(*c.P95MS)+" ms"
			found = true
		}
		points[i] = opts.HeatMapData{Value: []any{c.Hour, c.Weekday, v}}
		fields[i] = map[string]any{
			"tip": fmt.Sprintf("%s %02d:00–%02d:00 UTC", weekdays[c.Weekday], c.Hour, (c.Hour+1)%24),
			"info": memberTipInfo(tr("usage.calls"), fmtCount(c.Calls), fmt.Sprintf("p%.0f", LatencySLOQuantile*100), p95,
				tr("usage.error_rate"), memberPct2(ecoRatio(float64(c.Errors), float64(c.Calls)))),
		}
	}
	if !found {
		return memberLinkSpec{chartSpec: noDataSpec(tr("usagepage.no_latency"))}, nil
	}
	hm := charts.NewHeatMap()
	hm.SetGlobalOptions(
		showTooltip("item"),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "16", Top: "8", Bottom: "56", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: hours, SplitArea: &opts.SplitArea{Show: opts.Bool(true)}, AxisLabel: &opts.AxisLabel{Color: "#5b6475"}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: weekdays, Inverse: opts.Bool(true), SplitArea: &opts.SplitArea{Show: opts.Bool(true)}, AxisLabel: &opts.AxisLabel{Color: "#273043"}}),
	)
	hm.AddSeries(tr("usagepage.heatmap_series", "Q", fmt.Sprintf("%.0f", LatencySLOQuantile*100)), points)
	opt, err := optionOf(hm)
	if err != nil {
		return memberLinkSpec{}, err
	}
	memberMergeItemFields(opt, [][]map[string]any{fields})
	// The colour scale tops out at the 95th percentile of the cells (at
	// least the SLO), so that one incident does not wash out the rest;
	// slower cells take the top colour.
	var values []float64
	for _, c := range h.Cells {
		if c.P95MS != nil {
			values = append(values, *c.P95MS)
		}
	}
	sort.Float64s(values)
	top := math.Max(ecoQuantile(values, 0.95), sloMS)
	opt["visualMap"] = map[string]any{
		"type": "continuous", "min": 0, "max": math.Ceil(top), "calculable": true, "orient": "horizontal",
		"left": "center", "bottom": 0, "itemHeight": 180, "text": []any{tr("usagepage.slow"), tr("usagepage.fast")},
		"inRange": map[string]any{"color": []any{"#e3f4ea", "#f6d98b", colorAtRisk}},
	}
	if s := optSeries(opt, 0); s != nil {
		s["emphasis"] = map[string]any{"itemStyle": map[string]any{"borderColor": "#1f2737", "borderWidth": 1}}
	}
	return memberLinkSpec{chartSpec: chartSpec{Option: opt, ValueSuffix: " ms"}, Tooltip: "info"}, nil
}

func apiUsageUnmappedChart(tr Tr, u APIUsage) (chartSpec, error) {
	if u.Unmapped.Totals.Calls == 0 {
		return noDataSpec(tr("usagepage.all_mapped")), nil
	}
	days := make([]string, len(u.Daily))
	counts, measured := make([]int64, len(u.Daily)), make([]bool, len(u.Daily))
	for i, d := range u.Daily {
		days[i], counts[i], measured[i] = d.Day, d.Unmapped, d.HasData
	}
	calls := countValues(counts, measured)
	spec, err := trendLine(days, []lineSeries{{Name: tr("usagepage.unmapped_calls"), Values: calls, Color: colorNoData}}, trendOpts{Min: 0, Tr: tr})
	if err != nil || spec.NoData {
		return spec, err
	}
	memberUnsmooth(spec)
	return spec, nil
}

// weekdayIn names a weekday of the heatmap ("Mon") in tr's language.
func weekdayIn(tr Tr, d string) string {
	switch d {
	case "Mon":
		return tr("weekday.mon")
	case "Tue":
		return tr("weekday.tue")
	case "Wed":
		return tr("weekday.wed")
	case "Thu":
		return tr("weekday.thu")
	case "Fri":
		return tr("weekday.fri")
	case "Sat":
		return tr("weekday.sat")
	case "Sun":
		return tr("weekday.sun")
	}
	return d
}
