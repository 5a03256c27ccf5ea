package views

import (
	"io"
	"math"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// communityPage is what templates/pages/community.html receives.
type communityPage struct {
	Community
	HasActivity     bool
	ClosureRatio    string // a number of percent, or "—"
	HasClosure      bool
	ResponseMedian  string
	ResponseP90     string
	HasResponse     bool
	BusShare        string
	JSONURL         string
	Rows            []communityRow
	PeopleChart     chartBlock
	ResponseChart   chartBlock
	ClosureChart    chartBlock
	ConcentrationCh chartBlock
	// For managers: assign an unaffiliated contributor, add a domain rule.
	CanAssign     bool
	AssignTargets []membersOption // slug → name, for the datalist
	Back          string          // this page with its range, to come back to
}

type communityRow struct {
	CommunityWeek
	Closure string
	Median  string
	P90     string
}

// CommunityPage writes /community.
func (r *Renderer) CommunityPage(w io.Writer, c Community) error {
	tr := r.Tr()
	page, err := buildCommunityPageIn(tr, c)
	if err != nil {
		return err
	}
	return r.render(w, "community", layoutData{
		Title:  tr("communitypage.title"),
		Active: "/community",
		Fresh:  newFreshness(c.To, c.LastCollected),
		Page:   page,
	})
}

func fmtHours(v *float64) string {
	if v == nil {
		return noValue
	}
	return strconv.FormatFloat(roundTo(*v, 1), 'f', 1, 64)
}

func optPct(v *float64, decimals int) (string, bool) {
	if v == nil {
		return noValue, false
	}
	return ecoPctNum(*v, decimals), true
}

// buildCommunityPageIn is the page in tr's language (nil: English): the
// words change, the numbers are c's.
func buildCommunityPageIn(tr Tr, c Community) (communityPage, error) {
	tr = orEnglish(tr)
	p := communityPage{Community: c, HasActivity: c.Contributions > 0,
		JSONURL: "/api/v1/community?from=" + c.From + "&to=" + c.To}
	p.ClosureRatio, p.HasClosure = optPct(c.ClosureRatio, 1)
	p.ResponseMedian, p.ResponseP90 = fmtHours(c.FirstResponseMedian), fmtHours(c.FirstResponseP90)
	p.HasResponse = c.FirstResponseMedian != nil
	p.BusShare = ecoPctNum(c.BusFactorShare, 1)
	p.CanAssign = c.CanAssign
	for _, m := range c.AssignTargets {
		p.AssignTargets = append(p.AssignTargets, membersOption{Value: m.Slug, Label: m.Name})
	}
	p.Back = "/community?from=" + c.From + "&to=" + c.To
	n := len(c.Weeks)
	weeks := make([]string, n)
	active, fresh := make([]float64, n), make([]float64, n)
	med, p90, closure := make([]float64, n), make([]float64, n), make([]float64, n)
	opened, merged := make([]opts.BarData, n), make([]opts.BarData, n)
	prs, partial := [2][]float64{make([]float64, n), make([]float64, n)}, make([]bool, n)
	for i, w := range c.Weeks {
		row := communityRow{CommunityWeek: w, Median: fmtHours(w.FirstResponseMedian), P90: fmtHours(w.FirstResponseP90)}
		row.Closure, _ = optPct(w.ClosureRatio, 1)
		p.Rows = append(p.Rows, row)
		weeks[i] = w.Week
		active[i], fresh[i] = float64(w.ActiveContributors), float64(w.NewContributors)
		med[i], p90[i], closure[i] = math.NaN(), math.NaN(), math.NaN()
		if w.FirstResponseMedian != nil {
			med[i], p90[i] = *w.FirstResponseMedian, *w.FirstResponseP90
		}
		if w.ClosureRatio != nil {
			closure[i] = 100 * *w.ClosureRatio
		}
		opened[i], merged[i] = opts.BarData{Value: w.PROpened}, opts.BarData{Value: w.PRMerged}
		prs[0][i], prs[1][i] = float64(w.PROpened), float64(w.PRMerged)
		if w.DataDays == 0 { // nothing collected that week: a gap, not zeros (series.go)
			active[i], fresh[i], prs[0][i], prs[1][i] = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		}
		partial[i] = w.Partial
	}
	none := tr("community.empty_title", "From", c.From, "To", c.To)
	p.PeopleChart = chartBlock{ID: "chart-community-people", Title: tr("community.chart.people")}
	p.ResponseChart = chartBlock{ID: "chart-community-response", Title: tr("community.chart.response")}
	p.ClosureChart = chartBlock{ID: "chart-community-closure", Title: tr("community.chart.closure")}
	p.ConcentrationCh = chartBlock{ID: "chart-community-concentration", Title: tr("community.chart.concentration")}
	if !p.HasActivity {
		for _, b := range []*chartBlock{&p.PeopleChart, &p.ResponseChart, &p.ClosureChart, &p.ConcentrationCh} {
			b.Summary, b.Spec = none+tr("story.end"), noDataSpec(none)
		}
		return p, nil
	}
	var err error
	p.PeopleChart.Summary = tr("communitypage.people_summary", "Active", c.ActiveContributors, "New", c.NewContributors, "From", c.From, "To", c.To)
	if p.PeopleChart.Spec, err = trendLine(weeks, []lineSeries{
		{Name: tr("communitypage.active"), Values: active, Color: "#3b6fd8"},
		{Name: tr("communitypage.new"), Values: fresh, Color: colorHealthy},
	}, trendOpts{Min: 0, Partial: partial, Tr: tr}); err != nil {
		return p, err
	}
	memberUnsmooth(p.PeopleChart.Spec)
	memberIntegerAxis(p.PeopleChart.Spec)

	p.ResponseChart.Summary = tr("communitypage.response_summary", "Median", p.ResponseMedian, "P90", p.ResponseP90, "Responded", c.Responded, "Threads", c.Threads)
	if p.ResponseChart.Spec, err = trendLine(weeks, []lineSeries{
		{Name: tr("communitypage.median"), Values: med, Color: "#3b6fd8", Decimals: 1},
		{Name: tr("communitypage.p90"), Values: p90, Color: colorWatch, Decimals: 1},
	}, trendOpts{Min: 0, YName: tr("communitypage.hours"), Message: tr("communitypage.no_response"), Partial: partial, Tr: tr}); err != nil {
		return p, err
	}
	p.ResponseChart.Spec.ValueSuffix = " h"
	memberUnsmooth(p.ResponseChart.Spec)

	p.ClosureChart.Summary = tr("communitypage.closure_summary", "Opened", c.PROpened, "Merged", c.PRMerged, "Ratio", p.ClosureRatio)
	if p.ClosureChart.Spec, err = communityClosureChart(tr, weeks, opened, merged, prs, closure, partial); err != nil {
		return p, err
	}

	p.ConcentrationCh.Summary = tr("communitypage.concentration_summary", "N", c.BusFactor, "Share", p.BusShare)
	if p.ConcentrationCh.Spec, err = communityConcentrationChart(tr, c); err != nil {
		return p, err
	}
	return p, nil
}

// communityClosureChart draws pull requests opened and merged per week as
// bars (prs: their values, NaN for a week without data) and the closure
// ratio as a line on a second axis; partial weeks are faded.
func communityClosureChart(tr Tr, weeks []string, opened, merged []opts.BarData, prs [2][]float64, closure []float64, partial []bool) (chartSpec, error) {
	b := charts.NewBar()
	b.SetGlobalOptions(
		showTooltip("axis"),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0"}),
		charts.WithDataZoomOpts(opts.DataZoom{Type: "inside", Start: 0, End: 100}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "16", Top: "36", Bottom: "8", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Color: "#5b6475"}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", MinInterval: 1,
			SplitLine: &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: "#e6e9ef"}}}),
	)
	b.SetXAxis(weeks)
	b.AddSeries(tr("communitypage.opened"), opened, charts.WithItemStyleOpts(opts.ItemStyle{Color: "#7a4fd0"}))
	b.AddSeries(tr("communitypage.merged"), merged, charts.WithItemStyleOpts(opts.ItemStyle{Color: colorHealthy}))
	opt, err := optionOf(b)
	if err != nil {
		return chartSpec{}, err
	}
	setSeriesData(opt, [][]any{barValues(prs[0], 0, partial), barValues(prs[1], 0, partial)})
	ratio := chartValues(closure, 1, partial)
	if y, ok := opt["yAxis"].([]any); ok {
		opt["yAxis"] = append(y, map[string]any{"type": "value", "min": 0, "splitLine": map[string]any{"show": false},
			"axisLabel": map[string]any{"formatter": "{value}%", "color": "#5b6475"}})
	}
	series, _ := opt["series"].([]any)
	opt["series"] = append(series, map[string]any{
		"name": tr("communitypage.closure_ratio"), "type": "line", "yAxisIndex": 1, "data": ratio, "symbolSize": 5, "connectNulls": false,
		"lineStyle": map[string]any{"width": 2, "color": colorWatch}, "itemStyle": map[string]any{"color": colorWatch},
	})
	return chartSpec{Option: opt}, nil
}

