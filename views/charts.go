package views

import (
	"encoding/json"
	"fmt"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// How charts reach the page (go-echarts' Render writes options into a
// <script> unescaped, and "__f__" strings become live JavaScript):
//
//   - options are built with go-echarts, then Validate() and JSON() (a map);
//     never Render/RenderSnippet, never opts.FuncOpts, never "__f__" strings;
//   - the map goes through html/template as a value inside
//     <script type="application/json">, which html/template treats as a JS
//     context: it JSON-encodes the value and escapes <, > and &, so a member
//     called </script><script>… stays a string;
//   - static/app.js (no inline script: CSP script-src 'self') parses the
//     block and calls echarts.init + setOption. Any formatter is written in
//     app.js, never shipped as data.

// chartSpec is the JSON block of one chart.
type chartSpec struct {
	// NoData tells app.js to show Message instead of drawing a chart.
	NoData  bool   `json:"noData"`
	Message string `json:"message,omitempty"`
	// ValueSuffix is appended to values in tooltips ("%"): app.js turns it
	// into a tooltip.valueFormatter, so no function travels as data.
	ValueSuffix string `json:"valueSuffix,omitempty"`
	// Option is the ECharts option, as produced by go-echarts.
	Option map[string]any `json:"option,omitempty"`
}

// chartBlock is a chart on a page: the container and its JSON block.
type chartBlock struct {
	ID      string // id of the container; the JSON block is ID + "-data"
	Title   string
	Summary string // text alternative, read by screen readers and shown without JS
	Size    string // CSS modifier: "", "sm" or "lg"
	Spec    chartSpec
}

// DataID is the id of the chart's <script type="application/json"> block.
func (c chartBlock) DataID() string { return c.ID + "-data" }

func noDataSpec(message string) chartSpec {
	return chartSpec{NoData: true, Message: message}
}

// echartsChart is what every go-echarts chart type provides.
type echartsChart interface {
	Validate()
	JSON() map[string]interface{}
}

// optionOf validates c and returns its options as plain JSON values (maps,
// slices, strings, float64, bool, nil). The round trip through encoding/json
// surfaces an unencodable value (NaN) here, as an error, rather than as a
// broken block in the page, and lets builders set options go-echarts has no
// field for.
func optionOf(c echartsChart) (map[string]any, error) {
	c.Validate() // without it JSON() loses axis data
	raw, err := json.Marshal(c.JSON())
	if err != nil {
		return nil, fmt.Errorf("views: encode chart options: %w", err)
	}
	var opt map[string]any
	if err := json.Unmarshal(raw, &opt); err != nil {
		return nil, fmt.Errorf("views: decode chart options: %w", err)
	}
	// Interaction that go-echarts emits by default but this UI does not use:
	// the download button lives in app.js, next to the chart.
	delete(opt, "toolbox")
	return opt, nil
}

// optSeries returns the i-th series of an option map, or nil.
func optSeries(opt map[string]any, i int) map[string]any {
	list, _ := opt["series"].([]any)
	if i >= len(list) {
		return nil
	}
	s, _ := list[i].(map[string]any)
	return s
}

func showTooltip(trigger string) charts.GlobalOpts {
	return charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: trigger})
}

// healthGauge is the ecosystem health gauge, 0–100, its arc coloured by band
// and its pointer and value in the colour of the band the value falls in.
func healthGauge(health float64, b Bands) (chartSpec, error) {
	return healthGaugeIn(nil, health, b)
}

