package views

import (
	"net/url"
	"strings"

	"github.com/ecopulse/ecopulse/domain"
)

// buildOverviewStory formats the period's story (overview_story.go) for the
// page: every number is the Overview's, as /api/v1/overview returns it.
func buildOverviewStory(p *overviewPage, o Overview, bands Bands) {
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
		p.Periods = append(p.Periods, periodLink{Name: per.Name, Label: per.Label, URL: u, Current: per.Name == o.Period})
	}
	switch {
	case o.ComparedWith != "":
		p.Since = "Changes against " + o.ComparedWith + ", " + periodWords(o.Period) + " earlier."
	case o.ChangePartial != "":
		p.Since = "Changes not computed: " + o.ChangePartial + "."
	case o.ChangeMissing != "":
		p.Since = "Changes not computed: " + o.ChangeMissing + "."
	}
	p.Summary = o.Summary.Lines
	p.StoryTitle = "The ecosystem over the last " + periodWords(o.Period)

	p.HealthMean, p.MeanChange = noValue, deltaView{Text: noValue, Class: "flat", Words: "the member mean was not kept for this day"}
	if o.HealthMean != nil {
		p.HealthMean, p.HasMean = fmtScore(*o.HealthMean), true
		switch {
		case o.HealthMeanChange != nil:
			p.MeanChange = againstDay(scoreDelta(*o.HealthMeanChange), o.ComparedWith)
		case o.ChangePartial != "":
			p.MeanChange = partialDelta(o.ChangePartial)
		case o.ChangeMissing != "":
			p.MeanChange = missingDelta(o.ChangeMissing)
		default:
			p.MeanChange = missingDelta("the member mean was not kept on " + o.ComparedWith)
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
			row.Change = deltaView{Text: noValue, Class: "flat", Words: "not compared"}
		case m.HealthBefore == nil:
			row.Change = deltaView{Text: noValue, Class: "flat", Words: "not scored on " + o.ComparedWith}
		default:
			row.Change = againstDay(scoreDelta(m.HealthChange), o.ComparedWith)
		}
		p.Attention = append(p.Attention, row)
	}
	p.AttentionMore = o.AttentionMore
}

// periodWords names a period in a sentence: "7 days".
func periodWords(name string) string {
	for _, p := range OverviewPeriods {
		if p.Name == name {
			return p.Words
		}
	}
	return name
}

// missingDelta is a change not computed because the day to compare with
// was not scored: shown as missing, never as a change of 0.
func missingDelta(reason string) deltaView {
	return deltaView{Text: noValue, Class: "flat", Words: "not compared: " + reason}
}

// againstDay makes a delta's words name the day it is computed against.
func againstDay(dv deltaView, day string) deltaView {
	if day == "" {
		return dv
	}
	dv.Words = strings.Replace(dv.Words, "against 7 days earlier", "against "+day, 1)
	return dv
}
