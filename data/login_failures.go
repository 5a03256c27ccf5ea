package data

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Failed logins are counted in the database, so that every replica on it
// slows the same guesser down (the rules are app/throttle.go's). The keys
// are keyed hashes made by the caller: no account name or client address
// is stored here.

// LoginFailure is the live count of one key.
type LoginFailure struct {
	Failures    int64
	First, Last time.Time // the first failure of the count, the latest one
}

// LoginFailureKey is a key to count a failure under, and when its count,
// as it stands after this failure, is to be forgotten (its next failure
// then starts a new count, and a later write deletes the row).
type LoginFailureKey struct {
	Key    string
	Forget func(LoginFailure) time.Time
}

// loginFailurePurge bounds the forgotten rows one failure deletes on the
// way (and the rows over the bound it deletes).
const loginFailurePurge = 64

// LoginFailures returns the live counts of keys at now: a key without a row,
// or whose row is forgotten by now, is absent.
func (db *DB) LoginFailures(ctx context.Context, now time.Time, keys ...string) (map[string]LoginFailure, error) {
	out := map[string]LoginFailure{}
	if len(keys) == 0 {
		return out, nil
	}
	args := []any{now.Unix()}
	for _, k := range keys {
		args = append(args, k)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT key, failures, first_at, last_at FROM login_failures
		WHERE forget_at > ? AND key IN (`+placeholders(len(keys))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read failed logins: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var f LoginFailure
		var first, last int64
		if err := rows.Scan(&k, &f.Failures, &first, &last); err != nil {
			return nil, fmt.Errorf("store: unable to read failed logins: %w", err)
		}
		f.First, f.Last = time.Unix(first, 0), time.Unix(last, 0)
		out[k] = f
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to read failed logins: %w", err)
	}
	return out, nil
}

// CountLoginFailure counts a failure at now under each key, in one
// transaction: an upsert per key (a forgotten count starts over), so that
// failures counted at once by several replicas all count. On the way it
// deletes a few forgotten rows and, past maxRows rows (0: no bound), the
// least recently failed ones.
func (db *DB) CountLoginFailure(ctx context.Context, now time.Time, maxRows int, keys ...LoginFailureKey) error {
	if len(keys) == 0 {
		return nil
	}
	at := now.Unix()
	err := db.housekeepingTx(ctx, func(tx *sql.Tx) error {
		names := make([]any, 0, len(keys))
		for _, k := range keys {
			var f LoginFailure
			var first int64
			// forget_at is set by the update below, once the count is known.
			if err := tx.QueryRowContext(ctx, `INSERT INTO login_failures (key, failures, first_at, last_at, forget_at)
				VALUES (?, 1, ?, ?, ?)
				ON CONFLICT (key) DO UPDATE SET
					failures = CASE WHEN login_failures.forget_at <= excluded.last_at THEN 1 ELSE login_failures.failures + 1 END,
					first_at = CASE WHEN login_failures.forget_at <= excluded.last_at THEN excluded.first_at ELSE login_failures.first_at END,
					last_at = excluded.last_at
				RETURNING failures, first_at`, k.Key, at, at, at).Scan(&f.Failures, &first); err != nil {
				return err
			}
			f.First, f.Last = time.Unix(first, 0), time.Unix(at, 0)
			if _, err := tx.ExecContext(ctx, `UPDATE login_failures SET forget_at = ? WHERE key = ?`,
				k.Forget(f).Unix(), k.Key); err != nil {
				return err
			}
			names = append(names, k.Key)
		}
		// Rows a concurrent failure holds are left to the next one
		// (skipLocked): two purges never wait for each other's rows.
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE key IN (
			SELECT key FROM login_failures WHERE forget_at <= ? ORDER BY forget_at LIMIT ?`+db.dialect.skipLocked()+`)`,
			at, loginFailurePurge); err != nil {
			return err
		}
		if maxRows <= 0 {
			return nil
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_failures`).Scan(&n); err != nil {
			return err
		}
		if n <= maxRows {
			return nil
		}
		args := append(names, min(n-maxRows, loginFailurePurge))
		_, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE key IN (
			SELECT key FROM login_failures WHERE key NOT IN (`+placeholders(len(names))+`)
			ORDER BY last_at, key LIMIT ?`+db.dialect.skipLocked()+`)`, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to count a failed login: %w", err)
	}
	return nil
}

// ForgetLoginFailures deletes the counts of keys (a login that succeeded).
func (db *DB) ForgetLoginFailures(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	err := db.housekeepingTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE key IN (`+placeholders(len(keys))+`)`, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to forget failed logins: %w", err)
	}
	return nil
}

// CountLoginFailureRows returns how many rows count failed logins,
// forgotten ones included.
func (db *DB) CountLoginFailureRows(ctx context.Context) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_failures`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: unable to count failed logins: %w", err)
	}
	return n, nil
}

// placeholders returns "?, ?, …", n of them (n > 0).
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
