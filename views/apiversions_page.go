package views

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/ecopulse/ecopulse/domain"
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
	tr := r.Tr()
	p := apiVersionsPage{V: v, JSONURL: "/api/v1/api-versions?at=" + v.At}
	var err error
	p.Adoption = chartBlock{ID: "chart-version-adoption", Title: tr("versions.chart.adoption"), Summary: adoptionSummary(tr, v), Size: "lg"}
	if p.Adoption.Spec, err = adoptionChart(tr, v); err != nil {
		return err
	}
	p.Burndown = chartBlock{ID: "chart-version-burndown", Title: tr("versions.chart.burndown"), Summary: burndownSummary(tr, v)}
	if p.Burndown.Spec, err = burndownChart(tr, v); err != nil {
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
			mix = append(mix, versionName(tr, x.Name)+" "+fmtPct(x.Share))
		}
		row.Mix = strings.Join(mix, tr("allocation.list_sep"))
		if len(m.SunsetRisk) > 0 {
			p.AtRisk++
		}
		p.Members = append(p.Members, row)
	}
	return r.render(w, "api-versions", layoutData{Title: tr("nav.api_versions"), Active: "/api-versions", Fresh: newFreshness(v.At, ""), Page: p})
}

// versionName names a version on the page: a declared version by its own
// name, the calls no version matches in the page's language.
func versionName(tr Tr, name string) string {
	if name == domain.Unversioned {
		return tr("versions.unversioned")
	}
	return name
}

func adoptionSummary(tr Tr, v *APIVersions) string {
	var parts []string
	for _, s := range v.Versions {
		share := noValue
		if s.Share != nil {
			share = fmtPct(*s.Share)
		}
		parts = append(parts, fmt.Sprintf("%s %s", s.Name, share))
	}
	if len(parts) == 0 {
		return tr("versions.summary.none_declared")
	}
	return tr("versions.summary.adoption", "From", v.WindowFrom, "To", v.At, "Shares", strings.Join(parts, tr("allocation.list_sep")))
}

func burndownSummary(tr Tr, v *APIVersions) string {
	var parts []string
	for _, b := range v.Burndown {
		if n := len(b.Weeks); n > 0 {
			parts = append(parts, tr("versions.summary.burndown_part", "Version", b.Version, "Count", b.Weeks[n-1].Members, "Week", b.Weeks[n-1].Week))
		}
	}
	if len(parts) == 0 {
		return tr("versions.summary.none_deprecated")
	}
	return tr("versions.summary.burndown", "Parts", strings.Join(parts, tr("versions.part_sep")))
}

// adoptionChart stacks each version's daily share of calls, in percent; a
// day without calls is a gap in every series.
func adoptionChart(tr Tr, v *APIVersions) (chartSpec, error) {
	var list []lineSeries
	for i, s := range v.Adoption.Series {
		vals := make([]float64, len(s.Shares))
		for d, x := range s.Shares {
			vals[d] = math.NaN()
			if x != nil {
				vals[d] = *x * 100
			}
		}
		list = append(list, lineSeries{Name: versionName(tr, s.Name), Values: vals, Color: seriesColor(v, s.Name, i), Decimals: 1})
	}
	spec, err := trendLine(v.Adoption.Days, list, trendOpts{YName: tr("versions.axis.pct_calls"), Min: 0, Max: 100, Message: tr("versions.no_calls"), Tr: tr})
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
func burndownChart(tr Tr, v *APIVersions) (chartSpec, error) {
	if len(v.Burndown) == 0 {
		return noDataSpec(tr("versions.none_deprecated")), nil
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
	return trendLine(weeks, list, trendOpts{YName: tr("versions.axis.members"), Min: 0, Message: tr("versions.no_deprecated_calls"), Tr: tr})
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
