package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// AuditEntry is one line of the audit log. Repeated identical refusals
// (AuditRepeated) are one line with a Count and the time of the last one.
type AuditEntry struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Target string    `json:"target,omitempty"`
	Detail string    `json:"detail,omitempty"`
	OK     bool      `json:"ok"`
	Count  int64     `json:"count"`            // how many times it happened (1 but for folded repeats)
	LastAt time.Time `json:"last_at,omitzero"` // the last repeat (zero: only At)
}

// AuditFieldMax bounds what one field of an audit entry stores: a log line
// is written for requests of anonymous clients (failed logins), so no field
// may keep an attacker's string at its full length.
const AuditFieldMax = 200

// auditClipMarker ends a field that was cut.
const auditClipMarker = "…[cut]"

// clipAuditField cuts s to at most AuditFieldMax bytes, on a character
// boundary, marking the cut.
func clipAuditField(s string) string {
	if len(s) <= AuditFieldMax {
		return s
	}
	cut := AuditFieldMax - len(auditClipMarker)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + auditClipMarker
}

func (e *AuditEntry) clip() {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.Actor, e.Action = clipAuditField(e.Actor), clipAuditField(e.Action)
	e.Target, e.Detail = clipAuditField(e.Target), clipAuditField(e.Detail)
}

// Audit appends an entry to the audit log (fields cut to AuditFieldMax).
func (db *DB) Audit(ctx context.Context, e AuditEntry) error {
	e.clip()
	err := db.housekeepingTx(ctx, func(tx *sql.Tx) error { return insertAudit(ctx, tx, e) })
	if err != nil {
		return fmt.Errorf("store: unable to write the audit log: %w", err)
	}
	return nil
}

// AuditRepeated appends an entry, or counts it on the newest identical
// entry (same actor, action, target, detail and result) whose last
// occurrence is less than window old. Failed logins use it: a password
// guesser adds one row per name and address and window, not one per try.
func (db *DB) AuditRepeated(ctx context.Context, e AuditEntry, window time.Duration) error {
	e.clip()
	err := db.housekeepingTx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM audit_log
			WHERE actor = ? AND action = ? AND target = ? AND detail = ? AND ok = ? AND COALESCE(last_at, at) >= ?
			ORDER BY id DESC LIMIT 1`,
			e.Actor, e.Action, e.Target, e.Detail, e.OK, e.At.Add(-window).Unix()).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return insertAudit(ctx, tx, e)
		} else if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE audit_log SET count = count + 1, last_at = ? WHERE id = ?`, e.At.Unix(), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to write the audit log: %w", err)
	}
	return nil
}

func insertAudit(ctx context.Context, tx *sql.Tx, e AuditEntry) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor, action, target, detail, ok) VALUES (?, ?, ?, ?, ?, ?)`,
		e.At.Unix(), e.Actor, e.Action, e.Target, e.Detail, e.OK)
	return err
}

// AuditLog returns the newest entries first (at most AuditMaxLimit).
func (db *DB) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	return db.AuditQuery(ctx, AuditFilter{Limit: limit})
}

// The audit log is read a page at a time: AuditDefaultLimit entries unless
// asked for more, never more than AuditMaxLimit.
const (
	AuditDefaultLimit = 200
	AuditMaxLimit     = 1000
)

// AuditFilter selects audit log entries. Empty fields select everything.
type AuditFilter struct {
	Actor  string // exact actor name
	Action string // exact action, or a family: "user" selects user.create, user.delete…
	Limit  int    // at most this many (default AuditDefaultLimit, at most AuditMaxLimit)
	Before int64  // only entries with a smaller id: the next page (0: from the newest)
}

// AuditQuery returns the audit entries that match f, newest first.
func (db *DB) AuditQuery(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	if f.Limit <= 0 {
		f.Limit = AuditDefaultLimit
	}
	f.Limit = min(f.Limit, AuditMaxLimit)
	q := `SELECT id, at, actor, action, target, detail, ok, count, COALESCE(last_at, 0) FROM audit_log WHERE 1 = 1`
	var args []any
	if f.Actor != "" {
		q += ` AND actor = ?`
		args = append(args, f.Actor)
	}
	if f.Action != "" {
		q += ` AND (action = ? OR LOWER(action) LIKE ? ESCAPE '\')`
		args = append(args, f.Action, likeEscape(strings.ToLower(f.Action))+".%")
	}
	if f.Before > 0 {
		q += ` AND id < ?`
		args = append(args, f.Before)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, f.Limit)
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at, last int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.OK, &e.Count, &last); err != nil {
			return nil, fmt.Errorf("store: unable to read the audit log: %w", err)
		}
		e.At = time.Unix(at, 0).UTC()
		if last != 0 {
			e.LastAt = time.Unix(last, 0).UTC()
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
