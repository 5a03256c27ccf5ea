package views

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// SnapshotSummary is one week on /snapshots and /api/v1/snapshots.
type SnapshotSummary struct {
	Week    string  `json:"week"`     // YYYY-Www
	Day     string  `json:"day"`      // the Sunday whose scores were frozen
	R       float64 `json:"R"`        // ecosystem value
	Health  float64 `json:"health"`   // ecosystem health
	Members int     `json:"members"`  // members in the snapshot
	TakenAt string  `json:"taken_at"` // RFC 3339
	// Partial: the snapshot was taken on a partial window, its scores
	// warming up or its week short of 7 days of data (series.go);
	// PartialReason says which. It is compared with no other week.
	Partial       bool   `json:"partial"`
	PartialReason string `json:"partial_reason,omitempty"`
}

// SnapshotList is /snapshots and /api/v1/snapshots: newest week first.
type SnapshotList struct {
	Snapshots []SnapshotSummary `json:"snapshots"`
	// WarmingUp is the first and last week whose snapshot's scores are
	// warming up, shaded on the trend; null when none is.
	WarmingUp *DayRange `json:"warming_up"`
}

// SnapshotMemberRow is a member of a snapshot with its change against the
// previous snapshot. The changes are null for a member that is new.
type SnapshotMemberRow struct {
	Slug    string `json:"slug"`
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Segment string `json:"segment"`
	Tier    string `json:"tier"`
	ScoreFigures
	PhiShare     float64  `json:"phi_share"` // φ_i / R
	Health       float64  `json:"health"`
	Status       string   `json:"status"`
	HealthChange *float64 `json:"health_change"` // against the previous snapshot
	PhiChange    *float64 `json:"phi_change"`
	New          bool     `json:"new"` // not in the previous snapshot
	// Reason is the member's reason as frozen with the week
	// (domain.MemberScore.Explain); "" when it had none, or for a snapshot
	// frozen before reasons were kept.
	Reason     string `json:"reason"`
	ReasonKind string `json:"reason_kind"`
	// facts are what Reason was said from, for the page to say it in its
	// language (reasonIn); nil for a row frozen without them. Unexported:
	// the JSON and the exports keep the frozen English.
	facts *reasonFacts
}

// MemberChange is a member's move between two snapshots.
type MemberChange struct {
	Slug   string  `json:"slug"`
	Name   string  `json:"name"`
	Before float64 `json:"before"`
	After  float64 `json:"after"`
	Change float64 `json:"change"`
}

// MemberRef names a member.
type MemberRef struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// SnapshotChanges compares a snapshot with the previous one: the members
// whose health and φ rose and fell most, and those that came and went.
type SnapshotChanges struct {
	Against       string         `json:"against,omitempty"` // the previous snapshot's week; empty for the first
	HealthRisers  []MemberChange `json:"health_risers"`     // largest rise first
	HealthFallers []MemberChange `json:"health_fallers"`    // largest fall first
	PhiRisers     []MemberChange `json:"phi_risers"`
	PhiFallers    []MemberChange `json:"phi_fallers"`
	New           []MemberRef    `json:"new"`
	Gone          []MemberRef    `json:"gone"`
	// NotCompared says why there is no change, riser or faller although
	// there is a previous snapshot: it or this one was taken on a partial
	// window. New and gone members are still listed.
	NotCompared string `json:"not_compared,omitempty"`
}

// SnapshotEcosystem is a snapshot's ecosystem total.
type SnapshotEcosystem struct {
	R       float64 `json:"R"`
	Health  float64 `json:"health"`
	Members int     `json:"members"`
}

// SnapshotDetail is /snapshots/:week, /api/v1/snapshots/:week and the JSON
// export: the frozen week, member by member, by descending φ.
type SnapshotDetail struct {
	Week      string              `json:"week"`
	Day       string              `json:"day"`
	TakenAt   string              `json:"taken_at"`
	Partial   bool                `json:"partial"` // taken on a partial window: see PartialReason
	Ecosystem SnapshotEcosystem   `json:"ecosystem"`
	Previous  *SnapshotSummary    `json:"previous"` // null for the first snapshot
	Members   []SnapshotMemberRow `json:"members"`
	Changes   SnapshotChanges     `json:"changes"`
	// Rescored: the snapshot's day was scored again after it was frozen (a
	// late import, a remap, an archived member): the snapshot keeps its
	// numbers, and says what they are now. Null when they were not.
	Rescored *SnapshotRescore `json:"rescored"`
	// PartialReason says why the snapshot's window is partial (series.go):
	// its scores warming up, or its week short of 7 days of data.
	PartialReason string `json:"partial_reason,omitempty"`
}

