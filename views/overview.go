package views

import (
	"fmt"
	"io"

	"github.com/ecopulse/ecopulse/domain"
)

// overviewPage is what templates/pages/overview.html receives.
type overviewPage struct {
	Empty bool
	Setup *Setup     // the getting-started checklist, nil once done
	Shown DayShown   // which scored day is shown, when not the one asked
	Offer *DataOffer // the scores that hold the data, when the day shown holds none

	Health       string // "72.4"
	HealthChange deltaView
	Status       statusBadge
	R            string
	RChange      deltaView
	KPIs         []kpiCard

	Gauge       chartBlock
	HealthTrend chartBlock
	RTrend      chartBlock
	Share       chartBlock

	Top    []MemberRow
	AtRisk []MemberRow

	MemberQuery string // "?at=…" on member links when a day was asked for

	// The period's story, above the charts (overview_story.go).
	StoryTitle    string // "The ecosystem over the last 7 days"
	Periods       []periodLink
	Since         string // what the changes are against, or why they are not computed
	Summary       []string
	HealthMean    string // "—" for a day scored before the member mean was kept
	HasMean       bool
	MeanChange    deltaView
	Dist          StatusDistribution
	DistLinks     []distLink
	AtRiskShare   string // a percentage without its sign, "" when R is 0
	Attention     []attentionRow
	AttentionMore int
}

// periodLink is an entry of the period selector.
type periodLink struct {
	Name, Label, URL string
	Current          bool
}

// distLink is a status of the distribution, linking to the members list
// filtered by it.
type distLink struct {
	Status string
	Badge  statusBadge
	Count  int
	URL    string
}

// attentionRow is a member needing attention, formatted.
type attentionRow struct {
	MemberRow
	Badge  statusBadge
	Score  string
	Change deltaView
}

// kpi is a count card with its week-over-week change.
type kpiCard struct {
	Label  string
	Value  int
	Change deltaView
	Help   string
}

// Overview writes the executive overview page ("/").
func (r *Renderer) Overview(w io.Writer, o Overview) error {
	page, err := buildOverviewPage(o, r.opts.Bands)
	if err != nil {
		return err
	}
	return r.render(w, "overview", layoutData{
		Title:  "Ecosystem overview",
		Active: "/",
		Fresh:  newFreshness(o.At, o.LastCollected),
		Page:   page,
	})
}

func buildOverviewPage(o Overview, bands Bands) (overviewPage, error) {
	p := overviewPage{Empty: o.Empty, Setup: o.Setup, Shown: o.DayShown, Offer: o.Available}
	if o.Empty {
		return p, nil
	}
	p.Health = fmtScore(o.Health)
	p.HealthChange = scoreDelta(o.HealthChange)
	p.Status = bands.badge(o.Status, o.Health)
	p.R = fmtNum(o.R)
	p.RChange = ratioDelta(o.RChange)
	p.KPIs = []kpiCard{
		{Label: "Active members", Value: o.Members.Value, Change: intDelta(o.Members.Change), Help: "members with activity in the scoring window"},
		{Label: "API consumers", Value: o.Consumers.Value, Change: intDelta(o.Consumers.Change), Help: "distinct API consumers that made calls"},
		{Label: "Contributors", Value: o.Contributors.Value, Change: intDelta(o.Contributors.Change), Help: "people who contributed to the community"},
	}
	switch {
	case o.ChangePartial != "": // no change against a partial week (series.go)
		p.HealthChange, p.RChange = partialDelta(o.ChangePartial), partialDelta(o.ChangePartial)
		for i := range p.KPIs {
			p.KPIs[i].Change = partialDelta(o.ChangePartial)
		}
	case o.ChangeMissing != "": // the day compared with was not scored
		p.HealthChange, p.RChange = missingDelta(o.ChangeMissing), missingDelta(o.ChangeMissing)
		for i := range p.KPIs {
			p.KPIs[i].Change = missingDelta(o.ChangeMissing)
		}
	case o.ComparedWith != "":
		p.HealthChange, p.RChange = againstDay(p.HealthChange, o.ComparedWith), againstDay(p.RChange, o.ComparedWith)
		for i := range p.KPIs {
			p.KPIs[i].Change = againstDay(p.KPIs[i].Change, o.ComparedWith)
		}
	}
	p.Top, p.AtRisk, p.MemberQuery = o.Top, o.AtRisk, o.MemberQuery
	buildOverviewStory(&p, o, bands)

	days := make([]string, len(o.Trend))
	health := make([]float64, len(o.Trend))
	value := make([]float64, len(o.Trend))
	for i, t := range o.Trend {
		days[i], health[i], value[i] = t.Day, t.Health, t.R
	}

	var err error
	p.Gauge = chartBlock{
		ID:      "chart-health-gauge",
		Title:   "Ecosystem health",
		Summary: fmt.Sprintf("Ecosystem health is %s out of 100 (%s).", p.Health, p.Status.Label),
		Size:    "sm",
	}
	if p.Gauge.Spec, err = healthGauge(o.Health, bands); err != nil {
		return p, err
	}
	p.HealthTrend = chartBlock{
		ID:      "chart-health-trend",
		Title:   "Health, last 26 weeks",
		Summary: trendText("Ecosystem health", days, health, fmtScore, o.TrendWarmingUp),
		Size:    "sm",
	}
	if p.HealthTrend.Spec, err = trendLine(days, []lineSeries{{Name: "Health", Values: health, Color: "#3b6fd8", Decimals: 1}},
		trendOpts{Min: 0, Max: 100, Bands: &bands, Area: true, Message: "No health trend yet", WarmUp: o.TrendWarmingUp}); err != nil {
		return p, err
	}
	p.RTrend = chartBlock{
		ID:      "chart-r-trend",
		Title:   "Ecosystem value R, last 26 weeks",
		Summary: trendText("Ecosystem value R", days, value, fmtNum, o.TrendWarmingUp),
	}
	if p.RTrend.Spec, err = trendLine(days, []lineSeries{{Name: "R", Values: value, Color: "#7a4fd0", Decimals: 4}},
		trendOpts{Area: true, Scale: true, Message: "No value trend yet", WarmUp: o.TrendWarmingUp}); err != nil {
		return p, err
	}
	p.Share = chartBlock{
		ID:      "chart-phi-share",
		Title:   "Share of value (φ / R), top members",
		Summary: shareSummary(o.Top),
	}
	if p.Share.Spec, err = shareBar(o.Top, bands); err != nil {
		return p, err
	}
	return p, nil
}

func trendSummary(what string, days []string, values []float64, format func(float64) string) string {
	first, last := -1, -1
	for i, v := range values {
		if finiteNum(v) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return what + ": no data yet."
	}
	return fmt.Sprintf("%s went from %s on %s to %s on %s.", what, format(values[first]), days[first], format(values[last]), days[last])
}

func shareSummary(rows []MemberRow) string {
	if len(rows) == 0 {
		return "No member has a share of value yet."
	}
	s := fmt.Sprintf("Share of ecosystem value of the top %s: ", domain.Plural(len(rows), "member", "members"))
	for i, m := range rows {
		if i > 0 {
			s += ", "
		}
		s += m.Name + " " + fmtPct(m.PhiShare)
	}
	return s + "."
}

// weakestLabel names a health dimension for people.
func weakestLabel(d string) string {
	switch d {
	case "api":
		return "API"
	case "projects":
		return "Projects"
	case "community":
		return "Community"
	case "cooperation":
		return "Cooperation"
	}
	return d
}