// healthGaugeIn is healthGauge in tr's language (nil: English).
func healthGaugeIn(tr Tr, health float64, b Bands) (chartSpec, error) {
	tr = orEnglish(tr)
	if !finiteNum(health) {
		return noDataSpec(tr("charts.no_health_score")), nil
	}
	g := charts.NewGauge()
	g.SetGlobalOptions(
		showTooltip("item"),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
	)
	color := b.color(health)
	g.AddSeries(tr("charts.ecosystem_health"),
		[]opts.GaugeData{{Name: tr("charts.health"), Value: roundTo(health, 1)}},
		charts.WithSeriesOpts(func(s *charts.SingleSeries) {
			s.Min, s.Max = 0, 100
			s.Radius = "95%"
			s.Center = []string{"50%", "58%"}
			s.Pointer = &opts.Pointer{Length: "60%", ItemStyle: &opts.ItemStyle{Color: color}}
			s.AxisTick = &opts.AxisTick{Show: opts.Bool(false)}
			s.SplitLine = &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: "#ffffff", Width: 2}}
			s.AxisLabel = &opts.AxisLabel{Show: opts.Bool(true), Color: "#5b6475", FontSize: 11}
			s.Title = &opts.Title{Show: opts.Bool(false)}
			s.Detail = &opts.Detail{Color: color, FontSize: 30, FontWeight: "bold", OffsetCenter: []string{"0", "55%"}}
		}),
	)
	opt, err := optionOf(g)
	if err != nil {
		return chartSpec{}, err
	}
	// The band arc: go-echarts types axisLine.lineStyle.color as a string,
	// ECharts wants [[end, colour]…] for a banded arc.
	if s := optSeries(opt, 0); s != nil {
		s["axisLine"] = map[string]any{"lineStyle": map[string]any{
			"width": 18,
			"color": []any{
				[]any{b.WatchMin / 100, colorAtRisk},
				[]any{b.HealthyMin / 100, colorWatch},
				[]any{1, colorHealthy},
			},
		}}
		s["splitNumber"] = 10
		if lbl, ok := s["axisLabel"].(map[string]any); ok {
			lbl["distance"] = 24 // inside the arc, clear of the band
		}
	}
	return chartSpec{Option: opt}, nil
}

// lineSeries is one series of a trend line.
type lineSeries struct {
	Name     string
	Values   []float64
	Color    string
	Decimals int
}

// trendOpts shapes a trend chart's value axis.
type trendOpts struct {
	YName    string
	Min, Max any    // nil: automatic
	Bands    *Bands // draw these health band limits; nil: none
	Area     bool   // fill under the line
	Scale    bool   // do not force zero into the axis
	Message  string
	// WarmUp is the range of points (labels) whose scores are warming up,
	// shaded; nil: none (series.go).
	WarmUp *DayRange
	// Partial marks the points that are partial weeks, drawn hollow; nil:
	// none.
	Partial []bool
	// Tr speaks the chart's own words (the default no-data message, the
	// band limits, the warm-up's label); nil: English.
	Tr Tr
}

