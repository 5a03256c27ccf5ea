package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// Snapshot is an ISO week's scores, frozen when the week closed: the scores
// of the week's last day (Sunday). Snapshots are never rewritten.
type Snapshot struct {
	Week    string    `json:"week"`     // YYYY-Www
	Day     time.Time `json:"day"`      // the Sunday whose scores were frozen
	R       float64   `json:"R"`        // ecosystem value on Day
	Health  float64   `json:"health"`   // ecosystem health on Day
	Members int       `json:"members"`  // member rows frozen
	TakenAt time.Time `json:"taken_at"` // when the snapshot was taken
}

// SnapshotMember is one member's frozen score. Names and attributes are
// copies, never joins: renaming or deleting a member leaves history alone.
type SnapshotMember struct {
	Slug    string  `json:"slug"`
	Name    string  `json:"name"`
	Kind    string  `json:"kind"`
	Segment string  `json:"segment"`
	Tier    string  `json:"tier"`
	T       float64 `json:"T"`
	I       float64 `json:"I"`
	M       float64 `json:"M"`
	C       float64 `json:"C"`
	K       float64 `json:"K"`
	Phi     float64 `json:"phi"`
	Health  float64 `json:"health"`
	Status  string  `json:"status"`
	// Reason is the member's explanation when the week was frozen
	// (MemberScore.Explain), copied like the numbers; "" when there was
	// none, or for rows frozen before reasons were kept.
	Reason     string `json:"reason"`
	ReasonKind string `json:"reason_kind"`
	// Facts are what Reason was said from, so that a page can say it in
	// its own language; nil for rows frozen before they were kept. Not in
	// the JSON: the API and the exports keep the English Reason.
	Facts *SnapshotFacts `json:"-"`
}

// SnapshotFacts are the parts of a member's score that its reason
// (MemberScore.Explain) reads, besides its health and status.
type SnapshotFacts struct {
	Changes    []domain.Change
	Dimensions [4]float64 // by domain.Dimensions; NaN: not measured
}

// Score is the member's score as far as its reason goes: what Explain
// needs, rebuilt from the frozen facts; false without facts.
func (m *SnapshotMember) Score() (domain.MemberScore, bool) {
	if m.Facts == nil {
		return domain.MemberScore{}, false
	}
	return domain.MemberScore{Health: m.Health, Status: m.Status, Dimensions: m.Facts.Dimensions, Changes: m.Facts.Changes}, true
}

var isoWeekRE = regexp.MustCompile(`^([0-9]{4})-W([0-9]{2})$`)

// ParseISOWeek parses YYYY-Www and returns the Monday (UTC) the week starts
// on. A week that does not exist (2026-W54, 2026-W00) is EINVALID.
func ParseISOWeek(s string) (time.Time, error) {
	m := isoWeekRE.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, domain.Errorf(domain.EINVALID, "invalid week %q: want YYYY-Www, e.g. 2026-W26", s)
	}
	year, _ := strconv.Atoi(m[1])
	week, _ := strconv.Atoi(m[2])
	// January 4th is always in week 1; its week starts on the Monday before.
	jan4 := time.Date(year, time.January, 4, 0, 0, 0, 0, time.UTC)
	monday := jan4.AddDate(0, 0, -isoWeekday(jan4)+1+7*(week-1))
	if week < 1 || domain.ISOWeek(monday) != s {
		return time.Time{}, domain.Errorf(domain.EINVALID, "week %q does not exist", s)
	}
	return monday, nil
}

// isoWeekday returns 1 for Monday … 7 for Sunday.
func isoWeekday(t time.Time) int {
	if wd := int(t.Weekday()); wd != 0 {
		return wd
	}
	return 7
}

// WeekSunday returns the last day (Sunday, UTC) of an ISO week.
func WeekSunday(week string) (time.Time, error) {
	monday, err := ParseISOWeek(week)
	if err != nil {
		return time.Time{}, err
	}
	return monday.AddDate(0, 0, 6), nil
}