// SnapshotRescore is a snapshot day's ecosystem score as computed again.
type SnapshotRescore struct {
	At     string  `json:"at"` // when it was computed again (RFC 3339)
	R      float64 `json:"R"`
	Health float64 `json:"health"`
}

// changeListLen is how many risers and fallers a snapshot lists.
const changeListLen = 10

// changeEpsilon is the smallest move counted as a rise or a fall.
const changeEpsilon = 1e-9

func snapshotSummary(s data.Snapshot) SnapshotSummary {
	return SnapshotSummary{Week: s.Week, Day: s.Day.Format(domain.DateLayout), R: s.R, Health: s.Health,
		Members: s.Members, TakenAt: s.TakenAt.UTC().Format(time.RFC3339)}
}

// snapshotPartial marks a summary taken on a partial window.
func snapshotPartial(s *SnapshotSummary, day time.Time, f *trendFrame) {
	s.PartialReason = f.weekPartial(day)
	s.Partial = s.PartialReason != ""
}

// snapshotMeasured reports whether a snapshot's ecosystem numbers measured
// something: frozen on a day when no member had data, health and R are 0.
func snapshotMeasured(s SnapshotSummary) bool { return !(s.Health == 0 && s.R == 0) }

// BuildSnapshots lists the snapshots, newest week first, each marked when
// it was taken on a partial window. The page and /api/v1/snapshots both
// call it.
func BuildSnapshots(ctx context.Context, db *data.DB, cfg metrics.Config) (*SnapshotList, error) {
	return oneRead(ctx, db, func(ctx context.Context) (*SnapshotList, error) { return readSnapshots(ctx, db, cfg) })
}

// readSnapshots is BuildSnapshots inside its snapshot.
func readSnapshots(ctx context.Context, db *data.DB, cfg metrics.Config) (*SnapshotList, error) {
	list, err := db.Snapshots(ctx)
	if err != nil {
		return nil, err
	}
	out := &SnapshotList{Snapshots: make([]SnapshotSummary, 0, len(list))}
	if len(list) == 0 {
		return out, nil
	}
	f, err := loadTrendFrame(ctx, db, list[len(list)-1].Day.AddDate(0, 0, -6), list[0].Day, cfg.WindowDays)
	if err != nil {
		return nil, err
	}
	days, weeks := make([]time.Time, len(list)), make([]string, len(list))
	for i, s := range list {
		sum := snapshotSummary(s)
		snapshotPartial(&sum, s.Day, f)
		out.Snapshots = append(out.Snapshots, sum)
		days[len(list)-1-i], weeks[len(list)-1-i] = s.Day, s.Week
	}
	out.WarmingUp = f.warm.points(days, weeks)
	return out, nil
}

// BuildSnapshot returns a week's snapshot compared with the previous one,
// or ENOTFOUND. The page, /api/v1/snapshots/:week and every export call it.
func BuildSnapshot(ctx context.Context, db *data.DB, cfg metrics.Config, week string) (*SnapshotDetail, error) {
	return oneRead(ctx, db, func(ctx context.Context) (*SnapshotDetail, error) { return readSnapshot(ctx, db, cfg, week) })
}

// readSnapshot is BuildSnapshot inside its snapshot.
func readSnapshot(ctx context.Context, db *data.DB, cfg metrics.Config, week string) (*SnapshotDetail, error) {
	s, err := db.SnapshotOf(ctx, week)
	if err != nil {
		return nil, err
	}
	cur, err := db.SnapshotMembers(ctx, week)
	if err != nil {
		return nil, err
	}
	d := &SnapshotDetail{Week: s.Week, Day: s.Day.Format(domain.DateLayout), TakenAt: s.TakenAt.UTC().Format(time.RFC3339),
		Ecosystem: SnapshotEcosystem{R: s.R, Health: s.Health, Members: s.Members}}
	var prev []data.SnapshotMember
	p, err := db.PreviousSnapshot(ctx, week)
	switch {
	case err == nil:
		sum := snapshotSummary(*p)
		d.Previous = &sum
		if prev, err = db.SnapshotMembers(ctx, p.Week); err != nil {
			return nil, err
		}
	case domain.ErrorCode(err) != domain.ENOTFOUND:
		return nil, err
	}
	// Changes are computed only between two complete weeks (series.go).
	first := s.Day
	if p != nil && p.Day.Before(first) {
		first = p.Day
	}
	f, err := loadTrendFrame(ctx, db, first.AddDate(0, 0, -6), s.Day, cfg.WindowDays)
	if err != nil {
		return nil, err
	}
	d.PartialReason = f.weekPartial(s.Day)
	d.Partial = d.PartialReason != ""
	notCompared := ""
	if d.Partial {
		notCompared = "this snapshot was taken on a partial window: " + d.PartialReason
	}
	if d.Previous != nil {
		snapshotPartial(d.Previous, p.Day, f)
		if notCompared == "" && d.Previous.Partial {
			notCompared = d.Previous.Week + " was taken on a partial window: " + d.Previous.PartialReason
		}
	}
	// Scores are computed before a snapshot freezes them; one computed
	// later with other numbers is a rescore (the day after a week closes is
	// scored again as "yesterday", most often to the same numbers).
	if now, at, err := db.ScoredAgain(ctx, s.Day); err == nil && at.Unix() >= s.TakenAt.Unix() &&
		(math.Abs(now.R-s.R) > changeEpsilon || math.Abs(now.Health-s.Health) > changeEpsilon) {
		d.Rescored = &SnapshotRescore{At: at.Format(time.RFC3339), R: now.R, Health: now.Health}
	} else if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		return nil, err
	}
	d.Members, d.Changes = compareSnapshots(s.R, cur, prev, d.Previous != nil, notCompared == "")
	if d.Previous != nil {
		d.Changes.Against = d.Previous.Week
		d.Changes.NotCompared = notCompared
	}
	return d, nil
}

