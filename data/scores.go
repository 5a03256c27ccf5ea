package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// SaveDayScores replaces the scores of one day in one transaction, so a page
// sees either the old day or the new one, never half of each.
func (db *DB) SaveDayScores(ctx context.Context, s *domain.DayScores) error {
	day := dateStr(s.Ecosystem.Day)
	if day == "" {
		return domain.Errorf(domain.EINVALID, "scores need a day")
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error { return saveDayScores(ctx, tx, db.dialect, day, s) })
	if err != nil {
		return fmt.Errorf("store: unable to save scores of %s: %w", day, err)
	}
	return nil
}

// saveDayScores writes a day's scores over the ones stored. Two saves of
// the same day can meet (two processes scoring it, on PostgreSQL): the
// day's edges are written first, as an upsert, which takes the day's row
// lock, so that the second save waits there until the first commits and
// then replaces the day whole. Everything after it is written as upserts or
// as a delete of what this save no longer has, never as a delete of the day
// followed by inserts that a concurrent save's rows would collide with.
func saveDayScores(ctx context.Context, tx *sql.Tx, d dialect, day string, s *domain.DayScores) error {
	// The blob has no foreign keys: check here what they checked on rows.
	scored := make(map[int64]bool, len(s.Members))
	for i := range s.Members {
		scored[s.Members[i].MemberID] = true
	}
	for _, e := range s.Edges {
		if e.A == e.B || !scored[e.A] || !scored[e.B] {
			return domain.Errorf(domain.EINVALID, "cooperation edge %d–%d is not between two scored members", e.A, e.B)
		}
	}
	// A day's save writes a score row per member, each with a
	// foreign-key check and two index entries; with the SQLite writer's
	// default 2 MiB page cache those lookups were mostly pread system calls
	// (BENCHMARKS.md has the figures). The larger cache is for this
	// transaction only: an import through the same writer gains nothing
	// from it and would carry it in its memory. PostgreSQL's cache is the
	// server's shared buffers, not the connection's.
	if !d.postgres {
		if _, err := tx.ExecContext(ctx, `PRAGMA cache_size = -32768`); err != nil {
			return err
		}
		defer tx.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = -2000`)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO score_edge_days (day, edges) VALUES (?, ?)
		ON CONFLICT (day) DO UPDATE SET edges = excluded.edges`, day, encodeEdges(s.Edges)); err != nil {
		return err
	}
	// Edge rows of a day scored before the blob existed (migration 0012).
	if _, err := tx.ExecContext(ctx, `DELETE FROM score_edges WHERE day = ?`, day); err != nil {
		return err
	}
	// The ecosystem row is deleted and inserted, not upserted: its insert
	// trigger lists the day for the alert history (migration 0021), which
	// an update would not fire. The day's lock above keeps it from meeting
	// another save's insert.
	if _, err := tx.ExecContext(ctx, `DELETE FROM ecosystem_scores WHERE day = ?`, day); err != nil {
		return err
	}
	e := s.Ecosystem
	if _, err := tx.ExecContext(ctx, `INSERT INTO ecosystem_scores (day, r, health, health_mean, active_members, api_consumers, contributors, computed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, day, e.R, e.Health, e.HealthMean, e.Members, e.Consumers, e.Contributors, time.Now().Unix()); err != nil {
		return err
	}
	if err := deleteUnscored(ctx, tx, day, scored); err != nil {
		return err
	}
	memberRow := func(args []any, i int) []any {
		m := &s.Members[i]
		d := m.Dimensions
		return append(args, day, m.MemberID, m.T, m.I, m.M, m.C, m.K, m.Phi, m.Health,
			nullFloat(d[0]), nullFloat(d[1]), nullFloat(d[2]), nullFloat(d[3]), m.Status, encodeChanges(m.Changes))
	}
	return insertRows(ctx, tx, `INSERT INTO scores (day, member_id, t, i, m, c, k, phi, health,
		health_api, health_projects, health_community, health_cooperation, status, changes) VALUES `,
		` ON CONFLICT (day, member_id) DO UPDATE SET t = excluded.t, i = excluded.i, m = excluded.m, c = excluded.c, k = excluded.k,
		phi = excluded.phi, health = excluded.health, health_api = excluded.health_api, health_projects = excluded.health_projects,
		health_community = excluded.health_community, health_cooperation = excluded.health_cooperation, status = excluded.status,
		changes = excluded.changes`, 15, len(s.Members), memberRow)
}

// deleteUnscored deletes the day's score rows of members not in scored
// (archived, merged or gone since the day was last scored).
func deleteUnscored(ctx context.Context, tx *sql.Tx, day string, scored map[int64]bool) error {
	var gone []int64
	rows, err := tx.QueryContext(ctx, `SELECT member_id FROM scores WHERE day = ?`, day)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		if !scored[id] {
			gone = append(gone, id)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	for _, id := range gone {
		if _, err := tx.ExecContext(ctx, `DELETE FROM scores WHERE day = ? AND member_id = ?`, day, id); err != nil {
			return err
		}
	}
	return nil
}

// insertRows inserts n rows of cols columns, many per statement: at 10k
// members and 100k edges a statement per row spent most of the save in
// per-statement overhead. row appends row i's values to args; onConflict
// follows the values (an upsert's clause, or "").
func insertRows(ctx context.Context, tx *sql.Tx, insert, onConflict string, cols, n int, row func(args []any, i int) []any) error {
	perStatement := max(1, 900/cols) // under SQLite's 999-parameter floor
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	stmts := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	args := make([]any, 0, perStatement*cols)
	for start := 0; start < n; start += perStatement {
		end := min(start+perStatement, n)
		st := stmts[end-start]
		if st == nil {
			var err error
			if st, err = tx.PrepareContext(ctx, insert+strings.TrimSuffix(strings.Repeat(one+", ", end-start), ", ")+onConflict); err != nil {
				return err
			}
			stmts[end-start] = st
		}
		args = args[:0]
		for i := start; i < end; i++ {
			args = row(args, i)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

func nullFloat(f float64) any {
	if math.IsNaN(f) {
		return nil
	}
	return f
}

func floatOrNaN(f sql.NullFloat64) float64 {
	if !f.Valid {
		return math.NaN()
	}
	return f.Float64
}

// LatestScoreDay returns the most recent day with scores, or the zero time.
func (db *DB) LatestScoreDay(ctx context.Context) (time.Time, error) {
	var s sql.NullString
	if err := db.read.QueryRowContext(ctx, `SELECT MAX(day) FROM ecosystem_scores`).Scan(&s); err != nil {
		return time.Time{}, fmt.Errorf("store: unable to find the latest scores: %w", err)
	}
	return parseDate(s), nil
}

// EcosystemScoreOn returns the ecosystem score of a day, or ENOTFOUND.
func (db *DB) EcosystemScoreOn(ctx context.Context, day time.Time) (*domain.EcosystemScore, error) {
	var e domain.EcosystemScore
	var d sql.NullString
	err := db.read.QueryRowContext(ctx, `SELECT day, r, health, health_mean, active_members, api_consumers, contributors
		FROM ecosystem_scores WHERE day = ?`, dateStr(day)).Scan(&d, &e.R, &e.Health, &e.HealthMean, &e.Members, &e.Consumers, &e.Contributors)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.ErrorKey(domain.ENOTFOUND, "errors.no_scores_for", domain.Facts{"Day": dateStr(day)}, "no scores for %s", dateStr(day))
	} else if err != nil {
		return nil, fmt.Errorf("store: unable to read ecosystem score: %w", err)
	}
	e.Day = parseDate(d)
	return &e, nil
}

// EcosystemScores returns the ecosystem scores of the days in [from, to], oldest first.
func (db *DB) EcosystemScores(ctx context.Context, from, to time.Time) ([]domain.EcosystemScore, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT day, r, health, health_mean, active_members, api_consumers, contributors
		FROM ecosystem_scores WHERE day >= ? AND day <= ? ORDER BY day`, dateStr(from), dateStr(to))
	if err != nil {
		return nil, fmt.Errorf("store: unable to list ecosystem scores: %w", err)
	}
	return scanEcosystemScores(rows)
}

