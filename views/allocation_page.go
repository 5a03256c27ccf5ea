package views

import (
	"io"
	"math"
	"net/url"
	"slices"
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
	tr := r.Tr()
	p := allocationPage{Form: q, Rules: AllocationRules}
	if p.Form.Currency == "" {
		p.Form.Currency = DefaultCurrency
	}
	at := ""
	if a != nil {
		p.A = allocationInWords(tr, a)
		p.Downloads = allocationDownloads(q)
		p.Amounts = chartBlock{ID: "chart-allocation", Title: tr("allocation.chart_title", "Currency", a.Currency), Summary: allocationSummary(tr, a), Size: "lg"}
		var err error
		if p.Amounts.Spec, err = allocationBar(tr, a); err != nil {
			return err
		}
		if n := len(a.Weeks); n > 0 {
			at = a.Weeks[n-1].Day
		}
	}
	return r.render(w, "allocation", layoutData{Title: tr("allocation.title"), Fresh: newFreshness(at, ""), Page: p})
}

// allocationInWords is a copy of a statement whose sentences (its basis,
// the notes of members without a share) are in the page's language; the
// statement itself, which the JSON and the downloads show, keeps English.
func allocationInWords(tr Tr, a *Allocation) *Allocation {
	c := *a
	c.Members = slices.Clone(a.Members)
	if a.Closed {
		c.Basis = tr("allocation.basis_closed", "Period", a.Period)
	} else {
		last := ""
		if p, err := domain.ParsePeriod(a.Period); err == nil {
			if weeks := p.Weeks(); len(weeks) > 0 {
				last = weeks[len(weeks)-1]
			}
		}
		c.Basis = tr("allocation.basis_open", "Period", a.Period, "Week", last)
	}
	basis := tr("allocation.basis_weight")
	switch a.Rule {
	case metrics.RuleShapley:
		basis = "Σφ"
	case metrics.RuleContribution:
		basis = "ΣC"
	}
	for i := range c.Members {
		if c.Members[i].Note != "" {
			c.Members[i].Note = tr("allocation.no_share", "Basis", basis)
		}
	}
	return &c
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

func allocationSummary(tr Tr, a *Allocation) string {
	var b strings.Builder
	sep := tr("allocation.list_sep")
	for i, m := range a.Members {
		if i == allocationBars {
			b.WriteString(sep + "…")
			break
		}
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(m.Name + " " + m.Amount)
	}
	return tr("allocation.summary", "Pool", a.Pool, "Currency", a.Currency, "Period", a.Period,
		"Rule", allocationRuleName(tr, a.Rule), "Amounts", b.String())
}

// allocationRuleName names a rule in the page's language (the form's
// options name them by the same keys).
func allocationRuleName(tr Tr, rule string) string {
	switch rule {
	case metrics.RuleShapley:
		return tr("allocation.rule.shapley")
	case metrics.RuleContribution:
		return tr("allocation.rule.contribution")
	case metrics.RuleEqual:
		return tr("allocation.rule.equal")
	case metrics.RuleWeights:
		return tr("allocation.rule.weights")
	}
	return rule
}

// allocationBar is a horizontal bar per member of its amount, in the
// currency's units; members with nothing are left out.
func allocationBar(tr Tr, a *Allocation) (chartSpec, error) {
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
		names = append(names, tr("allocation.other_members", "Count", others))
		points = append(points, opts.BarData{Value: minorValue(rest, a.MinorDigits), ItemStyle: &opts.ItemStyle{Color: "#9aa3b5"}})
	}
	if len(names) == 0 {
		return noDataSpec(tr("allocation.nothing_allocated")), nil
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
	b.AddSeries(tr("allocation.col.amount", "Currency", a.Currency), points, charts.WithSeriesOpts(func(s *charts.SingleSeries) {
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
