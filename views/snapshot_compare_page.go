package views

import (
	"io"
	"math"
	"strconv"
	"strings"
)

// The page of two weeks compared: /snapshots/compare. Every number comes
// from BuildSnapshotCompare, as the API's; a side that is missing reads "—".

// compareCell is a value of week a, of week b and the change.
type compareCell struct {
	A, B   string
	Change deltaView
}

// compareTotalRow is a line of the ecosystem table.
type compareTotalRow struct {
	Label string
	Key   string // data-total, for tests and scripts
	compareCell
}

// compareMemberView is a member's line.
type compareMemberView struct {
	Slug, Name  string
	InA, InB    bool
	Health      compareCell
	C           compareCell
	Phi         compareCell
	BadgeA      statusBadge
	BadgeB      statusBadge
	OnlyIn      string // "a" or "b" when the member is in one week only
	OnlyInWeek  string
	MissingWeek string
}

// weekChoice is an option of a week select.
type weekChoice struct {
	Week     string
	Selected bool
}

// snapshotComparePage is what templates/pages/snapshot-compare.html receives.
type snapshotComparePage struct {
	C         *SnapshotCompare
	WeeksA    []weekChoice
	WeeksB    []weekChoice
	Totals    []compareTotalRow
	Members   []compareMemberView
	Downloads []downloadLink
}

// SnapshotComparePage writes /snapshots/compare.
func (r *Renderer) SnapshotComparePage(w io.Writer, c SnapshotCompare) error {
	tr := r.Tr()
	p := snapshotComparePage{C: &c, WeeksA: weekChoices(c.Weeks, c.A.Week), WeeksB: weekChoices(c.Weeks, c.B.Week)}
	against := c.A.Week
	change := func(d *float64, format func(float64) deltaView) deltaView {
		switch {
		case c.NotCompared != "":
			return partialDeltaIn(tr, c.NotCompared)
		case d == nil:
			return newDelta(math.NaN(), "")
		}
		return deltaIn(tr, format(*d), against)
	}
	p.Totals = []compareTotalRow{
		{"R", "R", compareCell{fmtPtr(c.A.R, fmtNum), fmtPtr(c.B.R, fmtNum), change(c.RChange, func(v float64) deltaView { return newDelta(v, fmtNum(math.Abs(v))) })}},
		{"Health", "health", compareCell{fmtPtr(c.A.Health, fmtScore), fmtPtr(c.B.Health, fmtScore), change(c.HealthChange, scoreDelta)}},
		countRow("Members", "members", c.A.Members, c.B.Members, against, tr),
		countRow("Healthy", "healthy", c.A.Statuses.Healthy, c.B.Statuses.Healthy, against, tr),
		countRow("Watch", "watch", c.A.Statuses.Watch, c.B.Statuses.Watch, against, tr),
		countRow("At risk", "at_risk", c.A.Statuses.AtRisk, c.B.Statuses.AtRisk, against, tr),
		countRow("No data", "no_data", c.A.Statuses.NoData, c.B.Statuses.NoData, against, tr),
	}
	for _, m := range c.Members {
		p.Members = append(p.Members, compareMemberLine(&c, m, r.opts.Bands, change, tr))
	}
	for _, f := range ExportFormats {
		p.Downloads = append(p.Downloads, downloadLink{Format: f, Label: strings.ToUpper(f), Href: CompareURL(c.A.Week, c.B.Week, f),
			File: CompareExportName(c.A.Week, c.B.Week, f)})
	}
	return r.render(w, "snapshot-compare", layoutData{
		Title:  tr("compare.title", "A", c.A.Week, "B", c.B.Week),
		Active: "/snapshots",
		Fresh:  newFreshness(c.B.Day, ""),
		Page:   p,
	})
}

func compareMemberLine(c *SnapshotCompare, m CompareMember, bands Bands, change func(*float64, func(float64) deltaView) deltaView, tr Tr) compareMemberView {
	v := compareMemberView{Slug: m.Slug, Name: m.Name, InA: m.A != nil, InB: m.B != nil}
	side := func(s *CompareSide, get func(*CompareSide) float64, format func(float64) string) string {
		if s == nil {
			return noValue
		}
		return format(get(s))
	}
	valueDelta := func(x float64) deltaView { return newDelta(x, fmtNum(math.Abs(x))) }
	v.Health = compareCell{side(m.A, func(s *CompareSide) float64 { return s.Health }, fmtScore), side(m.B, func(s *CompareSide) float64 { return s.Health }, fmtScore), change(m.HealthChange, scoreDelta)}
	v.C = compareCell{side(m.A, func(s *CompareSide) float64 { return s.C }, fmtNum), side(m.B, func(s *CompareSide) float64 { return s.C }, fmtNum), change(m.CChange, valueDelta)}
	v.Phi = compareCell{side(m.A, func(s *CompareSide) float64 { return s.Phi }, fmtNum), side(m.B, func(s *CompareSide) float64 { return s.Phi }, fmtNum), change(m.PhiChange, valueDelta)}
	if m.A != nil {
		v.BadgeA = bands.badge(m.A.Status, m.A.Health)
	}
	if m.B != nil {
		v.BadgeB = bands.badge(m.B.Status, m.B.Health)
	}
	switch {
	case m.A == nil:
		v.OnlyIn, v.OnlyInWeek, v.MissingWeek = "b", c.B.Week, c.A.Week
	case m.B == nil:
		v.OnlyIn, v.OnlyInWeek, v.MissingWeek = "a", c.A.Week, c.B.Week
	}
	if v.OnlyIn != "" {
		none := deltaView{Text: noValue, Class: "flat", Words: tr("snapshot.not_in", "Week", v.MissingWeek)}
		v.Health.Change, v.C.Change, v.Phi.Change = none, none, none
	}
	return v
}

func countRow(label, key string, a, b int, against string, tr Tr) compareTotalRow {
	d := float64(b - a)
	return compareTotalRow{label, key, compareCell{strconv.Itoa(a), strconv.Itoa(b), deltaIn(tr, newDelta(d, fmtNum(math.Abs(d))), against)}}
}

func fmtPtr(p *float64, format func(float64) string) string {
	if p == nil {
		return noValue
	}
	return format(*p)
}

func weekChoices(weeks []string, selected string) []weekChoice {
	out := make([]weekChoice, len(weeks))
	for i, w := range weeks {
		out[i] = weekChoice{Week: w, Selected: w == selected}
	}
	return out
}
