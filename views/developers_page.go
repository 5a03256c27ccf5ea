package views

import (
	"io"
	"math"
	"strconv"
	"strings"

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
	tr := r.Tr()
	p, err := buildDevelopersPage(tr, d)
	if err != nil {
		return err
	}
	return r.render(w, "developers", layoutData{Title: tr("developers.page_title"), Active: "/developers",
		Fresh: newFreshness(d.To, d.LastCollected), Page: p})
}

func fmtDays(v *float64) string {
	if v == nil {
		return noValue
	}
	return strconv.FormatFloat(roundTo(*v, 1), 'f', 1, 64)
}

func developerStageRows(tr Tr, prefix string, f DeveloperFunnel) []developerStageRow {
	out := make([]developerStageRow, len(f.Stages))
	for i, s := range f.Stages {
		rate, _ := optPct(s.Rate, 1)
		s.Label = developerStageName(tr, s)
		out[i] = developerStageRow{DeveloperStage: s, Key: prefix + s.Stage, Rate: rate}
	}
	return out
}

// developerStageName names a stage in the page's language; the JSON's
// label stays English.
func developerStageName(tr Tr, s DeveloperStage) string {
	switch s.Stage {
	case metrics.StageFirstCall:
		return tr("developers.stage.first_call")
	case metrics.StageFirstSuccess:
		return tr("developers.stage.first_success")
	case metrics.StageActiveWeek2:
		return tr("developers.stage.active_week", "Week", 2)
	case metrics.StageActiveWeek4:
		return tr("developers.stage.active_week", "Week", 4)
	case metrics.StageActiveWeek8:
		return tr("developers.stage.active_week", "Week", 8)
	case metrics.StageContributed:
		return tr("developers.stage.contributed")
	}
	return s.Label
}

// developerGroupLabel is a segment's or member's label on the page: its
// name, or for the consumers of none, words in the page's language.
func developerGroupLabel(g DeveloperGroup, none string) string {
	if g.Key == "" {
		return none
	}
	return g.Label
}

func buildDevelopersPage(tr Tr, d Developers) (developersPage, error) {
	p := developersPage{Developers: d, JSONURL: "/api/v1/developers?from=" + d.From + "&to=" + d.To,
		Median: fmtDays(d.TTFSMedian), P90: fmtDays(d.TTFSP90), Stages: developerStageRows(tr, "", d.DeveloperFunnel)}
	for k := 1; k <= metrics.FunnelWeeks; k++ {
		p.RetentionCols = append(p.RetentionCols, k)
	}
	for _, g := range d.Segments {
		g.Label = developerGroupLabel(g, tr("developers.no_segment"))
		p.SegmentRows = append(p.SegmentRows, developerGroupRow{DeveloperGroup: g, Key: "segment." + g.Key,
			Cells: developerStageRows(tr, "segment."+g.Key+".", g.DeveloperFunnel), Median: fmtDays(g.TTFSMedian)})
	}
	for _, c := range d.Cohorts {
		row := developerCohortRow{DeveloperCohort: c, Cells: developerStageRows(tr, c.Week+".", c.DeveloperFunnel),
			Median: fmtDays(c.TTFSMedian), P90: fmtDays(c.TTFSP90)}
		for _, m := range c.Members {
			key := c.Week + ".member." + m.Key
			m.Label = developerGroupLabel(m, tr("developers.unmapped"))
			row.Members = append(row.Members, developerGroupRow{DeveloperGroup: m, Key: key,
				Cells: developerStageRows(tr, key+".", m.DeveloperFunnel), Median: fmtDays(m.TTFSMedian)})
		}
		p.Cohorts = append(p.Cohorts, row)
	}
	p.FunnelChart = chartBlock{ID: "chart-developers-funnel", Title: tr("developers.chart.funnel")}
	p.HeatmapChart = memberChartBlock{chartBlock: chartBlock{ID: "chart-developers-retention", Title: tr("developers.chart.retention"), Size: "lg"}}
	p.TTFSChart = chartBlock{ID: "chart-developers-ttfs", Title: tr("developers.chart.ttfs")}
	if d.Consumers == 0 {
		none, sentence := tr("developers.none_seen", "From", d.From, "To", d.To), tr("developers.none_seen_sentence", "From", d.From, "To", d.To)
		p.FunnelChart.Summary, p.FunnelChart.Spec = sentence, noDataSpec(none)
		p.HeatmapChart.Summary, p.HeatmapChart.Spec.chartSpec = sentence, noDataSpec(none)
		p.TTFSChart.Summary, p.TTFSChart.Spec = sentence, noDataSpec(none)
		return p, nil
	}
	var err error
	p.FunnelChart.Summary = developersFunnelSummary(tr, p.Stages, d.Consumers)
	if p.FunnelChart.Spec, err = developersFunnelChart(tr, p.Stages); err != nil {
		return p, err
	}
	p.HeatmapChart.Summary = tr("developers.summary.retention", "Count", len(d.Cohorts), "Weeks", metrics.FunnelWeeks)
	if p.HeatmapChart.Spec, err = developersRetentionChart(tr, d); err != nil {
		return p, err
	}
	p.TTFSChart.Summary = tr("developers.summary.ttfs", "Median", p.Median, "P90", p.P90)
	p.TTFSChart.Spec, err = developersTTFSChart(tr, d)
	return p, err
}

