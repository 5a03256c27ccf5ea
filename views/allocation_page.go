package views

import (
	"fmt"
	"io"
	"math"
	"net/url"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// allocationBars is how many members the amounts chart names; the rest are
// one "others" bar.
const allocationBars = 20

// AllocationRules are the rules the form offers, the default first.
var AllocationRules = []string{metrics.RuleShapley, metrics.RuleContribution, metrics.RuleEqual, metrics.RuleWeights}

// allocationPage is what templates/pages/allocation.html receives.
type allocationPage struct {
	Form      AllocationQuery
	Rules     []string
	A         *Allocation // nil: the form alone
	Amounts   chartBlock
	Downloads []downloadLink
}

// AllocationPage writes /allocation: the form, and the statement of a
// when it is not nil (the same value /api/v1/allocation answers).
func (r *Renderer) AllocationPage(w io.Writer, q AllocationQuery, a *Allocation) error {
	p := allocationPage{Form: q, Rules: AllocationRules, A: a}
	if p.Form.Currency == "" {
		p.Form.Currency = DefaultCurrency
	}
	at := ""
	if a != nil {
		p.Downloads = allocationDownloads(q)
		p.Amounts = chartBlock{ID: "chart-allocation", Title: "Amount by member, " + a.Currency, Summary: allocationSummary(a), Size: "lg"}
		var err error
		if p.Amounts.Spec, err = allocationBar(a); err != nil {
			return err
		}
		if n := len(a.Weeks); n > 0 {
			at = a.Weeks[n-1].Day
		}
	}
	return r.render(w, "allocation", layoutData{Title: "Benefit allocation", Fresh: newFreshness(at, ""), Page: p})
}

// AllocationExportURL is where a statement downloads from.
func AllocationExportURL(q AllocationQuery, format string) string {
	v := url.Values{}
	v.Set("period", q.Period)
	for k, s := range map[string]string{"pool": q.Pool, "currency": q.Currency, "rule": q.Rule, "agreement": q.Agreement} {
		if s != "" {
			v.Set(k, s)
		}
	}
	v.Set("format", format)
	return "/api/v1/allocation?" + v.Encode()
}

// AllocationExportName is a statement's file name: ecopulse-allocation-2026-11-shapley.csv.
// Its parts are validated (period, rule) before a file is named.
func AllocationExportName(a *Allocation, format string) string {
	name := "ecopulse-allocation-" + a.Period + "-" + a.Rule
	if a.Agreement != "" {
		name += "-" + a.Agreement
	}
	return name + "." + format
}

func allocationDownloads(q AllocationQuery) []downloadLink {
	out := make([]downloadLink, 0, len(ExportFormats))
	for _, f := range ExportFormats {
		out = append(out, downloadLink{Format: f, Label: strings.ToUpper(f), Href: AllocationExportURL(q, f)})
	}
	return out
}

func allocationSummary(a *Allocation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s of %s split by %s: ", a.Pool, a.Currency, a.Period, a.Rule)
	for i, m := range a.Members {
		if i == allocationBars {
			b.WriteString(", …")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(m.Name + " " + m.Amount)
	}
	return b.String() + "."
}

// allocationBar is a horizontal bar per member of its amount, in the
// currency's units; members with nothing are left out.
func allocationBar(a *Allocation) (chartSpec, error) {
	var names []string
	var points []opts.BarData
	var rest int64
	others := 0
	for _, m := range a.Members {
		if m.AmountMinor <= 0 {
			continue
		}
		if len(names) < allocationBars {
			names = append(names, m.Name)
			points = append(points, opts.BarData{Value: minorValue(m.AmountMinor, a.MinorDigits)})
			continue
		}
		others++
		rest += m.AmountMinor
	}
	if others > 0 {
		names = append(names, domain.Plural(others, "other member", "other members"))
		points = append(points, opts.BarData{Value: minorValue(rest, a.MinorDigits), ItemStyle: &opts.ItemStyle{Color: "#9aa3b5"}})
	}
	if len(names) == 0 {
		return noDataSpec("Nothing allocated"), nil
	}
	b := charts.NewBar()
	b.SetGlobalOptions(
		showTooltip("axis"),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "24", Top: "8", Bottom: "8", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", AxisLabel: &opts.AxisLabel{Color: "#5b6475"}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Color: "#273043", Width: 140, Overflow: "truncate"}}),
	)
	b.SetXAxis(names).XYReversal()
	b.AddSeries("Amount ("+a.Currency+")", points, charts.WithSeriesOpts(func(s *charts.SingleSeries) {
		s.BarMaxWidth = "22"
		s.ItemStyle = &opts.ItemStyle{Color: "#3b6fd8"}
	}))
	opt, err := optionOf(b)
	if err != nil {
		return chartSpec{}, err
	}
	return chartSpec{Option: opt}, nil
}

// minorValue is minor units as a number of currency units (for charts; the
// statement's amounts are exact decimal strings).
func minorValue(minor int64, digits int) float64 {
	return float64(minor) / math.Pow10(digits)
}
