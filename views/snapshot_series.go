package views

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// The weekly series: R, ecosystem health and each member's health and φ at
// the snapshots of the last N ISO weeks (ending with the latest snapshot's
// week), for /api/v1/snapshots/series?weeks=N and its downloads. A week
// without a snapshot, or whose snapshot measured nothing, is null: a gap,
// never a 0.

// Bounds of the series' length in weeks.
const (
	DefaultSeriesWeeks = 12
	MaxSeriesWeeks     = snapshotTrendMaxWeeks
)

// SeriesWeek is one week of the series.
type SeriesWeek struct {
	Week          string   `json:"week"`
	Day           string   `json:"day"`      // the week's Sunday
	Snapshot      bool     `json:"snapshot"` // the week has a snapshot
	R             *float64 `json:"R"`
	Health        *float64 `json:"health"`
	Members       *int     `json:"members"`
	Partial       bool     `json:"partial"`
	PartialReason string   `json:"partial_reason,omitempty"`
}

// SeriesMember is a member's health and φ week by week (aligned with
// SnapshotSeries.Weeks; null where the member is not in the week's snapshot).
type SeriesMember struct {
	Slug   string     `json:"slug"`
	Name   string     `json:"name"` // as frozen in its latest week
	Health []*float64 `json:"health"`
	Phi    []*float64 `json:"phi"`
}

// SnapshotSeries is /api/v1/snapshots/series.
type SnapshotSeries struct {
	Weeks   []SeriesWeek   `json:"weeks"`   // oldest first
	Members []SeriesMember `json:"members"` // by slug
	// raw keeps each week's frozen rows (index of Weeks) for the exports.
	raw [][]data.SnapshotMember
}

// ParseSeriesWeeks reads ?weeks=: empty is DefaultSeriesWeeks, else a
// whole number from 1 to MaxSeriesWeeks (EINVALID otherwise).
func ParseSeriesWeeks(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DefaultSeriesWeeks, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxSeriesWeeks {
		return 0, domain.ErrorKey(domain.EINVALID, "errors.query.whole_number", domain.Facts{"Name": "weeks", "Min": 1, "Max": MaxSeriesWeeks, "Value": fmt.Sprintf("%q", s)}, "weeks must be a whole number from 1 to %d, not %q", MaxSeriesWeeks, s)
	}
	return n, nil
}

// BuildSnapshotSeries returns the series of the last n weeks. With no
// snapshot at all it is ENOTFOUND.
func BuildSnapshotSeries(ctx context.Context, db *data.DB, cfg metrics.Config, n int) (*SnapshotSeries, error) {
	if n < 1 || n > MaxSeriesWeeks {
		return nil, domain.ErrorKey(domain.EINVALID, "errors.query.weeks", domain.Facts{"Max": MaxSeriesWeeks}, "weeks must be a whole number from 1 to %d", MaxSeriesWeeks)
	}
	return oneRead(ctx, db, func(ctx context.Context) (*SnapshotSeries, error) { return readSnapshotSeries(ctx, db, cfg, n) })
}

// readSnapshotSeries is BuildSnapshotSeries inside its snapshot.
func readSnapshotSeries(ctx context.Context, db *data.DB, cfg metrics.Config, n int) (*SnapshotSeries, error) {
	list, err := db.Snapshots(ctx)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, domain.ErrorKey(domain.ENOTFOUND, "errors.no_snapshot_series", nil, "no snapshot yet: there is no series")
	}
	last, err := data.WeekSunday(list[0].Week)
	if err != nil {
		return nil, err
	}
	first := last.AddDate(0, 0, -7*(n-1))
	f, err := loadTrendFrame(ctx, db, first.AddDate(0, 0, -6), last, cfg.WindowDays)
	if err != nil {
		return nil, err
	}
	byWeek := make(map[string]data.Snapshot, len(list))
	for _, s := range list {
		byWeek[s.Week] = s
	}
	out := &SnapshotSeries{Weeks: make([]SeriesWeek, 0, n), Members: []SeriesMember{}, raw: make([][]data.SnapshotMember, n)}
	for i := 0; i < n; i++ {
		sunday := first.AddDate(0, 0, 7*i)
		w := SeriesWeek{Week: domain.ISOWeek(sunday), Day: sunday.Format(domain.DateLayout)}
		if s, ok := byWeek[w.Week]; ok {
			seriesWeekOf(&w, s, f)
			if out.raw[i], err = db.SnapshotMembers(ctx, s.Week); err != nil {
				return nil, err
			}
		}
		out.Weeks = append(out.Weeks, w)
	}
	out.Members = seriesMembers(out.raw)
	return out, nil
}

