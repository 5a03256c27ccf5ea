package views

import (
	"context"
	"net/url"
	"sort"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// Two weeks compared: /snapshots/compare?a=2026-W40&b=2026-W48, its JSON
// twin /api/v1/snapshots/compare and its downloads. Any two snapshots, not
// only a week and the one before: each member's health, C and φ in a and
// in b and the change b − a, and the ecosystem's totals for both. A member
// in one week only has the other side missing (null), never 0.

// CompareWeek is one side of a comparison: a snapshot's ecosystem totals.
type CompareWeek struct {
	Week          string       `json:"week"`
	Day           string       `json:"day"`
	TakenAt       string       `json:"taken_at"`
	Partial       bool         `json:"partial"`
	PartialReason string       `json:"partial_reason,omitempty"`
	R             *float64     `json:"R"`      // null: the snapshot measured nothing
	Health        *float64     `json:"health"` // null: the snapshot measured nothing
	Members       int          `json:"members"`
	Statuses      StatusCounts `json:"statuses"`
}

// CompareSide is a member's numbers in one week.
type CompareSide struct {
	Status   string  `json:"status"`
	Health   float64 `json:"health"`
	C        float64 `json:"C"`
	Phi      float64 `json:"phi"`
	PhiShare float64 `json:"phi_share"`
}

// CompareMember is a member in week a, week b, or both.
type CompareMember struct {
	Slug    string       `json:"slug"`
	Name    string       `json:"name"` // as frozen in b, else in a
	Kind    string       `json:"kind"`
	Segment string       `json:"segment"`
	Tier    string       `json:"tier"`
	A       *CompareSide `json:"a"` // null: not in week a
	B       *CompareSide `json:"b"` // null: not in week b
	// The changes b − a; null when the member is in one week only, or the
	// weeks are not compared (NotCompared).
	HealthChange *float64 `json:"health_change"`
	CChange      *float64 `json:"C_change"`
	PhiChange    *float64 `json:"phi_change"`
}

// SnapshotCompare is /snapshots/compare and /api/v1/snapshots/compare.
type SnapshotCompare struct {
	A CompareWeek `json:"a"`
	B CompareWeek `json:"b"`
	// The ecosystem's changes b − a (null when a side measured nothing or
	// the weeks are not compared) and the change of the member count.
	RChange       *float64 `json:"R_change"`
	HealthChange  *float64 `json:"health_change"`
	MembersChange int      `json:"members_change"`
	// NotCompared says why there is no change: a week taken on a partial
	// window is compared with no other week (series.go).
	NotCompared string          `json:"not_compared,omitempty"`
	Members     []CompareMember `json:"members"` // by descending φ in b, then in a
	// Weeks are the snapshots there are, newest first: the page's choices.
	Weeks []string `json:"weeks"`
	// raw keeps both weeks' frozen rows for the exports (one column
	// definition for every member export).
	raw [2][]data.SnapshotMember
}

// ParseCompareWeeks checks the a and b of a comparison: each empty (the
// default) or an ISO week.
func ParseCompareWeeks(a, b string) error {
	for _, w := range []string{a, b} {
		if w == "" {
			continue
		}
		if _, err := data.ParseISOWeek(w); err != nil {
			return err
		}
	}
	return nil
}

// BuildSnapshotCompare compares the snapshots of weeks a and b. An empty b
// is the latest snapshot, an empty a the one before b. A week without a
// snapshot is ENOTFOUND. The page, the API and every download call it.
func BuildSnapshotCompare(ctx context.Context, db *data.DB, cfg metrics.Config, a, b string) (*SnapshotCompare, error) {
	if err := ParseCompareWeeks(a, b); err != nil {
		return nil, err
	}
	return oneRead(ctx, db, func(ctx context.Context) (*SnapshotCompare, error) { return readSnapshotCompare(ctx, db, cfg, a, b) })
}

// readSnapshotCompare is BuildSnapshotCompare inside its snapshot.
func readSnapshotCompare(ctx context.Context, db *data.DB, cfg metrics.Config, a, b string) (*SnapshotCompare, error) {
	list, err := db.Snapshots(ctx)
	if err != nil {
		return nil, err
	}
	if a, b, err = defaultCompareWeeks(list, a, b); err != nil {
		return nil, err
	}
	c := &SnapshotCompare{Weeks: make([]string, len(list)), Members: []CompareMember{}}
	for i, s := range list {
		c.Weeks[i] = s.Week
	}
	sa, sb, err := compareSnapshotsOf(ctx, db, a, b)
	if err != nil {
		return nil, err
	}
	first, last := sa.Day, sb.Day
	if last.Before(first) {
		first, last = last, first
	}
	f, err := loadTrendFrame(ctx, db, first.AddDate(0, 0, -6), last, cfg.WindowDays)
	if err != nil {
		return nil, err
	}
	for i, s := range []*data.Snapshot{sa, sb} {
		if c.raw[i], err = db.SnapshotMembers(ctx, s.Week); err != nil {
			return nil, err
		}
	}
	c.A, c.B = compareWeek(sa, c.raw[0], f), compareWeek(sb, c.raw[1], f)
	switch {
	case c.A.Partial:
		c.NotCompared = c.A.Week + " was taken on a partial window: " + c.A.PartialReason
	case c.B.Partial:
		c.NotCompared = c.B.Week + " was taken on a partial window: " + c.B.PartialReason
	}
	compare := c.NotCompared == ""
	c.MembersChange = c.B.Members - c.A.Members
	if compare {
		c.RChange, c.HealthChange = diffOf(c.A.R, c.B.R), diffOf(c.A.Health, c.B.Health)
	}
	c.Members = compareMembers(c.raw[0], c.raw[1], sa.R, sb.R, compare)
	return c, nil
}

// defaultCompareWeeks fills an empty b with the latest snapshot and an
// empty a with the snapshot before b.
func defaultCompareWeeks(list []data.Snapshot, a, b string) (string, string, error) {
	if len(list) == 0 {
		return a, b, domain.ErrorKey(domain.ENOTFOUND, "errors.no_snapshot_compare", nil, "no snapshot yet: there is nothing to compare")
	}
	if b == "" {
		b = list[0].Week
	}
	if a == "" {
		a = b
		for _, s := range list { // newest first: the first older than b
			if s.Week < b {
				a = s.Week
				break
			}
		}
	}
	return a, b, nil
}

// compareSnapshotsOf reads the snapshots of weeks a and b.
func compareSnapshotsOf(ctx context.Context, db *data.DB, a, b string) (*data.Snapshot, *data.Snapshot, error) {
	sa, err := db.SnapshotOf(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	sb, err := db.SnapshotOf(ctx, b)
	if err != nil {
		return nil, nil, err
	}
	return sa, sb, nil
}

// compareWeek is a snapshot's side of a comparison.
func compareWeek(s *data.Snapshot, rows []data.SnapshotMember, f *trendFrame) CompareWeek {
	w := CompareWeek{Week: s.Week, Day: s.Day.Format(domain.DateLayout), TakenAt: s.TakenAt.UTC().Format(time.RFC3339), Members: s.Members}
	w.PartialReason = f.weekPartial(s.Day)
	w.Partial = w.PartialReason != ""
	if snapshotMeasured(SnapshotSummary{R: s.R, Health: s.Health}) {
		r, h := s.R, s.Health
		w.R, w.Health = &r, &h
	}
	for _, m := range rows {
		w.Statuses.add(m.Status)
	}
	return w
}

// diffOf returns b − a, or nil when either is missing.
func diffOf(a, b *float64) *float64 {
	if a == nil || b == nil {
		return nil
	}
	d := *b - *a
	return &d
}

func compareSide(m data.SnapshotMember, r float64) *CompareSide {
	s := &CompareSide{Status: m.Status, Health: m.Health, C: m.C, Phi: m.Phi}
	if r > 0 { // as a snapshot's rows: no share of an R that is not positive
		s.PhiShare = m.Phi / r
	}
	return s
}

// compareMembers joins the members of a and b by slug: by descending φ in
// b, then those only in a by descending φ in a; ties by slug.
func compareMembers(a, b []data.SnapshotMember, ra, rb float64, compare bool) []CompareMember {
	byA := make(map[string]data.SnapshotMember, len(a))
	for _, m := range a {
		byA[m.Slug] = m
	}
	out := make([]CompareMember, 0, len(a)+len(b))
	inB := make(map[string]bool, len(b))
	for _, m := range b {
		inB[m.Slug] = true
		cm := CompareMember{Slug: m.Slug, Name: m.Name, Kind: m.Kind, Segment: m.Segment, Tier: m.Tier, B: compareSide(m, rb)}
		if old, ok := byA[m.Slug]; ok {
			cm.A = compareSide(old, ra)
			if compare {
				cm.HealthChange = diffOf(&cm.A.Health, &cm.B.Health)
				cm.CChange = diffOf(&cm.A.C, &cm.B.C)
				cm.PhiChange = diffOf(&cm.A.Phi, &cm.B.Phi)
			}
		}
		out = append(out, cm)
	}
	var gone []CompareMember
	for _, m := range a {
		if !inB[m.Slug] {
			gone = append(gone, CompareMember{Slug: m.Slug, Name: m.Name, Kind: m.Kind, Segment: m.Segment, Tier: m.Tier, A: compareSide(m, ra)})
		}
	}
	sort.SliceStable(gone, func(i, j int) bool {
		if gone[i].A.Phi != gone[j].A.Phi {
			return gone[i].A.Phi > gone[j].A.Phi
		}
		return gone[i].Slug < gone[j].Slug
	})
	return append(out, gone...)
}

// CompareExportName is the file name of a comparison's export:
// ecopulse-2026-W40-vs-2026-W48.csv.
func CompareExportName(a, b, format string) string {
	return "ecopulse-" + a + "-vs-" + b + "." + format
}

// CompareURL is the comparison's page (format "") or a download of it.
func CompareURL(a, b, format string) string {
	q := url.Values{}
	q.Set("a", a)
	q.Set("b", b)
	if format == "" {
		return "/snapshots/compare?" + q.Encode()
	}
	q.Set("format", format)
	return "/api/v1/snapshots/compare?" + q.Encode()
}
