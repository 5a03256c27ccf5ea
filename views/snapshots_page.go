package views

import (
	"io"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// splitBarMembers is how many members the Shapley split chart names; the
// rest are summed into one "others" bar.
const splitBarMembers = 15

// ExportFormats are the formats a snapshot downloads as, in the order the
// page offers them.
var ExportFormats = []string{"csv", "xlsx", "json"}

// snapshotsPage is what templates/pages/snapshots.html receives.
type snapshotsPage struct {
	Snapshots  []snapshotListRow
	Trend      chartBlock
	WindowDays int // the scoring window: the warm-up's length
	// Series are the downloads of the weekly series (SeriesWeeks weeks).
	Series      []downloadLink
	SeriesWeeks int
}

// snapshotListRow is a week of the list with its downloads.
type snapshotListRow struct {
	SnapshotSummary
	Downloads []downloadLink
}

// SnapshotsPage writes /snapshots.
func (r *Renderer) SnapshotsPage(w io.Writer, l SnapshotList) error {
	p := snapshotsPage{Snapshots: make([]snapshotListRow, len(l.Snapshots)), WindowDays: r.opts.WindowDays}
	for i, s := range l.Snapshots {
		p.Snapshots[i] = snapshotListRow{SnapshotSummary: s, Downloads: downloadLinks(s.Week)}
	}
	p.SeriesWeeks = DefaultSeriesWeeks
	for _, f := range ExportFormats {
		p.Series = append(p.Series, downloadLink{Format: f, Label: strings.ToUpper(f), Href: SeriesURL(DefaultSeriesWeeks, f)})
	}
	weeks, health, partial := snapshotTrend(l.Snapshots)
	tr := r.Tr()
	p.Trend = chartBlock{
		ID:      "chart-snapshot-health",
		Title:   tr("snapshots.trend_title"),
		Summary: trendTextIn(tr, tr("snapshots.trend_what"), weeks, health, fmtScore, l.WarmingUp),
		Size:    "sm",
	}
	var err error
	if p.Trend.Spec, err = trendLine(weeks, []lineSeries{{Name: tr("col.health"), Values: health, Color: "#3b6fd8", Decimals: 1}},
		trendOpts{Min: 0, Max: 100, Bands: &r.opts.Bands, Area: true, Message: tr("snapshots.no_snapshot"), WarmUp: l.WarmingUp, Partial: partial, Tr: tr}); err != nil {
		return err
	}
	at := ""
	if len(l.Snapshots) > 0 {
		at = l.Snapshots[0].Day
	}
	return r.render(w, "snapshots", layoutData{
		Title:  tr("snapshots.title"),
		Active: "/snapshots",
		Fresh:  newFreshness(at, ""),
		Page:   p,
	})
}

// snapshotTrend returns the trend of the snapshots (newest first): every
// week from the oldest to the newest, oldest first, its health NaN when the
// week has no snapshot or its snapshot measured nothing, and which weeks
// were partial.
func snapshotTrend(list []SnapshotSummary) (weeks []string, health []float64, partial []bool) {
	if len(list) == 0 {
		return nil, nil, nil
	}
	byWeek := make(map[string]SnapshotSummary, len(list))
	for _, s := range list {
		byWeek[s.Week] = s
	}
	first, err1 := domain.ParseDay(list[len(list)-1].Day)
	last, err2 := domain.ParseDay(list[0].Day)
	if err1 != nil || err2 != nil || last.Sub(first) > snapshotTrendMaxWeeks*7*24*time.Hour {
		// Not weekly Sundays (or too many weeks): the snapshots alone.
		for i := len(list) - 1; i >= 0; i-- {
			s := list[i]
			weeks, health, partial = append(weeks, s.Week), append(health, snapshotHealth(s)), append(partial, s.Partial)
		}
		return weeks, health, partial
	}
	for d := first; !d.After(last); d = d.AddDate(0, 0, 7) {
		w := domain.ISOWeek(d)
		s, ok := byWeek[w]
		v := math.NaN()
		if ok {
			v = snapshotHealth(s)
		}
		weeks, health, partial = append(weeks, w), append(health, v), append(partial, ok && s.Partial)
	}
	return weeks, health, partial
}

// snapshotTrendMaxWeeks bounds the weeks the trend lays out.
const snapshotTrendMaxWeeks = 520

func snapshotHealth(s SnapshotSummary) float64 {
	if !snapshotMeasured(s) {
		return math.NaN()
	}
	return s.Health
}

// downloadLink is an export of a snapshot.
type downloadLink struct {
	Format string
	Label  string
	Href   string
	File   string
}

// snapshotRowView is a member row with its changes as deltas.
type snapshotRowView struct {
	SnapshotMemberRow
	HealthDelta deltaView
	PhiDelta    deltaView
	Badge       statusBadge
}

// snapshotPage is what templates/pages/snapshot.html receives.
type snapshotPage struct {
	D            *SnapshotDetail
	R            string
	Health       string
	Status       statusBadge
	HealthChange deltaView
	RChange      deltaView
	Split        chartBlock
	Downloads    []downloadLink
	Changes      []changeListView
	Rows         []snapshotRowView
}

// changeListView is a list of risers or fallers, formatted.
type changeListView struct {
	Title string
	Items []changeItemView
}

type changeItemView struct {
	Slug, Name            string
	Before, After, Change string
	Class                 string // up or down
}

func newChangeList(title string, list []MemberChange, format func(float64) string) changeListView {
	v := changeListView{Title: title}
	for _, c := range list {
		it := changeItemView{Slug: c.Slug, Name: c.Name, Before: format(c.Before), After: format(c.After), Class: "up"}
		if c.Change < 0 {
			it.Class, it.Change = "down", "−"+format(-c.Change)
		} else {
			it.Change = "+" + format(c.Change)
		}
		v.Items = append(v.Items, it)
	}
	return v
}

func downloadLinks(week string) []downloadLink {
	out := make([]downloadLink, 0, len(ExportFormats))
	for _, f := range ExportFormats {
		out = append(out, downloadLink{Format: f, Label: strings.ToUpper(f), Href: SnapshotExportURL(week, f), File: SnapshotExportName(week, f)})
	}
	return out
}

// SnapshotExportName is the file name of a snapshot's export: ecopulse-2026-W26.csv.
func SnapshotExportName(week, format string) string {
	return "ecopulse-" + week + "." + format
}

// SnapshotExportURL is where a snapshot's export downloads from.
func SnapshotExportURL(week, format string) string {
	return "/api/v1/snapshots/" + url.PathEscape(week) + "?format=" + url.QueryEscape(format)
}

// SnapshotPage writes /snapshots/:week.
func (r *Renderer) SnapshotPage(w io.Writer, d SnapshotDetail) error {
	tr := r.Tr()
	p, err := buildSnapshotPage(&d, r.opts.Bands, tr)
	if err != nil {
		return err
	}
	return r.render(w, "snapshot", layoutData{
		Title:  tr("snapshot.title", "Week", d.Week),
		Active: "/snapshots",
		Fresh:  newFreshness(d.Day, ""),
		Page:   p,
	})
}

func buildSnapshotPage(d *SnapshotDetail, bands Bands, tr Tr) (snapshotPage, error) {
	p := snapshotPage{D: d, R: fmtNum(d.Ecosystem.R), Health: fmtScore(d.Ecosystem.Health),
		Status: bands.badge("", d.Ecosystem.Health)}
	against := "the previous snapshot"
	if d.Previous != nil {
		against = d.Previous.Week
		p.HealthChange = deltaIn(tr, scoreDelta(d.Ecosystem.Health-d.Previous.Health), against)
		rc := math.NaN()
		if d.Previous.R > 0 {
			rc = d.Ecosystem.R/d.Previous.R - 1
		}
		p.RChange = deltaIn(tr, ratioDelta(rc), against)
	} else {
		p.HealthChange = deltaView{Text: tr("snapshot.first"), Class: "flat", Words: tr("snapshot.no_earlier")}
		p.RChange = p.HealthChange
	}
	if why := d.Changes.NotCompared; why != "" {
		p.HealthChange, p.RChange = partialDeltaIn(tr, why), partialDeltaIn(tr, why)
	}
	p.Downloads = downloadLinks(d.Week)
	p.Changes = []changeListView{
		newChangeList(tr("snapshot.health_risers"), d.Changes.HealthRisers, fmtScore),
		newChangeList(tr("snapshot.health_fallers"), d.Changes.HealthFallers, fmtScore),
		newChangeList(tr("snapshot.phi_risers"), d.Changes.PhiRisers, fmtNum),
		newChangeList(tr("snapshot.phi_fallers"), d.Changes.PhiFallers, fmtNum),
	}
	p.Rows = make([]snapshotRowView, len(d.Members))
	for i, m := range d.Members {
		v := snapshotRowView{SnapshotMemberRow: m, Badge: bands.badge(m.Status, m.Health)}
		if m.facts != nil && m.Reason != "" {
			if s := reasonIn(tr, *m.facts); s != "" {
				v.Reason = s
			}
		}
		if m.HealthChange != nil {
			v.HealthDelta = deltaIn(tr, scoreDelta(*m.HealthChange), against)
			v.PhiDelta = deltaIn(tr, newDelta(*m.PhiChange, fmtNum(math.Abs(*m.PhiChange))), against)
		} else if m.New {
			v.HealthDelta = deltaView{Text: tr("snapshot.delta_new"), Class: "flat", Words: tr("snapshot.not_in", "Week", against)}
			v.PhiDelta = v.HealthDelta
		} else if d.Changes.NotCompared != "" {
			v.HealthDelta = partialDeltaIn(tr, d.Changes.NotCompared)
			v.PhiDelta = v.HealthDelta
		} else {
			v.HealthDelta = deltaView{Text: noValue, Class: "flat", Words: tr("snapshot.no_earlier")}
			v.PhiDelta = v.HealthDelta
		}
		p.Rows[i] = v
	}
	p.Split = chartBlock{
		ID:      "chart-shapley-split",
		Title:   tr("snapshot.split_title", "R", p.R),
		Summary: splitSummary(d, tr),
		Size:    "lg",
	}
	var err error
	if p.Split.Spec, err = shareBarIn(tr, splitRows(d, tr), bands); err != nil {
		return p, err
	}
	return p, nil
}

// splitRows are the bars of the Shapley split: the members with the largest
// φ, then the rest summed. Member rows come by descending φ.
func splitRows(d *SnapshotDetail, tr Tr) []MemberRow {
	var rows []MemberRow
	var restPhi float64
	rest := 0
	for _, m := range d.Members {
		if m.Phi <= 0 {
			continue
		}
		if len(rows) < splitBarMembers {
			rows = append(rows, MemberRow{Slug: m.Slug, Name: m.Name, Health: m.Health, Status: m.Status, ValueFigures: ValueFigures{Phi: m.Phi}, PhiShare: m.PhiShare})
			continue
		}
		rest++
		restPhi += m.Phi
	}
	if rest > 0 && d.Ecosystem.R > 0 {
		name := tr("snapshot.others", "N", rest)
		if rest == 1 { // by its own message: Tr picks no plural form
			name = tr("snapshot.one_other")
		}
		rows = append(rows, MemberRow{Name: name,
			Health: math.NaN(), ValueFigures: ValueFigures{Phi: restPhi}, PhiShare: restPhi / d.Ecosystem.R})
	}
	return rows
}

func splitSummary(d *SnapshotDetail, tr Tr) string {
	rows := splitRows(d, tr)
	if len(rows) == 0 {
		return tr("snapshot.split_none")
	}
	parts := make([]string, len(rows))
	for i, m := range rows {
		parts[i] = m.Name + " " + fmtPct(m.PhiShare)
	}
	return tr("snapshot.split_summary", "R", fmtNum(d.Ecosystem.R), "List", strings.Join(parts, tr("member.list_sep")))
}