// compareSnapshots returns the rows of cur with their change against prev,
// and the risers, fallers, new and gone members. Without a previous
// snapshot (hasPrev false) nothing is new, gone or changed; when compare is
// false (a partial week) members are new or gone, but nothing changed.
func compareSnapshots(r float64, cur, prev []data.SnapshotMember, hasPrev, compare bool) ([]SnapshotMemberRow, SnapshotChanges) {
	ch := SnapshotChanges{HealthRisers: []MemberChange{}, HealthFallers: []MemberChange{}, PhiRisers: []MemberChange{},
		PhiFallers: []MemberChange{}, New: []MemberRef{}, Gone: []MemberRef{}}
	before := make(map[string]data.SnapshotMember, len(prev))
	for _, m := range prev {
		before[m.Slug] = m
	}
	seen := make(map[string]bool, len(cur))
	rows := make([]SnapshotMemberRow, 0, len(cur))
	var health, phi []MemberChange
	for _, m := range cur {
		seen[m.Slug] = true
		row := SnapshotMemberRow{Slug: m.Slug, Name: m.Name, Kind: m.Kind, Segment: m.Segment, Tier: m.Tier,
			ScoreFigures: snapshotFigures(&m), Health: m.Health, Status: m.Status, Reason: m.Reason, ReasonKind: m.ReasonKind}
		if sc, ok := m.Score(); ok {
			f := reasonFactsOf(&sc)
			row.facts = &f
		}
		if r > 0 {
			row.PhiShare = m.Phi / r
		}
		if old, ok := before[m.Slug]; ok && compare {
			hc, pc := m.Health-old.Health, m.Phi-old.Phi
			row.HealthChange, row.PhiChange = &hc, &pc
			health = append(health, MemberChange{Slug: m.Slug, Name: m.Name, Before: old.Health, After: m.Health, Change: hc})
			phi = append(phi, MemberChange{Slug: m.Slug, Name: m.Name, Before: old.Phi, After: m.Phi, Change: pc})
		} else if hasPrev && !ok {
			row.New = true
			ch.New = append(ch.New, MemberRef{Slug: m.Slug, Name: m.Name})
		}
		rows = append(rows, row)
	}
	for _, m := range prev {
		if !seen[m.Slug] {
			ch.Gone = append(ch.Gone, MemberRef{Slug: m.Slug, Name: m.Name})
		}
	}
	ch.HealthRisers, ch.HealthFallers = risersAndFallers(health)
	ch.PhiRisers, ch.PhiFallers = risersAndFallers(phi)
	sort.Slice(ch.New, func(i, j int) bool { return ch.New[i].Slug < ch.New[j].Slug })
	sort.Slice(ch.Gone, func(i, j int) bool { return ch.Gone[i].Slug < ch.Gone[j].Slug })
	return rows, ch
}

// risersAndFallers returns the largest rises and the largest falls, each
// at most changeListLen long; ties go by slug.
func risersAndFallers(list []MemberChange) (up, down []MemberChange) {
	return topChanges(list, 1), topChanges(list, -1)
}

// topChanges returns the changes of the given sign (1: rises, -1: falls),
// largest first, at most changeListLen; ties go by slug.
func topChanges(list []MemberChange, sign float64) []MemberChange {
	out := []MemberChange{}
	for _, c := range list {
		if c.Change*sign > changeEpsilon {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := out[i].Change*sign, out[j].Change*sign; a != b {
			return a > b
		}
		return out[i].Slug < out[j].Slug
	})
	if len(out) > changeListLen {
		out = out[:changeListLen]
	}
	return out
}