// trendLine is a line chart over days, with a tooltip, inside dataZoom and a
// legend when there are several series. A value not measured (NaN) is a
// gap, never a 0 (series.go). No finite value at all gives a no-data block.
func trendLine(days []string, list []lineSeries, o trendOpts) (chartSpec, error) {
	tr := orEnglish(o.Tr)
	hasData := false
	for _, s := range list {
		for _, v := range s.Values {
			hasData = hasData || finiteNum(v)
		}
	}
	if len(days) == 0 || !hasData {
		msg := o.Message
		if msg == "" {
			msg = tr("charts.no_data_period")
		}
		return noDataSpec(msg), nil
	}

	l := charts.NewLine()
	yAxis := opts.YAxis{
		Type:      "value",
		Name:      o.YName,
		Min:       o.Min,
		Max:       o.Max,
		Scale:     opts.Bool(o.Scale),
		SplitLine: &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: "#e6e9ef"}},
	}
	l.SetGlobalOptions(
		showTooltip("axis"),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(len(list) > 1), Top: "0"}),
		charts.WithDataZoomOpts(opts.DataZoom{Type: "inside", Start: 0, End: 100}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "16", Top: gridTop(len(list) > 1, o.YName != ""), Bottom: "8", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Color: "#5b6475"}}),
		charts.WithYAxisOpts(yAxis),
	)
	l.SetXAxis(days)
	values := make([][]any, len(list))
	for i, s := range list {
		values[i] = chartValues(s.Values, s.Decimals, o.Partial)
	}
	showSymbol := len(days) <= 31
	for _, p := range o.Partial {
		showSymbol = showSymbol || p // a hollow partial week must show
	}
	for i, s := range list {
		// go-echarts needs the points to lay the chart out; setSeriesData
		// replaces them with plain values and nulls below.
		points := make([]opts.LineData, len(s.Values))
		seriesOpts := []charts.SeriesOpts{
			charts.WithLineChartOpts(opts.LineChart{Smooth: opts.Bool(true), ShowSymbol: opts.Bool(showSymbol), SymbolSize: 5}),
			charts.WithLineStyleOpts(opts.LineStyle{Width: 2.5, Color: s.Color}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: s.Color}),
		}
		if o.Area {
			seriesOpts = append(seriesOpts, charts.WithAreaStyleOpts(opts.AreaStyle{Color: s.Color, Opacity: opts.Float(0.08)}))
		}
		if o.Bands != nil && i == 0 {
			seriesOpts = append(seriesOpts,
				charts.WithMarkLineNameYAxisItemOpts(
					opts.MarkLineNameYAxisItem{Name: tr("status.healthy"), YAxis: o.Bands.HealthyMin},
					opts.MarkLineNameYAxisItem{Name: tr("status.at_risk"), YAxis: o.Bands.WatchMin},
				),
				charts.WithMarkLineStyleOpts(opts.MarkLineStyle{
					Symbol:    []string{"none", "none"},
					LineStyle: &opts.LineStyle{Type: "dashed", Color: colorNoData, Width: 1},
					Label:     &opts.Label{Show: opts.Bool(true), Position: "insideStartTop", Formatter: "{b}", Color: "#5b6475"},
				}),
			)
		}
		l.AddSeries(s.Name, points, seriesOpts...)
	}
	opt, err := optionOf(l)
	if err != nil {
		return chartSpec{}, err
	}
	setSeriesData(opt, values)
	markWarmUpIn(tr, opt, o.WarmUp)
	if o.Bands != nil {
		// Colour the limits by the band they open.
		if s := optSeries(opt, 0); s != nil {
			if ml, ok := s["markLine"].(map[string]any); ok {
				if items, ok := ml["data"].([]any); ok {
					for _, it := range items {
						if m, ok := it.(map[string]any); ok {
							if y, _ := m["yAxis"].(float64); y >= o.Bands.HealthyMin {
								m["lineStyle"] = map[string]any{"color": colorHealthy}
							} else {
								m["lineStyle"] = map[string]any{"color": colorAtRisk}
							}
						}
					}
				}
				ml["silent"] = true
			}
		}
	}
	return chartSpec{Option: opt}, nil
}

func gridTop(legend, axisName bool) string {
	switch {
	case legend:
		return "36"
	case axisName:
		return "28"
	}
	return "12"
}

// shareBarIn is a horizontal bar chart of the members' share of R
// (φ_i / R), in percent, largest first, in tr's language (nil: English).
// Member names are data: they reach the canvas as text, and ECharts'
// default tooltip encodes them.
func shareBarIn(tr Tr, rows []MemberRow, bands Bands) (chartSpec, error) {
	tr = orEnglish(tr)
	if len(rows) == 0 {
		return noDataSpec(tr("charts.no_share")), nil
	}
	names := make([]string, len(rows))
	points := make([]opts.BarData, len(rows))
	found := false
	for i, m := range rows {
		names[i] = m.Name
		v := jsonNumber(m.PhiShare*100, 1)
		if v == nil {
			v = "-"
		} else {
			found = true
		}
		points[i] = opts.BarData{Value: v, ItemStyle: &opts.ItemStyle{Color: bands.color(m.Health)}}
	}
	if !found {
		return noDataSpec(tr("charts.no_share")), nil
	}
	b := charts.NewBar()
	b.SetGlobalOptions(
		showTooltip("axis"),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "24", Top: "8", Bottom: "8", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", AxisLabel: &opts.AxisLabel{Formatter: "{value}%", Color: "#5b6475"}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Color: "#273043", Width: 140, Overflow: "truncate"}}),
	)
	b.SetXAxis(names).XYReversal()
	b.AddSeries(tr("charts.share_of_r"), points, charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.BarMaxWidth = "22" }))
	opt, err := optionOf(b)
	if err != nil {
		return chartSpec{}, err
	}
	return chartSpec{Option: opt, ValueSuffix: "%"}, nil
}
