package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ecopulse/ecopulse/domain"
)

// Inbox statuses: what people did about an alert, given its condition.
// An alert whose condition cleared, or that somebody resolved by hand, is
// resolved; one snoozed until a later day is snoozed until then; one
// somebody acknowledged is acknowledged; any other is open.
const (
	AlertStatusOpen         = "open"
	AlertStatusAcknowledged = "acknowledged"
	AlertStatusSnoozed      = "snoozed"
	AlertStatusResolved     = "resolved"
)

// AlertStatuses are the inbox statuses, in the order the inbox lists them.
var AlertStatuses = []string{AlertStatusOpen, AlertStatusAcknowledged, AlertStatusSnoozed, AlertStatusResolved}

// statusOn is an alert's inbox status on day today. alertStatusSQL says
// the same in SQL: keep the two together.
func (a *Alert) statusOn(today time.Time) string {
	switch {
	case a.State == AlertResolved || a.ResolvedBy != "":
		return AlertStatusResolved
	case !a.SnoozedUntil.IsZero() && a.SnoozedUntil.After(domain.Day(today)):
		return AlertStatusSnoozed
	case !a.AcknowledgedAt.IsZero():
		return AlertStatusAcknowledged
	}
	return AlertStatusOpen
}

// alertStatusSQL is statusOn in SQL; its one parameter is today (YYYY-MM-DD).
const alertStatusSQL = `(CASE WHEN a.state = 'resolved' OR a.resolved_by <> '' THEN 'resolved'
	WHEN a.snoozed_until > ? THEN 'snoozed'
	WHEN a.acknowledged_at IS NOT NULL THEN 'acknowledged' ELSE 'open' END)`

// AlertFilter selects alerts. Zero values select everything.
type AlertFilter struct {
	State    string    // the condition: open, resolved or empty for both
	Statuses []string  // inbox statuses (AlertStatus*); empty: every one
	Rule     string    // rule name
	Subject  string    // what an alert is about within its rule
	Member   string    // member slug
	Assignee string    // user name
	At       time.Time // only the alerts whose condition held on this day (opened on or before it, not closed by it)
	Today    time.Time // the day snoozes are judged on; zero: today
	Limit    int       // 0: no limit
	Offset   int
}

func (f AlertFilter) today() time.Time {
	if f.Today.IsZero() {
		return domain.Day(time.Now())
	}
	return domain.Day(f.Today)
}

// where returns the filter's WHERE clause (empty when it selects all) and
// its arguments, leaving the inbox statuses out when withStatus is false.
func (f AlertFilter) where(withStatus bool) (string, []any, error) {
	var where []string
	var args []any
	if f.State != "" {
		if f.State != AlertOpen && f.State != AlertResolved {
			return "", nil, domain.Errorf(domain.EINVALID, "alert state %q is not open or resolved", f.State)
		}
		where = append(where, "a.state = ?")
		args = append(args, f.State)
	}
	if withStatus && len(f.Statuses) > 0 {
		for _, s := range f.Statuses {
			if !slices.Contains(AlertStatuses, s) {
				return "", nil, domain.Errorf(domain.EINVALID, "alert status %q is not one of %s", s, strings.Join(AlertStatuses, ", "))
			}
		}
		where = append(where, alertStatusSQL+" IN ("+alertPlaceholders(len(f.Statuses))+")")
		args = append(append(args, dateStr(f.today())), alertArgs(f.Statuses)...)
	}
	for _, c := range []struct{ col, v string }{{"a.rule", f.Rule}, {"a.subject", f.Subject}, {"a.member", f.Member}, {"a.assignee", f.Assignee}} {
		if c.v != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	if !f.At.IsZero() {
		d := dateStr(domain.Day(f.At))
		where = append(where, "a.opened_on <= ? AND (a.closed_on IS NULL OR a.closed_on > ?)")
		args = append(args, d, d)
	}
	if len(where) == 0 {
		return "", args, nil
	}
	return "WHERE " + strings.Join(where, " AND "), args, nil
}

// Alerts returns the alerts f selects: by inbox status (open,
// acknowledged, snoozed, then resolved), the newest first (resolved ones by
// the day they closed).
func (db *DB) Alerts(ctx context.Context, f AlertFilter) ([]Alert, error) {
	q, args, err := f.listQuery()
	if err != nil {
		return nil, err
	}
	var out []Alert
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryAlerts(ctx, tx, f.today(), q, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to list alerts: %w", err)
	}
	return out, nil
}

// listQuery returns the WHERE, ORDER BY and LIMIT of the alerts f lists,
// and their arguments: Alerts's order.
func (f AlertFilter) listQuery() (string, []any, error) {
	q, args, err := f.where(true)
	if err != nil {
		return "", nil, err
	}
	q += ` ORDER BY CASE ` + alertStatusSQL + ` WHEN 'open' THEN 0 WHEN 'acknowledged' THEN 1 WHEN 'snoozed' THEN 2 ELSE 3 END,
		CASE WHEN a.state = 'resolved' THEN COALESCE(a.closed_on, a.opened_on) ELSE a.opened_on END DESC, a.id DESC`
	args = append(args, dateStr(f.today()))
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, max(f.Offset, 0))
	}
	return q, args, nil
}

