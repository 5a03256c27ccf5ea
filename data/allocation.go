package data

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// The scores a benefit allocation statement is computed from
// (docs/allocation.md): one sample per ISO week of the period — the week's
// snapshot, frozen, or, for a week of an open period that has none yet, the
// scores of its latest scored day.

// AllocationScore is a member's C and φ in one sample.
type AllocationScore struct {
	Slug string
	Name string
	C    float64
	Phi  float64
}

// AllocationSample is one week of a period.
type AllocationSample struct {
	Week    string
	Day     time.Time // the day whose scores the sample holds
	Frozen  bool      // from the week's snapshot
	Members []AllocationScore
	Ties    []SnapshotTie
}

// AllocationBasis is what a period's statement is computed from.
type AllocationBasis struct {
	Period domain.Period
	// Closed: the snapshot of the period's last week exists, and every
	// sample is a snapshot: the statement never changes afterwards.
	Closed  bool
	Samples []AllocationSample
	// Missing are the period's weeks with no sample: no snapshot (and, in
	// an open period, no scored day either).
	Missing []string
}

// AllocationBasis reads the samples of a period in one read transaction.
func (db *DB) AllocationBasis(ctx context.Context, p domain.Period) (*AllocationBasis, error) {
	out := &AllocationBasis{Period: p, Samples: []AllocationSample{}, Missing: []string{}}
	err := db.readTx(ctx, func(tx *sql.Tx) error { return allocationBasis(ctx, tx, out) })
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the scores of %s: %w", p.Name, err)
	}
	return out, nil
}

func allocationBasis(ctx context.Context, tx *sql.Tx, out *AllocationBasis) error {
	weeks := out.Period.Weeks()
	if len(weeks) == 0 {
		return nil
	}
	frozen, err := frozenSamples(ctx, tx, weeks[0], weeks[len(weeks)-1])
	if err != nil {
		return err
	}
	_, out.Closed = frozen[weeks[len(weeks)-1]]
	for _, w := range weeks {
		if s, ok := frozen[w]; ok {
			out.Samples = append(out.Samples, *s)
			continue
		}
		if out.Closed {
			out.Missing = append(out.Missing, w)
			continue
		}
		s, err := scoredSample(ctx, tx, w)
		if err != nil {
			return err
		}
		if s == nil {
			out.Missing = append(out.Missing, w)
		} else {
			out.Samples = append(out.Samples, *s)
		}
	}
	return nil
}

// frozenSamples reads the snapshots of the weeks in [first, last] (ISO
// week names sort as the weeks do) with their members and ties.
func frozenSamples(ctx context.Context, tx *sql.Tx, first, last string) (map[string]*AllocationSample, error) {
	out := map[string]*AllocationSample{}
	rows, err := tx.QueryContext(ctx, `SELECT week, day FROM snapshots WHERE week >= ? AND week <= ?`, first, last)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		s := &AllocationSample{Frozen: true, Members: []AllocationScore{}, Ties: []SnapshotTie{}}
		var day sql.NullString
		if err := rows.Scan(&s.Week, &day); err != nil {
			rows.Close()
			return nil, err
		}
		s.Day = parseDate(day)
		out[s.Week] = s
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT week, slug, name, c, phi FROM snapshot_members
		WHERE week >= ? AND week <= ? ORDER BY week, slug`, first, last)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var w string
		var m AllocationScore
		if err := rows.Scan(&w, &m.Slug, &m.Name, &m.C, &m.Phi); err != nil {
			rows.Close()
			return nil, err
		}
		if s := out[w]; s != nil {
			s.Members = append(s.Members, m)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT week, a, b, k FROM snapshot_ties
		WHERE week >= ? AND week <= ? ORDER BY week, a, b`, first, last)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var w string
		var t SnapshotTie
		if err := rows.Scan(&w, &t.A, &t.B, &t.K); err != nil {
			return nil, err
		}
		if s := out[w]; s != nil {
			s.Ties = append(s.Ties, t)
		}
	}
	return out, rows.Err()
}

// scoredSample reads the scores and ties of the latest scored day of a
// week that has no snapshot, or nil when none of its days was scored.
func scoredSample(ctx context.Context, tx *sql.Tx, week string) (*AllocationSample, error) {
	monday, err := ParseISOWeek(week)
	if err != nil {
		return nil, err
	}
	var d sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT MAX(day) FROM ecosystem_scores WHERE day >= ? AND day <= ?`,
		dateStr(monday), dateStr(monday.AddDate(0, 0, 6))).Scan(&d)
	if err != nil || !d.Valid {
		return nil, err
	}
	s := &AllocationSample{Week: week, Day: parseDate(d), Members: []AllocationScore{}, Ties: []SnapshotTie{}}
	rows, err := tx.QueryContext(ctx, `SELECT m.id, m.slug, m.name, s.c, s.phi FROM scores s JOIN members m ON m.id = s.member_id
		WHERE s.day = ? ORDER BY m.slug`, d.String)
	if err != nil {
		return nil, err
	}
	slugs := map[int64]string{}
	for rows.Next() {
		var id int64
		var m AllocationScore
		if err := rows.Scan(&id, &m.Slug, &m.Name, &m.C, &m.Phi); err != nil {
			rows.Close()
			return nil, err
		}
		slugs[id] = m.Slug
		s.Members = append(s.Members, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	edges, err := edgesOn(ctx, tx, s.Day)
	if err != nil {
		return nil, err
	}
	for _, e := range edges {
		a, b := slugs[e.A], slugs[e.B]
		if a == "" || b == "" {
			continue // cannot happen: a day's edges join scored members (saveDayScores)
		}
		if strings.Compare(a, b) > 0 {
			a, b = b, a
		}
		s.Ties = append(s.Ties, SnapshotTie{A: a, B: b, K: e.K})
	}
	slices.SortFunc(s.Ties, func(x, y SnapshotTie) int {
		if c := strings.Compare(x.A, y.A); c != 0 {
			return c
		}
		return strings.Compare(x.B, y.B)
	})
	return s, nil
}
