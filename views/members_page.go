package views

import (
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// memberLinkSpec is a chart block whose data items may carry a member's
// "slug": static/app.js then opens /members/<slug> when the item is
// clicked. With Tooltip "info", app.js writes each item's tooltip from its
// "tip" (title) and "info" ([[label, value]…]) fields, as text.
type memberLinkSpec struct {
	chartSpec
	Links   string `json:"links,omitempty"`   // "member"
	Tooltip string `json:"tooltip,omitempty"` // "info"
}

// memberChartBlock is a chartBlock drawn from a memberLinkSpec; the "chart"
// template reads the same fields.
type memberChartBlock struct {
	chartBlock
	Spec memberLinkSpec
}

func newMemberChartBlock(b chartBlock, spec chartSpec) memberChartBlock {
	return memberChartBlock{chartBlock: b, Spec: memberLinkSpec{chartSpec: spec, Links: "member", Tooltip: "info"}}
}

// memberTipInfo is an item's tooltip lines for app.js's "info" tooltips.
func memberTipInfo(pairs ...string) []any {
	out := make([]any, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, []any{pairs[i], pairs[i+1]})
	}
	return out
}

// membersPage is what templates/pages/members.html receives.
type membersPage struct {
	Empty    bool
	Shown    DayShown   // which scored day is shown, when not the one asked
	Offer    *DataOffer // the scores that hold the data, when the day shown holds none
	AtValue  string     // the day input's value: the day shown when one was asked
	DateMin  string     // the day input's bounds: the scored days
	DateMax  string
	CanEdit  bool
	Q        MembersQuery
	Count    int
	Total    int
	Filtered bool
	Rows     []membersPageRow
	Headers  []membersHeader

	Segments []membersOption
	Tiers    []membersOption
	Kinds    []membersOption
	Statuses []membersOption

	CSVURL    string
	ResetURL  string
	SortKey   string
	SortOrder string
	TrendFrom string
	TrendTo   string

	Scatter memberChartBlock
	// ByStatus counts the listed members by status; each links to the list
	// filtered by that status.
	ByStatus []membersStatusLink
	// Terms describe the columns' scores in one line each.
	Terms []Term
}

type membersStatusLink struct {
	Badge statusBadge
	Count int
	URL   string
}

// membersPageRow is flat, with no embedded struct: the template reads
// each field of 500 rows, and a field promoted from an embedded struct is
// looked up by a reflective search that allocates on every read.
type membersPageRow struct {
	Slug, Name, Segment, Tier, Kind string
	Reason, ReasonKind              string
	HealthText                      string
	Change                          deltaView
	Badge                           statusBadge
	KindText                        string
	TText                           string
	IText                           string
	MText                           string
	CText                           string
	KText                           string
	PhiText                         string
	Spark                           membersSpark
}

type membersHeader struct {
	Label    string
	Key      string
	Class    string
	URL      string
	AriaSort string // ascending, descending or "" (not sorted by this column)
	Arrow    string
}

type membersOption struct {
	Value    string
	Label    string
	Selected bool
}

// MembersPage writes /members.
func (r *Renderer) MembersPage(w io.Writer, m Members) error {
	tr := r.Tr()
	page, err := buildMembersPage(m, r.opts.Bands, tr)
	if err != nil {
		return err
	}
	return r.render(w, "members", layoutData{
		Title:  tr("nav.members"),
		Active: "/members",
		Fresh:  newFreshness(m.At, m.LastCollected),
		Page:   page,
	})
}

func membersKindLabel(k string) string {
	switch k {
	case string(domain.KindDeveloperOrg):
		return "developer org"
	case "":
		return "—"
	}
	return strings.ReplaceAll(k, "_", " ")
}