// LastClosedWeekSunday returns the Sunday of the latest ISO week that has
// closed at now: weeks close at Monday 00:00 UTC, because scores are days in UTC.
func LastClosedWeekSunday(now time.Time) time.Time {
	day := domain.Day(now)
	return day.AddDate(0, 0, -isoWeekday(day))
}

// CreateSnapshot stores a snapshot and its members in one transaction. A
// snapshot of the same week that already exists is an ECONFLICT: snapshots
// are never rewritten. s.Members and s.TakenAt are set.
func (db *DB) CreateSnapshot(ctx context.Context, s *Snapshot, members []SnapshotMember) error {
	if _, err := ParseISOWeek(s.Week); err != nil {
		return err
	}
	if s.Day.IsZero() {
		return domain.Errorf(domain.EINVALID, "snapshot of %s needs the day it freezes", s.Week)
	}
	if s.TakenAt.IsZero() {
		s.TakenAt = time.Now()
	}
	s.TakenAt = s.TakenAt.UTC().Truncate(time.Second)
	s.Members = len(members)
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var taken int64
		err := tx.QueryRowContext(ctx, `SELECT created_at FROM snapshots WHERE week = ?`, s.Week).Scan(&taken)
		if err == nil {
			return snapshotExists(s.Week, time.Unix(taken, 0))
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := insertSnapshot(ctx, tx, s); err != nil {
			return err
		}
		return insertSnapshotMembers(ctx, tx, s.Week, members)
	})
	if err != nil {
		var e *domain.Error
		if errors.As(err, &e) {
			return err
		}
		return fmt.Errorf("store: unable to store the snapshot of %s: %w", s.Week, err)
	}
	return nil
}

