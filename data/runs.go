package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// StartRun records the start of a collector run and sets r.ID.
func (db *DB) StartRun(ctx context.Context, r *domain.CollectorRun) error {
	if r.Source == "" {
		return domain.Errorf(domain.EINVALID, "a collector run needs a source")
	}
	r.Status = domain.RunRunning
	if r.StartedAt.IsZero() {
		r.StartedAt = time.Now()
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		r.ID, err = insertRow(ctx, tx, `INSERT INTO collector_runs (source, started_at, status) VALUES (?, ?, ?)`,
			r.Source, r.StartedAt.Unix(), r.Status)
		if err != nil {
			return err
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to start run of %s: %w", r.Source, err)
	}
	return nil
}

// FinishRun records the end of a run: its status, counts, error and cursor.
func (db *DB) FinishRun(ctx context.Context, r *domain.CollectorRun) error {
	if r.EndedAt.IsZero() {
		r.EndedAt = time.Now()
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE collector_runs SET ended_at = ?, status = ?, items_read = ?, items_stored = ?,
			items_rejected = ?, error = ?, cursor = ? WHERE id = ?`,
			r.EndedAt.Unix(), r.Status, r.ItemsRead, r.ItemsStored, r.ItemsRejected, r.Error, r.Cursor, r.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to finish run %d of %s: %w", r.ID, r.Source, err)
	}
	return nil
}

// LastSuccessfulRun returns the end time of the latest successful run of any
// source (the data's freshness), or the zero time.
func (db *DB) LastSuccessfulRun(ctx context.Context) (time.Time, error) {
	return lastSuccessfulRun(ctx, db.read)
}

func lastSuccessfulRun(ctx context.Context, db queryRower) (time.Time, error) {
	var at sql.NullInt64
	err := db.QueryRowContext(ctx, `SELECT MAX(ended_at) FROM collector_runs WHERE status = ?`, domain.RunSucceeded).Scan(&at)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("store: unable to read last run: %w", err)
	}
	if !at.Valid {
		return time.Time{}, nil
	}
	return time.Unix(at.Int64, 0).UTC(), nil
}

// LatestRuns returns the most recent run of every source that has run.
func (db *DB) LatestRuns(ctx context.Context) ([]domain.CollectorRun, error) {
	return db.queryRuns(ctx, `SELECT id, source, started_at, COALESCE(ended_at, 0), status, items_read, items_stored, items_rejected, error, cursor
		FROM collector_runs WHERE id IN (SELECT MAX(id) FROM collector_runs GROUP BY source) ORDER BY source`)
}

// RunsOf returns a source's newest runs, newest first.
func (db *DB) RunsOf(ctx context.Context, source string, limit int) ([]domain.CollectorRun, error) {
	return db.queryRuns(ctx, `SELECT id, source, started_at, COALESCE(ended_at, 0), status, items_read, items_stored, items_rejected, error, cursor
		FROM collector_runs WHERE source = ? ORDER BY id DESC LIMIT ?`, source, limit)
}

// LastSuccessOf returns the end of a source's latest successful run, or zero.
func (db *DB) LastSuccessOf(ctx context.Context, source string) (time.Time, error) {
	var at sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT MAX(ended_at) FROM collector_runs WHERE source = ? AND status = ?`, source, domain.RunSucceeded).Scan(&at); err != nil {
		return time.Time{}, fmt.Errorf("store: unable to read last run of %s: %w", source, err)
	}
	if !at.Valid {
		return time.Time{}, nil
	}
	return time.Unix(at.Int64, 0).UTC(), nil
}

func (db *DB) queryRuns(ctx context.Context, q string, args ...any) ([]domain.CollectorRun, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list collector runs: %w", err)
	}
	defer rows.Close()
	var out []domain.CollectorRun
	for rows.Next() {
		var r domain.CollectorRun
		var started, ended int64
		if err := rows.Scan(&r.ID, &r.Source, &started, &ended, &r.Status, &r.ItemsRead, &r.ItemsStored, &r.ItemsRejected, &r.Error, &r.Cursor); err != nil {
			return nil, fmt.Errorf("store: unable to list collector runs: %w", err)
		}
		r.StartedAt = time.Unix(started, 0).UTC()
		if ended > 0 {
			r.EndedAt = time.Unix(ended, 0).UTC()
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
