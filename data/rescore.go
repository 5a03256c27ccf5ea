package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// markRescoreFrom marks every day already scored from day on for scoring
// again: what a change to the members (or to whose history is whose) makes
// stale. Days not scored yet need no mark: the scoring job fills them.
func markRescoreFrom(ctx context.Context, tx *sql.Tx, day time.Time) error {
	if day.IsZero() {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO rescore_days (day, seq)
		SELECT day, (SELECT COALESCE(MAX(seq), 0) + 1 FROM rescore_days) FROM ecosystem_scores WHERE day >= ?
		ON CONFLICT (day) DO UPDATE SET seq = `+newerSeq, dateStr(day))
	return err
}

// newerSeq is the sequence number a day marked again gets: its new one, or
// one past the mark it has, whichever is greater. The new one is one past
// the greatest the writer could see; a writer whose mark met another's
// uncommitted mark of the day (on PostgreSQL) computed it before that one
// committed, and may have come to the same number, which the scorer, having
// listed the first mark and scored the day without the second writer's
// change, would clear as done (RescoreDone). One past the committed mark,
// which the upsert sees once it has waited, keeps the second mark newer.
const newerSeq = `CASE WHEN rescore_days.seq >= excluded.seq THEN rescore_days.seq + 1 ELSE excluded.seq END`

// RescoreMark is a day to score again, as marked at seq.
type RescoreMark struct {
	Day time.Time
	seq int64
}

// RescoreDays returns the days marked for scoring again, oldest first.
func (db *DB) RescoreDays(ctx context.Context) ([]RescoreMark, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT day, seq FROM rescore_days ORDER BY day`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list days to rescore: %w", err)
	}
	defer rows.Close()
	var out []RescoreMark
	for rows.Next() {
		var day sql.NullString
		var m RescoreMark
		if err := rows.Scan(&day, &m.seq); err != nil {
			return nil, fmt.Errorf("store: unable to list days to rescore: %w", err)
		}
		m.Day = parseDate(day)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to list days to rescore: %w", err)
	}
	return out, nil
}

// RescoreDone clears the marks of days scored again. A day marked again
// while it was being scored keeps its newer mark.
func (db *DB) RescoreDone(ctx context.Context, marks []RescoreMark) error {
	err := db.housekeepingTx(ctx, func(tx *sql.Tx) error {
		for _, m := range marks {
			if _, err := tx.ExecContext(ctx, `DELETE FROM rescore_days WHERE day = ? AND seq <= ?`, dateStr(m.Day), m.seq); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: unable to clear days rescored: %w", err)
	}
	return nil
}

// MarkRescoreAfter marks for scoring each of days and the span days after
// it (the days whose windows hold it), up to last, so that history just
// imported is scored however old. Before dailyFrom, as the scoring job's
// backfill does, a day not scored yet is marked only when it is a Sunday
// (trends and snapshots are weekly, and a year of imported logs would
// otherwise cost a year of daily scores); a day already scored is always
// marked, since its score is now out of date.
func (db *DB) MarkRescoreAfter(ctx context.Context, days []time.Time, span int, last, dailyFrom time.Time) error {
	if len(days) == 0 {
		return nil
	}
	last, dailyFrom = domain.Day(last), domain.Day(dailyFrom)
	err := db.housekeepingTx(ctx, func(tx *sql.Tx) error {
		var seq int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM rescore_days`).Scan(&seq); err != nil {
			return err
		}
		scored := map[string]bool{}
		first := domain.Day(days[0])
		if err := scanStrings(ctx, tx, `SELECT day FROM ecosystem_scores WHERE day >= ?`, func(d string) { scored[d] = true }, dateStr(first)); err != nil {
			return err
		}
		marked := map[time.Time]bool{}
		for _, d := range days {
			for i := 0; i < span; i++ {
				day := domain.Day(d).AddDate(0, 0, i)
				if day.After(last) {
					break
				}
				thin := day.Before(dailyFrom) && day.Weekday() != time.Sunday && !scored[dateStr(day)]
				if marked[day] || thin {
					continue
				}
				marked[day] = true
				if _, err := tx.ExecContext(ctx, `INSERT INTO rescore_days (day, seq) VALUES (?, ?)
					ON CONFLICT (day) DO UPDATE SET seq = `+newerSeq, dateStr(day), seq); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: unable to mark days to rescore: %w", err)
	}
	return nil
}

func scanStrings(ctx context.Context, tx *sql.Tx, q string, fn func(string), args ...any) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		fn(s)
	}
	return rows.Err()
}

// ScoredAgain returns the day's ecosystem score as it is now and when it
// was computed, or ENOTFOUND when the day is not scored: a snapshot page
// compares it with what the snapshot froze.
func (db *DB) ScoredAgain(ctx context.Context, day time.Time) (*domain.EcosystemScore, time.Time, error) {
	var e domain.EcosystemScore
	var at int64
	err := db.read.QueryRowContext(ctx, `SELECT r, health, computed_at FROM ecosystem_scores WHERE day = ?`, dateStr(day)).Scan(&e.R, &e.Health, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, domain.Errorf(domain.ENOTFOUND, "%s is not scored", dateStr(day))
	} else if err != nil {
		return nil, time.Time{}, fmt.Errorf("store: unable to read the scores of %s: %w", dateStr(day), err)
	}
	e.Day = domain.Day(day)
	return &e, time.Unix(at, 0).UTC(), nil
}
