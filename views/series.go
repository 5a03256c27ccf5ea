package views

import (
	"context"
	"encoding/json"
	"math"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// Trends that do not lie. Every trend a page draws (the overview's health
// and R, a member's health history, the snapshots' history, API usage per
// day, community per week) is built here, from its points and its values
// with the missing ones as NaN:
//
//   - A value that was not measured is null in the chart's data, and
//     ECharts draws a gap (connectNulls false), never a 0. A day has data
//     when some input was collected for it, API calls or community activity
//     (data.DataDays); on such a day a count of zero is a zero. A score has
//     data when some member had data in its window: a day scored on nothing
//     has health 0 and no active member, which is no measurement.
//   - The warm-up: the first window_days days from the ecosystem's first day
//     of data. A score of those days measures a partial window (and its
//     growth compares with an empty one), so that a filling window looks
//     like growth. Score trends shade those days (a markArea labelled
//     "warming up") and their JSON carries the same range.
//   - Partial weeks: a week with fewer than 7 days of data, or whose scores
//     are warming up, is partial. A week-over-week change (the overview's,
//     a snapshot's, risers and fallers) is computed only between two
//     complete weeks; partial weekly points are drawn hollow.

// WarmUpLabel names the shaded warm-up on a chart.
const WarmUpLabel = "warming up"

// Options are what pages show that depends on the configuration: the
// health bands they colour by and the scoring window's length, whose
// warm-up charts mark. A Renderer holds its own; two Apps in one process
// show pages by their own configuration.
type Options struct {
	Bands      Bands
	WindowDays int
}

// OptionsOf returns the options of a scoring configuration.
func OptionsOf(cfg metrics.Config) Options {
	return Options{Bands: Bands{HealthyMin: cfg.Health.HealthyMin, WatchMin: cfg.Health.WatchMin}, WindowDays: cfg.WindowDays}
}

// warmUp is the ecosystem's warm-up: [From, To], both zero when no data is
// stored yet.
type warmUp struct {
	From, To   time.Time
	WindowDays int
}

func (w warmUp) contains(day time.Time) bool {
	return !w.From.IsZero() && !day.Before(w.From) && !day.After(w.To)
}

// points returns the first and last label of the points whose day lies in
// the warm-up, or nil when none does: the markArea's range and the JSON's.
func (w warmUp) points(days []time.Time, labels []string) *DayRange {
	first, last := -1, -1
	for i, d := range days {
		if w.contains(d) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return nil
	}
	return &DayRange{From: labels[first], To: labels[last]}
}

// loadWarmUp reads the ecosystem's warm-up: window days (0: the default
// configuration's scoring window) from its first day with usage or activity.
func loadWarmUp(ctx context.Context, db *data.DB, windowDays int) (warmUp, error) {
	r, err := db.DataRange(ctx)
	if err != nil {
		return warmUp{}, err
	}
	return warmUpOf(r, windowDays), nil
}

// frameSpanDays is how many days of data days a frame reads at once.
const frameSpanDays = 1000

// trendFrame is what a page's trends are marked with: the warm-up and the
// days holding data over [from, to].
type trendFrame struct {
	warm     warmUp
	from, to time.Time
	dataDays map[time.Time]bool
}

// loadTrendFrame reads the ecosystem's first day of data and the days with
// data of [from, to].
func loadTrendFrame(ctx context.Context, db *data.DB, from, to time.Time, windowDays int) (*trendFrame, error) {
	w, err := loadWarmUp(ctx, db, windowDays)
	if err != nil {
		return nil, err
	}
	f := &trendFrame{warm: w, from: domain.Day(from), to: domain.Day(to), dataDays: map[time.Time]bool{}}
	// In spans of at most a few years, which is what the store reads at once
	// (the weekly snapshots may go back further).
	for start := f.from; !start.After(f.to); start = start.AddDate(0, 0, frameSpanDays) {
		end := start.AddDate(0, 0, frameSpanDays-1)
		if end.After(f.to) {
			end = f.to
		}
		days, err := db.DataDays(ctx, start, end)
		if err != nil {
			return nil, err
		}
		for _, d := range days {
			f.dataDays[d.Day] = true
		}
	}
	return f, nil
}

// hasData reports whether day holds collected input. Outside the frame's
// span nothing is known: false.
func (f *trendFrame) hasData(day time.Time) bool { return f.dataDays[domain.Day(day)] }

// dataDaysIn counts the days of [from, to] holding data.
func (f *trendFrame) dataDaysIn(from, to time.Time) int {
	n := 0
	for d := domain.Day(from); !d.After(to); d = d.AddDate(0, 0, 1) {
		if f.dataDays[d] {
			n++
		}
	}
	return n
}

// weekPartial says why the week ending on end (end and the 6 days before
// it) is partial, or "" when it is complete: 7 days of data, and its last
// day's scores out of the warm-up.
func (f *trendFrame) weekPartial(end time.Time) string {
	return f.weekPartialIn(nil, end)
}

// weekPartialIn is weekPartial in tr's language (nil: English).
func (f *trendFrame) weekPartialIn(tr Tr, end time.Time) string {
	tr = orEnglish(tr)
	end = domain.Day(end)
	if f.warm.contains(end) {
		return tr("series.warming_up_why", "Day", end.Format(domain.DateLayout), "From", f.warm.From.Format(domain.DateLayout),
			"Window", f.warm.WindowDays, "Days", nDays(tr, int(end.Sub(f.warm.From).Hours()/24)+1))
	}
	switch n := f.dataDaysIn(end.AddDate(0, 0, -6), end); {
	case n == 0:
		return tr("series.week_empty", "Day", end.Format(domain.DateLayout))
	case n < 7:
		return tr("series.week_short", "N", n, "Day", end.Format(domain.DateLayout))
	}
	return ""
}

// weekOverWeek says why the week ending on day cannot be compared with the
// week before it, or "" when both are complete.
func (f *trendFrame) weekOverWeek(day time.Time) string {
	return f.weekOverWeekIn(nil, day)
}

// weekOverWeekIn is weekOverWeek in tr's language (nil: English).
func (f *trendFrame) weekOverWeekIn(tr Tr, day time.Time) string {
	tr = orEnglish(tr)
	if why := f.weekPartialIn(tr, day); why != "" {
		return tr("series.this_week_partial", "Why", why)
	}
	if why := f.weekPartialIn(tr, day.AddDate(0, 0, -7)); why != "" {
		return tr("series.week_before_partial", "Why", why)
	}
	return ""
}

// nDays is "1 day", "3 days" in tr's language. (A message's plural forms
// are not chosen by the Tr: the words are picked here.)
func nDays(tr Tr, n int) string {
	if n == 1 {
		return tr("series.one_day")
	}
	return tr("series.n_days", "N", n)
}

// ecoScoreMeasured reports whether an ecosystem score measured something:
// a day scored with no member having data has health 0 and no active
// member (metrics: "0 if no member has data").
func ecoScoreMeasured(e domain.EcosystemScore) bool {
	return finiteNum(e.Health) && !(e.Health == 0 && e.Members == 0)
}

// memberScoreMeasured reports whether a member's score measured something.
func memberScoreMeasured(health float64, status string) bool {
	return finiteNum(health) && status != domain.StatusNoData
}

// ecosystemTrend returns the weekly points of the ecosystem's scores up to
// day (the Sundays of the weeks before it, then day: membersTrendDays), NaN
// where the day was not scored or its score measured nothing, and the
// points inside the warm-up. The overview and /api/v1/overview show it.
func ecosystemTrend(ctx context.Context, db *data.DB, day time.Time, weeks, windowDays int) ([]TrendPoint, *DayRange, error) {
	days := membersTrendDays(day, weeks)
	scores, err := db.EcosystemScores(ctx, days[0], days[len(days)-1])
	if err != nil {
		return nil, nil, err
	}
	byDay := make(map[time.Time]domain.EcosystemScore, len(scores))
	for _, e := range scores {
		byDay[domain.Day(e.Day)] = e
	}
	warm, err := loadWarmUp(ctx, db, windowDays)
	if err != nil {
		return nil, nil, err
	}
	out := make([]TrendPoint, len(days))
	labels := make([]string, len(days))
	for i, d := range days {
		labels[i] = d.Format(domain.DateLayout)
		out[i] = TrendPoint{Day: labels[i], Health: math.NaN(), R: math.NaN()}
		if e, ok := byDay[d]; ok && ecoScoreMeasured(e) {
			out[i].Health, out[i].R = e.Health, e.R
		}
	}
	return out, warm.points(days, labels), nil
}

// MarshalJSON writes a trend point, a value not measured (NaN) as null.
func (p TrendPoint) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Day    string   `json:"day"`
		Health *float64 `json:"health"`
		R      *float64 `json:"R"`
	}{p.Day, ecoOpt(p.Health), ecoOpt(p.R)})
}

