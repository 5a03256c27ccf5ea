package views

import (
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// The milestone timeline of the member page and of an agreement's page:
// milestones on their due dates, one series per state, with a dashed line
// at the day shown.

// milestoneStates are the timeline's series, in legend order, with the
// words the legend and the tooltips use.
var milestoneStates = []struct{ key, label string }{
	{memberMsDone, "done"}, {memberMsLate, "done late"}, {memberMsOverdue, "overdue"}, {memberMsUpcoming, "upcoming"},
}

var memberMsColors = map[string]string{
	memberMsDone:     colorHealthy,
	memberMsLate:     colorWatch,
	memberMsOverdue:  colorAtRisk,
	memberMsUpcoming: "#3b6fd8",
}

// milestoneStateLabelIn is the legend's word for a milestone state, in tr's
// language (nil: English).
func milestoneStateLabelIn(tr Tr, state string) string {
	if tr != nil {
		switch state {
		case memberMsDone:
			return tr("ms.done")
		case memberMsLate:
			return tr("ms.done_late")
		case memberMsOverdue:
			return tr("ms.overdue")
		case memberMsUpcoming:
			return tr("ms.upcoming")
		}
	}
	for _, st := range milestoneStates {
		if st.key == state {
			return st.label
		}
	}
	return state
}

// timelineMark is one point of the timeline: a milestone on a row at a day,
// with its tooltip's title and lines (memberTipInfo).
type timelineMark struct {
	State string // a memberMs* state; its series
	Title string
	Day   string // YYYY-MM-DD
	Row   int    // index in milestoneTimeline.Rows
	Tip   string
	Info  []any
}

// milestoneTimeline is what differs between the pages' timelines.
type milestoneTimeline struct {
	Rows       []string // the y axis, top to bottom
	LabelWidth int      // of the row labels, in pixels
	SymbolSize int
	Zoom       bool           // zoom the time axis with the wheel
	Marks      []timelineMark // in the order each series lists them
	// Delivered are smaller diamonds where milestones were done, in a
	// series of their own after the states; none on a page without them.
	Delivered []timelineMark
	At        string // the day shown, where the dashed line goes
	AtLabel   string // where that line's label sits: "start" or "end"
	// Tr speaks the legend (the states, "delivered on"); nil: English.
	Tr Tr
}

// option returns the chart's ECharts option, each point carrying its "tip"
// and "info" for the tooltip.
func (t milestoneTimeline) option() (map[string]any, error) {
	s := charts.NewScatter()
	global := []charts.GlobalOpts{
		showTooltip("item"),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0"}),
	}
	if t.Zoom {
		global = append(global, charts.WithDataZoomOpts(opts.DataZoom{Type: "inside", XAxisIndex: []int{0}}))
	}
	s.SetGlobalOptions(append(global,
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "24", Top: "36", Bottom: "8", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "time", AxisLabel: &opts.AxisLabel{Color: "#5b6475"},
			SplitLine: &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: "#e6e9ef"}}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: t.Rows, Inverse: opts.Bool(true),
			AxisLabel: &opts.AxisLabel{Color: "#273043", Width: t.LabelWidth, Overflow: "truncate"}}),
	)...)
	byState := map[string][]timelineMark{}
	for _, m := range t.Marks {
		byState[m.State] = append(byState[m.State], m)
	}
	var extra [][]map[string]any
	for _, st := range milestoneStates {
		list := byState[st.key]
		if len(list) == 0 {
			continue
		}
		items, fields := t.series(list, "", t.SymbolSize)
		extra = append(extra, fields)
		s.AddSeries(milestoneStateLabelIn(t.Tr, st.key), items, charts.WithItemStyleOpts(opts.ItemStyle{Color: memberMsColors[st.key]}))
	}
	if len(t.Delivered) > 0 {
		items, fields := t.series(t.Delivered, "diamond", 10)
		extra = append(extra, fields)
		s.AddSeries(orEnglish(t.Tr)("timeline.delivered_on"), items, charts.WithItemStyleOpts(opts.ItemStyle{Color: "#1f2737", Opacity: opts.Float(0.7)}))
	}
	opt, err := optionOf(s)
	if err != nil {
		return nil, err
	}
	memberMergeItemFields(opt, extra)
	if ser := optSeries(opt, 0); ser != nil {
		ser["markLine"] = map[string]any{
			"silent":    true,
			"symbol":    []any{"none", "none"},
			"lineStyle": map[string]any{"type": "dashed", "color": "#5b6475", "width": 1},
			"label":     map[string]any{"formatter": "{b}", "color": "#5b6475", "position": t.AtLabel},
			"data":      []any{map[string]any{"name": t.At, "xAxis": t.At}},
		}
	}
	return opt, nil
}

// series are the points of one series and their tooltip fields; symbol ""
// is the chart's default circle.
func (t milestoneTimeline) series(marks []timelineMark, symbol string, size int) ([]opts.ScatterData, []map[string]any) {
	items := make([]opts.ScatterData, len(marks))
	fields := make([]map[string]any, len(marks))
	for i, m := range marks {
		items[i] = opts.ScatterData{Name: m.Title, Value: []any{m.Day, m.Row}, Symbol: symbol, SymbolSize: size}
		fields[i] = map[string]any{"tip": m.Tip, "info": m.Info}
	}
	return items, fields
}
