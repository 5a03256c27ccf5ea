package data

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"time"
)

// ServerSecret returns the server's secret named name, made of size random
// bytes the first time it is asked for and kept in the database, so that
// what it signs stays valid across restarts and between the processes that
// share the database. It is never shown or logged.
func (db *DB) ServerSecret(ctx context.Context, name string, size int) ([]byte, error) {
	fresh := make([]byte, size)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("store: unable to make secret %q: %w", name, err)
	}
	var key []byte
	// Housekeeping: no page shows it, so the page cache stays warm.
	err := db.housekeepingTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO server_secrets (name, value, created_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO NOTHING`, name, fresh, time.Now().Unix()); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM server_secrets WHERE name = ?`, name).Scan(&key)
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to read secret %q: %w", name, err)
	}
	return key, nil
}