// FreezeSnapshot copies the stored scores of day (a week's Sunday) into
// the snapshot of week, in one transaction, so that it freezes one version
// of the day even while the scoring job rewrites it. It returns ECONFLICT
// when the week has a snapshot, ENOTFOUND when day has no scores and
// EINVALID when no member was scored on it.
func (db *DB) FreezeSnapshot(ctx context.Context, week string, day, takenAt time.Time) (*Snapshot, error) {
	if _, err := ParseISOWeek(week); err != nil {
		return nil, err
	}
	s := &Snapshot{Week: week, Day: domain.Day(day), TakenAt: takenAt.UTC().Truncate(time.Second)}
	err := db.writeTx(ctx, func(tx *sql.Tx) error { return freezeSnapshot(ctx, tx, s) })
	if err != nil {
		var e *domain.Error
		if errors.As(err, &e) {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to freeze the snapshot of %s: %w", week, err)
	}
	return s, nil
}

// freezeSnapshot stores the snapshot of s.Week from the scores of s.Day,
// and sets s's scores and member count.
func freezeSnapshot(ctx context.Context, tx *sql.Tx, s *Snapshot) error {
	d := dateStr(s.Day)
	var taken int64
	err := tx.QueryRowContext(ctx, `SELECT created_at FROM snapshots WHERE week = ?`, s.Week).Scan(&taken)
	if err == nil {
		return snapshotExists(s.Week, time.Unix(taken, 0))
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	err = tx.QueryRowContext(ctx, `SELECT r, health FROM ecosystem_scores WHERE day = ?`, d).Scan(&s.R, &s.Health)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Errorf(domain.ENOTFOUND, "no scores for %s, the last day of %s", d, s.Week)
	} else if err != nil {
		return err
	}
	if err := insertSnapshot(ctx, tx, s); err != nil {
		return err
	}
	members, err := frozenMembers(ctx, tx, d)
	if err != nil {
		return err
	}
	if len(members) == 0 {
		return domain.Errorf(domain.EINVALID, "no member was scored on %s: there is nothing to freeze for %s", d, s.Week)
	}
	if err := insertSnapshotMembers(ctx, tx, s.Week, members); err != nil {
		return err
	}
	if err := freezeSnapshotTies(ctx, tx, s.Week, s.Day); err != nil {
		return err
	}
	s.Members = len(members)
	return nil
}

// insertSnapshot inserts the snapshot row of s unless its week has one
// (then ECONFLICT). The insert is the check (ON CONFLICT DO NOTHING), not
// the look-up before it: two snapshots of one week meeting (the weekly job
// of two processes) give one snapshot and one ECONFLICT that says when the
// week was taken, not a unique-key failure.
func insertSnapshot(ctx context.Context, tx *sql.Tx, s *Snapshot) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO snapshots (week, day, r, health, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (week) DO NOTHING`, s.Week, dateStr(s.Day), s.R, s.Health, s.TakenAt.Unix())
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var taken int64
	if err := tx.QueryRowContext(ctx, `SELECT created_at FROM snapshots WHERE week = ?`, s.Week).Scan(&taken); err != nil {
		return err
	}
	return snapshotExists(s.Week, time.Unix(taken, 0))
}

// frozenMembers reads a day's member scores as snapshot rows, each with its
// reason (MemberScore.Explain) in words and the facts it was said from: a
// snapshot keeps the reason it was frozen with, whatever the model says of
// the day later.
func frozenMembers(ctx context.Context, tx *sql.Tx, day string) ([]SnapshotMember, error) {
	rows, err := tx.QueryContext(ctx, `SELECT m.slug, m.name, m.kind, m.segment, m.tier, s.t, s.i, s.m, s.c, s.k, s.phi, s.health,
		s.health_api, s.health_projects, s.health_community, s.health_cooperation, s.status, s.changes
		FROM scores s JOIN members m ON m.id = s.member_id WHERE s.day = ?`, day)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SnapshotMember
	for rows.Next() {
		var m SnapshotMember
		var d [4]sql.NullFloat64
		var changes sql.NullString
		if err := rows.Scan(&m.Slug, &m.Name, &m.Kind, &m.Segment, &m.Tier, &m.T, &m.I, &m.M, &m.C, &m.K, &m.Phi, &m.Health,
			&d[0], &d[1], &d[2], &d[3], &m.Status, &changes); err != nil {
			return nil, err
		}
		f := &SnapshotFacts{Changes: decodeChanges(changes)}
		for k := range d {
			f.Dimensions[k] = floatOrNaN(d[k])
		}
		m.Facts = f
		sc, _ := m.Score()
		e := sc.Explain()
		m.Reason, m.ReasonKind = e.Text, e.Kind
		out = append(out, m)
	}
	return out, rows.Err()
}

// insertSnapshotMembers stores the rows of a week's snapshot.
func insertSnapshotMembers(ctx context.Context, tx *sql.Tx, week string, members []SnapshotMember) error {
	st, err := tx.PrepareContext(ctx, `INSERT INTO snapshot_members (week, slug, name, kind, segment, tier,
		t, i, m, c, k, phi, health, status, reason, reason_kind,
		changes, health_api, health_projects, health_community, health_cooperation)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, m := range members {
		// Without facts every fact column is NULL; with them changes is
		// never NULL ('[]' for none): NULL changes is how a row says it
		// has no facts.
		var changes any
		var d [4]any
		if f := m.Facts; f != nil {
			changes = encodeFrozenChanges(f.Changes)
			for k, v := range f.Dimensions {
				d[k] = nullFloat(v)
			}
		}
		if _, err := st.ExecContext(ctx, week, m.Slug, m.Name, m.Kind, m.Segment, m.Tier,
			m.T, m.I, m.M, m.C, m.K, m.Phi, m.Health, m.Status, nullString(m.Reason), nullString(m.ReasonKind),
			changes, d[0], d[1], d[2], d[3]); err != nil {
			return err
		}
	}
	return nil
}

func snapshotExists(week string, taken time.Time) error {
	return domain.Errorf(domain.ECONFLICT, "snapshot of %s exists (taken %s); snapshots are never rewritten",
		week, taken.UTC().Format(time.RFC3339))
}

const snapshotColumns = `s.week, s.day, s.r, s.health, s.created_at,
	(SELECT COUNT(*) FROM snapshot_members sm WHERE sm.week = s.week)`

func scanSnapshot(row interface{ Scan(...any) error }) (Snapshot, error) {
	var s Snapshot
	var day sql.NullString
	var taken int64
	err := row.Scan(&s.Week, &day, &s.R, &s.Health, &taken, &s.Members)
	s.Day = parseDate(day)
	s.TakenAt = time.Unix(taken, 0).UTC()
	return s, err
}

// Snapshots returns every snapshot, newest week first.
func (db *DB) Snapshots(ctx context.Context) ([]Snapshot, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+snapshotColumns+` FROM snapshots s ORDER BY s.week DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list snapshots: %w", err)
	}
	defer rows.Close()
	out := []Snapshot{}
	for rows.Next() {
		s, err := scanSnapshot(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to list snapshots: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SnapshotOf returns the snapshot of a week, or ENOTFOUND.
func (db *DB) SnapshotOf(ctx context.Context, week string) (*Snapshot, error) {
	if _, err := ParseISOWeek(week); err != nil {
		return nil, err
	}
	s, err := scanSnapshot(db.read.QueryRowContext(ctx, `SELECT `+snapshotColumns+` FROM snapshots s WHERE s.week = ?`, week))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.ErrorKey(domain.ENOTFOUND, "errors.no_snapshot_of", domain.Facts{"Week": week}, "no snapshot of %s", week)
	} else if err != nil {
		return nil, fmt.Errorf("store: unable to read the snapshot of %s: %w", week, err)
	}
	return &s, nil
}

// PreviousSnapshot returns the latest snapshot of a week before week, or
// ENOTFOUND when there is none.
func (db *DB) PreviousSnapshot(ctx context.Context, week string) (*Snapshot, error) {
	s, err := scanSnapshot(db.read.QueryRowContext(ctx, `SELECT `+snapshotColumns+` FROM snapshots s
		WHERE s.week < ? ORDER BY s.week DESC LIMIT 1`, week))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "no snapshot before %s", week)
	} else if err != nil {
		return nil, fmt.Errorf("store: unable to read the snapshot before %s: %w", week, err)
	}
	return &s, nil
}

// SnapshotMembers returns the frozen members of a week's snapshot, by
// descending φ, then name.
func (db *DB) SnapshotMembers(ctx context.Context, week string) ([]SnapshotMember, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT slug, name, kind, segment, tier, t, i, m, c, k, phi, health, status,
		COALESCE(reason, ''), COALESCE(reason_kind, ''),
		changes, health_api, health_projects, health_community, health_cooperation
		FROM snapshot_members WHERE week = ? ORDER BY phi DESC, name, slug`, week)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the snapshot of %s: %w", week, err)
	}
	defer rows.Close()
	out := []SnapshotMember{}
	for rows.Next() {
		var m SnapshotMember
		var changes sql.NullString
		var d [4]sql.NullFloat64
		if err := rows.Scan(&m.Slug, &m.Name, &m.Kind, &m.Segment, &m.Tier, &m.T, &m.I, &m.M, &m.C, &m.K,
			&m.Phi, &m.Health, &m.Status, &m.Reason, &m.ReasonKind, &changes, &d[0], &d[1], &d[2], &d[3]); err != nil {
			return nil, fmt.Errorf("store: unable to list the snapshot of %s: %w", week, err)
		}
		if cs, ok := decodeFrozenChanges(changes); ok {
			m.Facts = &SnapshotFacts{Changes: cs}
			for k := range d {
				m.Facts.Dimensions[k] = floatOrNaN(d[k])
			}
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// FirstScoreDay returns the earliest day with scores, or the zero time.
func (db *DB) FirstScoreDay(ctx context.Context) (time.Time, error) {
	var s sql.NullString
	if err := db.read.QueryRowContext(ctx, `SELECT MIN(day) FROM ecosystem_scores`).Scan(&s); err != nil {
		return time.Time{}, fmt.Errorf("store: unable to find the first scores: %w", err)
	}
	return parseDate(s), nil
}
