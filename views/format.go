package views

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// Bands are the health values pages colour by: healthy from HealthyMin,
// watch from WatchMin, at risk below. They are the scoring configuration's
// (metrics.HealthConfig), so that a page colours a value as its status names
// it; each Renderer holds its own (Options).
type Bands struct {
	HealthyMin float64
	WatchMin   float64
}

// DefaultBands are the bands of the default scoring configuration.
func DefaultBands() Bands { return OptionsOf(metrics.DefaultConfig()).Bands }

// Band colours, shared by the gauge, the trend's reference lines and app.css.
const (
	colorHealthy = "#2e9d5b"
	colorWatch   = "#e3a21a"
	colorAtRisk  = "#d64545"
	colorNoData  = "#8a94a6"
)

// noValue is what a table shows for a number that does not exist (NaN).
const noValue = "—"

func finiteNum(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// band returns the band of a health value.
func (b Bands) band(health float64) string {
	switch {
	case !finiteNum(health):
		return domain.StatusNoData
	case health >= b.HealthyMin:
		return domain.StatusHealthy
	case health >= b.WatchMin:
		return domain.StatusWatch
	default:
		return domain.StatusAtRisk
	}
}

// color returns the colour of the band a health value falls in.
func (b Bands) color(health float64) string {
	switch b.band(health) {
	case domain.StatusHealthy:
		return colorHealthy
	case domain.StatusWatch:
		return colorWatch
	case domain.StatusAtRisk:
		return colorAtRisk
	}
	return colorNoData
}

// statusBadge is a health status as a badge: its CSS class and words.
type statusBadge struct {
	Class string
	Label string
}

// badge names a status. An empty status is derived from the value.
func (b Bands) badge(s string, health float64) statusBadge {
	if s == "" {
		s = b.band(health)
	}
	return statusBadgeOf(s)
}

// statusBadgeOf names a status; an empty one has no data.
func statusBadgeOf(s string) statusBadge {
	switch s {
	case "", domain.StatusNoData:
		return statusBadge{"no-data", "no data"}
	case domain.StatusHealthy:
		return statusBadge{"healthy", "healthy"}
	case domain.StatusWatch:
		return statusBadge{"watch", "watch"}
	case domain.StatusAtRisk:
		return statusBadge{"at-risk", "at risk"}
	}
	return statusBadge{"no-data", strings.ReplaceAll(s, "_", " ")}
}

// fmtScore formats a 0–100 score with one decimal.
func fmtScore(v float64) string {
	if !finiteNum(v) {
		return noValue
	}
	return strconv.FormatFloat(roundTo(v, 1), 'f', 1, 64)
}

// fmtNum formats an unbounded value (R, φ, C, K) with about three significant
// digits and no exponent: 1234 → "1,234", 12.345 → "12.3", 0.03456 → "0.0346".
func fmtNum(v float64) string {
	if !finiteNum(v) {
		return noValue
	}
	a := math.Abs(v)
	if a >= 1000 {
		return groupThousands(strconv.FormatFloat(math.Round(v), 'f', 0, 64))
	}
	decimals := 2
	if a > 0 {
		decimals = 2 - int(math.Floor(math.Log10(a)))
	}
	decimals = min(max(decimals, 0), 4)
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// fmtCount formats a count with thousands separators: 12,345.
func fmtCount(n int64) string { return groupThousands(strconv.FormatInt(n, 10)) }

func groupThousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return sign + b.String()
}

// fmtPct formats a ratio as a percentage with one decimal: 0.123 → "12.3%".
func fmtPct(ratio float64) string {
	if !finiteNum(ratio) {
		return noValue
	}
	return strconv.FormatFloat(roundTo(ratio*100, 1), 'f', 1, 64) + "%"
}

// deltaView is a change against the week before, as an arrow and a signed number.
type deltaView struct {
	Arrow string // ▲, ▼ or →
	Text  string // "+3", "-2", "0", "+1.5", "+5.0%"
	Class string // up, down or flat
	Words string // for screen readers: "up 3 against 7 days earlier"
}

func newDelta(v float64, text string) deltaView {
	switch {
	case !finiteNum(v):
		return deltaView{Arrow: "", Text: noValue, Class: "flat", Words: "no change data"}
	case v > 0:
		return deltaView{"▲", "+" + text, "up", "up " + text + " against 7 days earlier"}
	case v < 0:
		return deltaView{"▼", "-" + text, "down", "down " + text + " against 7 days earlier"}
	}
	return deltaView{"→", text, "flat", "unchanged against 7 days earlier"}
}

// intDelta is the change of a count.
func intDelta(n int) deltaView {
	a := n
	if a < 0 {
		a = -a
	}
	return newDelta(float64(n), strconv.Itoa(a))
}

// scoreDelta is the change of a 0–100 score, with one decimal.
func scoreDelta(v float64) deltaView {
	r := roundTo(v, 1)
	if !finiteNum(v) {
		return newDelta(v, "")
	}
	return newDelta(r, strconv.FormatFloat(math.Abs(r), 'f', 1, 64))
}

// ratioDelta is a relative change (0.05 = +5%), as a percentage.
func ratioDelta(v float64) deltaView {
	if !finiteNum(v) {
		return newDelta(v, "")
	}
	r := roundTo(v*100, 1)
	return newDelta(r, strconv.FormatFloat(math.Abs(r), 'f', 1, 64)+"%")
}

// freshnessLine is the "data as of …" line of the layout.
type freshnessLine struct {
	At        string // YYYY-MM-DD of the scores shown; empty when there are none
	Collected string // RFC 3339 time of the last successful collection
	Human     string // Collected as "2006-01-02 15:04 UTC"
}

func newFreshness(at, lastCollected string) *freshnessLine {
	f := &freshnessLine{At: at, Collected: lastCollected, Human: lastCollected}
	if t, err := time.Parse(time.RFC3339, lastCollected); err == nil {
		f.Human = t.UTC().Format("2006-01-02 15:04 UTC")
	}
	return f
}

func roundTo(v float64, decimals int) float64 {
	p := math.Pow10(decimals)
	r := math.Round(v*p) / p
	if r == 0 {
		return 0 // no "-0.0"
	}
	return r
}

// jsonNumber returns v rounded for a chart, or nil (JSON null, a gap in a
// line) when v is not a number: encoding/json refuses NaN and ±Inf.
func jsonNumber(v float64, decimals int) any {
	if !finiteNum(v) {
		return nil
	}
	return roundTo(v, decimals)
}

// fmtLag shows a number of seconds as a short duration ("45s", "12m", "3h 5m", "2d 4h").
func fmtLag(sec int64) string { return fmtLagIn(nil, sec) }

// fmtLagIn is fmtLag in tr's language (nil: English).
func fmtLagIn(tr Tr, sec int64) string {
	tr = orEnglish(tr)
	d := time.Duration(sec) * time.Second
	switch {
	case d < time.Minute:
		return tr("lag.s", "S", sec)
	case d < time.Hour:
		return tr("lag.m", "M", sec/60)
	case d < 24*time.Hour:
		return tr("lag.hm", "H", sec/3600, "M", sec%3600/60)
	}
	return tr("lag.dh", "D", sec/86400, "H", sec%86400/3600)
}