// scanEcosystemScores reads the rows of a query of ecosystem_scores
// (day, r, health, health_mean, active_members, api_consumers, contributors)
// and closes them.
func scanEcosystemScores(rows *sql.Rows) ([]domain.EcosystemScore, error) {
	defer rows.Close()
	var out []domain.EcosystemScore
	for rows.Next() {
		var e domain.EcosystemScore
		var d sql.NullString
		if err := rows.Scan(&d, &e.R, &e.Health, &e.HealthMean, &e.Members, &e.Consumers, &e.Contributors); err != nil {
			return nil, fmt.Errorf("store: unable to list ecosystem scores: %w", err)
		}
		e.Day = parseDate(d)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to list ecosystem scores: %w", err)
	}
	return out, nil
}

// ScoredMember is a member with its score on one day.
type ScoredMember struct {
	domain.Member
	Score domain.MemberScore
}

// ScoresOn returns every scored member of a day, by descending φ.
func (db *DB) ScoresOn(ctx context.Context, day time.Time) ([]ScoredMember, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT m.id, m.slug, m.name, m.kind, m.tier, m.segment, m.joined_on,
		s.t, s.i, s.m, s.c, s.k, s.phi, s.health, s.health_api, s.health_projects, s.health_community, s.health_cooperation, s.status, s.changes
		FROM scores s JOIN members m ON m.id = s.member_id
		WHERE s.day = ? ORDER BY s.phi DESC, m.name, m.id`, dateStr(day))
	if err != nil {
		return nil, fmt.Errorf("store: unable to list scores of %s: %w", dateStr(day), err)
	}
	defer rows.Close()
	var out []ScoredMember
	for rows.Next() {
		var sm ScoredMember
		var kind string
		var joined sql.NullString
		var d [4]sql.NullFloat64
		var changes sql.NullString
		s := &sm.Score
		if err := rows.Scan(&sm.ID, &sm.Slug, &sm.Name, &kind, &sm.Tier, &sm.Segment, &joined,
			&s.T, &s.I, &s.M, &s.C, &s.K, &s.Phi, &s.Health, &d[0], &d[1], &d[2], &d[3], &s.Status, &changes); err != nil {
			return nil, fmt.Errorf("store: unable to list scores of %s: %w", dateStr(day), err)
		}
		s.Changes = decodeChanges(changes)
		sm.Kind = domain.MemberKind(kind)
		sm.JoinedOn = parseDate(joined)
		s.Day = domain.Day(day)
		s.MemberID = sm.ID
		for k := range d {
			s.Dimensions[k] = floatOrNaN(d[k])
		}
		out = append(out, sm)
	}
	return out, rows.Err()
}

// EdgesOn returns the cooperation ties of a day, ordered by (A, B).
func (db *DB) EdgesOn(ctx context.Context, day time.Time) ([]domain.Edge, error) {
	var out []domain.Edge
	err := db.readTx(ctx, func(tx *sql.Tx) (err error) {
		out, err = edgesOn(ctx, tx, day)
		return err
	})
	return out, err
}

// edgesOn reads a day's edges from its blob, or from the rows of a day
// scored before the blob existed.
func edgesOn(ctx context.Context, tx *sql.Tx, day time.Time) ([]domain.Edge, error) {
	var blob []byte
	err := tx.QueryRowContext(ctx, `SELECT edges FROM score_edge_days WHERE day = ?`, dateStr(day)).Scan(&blob)
	var edges []domain.Edge
	switch {
	case err == nil:
		edges, err = decodeEdges(blob)
	case errors.Is(err, sql.ErrNoRows):
		edges, err = legacyEdgesOn(ctx, tx, day)
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to list edges of %s: %w", dateStr(day), err)
	}
	return edges, nil
}

// legacyEdgesOn reads a day scored before edges were stored as one blob
// (migration 0012) and not scored since.
func legacyEdgesOn(ctx context.Context, tx *sql.Tx, day time.Time) ([]domain.Edge, error) {
	rows, err := tx.QueryContext(ctx, `SELECT a, b, k FROM score_edges WHERE day = ? ORDER BY a, b`, dateStr(day))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Edge
	for rows.Next() {
		var e domain.Edge
		if err := rows.Scan(&e.A, &e.B, &e.K); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
