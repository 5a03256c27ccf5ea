package views

import (
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/ecopulse/ecopulse/metrics"
)

// developersPage is what templates/pages/developers.html receives. Every
// number it shows is a field of Developers, formatted (the page and
// /api/v1/developers show the same numbers).
type developersPage struct {
	Developers
	JSONURL       string
	Median, P90   string // days, or "—"
	Stages        []developerStageRow
	Cohorts       []developerCohortRow
	SegmentRows   []developerGroupRow
	FunnelChart   chartBlock
	HeatmapChart  memberChartBlock
	TTFSChart     chartBlock
	RetentionCols []int // 1 … FunnelWeeks
}

type developerStageRow struct {
	DeveloperStage
	Key  string // the data-n name of its numbers
	Rate string // percent, or "—"
}

type developerGroupRow struct {
	DeveloperGroup
	Key    string
	Cells  []developerStageRow
	Median string
}

type developerCohortRow struct {
	DeveloperCohort
	Cells   []developerStageRow
	Median  string
	P90     string
	Members []developerGroupRow
}

// DevelopersPage writes /developers.
func (r *Renderer) DevelopersPage(w io.Writer, d Developers) error {
	p, err := buildDevelopersPage(d)
	if err != nil {
		return err
	}
	return r.render(w, "developers", layoutData{Title: "Developer funnel", Active: "/developers",
		Fresh: newFreshness(d.To, d.LastCollected), Page: p})
}

func fmtDays(v *float64) string {
	if v == nil {
		return noValue
	}
	return strconv.FormatFloat(roundTo(*v, 1), 'f', 1, 64)
}

func developerStageRows(prefix string, f DeveloperFunnel) []developerStageRow {
	out := make([]developerStageRow, len(f.Stages))
	for i, s := range f.Stages {
		rate, _ := optPct(s.Rate, 1)
		out[i] = developerStageRow{DeveloperStage: s, Key: prefix + s.Stage, Rate: rate}
	}
	return out
}

func buildDevelopersPage(d Developers) (developersPage, error) {
	p := developersPage{Developers: d, JSONURL: "/api/v1/developers?from=" + d.From + "&to=" + d.To,
		Median: fmtDays(d.TTFSMedian), P90: fmtDays(d.TTFSP90), Stages: developerStageRows("", d.DeveloperFunnel)}
	for k := 1; k <= metrics.FunnelWeeks; k++ {
		p.RetentionCols = append(p.RetentionCols, k)
	}
	for _, g := range d.Segments {
		p.SegmentRows = append(p.SegmentRows, developerGroupRow{DeveloperGroup: g, Key: "segment." + g.Key,
			Cells: developerStageRows("segment."+g.Key+".", g.DeveloperFunnel), Median: fmtDays(g.TTFSMedian)})
	}
	for _, c := range d.Cohorts {
		row := developerCohortRow{DeveloperCohort: c, Cells: developerStageRows(c.Week+".", c.DeveloperFunnel),
			Median: fmtDays(c.TTFSMedian), P90: fmtDays(c.TTFSP90)}
		for _, m := range c.Members {
			key := c.Week + ".member." + m.Key
			row.Members = append(row.Members, developerGroupRow{DeveloperGroup: m, Key: key,
				Cells: developerStageRows(key+".", m.DeveloperFunnel), Median: fmtDays(m.TTFSMedian)})
		}
		p.Cohorts = append(p.Cohorts, row)
	}
	p.FunnelChart = chartBlock{ID: "chart-developers-funnel", Title: "Share of new consumers reaching each stage"}
	p.HeatmapChart = memberChartBlock{chartBlock: chartBlock{ID: "chart-developers-retention", Title: "Retention by weekly cohort (% active in week k)", Size: "lg"}}
	p.TTFSChart = chartBlock{ID: "chart-developers-ttfs", Title: "Time to first successful call by cohort (days)"}
	if d.Consumers == 0 {
		none := fmt.Sprintf("No API consumer was first seen between %s and %s", d.From, d.To)
		p.FunnelChart.Summary, p.FunnelChart.Spec = none+".", noDataSpec(none)
		p.HeatmapChart.Summary, p.HeatmapChart.Spec.chartSpec = none+".", noDataSpec(none)
		p.TTFSChart.Summary, p.TTFSChart.Spec = none+".", noDataSpec(none)
		return p, nil
	}
	var err error
	p.FunnelChart.Summary = developersFunnelSummary(d)
	if p.FunnelChart.Spec, err = developersFunnelChart(d); err != nil {
		return p, err
	}
	p.HeatmapChart.Summary = fmt.Sprintf("%d weekly cohorts, weeks 1 to %d after the first call; a blank cell is a week not over yet.", len(d.Cohorts), metrics.FunnelWeeks)
	if p.HeatmapChart.Spec, err = developersRetentionChart(d); err != nil {
		return p, err
	}
	p.TTFSChart.Summary = fmt.Sprintf("Median time to first successful call %s days, 90th percentile %s days.", p.Median, p.P90)
	p.TTFSChart.Spec, err = developersTTFSChart(d)
	return p, err
}