// AlertCounts returns how many alerts f selects in each inbox status,
// whatever f.Statuses says (the inbox's tabs), and every status present.
func (db *DB) AlertCounts(ctx context.Context, f AlertFilter) (map[string]int, error) {
	q, args, err := f.where(false)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, s := range AlertStatuses {
		out[s] = 0
	}
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+alertStatusSQL+`, COUNT(*) FROM alerts a `+q+` GROUP BY 1`,
			append([]any{dateStr(f.today())}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			var n int
			if err := rows.Scan(&s, &n); err != nil {
				return err
			}
			out[s] = n
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to count alerts: %w", err)
	}
	return out, nil
}

// AlertComment is a comment left on an alert.
type AlertComment struct {
	At     time.Time `json:"at"`
	Author string    `json:"author"`
	Body   string    `json:"body"`
}

// AlertCommentMax bounds a comment, in characters.
const AlertCommentMax = 2000

// AlertByID returns an alert and its comments (oldest first), or ENOTFOUND.
func (db *DB) AlertByID(ctx context.Context, id int64, today time.Time) (*Alert, []AlertComment, error) {
	var a *Alert
	comments := []AlertComment{}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		if a, err = alertByID(ctx, tx, id, today); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT at, author, body FROM alert_comments WHERE alert_id = ? ORDER BY id`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c AlertComment
			var at int64
			if err := rows.Scan(&at, &c.Author, &c.Body); err != nil {
				return err
			}
			c.At = time.Unix(at, 0).UTC()
			comments = append(comments, c)
		}
		return rows.Err()
	})
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, nil, err
	} else if err != nil {
		return nil, nil, fmt.Errorf("store: unable to read alert %d: %w", id, err)
	}
	return a, comments, nil
}

func alertByID(ctx context.Context, tx *sql.Tx, id int64, today time.Time) (*Alert, error) {
	as, err := queryAlerts(ctx, tx, today, `WHERE a.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, domain.ErrorKey(domain.ENOTFOUND, "errors.no_alert", domain.Facts{"ID": id}, "no alert %d", id)
	}
	return &as[0], nil
}

// AlertAction is a change people make to an alert from the inbox.
type AlertAction struct {
	By    string    // the user who acts
	At    time.Time // when
	Today time.Time // the day snoozes are judged on; zero: the day of At
}

func (act AlertAction) today() time.Time {
	if act.Today.IsZero() {
		return domain.Day(act.At)
	}
	return domain.Day(act.Today)
}

// changeAlert runs one change to an alert that is not resolved, in one
// transaction, and returns the alert as it is after.
func (db *DB) changeAlert(ctx context.Context, what string, id int64, act AlertAction, fn func(tx *sql.Tx, a *Alert) error) (*Alert, error) {
	if strings.TrimSpace(act.By) == "" {
		return nil, domain.Errorf(domain.EINVALID, "an alert is changed by somebody: the user is missing")
	}
	var out *Alert
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		a, err := alertByID(ctx, tx, id, act.today())
		if err != nil {
			return err
		}
		if a.Status == AlertStatusResolved {
			if a.ResolvedBy != "" {
				return domain.Errorf(domain.ECONFLICT, "alert %d was resolved by %s", id, a.ResolvedBy)
			}
			return domain.Errorf(domain.ECONFLICT, "alert %d is resolved: its condition cleared on %s", id, dateStr(a.ClosedOn))
		}
		if err := fn(tx, a); err != nil {
			return err
		}
		out, err = alertByID(ctx, tx, id, act.today())
		return err
	})
	switch domain.ErrorCode(err) {
	case "":
		return out, nil
	case domain.EINTERNAL:
		return nil, fmt.Errorf("store: unable to %s alert %d: %w", what, id, err)
	}
	return nil, err
}

