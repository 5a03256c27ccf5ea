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

// moveCursor moves a source's cursor from the value a run read (from; ""
// when the source had none) to to, inside the transaction that stores what
// the move covers — or fails with ECONFLICT, so that the transaction rolls
// back, when the cursor is no longer from: another run (a replica that took
// the source over after this run's lease ran out) read from there and
// committed first, and storing this batch as well would count it twice.
// One statement compares and sets (a row still missing counts as ""): of
// two runs from one cursor, the second waits for the first's row lock or
// unique key, then finds the cursor moved.
func moveCursor(ctx context.Context, tx *sql.Tx, source, from, to string) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO collector_cursors (source, cursor, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at
		WHERE collector_cursors.cursor = ?`,
		source, to, time.Now().Unix(), from)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return errCursorMoved(source)
	}
	return nil
}

func errCursorMoved(source string) error {
	return domain.Errorf(domain.ECONFLICT, "the cursor of %s moved since this run read it: another run of the source stored this part (nothing of this batch was stored)", source)
}

// MoveCursor moves a source's cursor from from to to, as moveCursor does,
// in a transaction of its own.
func (db *DB) MoveCursor(ctx context.Context, source, from, to string) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error { return moveCursor(ctx, tx, source, from, to) })
	if err != nil {
		return fmt.Errorf("store: unable to move cursor of %s: %w", source, err)
	}
	return nil
}

// AddUsageWithCursor adds usage rollups and moves a source's cursor from
// from (the cursor the run read) to cursor in one transaction: the rollups
// and the cursor that covers them land together, and only if the cursor is
// still from (else ECONFLICT, and nothing is stored: moveCursor).
func (db *DB) AddUsageWithCursor(ctx context.Context, rollups []domain.UsageRollup, source, from, cursor string) error {
	for i := range rollups {
		if err := rollups[i].Validate(); err != nil {
			return err
		}
	}
	err := db.usageTx(ctx, func(tx *sql.Tx, st *usageWrite) error {
		if err := addUsage(ctx, tx, st, rollups); err != nil {
			return err
		}
		return moveCursor(ctx, tx, source, from, cursor)
	})
	if err != nil {
		return fmt.Errorf("store: unable to add API usage from %s: %w", source, err)
	}
	return nil
}
