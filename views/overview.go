package views

import (
	"io"
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
	tr := r.Tr()
	page, err := buildOverviewPageIn(tr, o, r.opts.Bands)
	if err != nil {
		return err
	}
	return r.render(w, "overview", layoutData{
		Title:  tr("ovpage.title"),
		Active: "/",
		Fresh:  newFreshness(o.At, o.LastCollected),
		Page:   page,
	})
}

func buildOverviewPage(o Overview, bands Bands) (overviewPage, error) {
	return buildOverviewPageIn(nil, o, bands)
}

// buildOverviewPageIn is the overview's page in tr's language (nil:
// English): the words change, the numbers are o's.
func buildOverviewPageIn(tr Tr, o Overview, bands Bands) (overviewPage, error) {
	tr = orEnglish(tr)
	o = o.in(tr)
	p := overviewPage{Empty: o.Empty, Setup: o.Setup.in(tr), Shown: o.DayShown, Offer: o.Available}
	if o.Empty {
		return p, nil
	}
	p.Health = fmtScore(o.Health)
	p.HealthChange = deltaIn(tr, scoreDelta(o.HealthChange), "")
	p.Status = bands.badge(o.Status, o.Health)
	p.R = fmtNum(o.R)
	p.RChange = deltaIn(tr, ratioDelta(o.RChange), "")
	p.KPIs = []kpiCard{
		{Label: tr("ovpage.kpi.members"), Value: o.Members.Value, Change: deltaIn(tr, intDelta(o.Members.Change), ""), Help: tr("ovpage.kpi.members_help")},
		{Label: tr("ovpage.kpi.consumers"), Value: o.Consumers.Value, Change: deltaIn(tr, intDelta(o.Consumers.Change), ""), Help: tr("ovpage.kpi.consumers_help")},
		{Label: tr("ovpage.kpi.contributors"), Value: o.Contributors.Value, Change: deltaIn(tr, intDelta(o.Contributors.Change), ""), Help: tr("ovpage.kpi.contributors_help")},
	}
	switch {
	case o.ChangePartial != "": // no change against a partial week (series.go)
		p.HealthChange, p.RChange = partialDeltaIn(tr, o.ChangePartial), partialDeltaIn(tr, o.ChangePartial)
		for i := range p.KPIs {
			p.KPIs[i].Change = partialDeltaIn(tr, o.ChangePartial)
		}
	case o.ChangeMissing != "": // the day compared with was not scored
		p.HealthChange, p.RChange = missingDeltaIn(tr, o.ChangeMissing), missingDeltaIn(tr, o.ChangeMissing)
		for i := range p.KPIs {
			p.KPIs[i].Change = missingDeltaIn(tr, o.ChangeMissing)
		}
	case o.ComparedWith != "":
		p.HealthChange, p.RChange = deltaIn(tr, p.HealthChange, o.ComparedWith), deltaIn(tr, p.RChange, o.ComparedWith)
		for i := range p.KPIs {
			p.KPIs[i].Change = deltaIn(tr, p.KPIs[i].Change, o.ComparedWith)
		}
	}
	p.Top, p.AtRisk, p.MemberQuery = o.Top, o.AtRisk, o.MemberQuery
	buildOverviewStory(&p, o, bands, tr)

	days := make([]string, len(o.Trend))
	health := make([]float64, len(o.Trend))
	value := make([]float64, len(o.Trend))
	for i, t := range o.Trend {
		days[i], health[i], value[i] = t.Day, t.Health, t.R
	}

	var err error
	p.Gauge = chartBlock{
		ID:      "chart-health-gauge",
		Title:   tr("charts.ecosystem_health"),
		Summary: tr("ovpage.gauge_summary", "Health", p.Health, "Status", badgeWordIn(tr, p.Status)),
		Size:    "sm",
	}
	if p.Gauge.Spec, err = healthGaugeIn(tr, o.Health, bands); err != nil {
		return p, err
	}
	p.HealthTrend = chartBlock{
		ID:      "chart-health-trend",
		Title:   tr("ovpage.health_trend"),
		Summary: trendTextIn(tr, tr("charts.ecosystem_health"), days, health, fmtScore, o.TrendWarmingUp),
		Size:    "sm",
	}
	if p.HealthTrend.Spec, err = trendLine(days, []lineSeries{{Name: tr("charts.health"), Values: health, Color: "#3b6fd8", Decimals: 1}},
		trendOpts{Min: 0, Max: 100, Bands: &bands, Area: true, Message: tr("ovpage.no_health_trend"), WarmUp: o.TrendWarmingUp, Tr: tr}); err != nil {
		return p, err
	}
	p.RTrend = chartBlock{
		ID:      "chart-r-trend",
		Title:   tr("ovpage.r_trend"),
		Summary: trendTextIn(tr, tr("ovpage.ecosystem_value_r"), days, value, fmtNum, o.TrendWarmingUp),
	}
	if p.RTrend.Spec, err = trendLine(days, []lineSeries{{Name: "R", Values: value, Color: "#7a4fd0", Decimals: 4}},
		trendOpts{Area: true, Scale: true, Message: tr("ovpage.no_value_trend"), WarmUp: o.TrendWarmingUp, Tr: tr}); err != nil {
		return p, err
	}
	p.Share = chartBlock{
		ID:      "chart-phi-share",
		Title:   tr("ovpage.share_title"),
		Summary: shareSummaryIn(tr, o.Top),
	}
	if p.Share.Spec, err = shareBarIn(tr, o.Top, bands); err != nil {
		return p, err
	}
	return p, nil
}

// trendSummaryIn says how a series went, first value to last, in tr's
// language (nil: English).
func trendSummaryIn(tr Tr, what string, days []string, values []float64, format func(float64) string) string {
	tr = orEnglish(tr)
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
		return tr("series.trend_no_data", "What", what)
	}
	return tr("series.trend_went", "What", what, "From", format(values[first]), "FromDay", days[first], "To", format(values[last]), "ToDay", days[last]) + tr("series.trend_end")
}

// shareSummaryIn says who holds the largest shares of R, in tr's language
// (nil: English).
func shareSummaryIn(tr Tr, rows []MemberRow) string {
	tr = orEnglish(tr)
	if len(rows) == 0 {
		return tr("ovpage.share_none")
	}
	s := tr("ovpage.share_of_top", "Members", nMembers(tr, len(rows)))
	for i, m := range rows {
		if i > 0 {
			s += tr("story.list_sep")
		}
		s += m.Name + " " + fmtPct(m.PhiShare)
	}
	return s + tr("story.end")
}

// badgeWordIn names a status badge in tr's language, as the templates'
// statusLabel does.
func badgeWordIn(tr Tr, b statusBadge) string {
	switch b.Class {
	case "healthy":
		return tr("status.healthy")
	case "watch":
		return tr("status.watch")
	case "at-risk":
		return tr("status.at_risk")
	case "no-data":
		return tr("status.no_data")
	}
	return b.Label
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