// buildMembersPage is the list's page in tr's language (nil: English).
func buildMembersPage(m Members, bands Bands, tr Tr) (membersPage, error) {
	tr = orEnglish(tr)
	q := m.Query
	p := membersPage{Empty: m.Empty, CanEdit: m.CanEdit, Q: q, Count: m.Count, Total: m.Total, SortKey: q.Sort, SortOrder: q.Order}
	p.Filtered = q.Segment != "" || q.Tier != "" || q.Kind != "" || q.Status != "" || q.Q != ""
	p.Shown, p.Offer = m.DayShown, m.Available
	if q.At != "" {
		p.AtValue = m.At // a snapped day shows the day it snapped to
	}
	if m.Scored != nil {
		p.DateMin, p.DateMax = m.Scored.From, m.Scored.To
	}
	if m.Empty {
		return p, nil
	}
	p.CSVURL = q.URL("/members.csv")
	p.ResetURL = MembersQuery{At: q.At}.URL("/members")
	if n := len(m.TrendDays); n > 0 {
		p.TrendFrom, p.TrendTo = m.TrendDays[0], m.TrendDays[n-1]
	}

	membersFilterOptions(&p, m.Facets, q)
	p.Headers = membersHeaders(q)

	for _, k := range []string{"member_health", "T", "I", "M", "C", "K", "phi", "reason"} {
		p.Terms = append(p.Terms, termIn(tr, k, bands))
	}
	for _, r := range m.Members {
		if f, ok := m.reasons[r.Slug]; ok && r.Reason != "" {
			if s := reasonIn(tr, f); s != "" {
				r.Reason = s
			}
		}
		p.Rows = append(p.Rows, membersPageRow{
			Slug: r.Slug, Name: r.Name, Segment: r.Segment, Tier: r.Tier, Kind: r.Kind,
			Reason: r.Reason, ReasonKind: r.ReasonKind,
			HealthText: fmtScore(r.Health),
			Change:     deltaIn(tr, scoreDelta(r.HealthChange), ""),
			Badge:      bands.badge(r.Status, r.Health),
			KindText:   membersKindLabel(r.Kind),
			TText:      fmtNum(r.T),
			IText:      fmtNum(r.I),
			MText:      fmtNum(r.M),
			CText:      fmtNum(r.C),
			KText:      fmtNum(r.K),
			PhiText:    fmtNum(r.Phi),
			Spark:      newMembersSparkIn(tr, m.TrendDays, r.Trend, r.Status),
		})
	}

	counts := map[string]int{}
	for _, r := range m.Members {
		counts[r.Status]++
	}
	for _, st := range m.Facets.Statuses {
		if counts[st] == 0 {
			continue
		}
		next := q
		next.Status = st
		p.ByStatus = append(p.ByStatus, membersStatusLink{Badge: statusBadgeOf(st), Count: counts[st], URL: next.URL("/members")})
	}

	var err error
	p.Scatter = newMemberChartBlock(chartBlock{
		ID:      "chart-members-scatter",
		Title:   tr("members.scatter"),
		Summary: membersScatterSummary(tr, m),
	}, chartSpec{})
	if p.Scatter.Spec.chartSpec, err = membersScatter(tr, m.Members, bands); err != nil {
		return p, err
	}
	return p, nil
}

// membersFilterOptions fills the options of the list's filters: the values
// members have, and a bookmarked value none has today.
func membersFilterOptions(p *membersPage, f MembersFacets, q MembersQuery) {
	option := func(list []string, selected string, label func(string) string) []membersOption {
		out := make([]membersOption, 0, len(list))
		found := false
		for _, v := range list {
			out = append(out, membersOption{Value: v, Label: label(v), Selected: v == selected})
			found = found || v == selected
		}
		if selected != "" && !found { // a bookmarked value no member has today
			out = append(out, membersOption{Value: selected, Label: label(selected), Selected: true})
		}
		return out
	}
	same := func(s string) string { return s }
	p.Segments = option(f.Segments, q.Segment, same)
	p.Tiers = option(f.Tiers, q.Tier, func(s string) string {
		if s == MembersNoTier {
			return "no tier"
		}
		return s
	})
	p.Kinds = option(f.Kinds, q.Kind, membersKindLabel)
	p.Statuses = option(f.Statuses, q.Status, func(s string) string { return statusBadgeOf(s).Label })
}

