package data

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// SnapshotTie is a cooperation tie frozen with a weekly snapshot: the two
// members' slugs (A < B) and K_AB of the snapshot's day.
type SnapshotTie struct {
	A string  `json:"a"`
	B string  `json:"b"`
	K float64 `json:"k"`
}

// freezeSnapshotTies copies the cooperation edges of day into the
// snapshot of week, by slug (the members' ids are not history: a merge
// moves them). It runs in the snapshot's own transaction, so the ties are
// of the same version of the day as its members.
func freezeSnapshotTies(ctx context.Context, tx *sql.Tx, week string, day time.Time) error {
	edges, err := edgesOn(ctx, tx, day)
	if err != nil || len(edges) == 0 {
		return err
	}
	slugs, err := scoredSlugs(ctx, tx, day)
	if err != nil {
		return err
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO snapshot_ties (week, a, b, k) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, e := range edges {
		a, b := slugs[e.A], slugs[e.B]
		if a == "" || b == "" {
			return fmt.Errorf("edge %d–%d of %s is not between two scored members", e.A, e.B, dateStr(day))
		}
		if strings.Compare(a, b) > 0 {
			a, b = b, a
		}
		if _, err := st.ExecContext(ctx, week, a, b, e.K); err != nil {
			return err
		}
	}
	return nil
}

// scoredSlugs maps the ids of the members scored on day to their slugs.
func scoredSlugs(ctx context.Context, tx *sql.Tx, day time.Time) (map[int64]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT m.id, m.slug FROM scores s JOIN members m ON m.id = s.member_id WHERE s.day = ?`, dateStr(day))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var slug string
		if err := rows.Scan(&id, &slug); err != nil {
			return nil, err
		}
		out[id] = slug
	}
	return out, rows.Err()
}
