package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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

// Delete removes a session. Ending a stored session advances the data
// version (DB.Version), as writes to accounts do: the web gate remembers
// who a session is until the version moves (app/viewer_cache.go), and a
// logout must end the session on every replica. Saving a session leaves
// the version alone, and so does deleting one that was never stored (the
// anonymous session a login replaces).
func (s *SessionStore) Delete(key string) error {
	ctx := context.Background()
	var one int
	err := s.db.read.QueryRowContext(ctx, `SELECT 1 FROM sessions WHERE id = ?`, key).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, key)
		return err
	})
}

// Reset removes every session.
func (s *SessionStore) Reset() error {
	return s.db.writeTx(context.Background(), func(tx *sql.Tx) error {
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

// SetOwner records which account a stored session belongs to, so that
// EndUserSessions finds it without decoding session data. The app calls it
// right after saving a session at login (fiber's Storage interface has no
// room for it); later saves keep it.
func (s *SessionStore) SetOwner(ctx context.Context, key string, uid int64) error {
	err := s.db.housekeepingTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET user_id = ? WHERE id = ?`, uid, key)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to record a session's account: %w", err)
	}
	return nil
}

// EndUserSessions deletes every session of an account, except keep (the
// session of the request that changed the account's password: "" for
// none), and returns how many it deleted.
func (s *SessionStore) EndUserSessions(ctx context.Context, uid int64, keep string) (int64, error) {
	var n int64
	err := s.db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, uid, keep)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: unable to end the sessions of user %d: %w", uid, err)
	}
	return n, nil
}

// CountSessions returns the number of stored sessions, expired or not.
func (s *SessionStore) CountSessions(ctx context.Context) (int, error) {
	var n int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: unable to count sessions: %w", err)
	}
	return n, nil
}
