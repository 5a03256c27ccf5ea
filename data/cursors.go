package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// Cursor returns where a source's next run starts reading ("" if never run).
func (db *DB) Cursor(ctx context.Context, source string) (string, error) {
	var c string
	err := db.read.QueryRowContext(ctx, `SELECT cursor FROM collector_cursors WHERE source = ?`, source).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("store: unable to read cursor of %s: %w", source, err)
	}
	return c, nil
}

// SetCursor records where a source's next run starts reading.
func (db *DB) SetCursor(ctx context.Context, source, cursor string) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error { return setCursor(ctx, tx, source, cursor) })
	if err != nil {
		return fmt.Errorf("store: unable to set cursor of %s: %w", source, err)
	}
	return nil
}

// setCursor runs inside the transaction that stores what the cursor covers,
// so that a crash never separates the rows from the cursor.
func setCursor(ctx context.Context, tx *sql.Tx, source, cursor string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO collector_cursors (source, cursor, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
		source, cursor, time.Now().Unix())
	return err
}

// AddUsageWithCursor adds usage rollups and moves a source's cursor in one
// transaction: the rollups and the cursor that covers them land together.
func (db *DB) AddUsageWithCursor(ctx context.Context, rollups []domain.UsageRollup, source, cursor string) error {
	for i := range rollups {
		if err := rollups[i].Validate(); err != nil {
			return err
		}
	}
	err := db.usageTx(ctx, func(tx *sql.Tx, st *usageStmts) error {
		if err := addUsage(ctx, tx, st, rollups); err != nil {
			return err
		}
		return setCursor(ctx, tx, source, cursor)
	})
	if err != nil {
		return fmt.Errorf("store: unable to add API usage from %s: %w", source, err)
	}
	return nil
}
