package views

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// versionColors colour the versions in declaration order; the unversioned
// calls are grey.
var versionColors = []string{"#9aa3b5", "#3b6fd8", "#2e9e6b", "#d8892b", "#8a5cc2", "#c2455a"}

// trendWeeksShown is how many of a member's latest weeks the table lists.
const trendWeeksShown = 6

// apiVersionsPage is what templates/pages/api-versions.html receives.
type apiVersionsPage struct {
	V         *APIVersions
	JSONURL   string
	Adoption  chartBlock
	Burndown  chartBlock
	Members   []apiVersionMemberRow
	AtRisk    int // members at risk at some sunset
	WindowPct string
}

type apiVersionMemberRow struct {
	APIVersionMember
	Share string   // deprecated share, or — when no call
	Trend []string // the latest weeks' deprecated shares, oldest first
	Mix   string
}

// APIVersionsPage writes /api-versions from the value /api/v1/api-versions
// answers.
func (r *Renderer) APIVersionsPage(w io.Writer, v *APIVersions) error {
	p := apiVersionsPage{V: v, JSONURL: "/api/v1/api-versions?at=" + v.At}
	var err error
	p.Adoption = chartBlock{ID: "chart-version-adoption", Title: "Share of calls by version, per day", Summary: adoptionSummary(v), Size: "lg"}
	if p.Adoption.Spec, err = adoptionChart(v); err != nil {
		return err
	}
	p.Burndown = chartBlock{ID: "chart-version-burndown", Title: "Members still calling each deprecated version, per week", Summary: burndownSummary(v)}
	if p.Burndown.Spec, err = burndownChart(v); err != nil {
		return err
	}
	for _, m := range v.Members {
		row := apiVersionMemberRow{APIVersionMember: m, Share: noValue}
		if m.DeprecatedShare != nil {
			row.Share = fmtPct(*m.DeprecatedShare)
		}
		for _, t := range m.Trend[max(0, len(m.Trend)-trendWeeksShown):] {
			s := noValue
			if t.Share != nil {
				s = fmtPct(*t.Share)
			}
			row.Trend = append(row.Trend, s)
		}
		var mix []string
		for _, x := range m.Mix {
			mix = append(mix, x.Name+" "+fmtPct(x.Share))
		}
		row.Mix = strings.Join(mix, ", ")
		if len(m.SunsetRisk) > 0 {
			p.AtRisk++
		}
		p.Members = append(p.Members, row)
	}
	return r.render(w, "api-versions", layoutData{Title: "API versions", Active: "/api-versions", Fresh: newFreshness(v.At, ""), Page: p})
}

func adoptionSummary(v *APIVersions) string {
	var parts []string
	for _, s := range v.Versions {
		share := noValue
		if s.Share != nil {
			share = fmtPct(*s.Share)
		}
		parts = append(parts, fmt.Sprintf("%s %s", s.Name, share))
	}
	if len(parts) == 0 {
		return "No version declared."
	}
	return "Share of calls, " + v.WindowFrom + " to " + v.At + ": " + strings.Join(parts, ", ") + "."
}

func burndownSummary(v *APIVersions) string {
	var parts []string
	for _, b := range v.Burndown {
		if n := len(b.Weeks); n > 0 {
			parts = append(parts, fmt.Sprintf("%s: %d members in the week from %s", b.Version, b.Weeks[n-1].Members, b.Weeks[n-1].Week))
		}
	}
	if len(parts) == 0 {
		return "No version is deprecated."
	}
	return strings.Join(parts, "; ") + "."
}

// adoptionChart stacks each version's daily share of calls, in percent; a
// day without calls is a gap in every series.
func adoptionChart(v *APIVersions) (chartSpec, error) {
	var list []lineSeries
	for i, s := range v.Adoption.Series {
		vals := make([]float64, len(s.Shares))
		for d, x := range s.Shares {
			vals[d] = math.NaN()
			if x != nil {
				vals[d] = *x * 100
			}
		}
		list = append(list, lineSeries{Name: s.Name, Values: vals, Color: seriesColor(v, s.Name, i), Decimals: 1})
	}
	spec, err := trendLine(v.Adoption.Days, list, trendOpts{YName: "% of calls", Min: 0, Max: 100, Message: "No API calls in this half year"})
	if err != nil || spec.NoData {
		return spec, err
	}
	spec.ValueSuffix = "%"
	for i := range list {
		if s := optSeries(spec.Option, i); s != nil {
			s["stack"] = "versions"
			s["smooth"] = false
			s["showSymbol"] = false
			s["areaStyle"] = map[string]any{"color": list[i].Color, "opacity": 0.55}
		}
	}
	return spec, nil
}

// burndownChart is a line per deprecated version of the members calling it.
func burndownChart(v *APIVersions) (chartSpec, error) {
	if len(v.Burndown) == 0 {
		return noDataSpec("No version is deprecated"), nil
	}
	var weeks []string
	var list []lineSeries
	for i, b := range v.Burndown {
		vals := make([]float64, len(b.Weeks))
		weeks = weeks[:0]
		for w, x := range b.Weeks {
			vals[w] = float64(x.Members)
			weeks = append(weeks, x.Week)
		}
		list = append(list, lineSeries{Name: b.Version, Values: vals, Color: seriesColor(v, b.Version, i)})
	}
	return trendLine(weeks, list, trendOpts{YName: "members", Min: 0, Message: "No calls to deprecated versions"})
}

// seriesColor is a version's colour, the same on both charts.
func seriesColor(v *APIVersions, name string, fallback int) string {
	if name == "unversioned" {
		return versionColors[0]
	}
	for i, s := range v.Versions {
		if s.Name == name {
			return versionColors[1+i%(len(versionColors)-1)]
		}
	}
	return versionColors[1+fallback%(len(versionColors)-1)]
}