// developersFunnelSummary says each stage's count, of the consumers
// observed, in the page's language (the stages named as on the page).
func developersFunnelSummary(tr Tr, stages []developerStageRow, consumers int) string {
	parts := make([]string, len(stages))
	for i, st := range stages {
		parts[i] = tr("developers.summary.stage", "Stage", st.Label, "N", st.Count, "Of", st.Observed, "Rate", st.Rate)
	}
	return tr("developers.summary.funnel", "Count", consumers, "Stages", strings.Join(parts, tr("versions.part_sep")))
}

// developersFunnelChart draws each stage's share as a horizontal bar (a
// stage measured for nobody is a gap, not 0).
func developersFunnelChart(tr Tr, stages []developerStageRow) (chartSpec, error) {
	labels := make([]string, len(stages))
	points := make([]opts.BarData, len(stages))
	for i, st := range stages {
		labels[i] = st.Label
		var v any = "-"
		if r := st.DeveloperStage.Rate; r != nil {
			v = roundTo(100**r, 1)
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
	b.AddSeries(tr("developers.series.share"), points, charts.WithSeriesOpts(func(s *charts.SingleSeries) {
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
func developersRetentionChart(tr Tr, d Developers) (memberLinkSpec, error) {
	weeks := make([]string, metrics.FunnelWeeks)
	for i := range weeks {
		weeks[i] = tr("developers.week_n", "Week", i+1)
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
				"tip": tr("developers.tip.cohort_week", "Cohort", c.Week, "Week", cell.Week),
				"info": memberTipInfo(tr("developers.tip.active"), strconv.Itoa(cell.Active), tr("developers.col.observed"), strconv.Itoa(cell.Observed),
					tr("developers.col.share"), share),
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
	hm.AddSeries(tr("developers.series.active"), points, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Color: "#1f2737"}))
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
func developersTTFSChart(tr Tr, d Developers) (chartSpec, error) {
	n := len(d.Cohorts)
	weeks, med, p90 := make([]string, n), make([]float64, n), make([]float64, n)
	for i, c := range d.Cohorts {
		weeks[i], med[i], p90[i] = c.Week, math.NaN(), math.NaN()
		if c.TTFSMedian != nil {
			med[i], p90[i] = *c.TTFSMedian, *c.TTFSP90
		}
	}
	spec, err := trendLine(weeks, []lineSeries{
		{Name: tr("developers.series.median"), Values: med, Color: "#3b6fd8", Decimals: 1},
		{Name: tr("developers.series.p90"), Values: p90, Color: colorWatch, Decimals: 1},
	}, trendOpts{Min: 0, YName: tr("developers.days"), Message: tr("developers.none_succeeded"), Tr: tr})
	if err != nil || spec.NoData {
		return spec, err
	}
	spec.ValueSuffix = tr("developers.days_suffix")
	memberUnsmooth(spec)
	return spec, nil
}