// membersHeaders are the list's sortable column headers: each links to
// the list sorted by it, the other way round when it is the current order.
func membersHeaders(q MembersQuery) []membersHeader {
	var out []membersHeader
	for _, key := range membersSortOrder {
		k := membersSortKeys[key]
		h := membersHeader{Label: k.Label, Key: key, Class: k.Class}
		next := q
		next.Sort = key
		if q.Sort == key {
			if q.Order == "desc" {
				h.AriaSort, h.Arrow, next.Order = "descending", "▼", "asc"
			} else {
				h.AriaSort, h.Arrow, next.Order = "ascending", "▲", "desc"
			}
		} else {
			next.Order = "asc"
			if k.Desc {
				next.Order = "desc"
			}
		}
		h.URL = next.URL("/members")
		out = append(out, h)
	}
	return out
}

func membersScatterSummary(tr Tr, m Members) string {
	if len(m.Members) == 0 {
		return tr("members.none_match")
	}
	counts := map[string]int{}
	for _, r := range m.Members {
		counts[r.Status]++
	}
	return tr("members.scatter_summary", "Count", len(m.Members), "Healthy", counts[domain.StatusHealthy], "Watch", counts[domain.StatusWatch],
		"AtRisk", counts[domain.StatusAtRisk], "NoData", counts[domain.StatusNoData])
}

// membersScatter places the listed members by contribution C (x) and health
// (y), sized by their share of value and coloured by status; clicking one
// opens its page.
func membersScatter(tr Tr, rows []MembersRow, bands Bands) (chartSpec, error) {
	if len(rows) == 0 {
		return noDataSpec(strings.TrimSuffix(tr("members.none_match"), ".")), nil
	}
	maxShare := 0.0
	for _, r := range rows {
		if finiteNum(r.PhiShare) {
			maxShare = math.Max(maxShare, r.PhiShare)
		}
	}
	byBand := map[string][]MembersRow{}
	for _, r := range rows {
		byBand[bands.band(r.Health)] = append(byBand[bands.band(r.Health)], r)
	}
	s := charts.NewScatter()
	s.SetGlobalOptions(
		showTooltip("item"),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "24", Top: "36", Bottom: "8", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "C", Scale: opts.Bool(false), AxisLabel: &opts.AxisLabel{Color: "#5b6475"},
			SplitLine: &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: "#e6e9ef"}}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: tr("members.col.health"), Min: 0, Max: 100,
			SplitLine: &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: "#e6e9ef"}}}),
	)
	type seriesInfo struct {
		key, name, color string
	}
	var items [][]map[string]any
	for _, si := range []seriesInfo{
		{domain.StatusHealthy, tr("status.healthy"), colorHealthy},
		{domain.StatusWatch, tr("status.watch"), colorWatch},
		{domain.StatusAtRisk, tr("status.at_risk"), colorAtRisk},
		{domain.StatusNoData, tr("status.no_data"), colorNoData},
	} {
		list := byBand[si.key]
		if len(list) == 0 {
			continue
		}
		points := make([]opts.ScatterData, len(list))
		extra := make([]map[string]any, len(list))
		for i, r := range list {
			size := 8.0
			if maxShare > 0 && finiteNum(r.PhiShare) {
				size = 8 + 22*math.Sqrt(r.PhiShare/maxShare)
			}
			health := jsonNumber(r.Health, 1)
			if health == nil {
				health = 0.0
			}
			c := jsonNumber(r.C, 4)
			if c == nil {
				c = 0.0
			}
			points[i] = opts.ScatterData{Name: r.Name, Value: []any{c, health}, SymbolSize: int(math.Round(size))}
			extra[i] = map[string]any{
				"slug": r.Slug,
				"tip":  r.Name,
				"info": memberTipInfo(tr("members.col.health"), fmtScore(r.Health)+" ("+badgeWordIn(tr, bands.badge(r.Status, r.Health))+")",
					"C", fmtNum(r.C), tr("col.phi_share"), fmtPct(r.PhiShare), tr("members.col.segment"), r.Segment),
			}
		}
		items = append(items, extra)
		s.AddSeries(si.name, points, charts.WithItemStyleOpts(opts.ItemStyle{Color: si.color, Opacity: opts.Float(0.85)}))
	}
	opt, err := optionOf(s)
	if err != nil {
		return chartSpec{}, err
	}
	memberMergeItemFields(opt, items)
	return chartSpec{Option: opt}, nil
}

