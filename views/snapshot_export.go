package views

import (
	"math"

	"github.com/ecopulse/ecopulse/domain"
)

// A snapshot's export rows: the week's ecosystem row, the previous
// snapshot's ecosystem row (the numbers the changes are against), then one
// row per member, all in MemberExportColumns.

// SnapshotExportRows returns the export rows of a snapshot.
func SnapshotExportRows(d *SnapshotDetail) []MemberExportRow {
	out := make([]MemberExportRow, 0, len(d.Members)+2)
	eco := ecosystemExportRow(d.Week, d.Day, d.Ecosystem)
	if d.Previous != nil {
		eco.Against = d.Previous.Week
		if d.Changes.NotCompared == "" {
			eco.HealthChange = d.Ecosystem.Health - d.Previous.Health
			eco.PhiChange = d.Ecosystem.R - d.Previous.R
		}
	}
	out = append(out, eco)
	if p := d.Previous; p != nil {
		out = append(out, ecosystemExportRow(p.Week, p.Day, SnapshotEcosystem{R: p.R, Health: p.Health, Members: p.Members}))
	}
	for _, m := range d.Members {
		r := snapshotMemberExportRow(d.Week, d.Day, m)
		if d.Previous != nil {
			r.Against = d.Previous.Week
		}
		r.HealthChange, r.PhiChange = orNaN(m.HealthChange), orNaN(m.PhiChange)
		out = append(out, r)
	}
	return out
}

// ecosystemExportRow is a week's ecosystem row: R in the phi column. A
// snapshot frozen on a day no member had data measured nothing: its health
// and R are missing, not 0.
func ecosystemExportRow(week, day string, e SnapshotEcosystem) MemberExportRow {
	r := emptyExportRow(ScopeEcosystem)
	r.Week, r.Day, r.Name, r.Members = week, day, "Ecosystem", float64(e.Members)
	if snapshotMeasured(SnapshotSummary{R: e.R, Health: e.Health}) {
		r.Health, r.Phi = e.Health, e.R
		if e.R > 0 {
			r.Share = 1
		}
	}
	return r
}

// snapshotMemberExportRow is a member's row of a week, without changes.
func snapshotMemberExportRow(week, day string, m SnapshotMemberRow) MemberExportRow {
	r := emptyExportRow(ScopeMember)
	r.Week, r.Day, r.Slug, r.Name, r.Kind, r.Segment, r.Tier, r.Status = week, day, m.Slug, m.Name, m.Kind, m.Segment, m.Tier, m.Status
	r.Health, r.T, r.I, r.M, r.C, r.K, r.Phi, r.Share = m.Health, m.T, m.I, m.M, m.C, m.K, m.Phi, m.PhiShare
	r.ReasonKind, r.Reason = m.ReasonKind, m.Reason
	return r
}

// StatusCounts counts members by status: healthy, watch, at_risk, no_data.
type StatusCounts struct {
	Healthy int `json:"healthy"`
	Watch   int `json:"watch"`
	AtRisk  int `json:"at_risk"`
	NoData  int `json:"no_data"`
}

// add counts one member of status.
func (c *StatusCounts) add(status string) {
	switch status {
	case domain.StatusHealthy:
		c.Healthy++
	case domain.StatusWatch:
		c.Watch++
	case domain.StatusAtRisk:
		c.AtRisk++
	default:
		c.NoData++
	}
}

// snapshotStatusCounts counts a snapshot's members by status.
func snapshotStatusCounts(rows []SnapshotMemberRow) StatusCounts {
	var c StatusCounts
	for _, m := range rows {
		c.add(m.Status)
	}
	return c
}

// SummaryLine is a line of an export's Summary sheet: a label, a value
// (a number, NaN when missing, or a text) and how the number reads.
type SummaryLine struct {
	Label  string
	Text   string
	Number float64
	Format CellFormat
}

func summaryText(label, text string) SummaryLine {
	return SummaryLine{Label: label, Text: text, Number: math.NaN(), Format: FormatText}
}

func summaryNumber(label string, v float64, f CellFormat) SummaryLine {
	return SummaryLine{Label: label, Number: v, Format: f}
}

// SnapshotSummaryLines are the Summary sheet of a snapshot's XLSX, in
// tr's language: the week, the ecosystem's numbers and counts, and the
// previous week's.
func SnapshotSummaryLines(d *SnapshotDetail, tr Tr) []SummaryLine {
	rows := SnapshotExportRows(d)
	eco := rows[0]
	c := snapshotStatusCounts(d.Members)
	out := []SummaryLine{
		summaryText(tr("export.summary.week"), d.Week),
		summaryText(tr("export.summary.scores_of"), d.Day),
		summaryText(tr("export.summary.taken_at"), d.TakenAt),
		summaryNumber(tr("export.summary.r"), eco.Phi, FormatValue),
		summaryNumber(tr("export.summary.health"), eco.Health, FormatScore),
		summaryNumber(tr("export.summary.members"), float64(d.Ecosystem.Members), FormatCount),
		summaryNumber(tr("export.summary.healthy"), float64(c.Healthy), FormatCount),
		summaryNumber(tr("export.summary.watch"), float64(c.Watch), FormatCount),
		summaryNumber(tr("export.summary.at_risk"), float64(c.AtRisk), FormatCount),
		summaryNumber(tr("export.summary.no_data"), float64(c.NoData), FormatCount),
	}
	if d.PartialReason != "" {
		out = append(out, summaryText(tr("export.summary.partial"), d.PartialReason))
	}
	if d.Previous == nil {
		return append(out, summaryText(tr("export.summary.previous_week"), tr("export.summary.first_snapshot")))
	}
	prev := rows[1]
	out = append(out,
		summaryText(tr("export.summary.previous_week"), d.Previous.Week),
		summaryNumber(tr("export.summary.previous_r"), prev.Phi, FormatValue),
		summaryNumber(tr("export.summary.previous_health"), prev.Health, FormatScore),
		summaryNumber(tr("export.summary.previous_members"), float64(d.Previous.Members), FormatCount),
		summaryNumber(tr("export.summary.r_change"), eco.PhiChange, FormatValueChange),
		summaryNumber(tr("export.summary.health_change"), eco.HealthChange, FormatScoreChange),
	)
	if d.Changes.NotCompared != "" {
		out = append(out, summaryText(tr("export.summary.not_compared"), d.Changes.NotCompared))
	}
	return out
}
