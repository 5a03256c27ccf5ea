package views

import (
	"math"

	"github.com/ecopulse/ecopulse/data"
)

// The rows of a comparison's CSV and XLSX, in the columns of every member
// export: week a's ecosystem row, week b's (its changes against a), then
// a's members, then b's members (their changes against a; none for a member
// that is not in a). A member in one week only has no row in the other.

// CompareExportRows returns the export rows of a comparison.
func CompareExportRows(c *SnapshotCompare) []MemberExportRow {
	out := make([]MemberExportRow, 0, len(c.raw[0])+len(c.raw[1])+2)
	ea, eb := compareEcosystemRow(c.A), compareEcosystemRow(c.B)
	eb.Against = c.A.Week
	eb.HealthChange, eb.PhiChange = orNaN(c.HealthChange), orNaN(c.RChange)
	out = append(out, ea, eb)
	for _, m := range c.raw[0] {
		out = append(out, frozenExportRow(c.A, m))
	}
	changes := make(map[string]CompareMember, len(c.Members))
	for _, m := range c.Members {
		changes[m.Slug] = m
	}
	for _, m := range c.raw[1] {
		r := frozenExportRow(c.B, m)
		r.Against = c.A.Week
		ch := changes[m.Slug]
		r.HealthChange, r.PhiChange = orNaN(ch.HealthChange), orNaN(ch.PhiChange)
		out = append(out, r)
	}
	return out
}

func compareEcosystemRow(w CompareWeek) MemberExportRow {
	r := emptyExportRow(ScopeEcosystem)
	r.Week, r.Day, r.Name, r.Members = w.Week, w.Day, "Ecosystem", float64(w.Members)
	if w.R != nil {
		r.Phi, r.Health = *w.R, *w.Health
		if *w.R > 0 {
			r.Share = 1
		}
	}
	return r
}

// frozenExportRow is a member's frozen row of week w, without changes.
func frozenExportRow(w CompareWeek, m data.SnapshotMember) MemberExportRow {
	r := emptyExportRow(ScopeMember)
	r.Week, r.Day, r.Slug, r.Name, r.Kind, r.Segment, r.Tier, r.Status = w.Week, w.Day, m.Slug, m.Name, m.Kind, m.Segment, m.Tier, m.Status
	r.Health, r.T, r.I, r.M, r.C, r.K, r.Phi = m.Health, m.T, m.I, m.M, m.C, m.K, m.Phi
	r.Share = 0
	if w.R != nil && *w.R > 0 {
		r.Share = m.Phi / *w.R
	}
	r.ReasonKind, r.Reason = m.ReasonKind, m.Reason
	return r
}

// CompareSummaryLines are the Summary sheet of a comparison's XLSX, in
// tr's language.
func CompareSummaryLines(c *SnapshotCompare, tr Tr) []SummaryLine {
	num := func(p *float64) float64 {
		if p == nil {
			return math.NaN()
		}
		return *p
	}
	out := []SummaryLine{summaryText(tr("export.summary.week_of", "Which", "a"), c.A.Week), summaryText(tr("export.summary.week_of", "Which", "b"), c.B.Week)}
	for _, w := range []struct {
		which string
		w     CompareWeek
	}{{"a", c.A}, {"b", c.B}} {
		of := func(label string) string { return tr("export.summary.of_week", "Label", label, "Which", w.which) }
		out = append(out,
			summaryText(of(tr("export.summary.scores_of")), w.w.Day),
			summaryNumber(of(tr("export.summary.r")), num(w.w.R), FormatValue),
			summaryNumber(of(tr("export.summary.health")), num(w.w.Health), FormatScore),
			summaryNumber(of(tr("export.summary.members")), float64(w.w.Members), FormatCount),
			summaryNumber(of(tr("export.summary.healthy")), float64(w.w.Statuses.Healthy), FormatCount),
			summaryNumber(of(tr("export.summary.watch")), float64(w.w.Statuses.Watch), FormatCount),
			summaryNumber(of(tr("export.summary.at_risk")), float64(w.w.Statuses.AtRisk), FormatCount),
			summaryNumber(of(tr("export.summary.no_data")), float64(w.w.Statuses.NoData), FormatCount),
		)
	}
	out = append(out,
		summaryNumber(tr("export.summary.r_change_ba"), num(c.RChange), FormatValueChange),
		summaryNumber(tr("export.summary.health_change_ba"), num(c.HealthChange), FormatScoreChange),
		summaryNumber(tr("export.summary.members_change_ba"), float64(c.MembersChange), FormatCount),
	)
	if c.NotCompared != "" {
		out = append(out, summaryText(tr("export.summary.not_compared"), c.NotCompared))
	}
	return out
}