// seriesWeekOf fills a week of the series from its snapshot.
func seriesWeekOf(w *SeriesWeek, s data.Snapshot, f *trendFrame) {
	w.Snapshot, w.Day = true, s.Day.Format(domain.DateLayout)
	members := s.Members
	w.Members = &members
	if snapshotMeasured(SnapshotSummary{R: s.R, Health: s.Health}) {
		r, h := s.R, s.Health
		w.R, w.Health = &r, &h
	}
	w.PartialReason = f.weekPartial(s.Day)
	w.Partial = w.PartialReason != ""
}

// seriesMembers lays every member of the weeks out week by week.
func seriesMembers(raw [][]data.SnapshotMember) []SeriesMember {
	idx := map[string]int{}
	var out []SeriesMember
	for i, rows := range raw {
		for _, m := range rows {
			j, ok := idx[m.Slug]
			if !ok {
				j = len(out)
				idx[m.Slug] = j
				out = append(out, SeriesMember{Slug: m.Slug, Health: make([]*float64, len(raw)), Phi: make([]*float64, len(raw))})
			}
			h, p := m.Health, m.Phi
			out[j].Name, out[j].Health[i], out[j].Phi[i] = m.Name, &h, &p
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slug < out[j].Slug })
	if out == nil {
		out = []SeriesMember{}
	}
	return out
}

// SeriesExportRows are the series' rows in the columns of every member
// export: for each week with a snapshot, oldest first, its ecosystem row
// and its members' rows (no changes: the series is the changes).
func SeriesExportRows(s *SnapshotSeries) []MemberExportRow {
	var out []MemberExportRow
	for i, w := range s.Weeks {
		if !w.Snapshot {
			continue
		}
		cw := CompareWeek{Week: w.Week, Day: w.Day, R: w.R, Health: w.Health, Members: *w.Members}
		out = append(out, compareEcosystemRow(cw))
		for _, m := range s.raw[i] {
			out = append(out, frozenExportRow(cw, m))
		}
	}
	return out
}

// SeriesSummaryLines are the Summary sheet of the series' XLSX, in tr's
// language.
func SeriesSummaryLines(s *SnapshotSeries, tr Tr) []SummaryLine {
	snaps := 0
	for _, w := range s.Weeks {
		if w.Snapshot {
			snaps++
		}
	}
	return []SummaryLine{
		summaryNumber(tr("export.summary.weeks"), float64(len(s.Weeks)), FormatCount),
		summaryText(tr("export.summary.first_week"), s.Weeks[0].Week),
		summaryText(tr("export.summary.last_week"), s.Weeks[len(s.Weeks)-1].Week),
		summaryNumber(tr("export.summary.weeks_with_snapshot"), float64(snaps), FormatCount),
		summaryNumber(tr("export.summary.members_seen"), float64(len(s.Members)), FormatCount),
	}
}

// SeriesExportName is the file name of the series' export:
// ecopulse-series-2026-W37-2026-W48.csv.
func SeriesExportName(s *SnapshotSeries, format string) string {
	return "ecopulse-series-" + s.Weeks[0].Week + "-" + s.Weeks[len(s.Weeks)-1].Week + "." + format
}

// SeriesURL is a download of the series of the last weeks.
func SeriesURL(weeks int, format string) string {
	return "/api/v1/snapshots/series?weeks=" + strconv.Itoa(weeks) + "&format=" + url.QueryEscape(format)
}