// UnmarshalJSON reads a trend point, null as NaN (not measured).
func (p *TrendPoint) UnmarshalJSON(b []byte) error {
	var v struct {
		Day    string   `json:"day"`
		Health *float64 `json:"health"`
		R      *float64 `json:"R"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	p.Day, p.Health, p.R = v.Day, math.NaN(), math.NaN()
	if v.Health != nil {
		p.Health = *v.Health
	}
	if v.R != nil {
		p.R = *v.R
	}
	return nil
}

// chartValues turns values (NaN: not measured) into a series' data: a
// number rounded to decimals, or nil (JSON null: ECharts draws a gap). A
// point marked partial is drawn hollow.
func chartValues(values []float64, decimals int, partial []bool) []any {
	out := make([]any, len(values))
	for i, v := range values {
		n := jsonNumber(v, decimals)
		if n != nil && i < len(partial) && partial[i] {
			out[i] = map[string]any{"value": n, "symbol": "emptyCircle", "symbolSize": 8, "partial": true}
			continue
		}
		out[i] = n
	}
	return out
}

// countValues turns daily or weekly counts into values, NaN where the
// point holds no data (measured false): a count there is no zero.
func countValues(counts []int64, measured []bool) []float64 {
	out := make([]float64, len(counts))
	for i, c := range counts {
		out[i] = float64(c)
		if i < len(measured) && !measured[i] {
			out[i] = math.NaN()
		}
	}
	return out
}

// markWarmUpIn shades the warm-up points of a trend's option on its first
// series, labelled in tr's language (nil: English).
func markWarmUpIn(tr Tr, opt map[string]any, r *DayRange) {
	if r == nil {
		return
	}
	s := optSeries(opt, 0)
	if s == nil {
		return
	}
	s["markArea"] = map[string]any{
		"silent":    true,
		"itemStyle": map[string]any{"color": "rgba(91, 100, 117, 0.10)"},
		"label":     map[string]any{"show": true, "position": "insideTop", "color": "#5b6475", "fontSize": 11},
		"data": []any{[]any{
			map[string]any{"name": orEnglish(tr)("series.warming_up"), "xAxis": r.From},
			map[string]any{"xAxis": r.To},
		}},
	}
}

// setSeriesData replaces the data of every series of opt whose index has
// values, and breaks lines at missing values.
func setSeriesData(opt map[string]any, data [][]any) {
	for i, d := range data {
		s := optSeries(opt, i)
		if s == nil {
			return
		}
		s["data"] = d
		if s["type"] == "line" {
			s["connectNulls"] = false
		}
	}
}

// partialDeltaIn is a change not computed because a week is partial: shown
// as such, with the reason, never as a change of 0 (in tr's language; nil:
// English).
func partialDeltaIn(tr Tr, reason string) deltaView {
	tr = orEnglish(tr)
	return deltaView{Text: tr("series.partial_week"), Class: "flat partial", Words: tr("series.not_compared", "Why", reason)}
}

// barValues is chartValues for bars: a partial point is drawn faded.
func barValues(values []float64, decimals int, partial []bool) []any {
	out := make([]any, len(values))
	for i, v := range values {
		n := jsonNumber(v, decimals)
		if n != nil && i < len(partial) && partial[i] {
			out[i] = map[string]any{"value": n, "itemStyle": map[string]any{"opacity": 0.45}, "partial": true}
			continue
		}
		out[i] = n
	}
	return out
}

// trendTextIn is a trend's text summary, in tr's language (nil: English;
// what is in it already): from its first measured point to its last,
// skipping the missing ones (never read as 0) and starting after the
// warm-up when a later point is measured (a filling window is no growth);
// it says how many points are missing between them, and which were warming
// up.
func trendTextIn(tr Tr, what string, labels []string, values []float64, format func(float64) string, warm *DayRange) string {
	tr = orEnglish(tr)
	inWarm := func(i int) bool { return warm != nil && labels[i] >= warm.From && labels[i] <= warm.To }
	first, last, firstAfter := -1, -1, -1
	for i, v := range values {
		if !finiteNum(v) {
			continue
		}
		if first < 0 {
			first = i
		}
		if firstAfter < 0 && !inWarm(i) {
			firstAfter = i
		}
		last = i
	}
	if first < 0 {
		return tr("series.trend_no_data", "What", what)
	}
	from := first
	if firstAfter >= 0 && firstAfter < last {
		from = firstAfter
	}
	s := tr("series.trend_went", "What", what, "From", format(values[from]), "FromDay", labels[from], "To", format(values[last]), "ToDay", labels[last])
	if from == first && last == first {
		s = tr("series.trend_was", "What", what, "Value", format(values[first]), "Day", labels[first])
	}
	missing := 0
	for i := from; i <= last; i++ {
		if !finiteNum(values[i]) {
			missing++
		}
	}
	if missing > 0 {
		if missing == 1 {
			s += tr("series.trend_missing_one")
		} else {
			s += tr("series.trend_missing", "N", missing)
		}
	}
	s += tr("series.trend_end")
	if warm != nil {
		s += tr("series.trend_warm", "From", warm.From, "To", warm.To)
	}
	return s
}