// communityConcentrationChart draws the share of contributions made by the
// k most active contributors, with the bus factor's line at 50%.
func communityConcentrationChart(tr Tr, c Community) (chartSpec, error) {
	if len(c.Concentration) == 0 {
		return noDataSpec(tr("communitypage.no_contributions")), nil
	}
	ks := make([]string, len(c.Concentration))
	shares := make([]float64, len(c.Concentration))
	for i, s := range c.Concentration {
		ks[i], shares[i] = strconv.Itoa(i+1), 100*s
	}
	spec, err := trendLine(ks, []lineSeries{{Name: tr("communitypage.share"), Values: shares, Color: "#7a4fd0", Decimals: 1}},
		trendOpts{Min: 0, Max: 100, YName: "%", Area: true, Tr: tr})
	if err != nil || spec.NoData {
		return spec, err
	}
	spec.ValueSuffix = "%"
	memberUnsmooth(spec)
	if x, ok := spec.Option["xAxis"].([]any); ok && len(x) > 0 {
		if m, ok := x[0].(map[string]any); ok {
			m["name"] = tr("communitypage.most_active")
			m["nameLocation"] = "middle"
			m["nameGap"] = 26
		}
	}
	if s := optSeries(spec.Option, 0); s != nil {
		s["markLine"] = map[string]any{
			"silent":    true,
			"symbol":    []any{"none", "none"},
			"lineStyle": map[string]any{"type": "dashed", "color": colorAtRisk, "width": 1},
			"label":     map[string]any{"formatter": "{b}", "color": colorAtRisk},
			"data": []any{
				map[string]any{"name": "50%", "yAxis": 50},
				map[string]any{"name": tr("communitypage.bus_factor", "N", c.BusFactor), "xAxis": strconv.Itoa(c.BusFactor)},
			},
		}
	}
	return spec, nil
}
