package data

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// SessionStore keeps web sessions in the database. It implements
// fiber.Storage (Get, Set, Delete, Reset, Close) without importing Fiber.
type SessionStore struct {
	db *DB
}

// Sessions returns the store's session storage.
func (db *DB) Sessions() *SessionStore { return &SessionStore{db: db} }

// Get returns a session's data, or nil when it is missing or expired.
func (s *SessionStore) Get(key string) ([]byte, error) {
	var data []byte
	var exp int64
	err := s.db.read.QueryRowContext(context.Background(), `SELECT data, expires_at FROM sessions WHERE id = ?`, key).Scan(&data, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if exp != 0 && exp <= time.Now().Unix() {
		return nil, nil
	}
	return data, nil
}

// Set stores a session's data for exp (0: no expiry).
func (s *SessionStore) Set(key string, val []byte, exp time.Duration) error {
	var at int64
	if exp > 0 {
		at = time.Now().Add(exp).Unix()
	}
	return s.db.housekeepingTx(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(context.Background(), `INSERT INTO sessions (id, data, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`, key, val, at)
		return err
	})
}

// Delete removes a session.
func (s *SessionStore) Delete(key string) error {
	return s.db.housekeepingTx(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(context.Background(), `DELETE FROM sessions WHERE id = ?`, key)
		return err
	})
}

// Reset removes every session.
func (s *SessionStore) Reset() error {
	return s.db.housekeepingTx(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(context.Background(), `DELETE FROM sessions`)
		return err
	})
}

// Close does nothing: the database outlives its session store.
func (s *SessionStore) Close() error { return nil }

// PurgeSessions deletes expired sessions and returns how many.
func (s *SessionStore) PurgeSessions(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.housekeepingTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <> 0 AND expires_at <= ?`, time.Now().Unix())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