// AcknowledgeAlert records that act.By has seen the alert and is on it. An
// alert acknowledged before keeps its first acknowledgement.
func (db *DB) AcknowledgeAlert(ctx context.Context, id int64, act AlertAction) (*Alert, error) {
	return db.changeAlert(ctx, "acknowledge", id, act, func(tx *sql.Tx, a *Alert) error {
		if !a.AcknowledgedAt.IsZero() {
			return nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ?`, act.At.Unix(), act.By, id)
		return err
	})
}

// AssignAlert gives the alert to the enabled account named user; an empty
// user takes the assignment back. An unknown or disabled account is
// EINVALID.
func (db *DB) AssignAlert(ctx context.Context, id int64, user string, act AlertAction) (*Alert, error) {
	return db.changeAlert(ctx, "assign", id, act, func(tx *sql.Tx, a *Alert) error {
		if user != "" {
			var disabled bool
			err := tx.QueryRowContext(ctx, `SELECT disabled FROM users WHERE name = ?`, user).Scan(&disabled)
			if errors.Is(err, sql.ErrNoRows) {
				return domain.Errorf(domain.EINVALID, "assignee: no user is named %q", user)
			} else if err != nil {
				return err
			}
			if disabled {
				return domain.Errorf(domain.EINVALID, "assignee: the account %q is disabled", user)
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE alerts SET assignee = ? WHERE id = ?`, user, id)
		return err
	})
}

// SnoozeAlert hides the alert from the inbox until the day until, which
// must be after act's day and at most a year ahead.
func (db *DB) SnoozeAlert(ctx context.Context, id int64, until time.Time, act AlertAction) (*Alert, error) {
	until = domain.Day(until)
	today := act.today()
	switch {
	case !until.After(today):
		return nil, domain.Errorf(domain.EINVALID, "until: %s is not after today (%s): snooze until a later day", dateStr(until), dateStr(today))
	case until.After(today.AddDate(1, 0, 0)):
		return nil, domain.Errorf(domain.EINVALID, "until: %s is more than a year ahead", dateStr(until))
	}
	return db.changeAlert(ctx, "snooze", id, act, func(tx *sql.Tx, a *Alert) error {
		_, err := tx.ExecContext(ctx, `UPDATE alerts SET snoozed_until = ? WHERE id = ?`, dateStr(until), id)
		return err
	})
}

// ResolveAlert resolves the alert by hand with a comment (required). The
// episode stays on record: while its condition holds no other alert opens
// for it; once the condition clears and comes back, a new one does.
func (db *DB) ResolveAlert(ctx context.Context, id int64, comment string, act AlertAction) (*Alert, error) {
	comment = strings.TrimSpace(comment)
	switch {
	case comment == "":
		return nil, domain.Errorf(domain.EINVALID, "comment: say why the alert is resolved")
	case utf8.RuneCountInString(comment) > AlertCommentMax:
		return nil, domain.Errorf(domain.EINVALID, "comment: at most %d characters", AlertCommentMax)
	case !utf8.ValidString(comment):
		return nil, domain.Errorf(domain.EINVALID, "comment: not valid UTF-8")
	}
	return db.changeAlert(ctx, "resolve", id, act, func(tx *sql.Tx, a *Alert) error {
		if _, err := tx.ExecContext(ctx, `UPDATE alerts SET resolved_by = ?, resolved_at = ? WHERE id = ?`, act.By, act.At.Unix(), id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO alert_comments (alert_id, at, author, body) VALUES (?, ?, ?, ?)`, id, act.At.Unix(), act.By, comment)
		return err
	})
}
