package views

import (
	"net/url"
	"strings"

	"github.com/ecopulse/ecopulse/domain"
)

// buildOverviewStory formats the period's story (overview_story.go) for the
// page: every number is the Overview's, as /api/v1/overview returns it.
func buildOverviewStory(p *overviewPage, o Overview, bands Bands, tr Tr) {
	at := ""
	if o.MemberQuery != "" { // a day was asked for: keep it across periods
		at = o.At
	}
	for _, per := range OverviewPeriods {
		v := url.Values{}
		if at != "" {
			v.Set("at", at)
		}
		if per.Name != DefaultOverviewPeriod {
			v.Set("period", per.Name)
		}
		u := "/"
		if enc := v.Encode(); enc != "" {
			u += "?" + enc
		}
		p.Periods = append(p.Periods, periodLink{Name: per.Name, Label: periodLabelIn(tr, per.Name), URL: u, Current: per.Name == o.Period})
	}
	switch {
	case o.ComparedWith != "":
		p.Since = tr("story.changes_against", "Day", o.ComparedWith, "Period", periodWordsIn(tr, o.Period))
	case o.ChangePartial != "":
		p.Since = tr("story.changes_not_computed", "Why", o.ChangePartial)
	case o.ChangeMissing != "":
		p.Since = tr("story.changes_not_computed", "Why", o.ChangeMissing)
	}
	p.Summary = o.Summary.Lines
	p.StoryTitle = tr("story.title", "Period", periodWordsIn(tr, o.Period))

	p.HealthMean, p.MeanChange = noValue, deltaView{Text: noValue, Class: "flat", Words: tr("story.mean_not_kept")}
	if o.HealthMean != nil {
		p.HealthMean, p.HasMean = fmtScore(*o.HealthMean), true
		switch {
		case o.HealthMeanChange != nil:
			p.MeanChange = deltaIn(tr, scoreDelta(*o.HealthMeanChange), o.ComparedWith)
		case o.ChangePartial != "":
			p.MeanChange = partialDeltaIn(tr, o.ChangePartial)
		case o.ChangeMissing != "":
			p.MeanChange = missingDeltaIn(tr, o.ChangeMissing)
		default:
			p.MeanChange = missingDeltaIn(tr, tr("story.mean_not_kept_on", "Day", o.ComparedWith))
		}
	}

	p.Dist = o.Distribution
	for _, st := range []struct {
		status string
		count  int
	}{{domain.StatusHealthy, o.Distribution.Healthy}, {domain.StatusWatch, o.Distribution.Watch},
		{domain.StatusAtRisk, o.Distribution.AtRisk}, {domain.StatusNoData, o.Distribution.NoData}} {
		if st.status == domain.StatusNoData && st.count == 0 {
			continue
		}
		q := MembersQuery{At: at, Status: st.status}
		p.DistLinks = append(p.DistLinks, distLink{Status: st.status, Badge: statusBadgeOf(st.status), Count: st.count, URL: q.URL("/members")})
	}
	if s := o.Distribution.AtRiskShareOfR; s != nil { // "" without R: no value to share
		p.AtRiskShare = strings.TrimSuffix(fmtPct(*s), "%")
	}

	for _, m := range o.Attention {
		row := attentionRow{MemberRow: m, Badge: bands.badge(m.Status, m.Health), Score: fmtScore(m.Health)}
		switch {
		case o.ComparedWith == "":
			row.Change = deltaView{Text: noValue, Class: "flat", Words: tr("story.not_compared")}
		case m.HealthBefore == nil:
			row.Change = deltaView{Text: noValue, Class: "flat", Words: tr("story.not_scored_on", "Day", o.ComparedWith)}
		default:
			row.Change = deltaIn(tr, scoreDelta(m.HealthChange), o.ComparedWith)
		}
		p.Attention = append(p.Attention, row)
	}
	p.AttentionMore = o.AttentionMore
}

// periodWordsIn names a period in a sentence ("7 days"), in tr's language
// (nil: English).
func periodWordsIn(tr Tr, name string) string {
	tr = orEnglish(tr)
	switch name {
	case "week":
		return tr("period.week_words")
	case "month":
		return tr("period.month_words")
	case "quarter":
		return tr("period.quarter_words")
	}
	return name
}

// periodLabelIn names a period on the selector: "Week".
func periodLabelIn(tr Tr, name string) string {
	tr = orEnglish(tr)
	switch name {
	case "week":
		return tr("period.week")
	case "month":
		return tr("period.month")
	case "quarter":
		return tr("period.quarter")
	}
	return name
}

// missingDeltaIn is a change not computed because the day to compare with
// was not scored: shown as missing, never as a change of 0 (in tr's
// language; nil: English).
func missingDeltaIn(tr Tr, reason string) deltaView {
	return deltaView{Text: noValue, Class: "flat", Words: orEnglish(tr)("series.not_compared", "Why", reason)}
}

// deltaIn says a change (newDelta's) in tr's language, against day ("":
// 7 days earlier), as the English pages always said.
func deltaIn(tr Tr, dv deltaView, day string) deltaView {
	tr = orEnglish(tr)
	against := day
	if against == "" {
		against = tr("delta.week_earlier")
	}
	switch {
	case dv.Arrow == "▲":
		dv.Words = tr("delta.up", "Text", strings.TrimPrefix(dv.Text, "+"), "Against", against)
	case dv.Arrow == "▼":
		dv.Words = tr("delta.down", "Text", strings.TrimPrefix(dv.Text, "-"), "Against", against)
	case dv.Arrow == "→":
		dv.Words = tr("delta.flat", "Against", against)
	case dv.Arrow == "" && dv.Text == noValue && dv.Class == "flat" && dv.Words == "no change data":
		dv.Words = tr("delta.no_data")
	}
	return dv
}

// in is o with the reasons its story quotes, and its summary lines, in
// tr's language: the same numbers, from the facts BuildOverview kept.
func (o Overview) in(tr Tr) Overview {
	f := o.Summary.facts
	if f == nil {
		return o
	}
	if o.ChangePartial != "" {
		o.ChangePartial = periodPartialIn(tr, f.frame, f.day, f.before)
	}
	if o.ChangeMissing != "" {
		o.ChangeMissing = changeMissingIn(tr, f.before, f.period, o.At)
	}
	if o.Summary.UsageNotCompared != "" {
		o.Summary.UsageNotCompared = usageNotComparedIn(tr, f.usageN, f.period.Days, f.usageBefore)
	}
	o.Summary.Lines = summaryLinesIn(tr, &o, f.period)
	o.Top, o.AtRisk, o.Attention = rowsIn(tr, o.Top, f.reasons), rowsIn(tr, o.AtRisk, f.reasons), rowsIn(tr, o.Attention, f.reasons)
	return o
}