// memberMergeItemFields adds fields to the data items of each series of opt:
// extra[i][j] goes into series i, item j. Item fields go-echarts has no
// field for (slug, tip, info) travel this way.
func memberMergeItemFields(opt map[string]any, extra [][]map[string]any) {
	for i, fields := range extra {
		s := optSeries(opt, i)
		if s == nil {
			continue
		}
		list, _ := s["data"].([]any)
		for j, f := range fields {
			if j >= len(list) {
				break
			}
			item, ok := list[j].(map[string]any)
			if !ok {
				item = map[string]any{"value": list[j]}
				list[j] = item
			}
			for k, v := range f {
				item[k] = v
			}
		}
	}
}

// membersSpark is a row's health sparkline, drawn as inline SVG on the
// server: no script, and numbers only reach its attributes.
type membersSpark struct {
	Lines  []string // "x,y x,y …" of each run of weeks with a score
	HasDot bool
	DotX   string
	DotY   string
	Class  string // status class of the last point
	Label  string // the trend in words, for screen readers and the title
}

const (
	membersSparkW   = 100.0
	membersSparkH   = 24.0
	membersSparkPad = 3.0
)

func newMembersSpark(days []string, values []*float64, status string) membersSpark {
	return newMembersSparkIn(nil, days, values, status)
}

// newMembersSparkIn is newMembersSpark with its label in tr's language
// (nil: English).
func newMembersSparkIn(tr Tr, days []string, values []*float64, status string) membersSpark {
	tr = orEnglish(tr)
	sp := membersSpark{Class: statusBadgeOf(status).Class}
	lo, hi := math.Inf(1), math.Inf(-1)
	first, last := -1, -1
	for i, v := range values {
		if v == nil {
			continue
		}
		lo, hi = math.Min(lo, *v), math.Max(hi, *v)
		if first < 0 {
			first = i
		}
		last = i
	}
	if first < 0 {
		sp.Label = tr("members.spark_none")
		return sp
	}
	// At least 20 points of health from bottom to top, so that noise does not
	// look like a trend, within 0–100.
	if span := hi - lo; span < 20 {
		mid := (hi + lo) / 2
		lo, hi = mid-10, mid+10
		if lo < 0 {
			lo, hi = 0, 20
		}
		if hi > 100 {
			lo, hi = 80, 100
		}
	}
	n := len(values)
	x := func(i int) float64 {
		if n == 1 {
			return membersSparkW / 2
		}
		return membersSparkPad + float64(i)*(membersSparkW-2*membersSparkPad)/float64(n-1)
	}
	y := func(v float64) float64 { return membersSparkPad + (hi-v)/(hi-lo)*(membersSparkH-2*membersSparkPad) }
	coord := func(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }
	var run []string
	flush := func() {
		if len(run) > 1 {
			sp.Lines = append(sp.Lines, strings.Join(run, " "))
		}
		run = nil
	}
	for i, v := range values {
		if v == nil {
			flush()
			continue
		}
		run = append(run, coord(x(i))+","+coord(y(*v)))
	}
	flush()
	sp.HasDot, sp.DotX, sp.DotY = true, coord(x(last)), coord(y(*values[last]))
	if first == last {
		sp.Label = tr("members.spark_one", "Health", fmtScore(*values[last]), "Day", days[last])
	} else {
		sp.Label = tr("members.spark_range", "From", fmtScore(*values[first]), "FromDay", days[first], "To", fmtScore(*values[last]), "ToDay", days[last])
	}
	return sp
}