func developersFunnelSummary(d Developers) string {
	s := fmt.Sprintf("%d new consumers:", d.Consumers)
	for i, st := range d.Stages {
		if i > 0 {
			s += ";"
		}
		rate, _ := optPct(st.Rate, 1)
		s += fmt.Sprintf(" %s %d of %d (%s%%)", st.Label, st.Count, st.Observed, rate)
	}
	return s + "."
}

// developersFunnelChart draws each stage's share as a horizontal bar (a
// stage measured for nobody is a gap, not 0).
func developersFunnelChart(d Developers) (chartSpec, error) {
	labels := make([]string, len(d.Stages))
	points := make([]opts.BarData, len(d.Stages))
	for i, st := range d.Stages {
		labels[i] = st.Label
		var v any = "-"
		if st.Rate != nil {
			v = roundTo(100**st.Rate, 1)
		}
		points[i] = opts.BarData{Value: v}
	}
	b := charts.NewBar()
	b.SetGlobalOptions(
		showTooltip("axis"),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "24", Top: "8", Bottom: "8", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Min: 0, Max: 100, AxisLabel: &opts.AxisLabel{Color: "#5b6475", Formatter: "{value}%"}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Color: "#273043"}}),
	)
	b.SetXAxis(labels).XYReversal()
	b.AddSeries("Share of new consumers", points, charts.WithSeriesOpts(func(s *charts.SingleSeries) {
		s.BarMaxWidth = "26"
		s.ItemStyle = &opts.ItemStyle{Color: "#3b6fd8"}
	}))
	opt, err := optionOf(b)
	if err != nil {
		return chartSpec{}, err
	}
	return chartSpec{Option: opt, ValueSuffix: "%"}, nil
}

// developersRetentionChart is the cohort × week heatmap of the share of
// each cohort active in week k; a week not over for the cohort is blank.
func developersRetentionChart(d Developers) (memberLinkSpec, error) {
	weeks := make([]string, metrics.FunnelWeeks)
	for i := range weeks {
		weeks[i] = "week " + strconv.Itoa(i+1)
	}
	cohorts := make([]string, len(d.Cohorts))
	var points []opts.HeatMapData
	var fields []map[string]any
	for y, c := range d.Cohorts {
		cohorts[y] = c.Week
		for x, cell := range c.Retention {
			var v any = "-"
			share := noValue
			if cell.Rate != nil {
				v, share = roundTo(100**cell.Rate, 1), ecoPctNum(*cell.Rate, 1)+"%"
			}
			points = append(points, opts.HeatMapData{Value: []any{x, y, v}})
			fields = append(fields, map[string]any{
				"tip":  fmt.Sprintf("%s cohort, week %d", c.Week, cell.Week),
				"info": memberTipInfo("Active", strconv.Itoa(cell.Active), "Observed", strconv.Itoa(cell.Observed), "Share", share),
			})
		}
	}
	hm := charts.NewHeatMap()
	hm.SetGlobalOptions(
		showTooltip("item"),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "16", Top: "8", Bottom: "56", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: weeks, SplitArea: &opts.SplitArea{Show: opts.Bool(true)}, AxisLabel: &opts.AxisLabel{Color: "#5b6475"}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: cohorts, Inverse: opts.Bool(true), SplitArea: &opts.SplitArea{Show: opts.Bool(true)}, AxisLabel: &opts.AxisLabel{Color: "#273043"}}),
	)
	hm.AddSeries("Active in the week (%)", points, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Color: "#1f2737"}))
	opt, err := optionOf(hm)
	if err != nil {
		return memberLinkSpec{}, err
	}
	memberMergeItemFields(opt, [][]map[string]any{fields})
	opt["visualMap"] = map[string]any{
		"type": "continuous", "min": 0, "max": 100, "calculable": true, "orient": "horizontal",
		"left": "center", "bottom": 0, "itemHeight": 180, "text": []any{"100%", "0%"},
		"inRange": map[string]any{"color": []any{"#f3f5f9", "#9cc0f0", "#3b6fd8"}},
	}
	return memberLinkSpec{chartSpec: chartSpec{Option: opt, ValueSuffix: "%"}, Tooltip: "info"}, nil
}

// developersTTFSChart draws each cohort's median and 90th percentile time
// to first success; a cohort where nobody succeeded is a gap.
func developersTTFSChart(d Developers) (chartSpec, error) {
	n := len(d.Cohorts)
	weeks, med, p90 := make([]string, n), make([]float64, n), make([]float64, n)
	for i, c := range d.Cohorts {
		weeks[i], med[i], p90[i] = c.Week, math.NaN(), math.NaN()
		if c.TTFSMedian != nil {
			med[i], p90[i] = *c.TTFSMedian, *c.TTFSP90
		}
	}
	spec, err := trendLine(weeks, []lineSeries{
		{Name: "Median", Values: med, Color: "#3b6fd8", Decimals: 1},
		{Name: "90th percentile", Values: p90, Color: colorWatch, Decimals: 1},
	}, trendOpts{Min: 0, YName: "days", Message: "No new consumer made a successful call"})
	if err != nil || spec.NoData {
		return spec, err
	}
	spec.ValueSuffix = " d"
	memberUnsmooth(spec)
	return spec, nil
}
