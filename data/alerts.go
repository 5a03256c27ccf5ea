package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// Alert states.
const (
	AlertOpen     = "open"
	AlertResolved = "resolved"
)

// Alert is one occurrence (an episode) of an alert rule's condition: open
// while the condition holds, resolved when it clears. What people did about
// it (acknowledged, assigned, snoozed, resolved by hand) is its Status in
// the inbox (data/alerts_inbox.go).
type Alert struct {
	ID         int64     `json:"id"`
	Rule       string    `json:"rule"`
	Subject    string    `json:"subject"`               // what the condition is about within the rule
	Member     string    `json:"member,omitempty"`      // member slug; empty when not about a member
	MemberName string    `json:"member_name,omitempty"` // the member's current name
	Message    string    `json:"message"`
	State      string    `json:"state"` // the condition: open or resolved
	FirstSeen  time.Time `json:"first_seen"`
	LastSeen   time.Time `json:"last_seen"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
	NotifiedAt time.Time `json:"notified_at,omitzero"` // when the webhook accepted it
	Attempts   int       `json:"-"`                    // failed notification rounds

	// OpenedOn is the scored day the condition was first found (a
	// source's: the day of the evaluation that saw it); ClosedOn the scored
	// day it was found cleared, zero while it holds. Views give them as
	// YYYY-MM-DD.
	OpenedOn time.Time `json:"-"`
	ClosedOn time.Time `json:"-"`

	Status         string    `json:"status"` // in the inbox: open, acknowledged, snoozed or resolved (AlertStatus*)
	AcknowledgedAt time.Time `json:"acknowledged_at,omitzero"`
	AcknowledgedBy string    `json:"acknowledged_by,omitempty"`
	Assignee       string    `json:"assignee,omitempty"`    // a user name
	SnoozedUntil   time.Time `json:"-"`                     // hidden from the inbox until this day (views: YYYY-MM-DD)
	ResolvedBy     string    `json:"resolved_by,omitempty"` // who resolved it by hand; empty when its condition cleared

	// MessageKey and MessageArgs are the message as a catalogue key and its
	// facts, to say it in a page's or the webhook's language
	// (views.AlertMessage); empty for an alert stored before they were.
	// The JSON API keeps the English Message.
	MessageKey  string         `json:"-"`
	MessageArgs map[string]any `json:"-"`
}

// AlertCondition is a condition a rule found true in one evaluation.
type AlertCondition struct {
	Rule    string
	Subject string
	Member  string // member slug, or empty
	Message string // in English
	// MessageKey (a catalogue key) and MessageArgs (its fields: numbers,
	// names, days as text) say Message in any language; the key's English
	// is Message exactly (alerting's tests).
	MessageKey  string
	MessageArgs map[string]any
	// Hold: the condition is only strong enough to keep an open alert open
	// (its signal is between the rule's open and close thresholds); it
	// opens none. Used by RecordAlertHistory's hysteresis.
	Hold bool
}

// AlertSync is what one evaluation changed.
type AlertSync struct {
	Opened    []Alert // conditions that were not open before
	Resolved  []Alert // open alerts whose condition cleared
	Open      int     // alerts of the evaluated rules open after the evaluation
	Withdrawn int     // alerts of days scored again that no longer hold there (RecordAlertHistory)
}

// SyncAlerts records one evaluation of rules at time at: a condition with
// no open alert opens one; a condition already open only moves its last
// seen time (and message) on, so it never opens a duplicate; an open alert
// of an evaluated rule whose condition is not in conds is resolved. Alerts
// of rules not in rules are left alone. The day of at is the opened_on and
// closed_on it records: the rules evaluated "now" (sources) use it; member
// rules have a history (RecordAlertHistory).
func (db *DB) SyncAlerts(ctx context.Context, rules []string, conds []AlertCondition, at time.Time) (*AlertSync, error) {
	if len(rules) == 0 {
		return &AlertSync{}, nil
	}
	known := map[string]bool{}
	for _, r := range rules {
		known[r] = true
	}
	want := map[string]AlertCondition{}
	var order []string
	for _, c := range conds {
		if !known[c.Rule] {
			return nil, domain.Errorf(domain.EINVALID, "alert condition of rule %q, which was not evaluated", c.Rule)
		}
		if c.Subject == "" || c.Message == "" {
			return nil, domain.Errorf(domain.EINVALID, "alert condition of rule %q needs a subject and a message", c.Rule)
		}
		k := c.Rule + "\x00" + c.Subject
		if _, dup := want[k]; !dup {
			order = append(order, k)
		}
		want[k] = c
	}
	res := &AlertSync{}
	err := db.writeTx(ctx, func(tx *sql.Tx) error { return syncAlerts(ctx, tx, db.dialect, rules, order, want, at, res) })
	if err != nil {
		return nil, fmt.Errorf("store: unable to record alerts: %w", err)
	}
	return res, nil
}

// alertsLock is the key (dialect.lockKey) under which alerts are derived
// again: SyncAlerts and RecordAlertHistory read the stored alerts, then
// open, update and close them from what they read. Two of them at once
// (the alert jobs of two processes, on PostgreSQL) would each read before
// the other's writes and open the same alert twice; under the lock the
// second reads what the first wrote, as if it ran after it.
const alertsLock = "alerts"

// syncAlerts is SyncAlerts's transaction: the conditions want, keyed by
// rule and subject, in order.
func syncAlerts(ctx context.Context, tx *sql.Tx, d dialect, rules []string, order []string, want map[string]AlertCondition, at time.Time, res *AlertSync) error {
	if err := d.lockKey(ctx, tx, alertsLock); err != nil {
		return err
	}
	now := at.Unix()
	open, err := queryAlerts(ctx, tx, domain.Day(at), `WHERE a.state = ? AND a.rule IN (`+alertPlaceholders(len(rules))+`)`, append([]any{AlertOpen}, alertArgs(rules)...)...)
	if err != nil {
		return err
	}
	byKey := map[string]Alert{}
	for _, a := range open {
		byKey[a.Rule+"\x00"+a.Subject] = a
	}
	for _, k := range order {
		c := want[k]
		a, ok := byKey[k]
		if !ok && c.Hold {
			continue // strong enough to keep an alert open, not to open one
		}
		key, margs, err := messageColumns(c)
		if err != nil {
			return err
		}
		if ok {
			if _, err := tx.ExecContext(ctx, `UPDATE alerts SET last_seen = ?, message = ?, message_key = ?, message_args = ?, member = ? WHERE id = ?`,
				now, c.Message, key, margs, c.Member, a.ID); err != nil {
				return err
			}
			continue
		}
		id, err := insertRow(ctx, tx, `INSERT INTO alerts (rule, subject, member, message, message_key, message_args, state, first_seen, last_seen, opened_on)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.Rule, c.Subject, c.Member, c.Message, key, margs, AlertOpen, now, now, dateStr(domain.Day(at)))
		if err != nil {
			return err
		}
		res.Opened = append(res.Opened, Alert{ID: id, Rule: c.Rule, Subject: c.Subject, Member: c.Member, Message: c.Message,
			MessageKey: c.MessageKey, MessageArgs: c.MessageArgs,
			State: AlertOpen, Status: AlertStatusOpen, FirstSeen: time.Unix(now, 0).UTC(), LastSeen: time.Unix(now, 0).UTC(), OpenedOn: domain.Day(at)})
	}
	for k, a := range byKey {
		if _, ok := want[k]; ok {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE alerts SET state = ?, resolved_at = ?, closed_on = ? WHERE id = ?`,
			AlertResolved, now, dateStr(domain.Day(at)), a.ID); err != nil {
			return err
		}
		a.State, a.ResolvedAt, a.ClosedOn, a.Status = AlertResolved, time.Unix(now, 0).UTC(), domain.Day(at), AlertStatusResolved
		res.Resolved = append(res.Resolved, a)
	}
	res.Open = len(want)
	return nil
}

// AlertsToNotify returns the open alerts no webhook has accepted yet and
// that failed fewer than maxAttempts notification rounds, oldest first,
// leaving out those another notifier has claimed (ClaimAlertNotify).
// Only alerts open now are posted: after a backfill the episodes that
// opened and closed in the history are never posted; neither is one
// somebody resolved by hand before it went out.
func (db *DB) AlertsToNotify(ctx context.Context, maxAttempts int) ([]Alert, error) {
	var out []Alert
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryAlerts(ctx, tx, domain.Day(time.Now()), `WHERE a.state = ? AND a.resolved_by = '' AND a.notified_at IS NULL AND a.notify_attempts < ?
			AND (a.notify_claimed_until IS NULL OR a.notify_claimed_until <= ?) ORDER BY a.id`,
			AlertOpen, maxAttempts, time.Now().Unix())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to list alerts to notify: %w", err)
	}
	return out, nil
}

// MarkAlertNotified records that the webhook accepted an alert, so that it
// is never posted again, even after a restart, and ends its claim.
func (db *DB) MarkAlertNotified(ctx context.Context, id int64, at time.Time) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE alerts SET notified_at = COALESCE(notified_at, ?), notify_error = '',
			notify_claim = '', notify_claimed_until = NULL WHERE id = ?`, at.Unix(), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to mark alert %d notified: %w", id, err)
	}
	return nil
}

// MarkAlertNotifyFailed records a notification round that failed and
// gives up the claim (ClaimAlertNotify's claim), so that a later round,
// here or on another replica, posts the alert again. A claim that expired
// and was taken by another notifier is left to it, uncounted.
func (db *DB) MarkAlertNotifyFailed(ctx context.Context, id int64, claim, reason string) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE alerts SET notify_attempts = notify_attempts + 1, notify_error = ?,
			notify_claim = '', notify_claimed_until = NULL WHERE id = ? AND notify_claim = ?`, reason, id, claim)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to record the failed notification of alert %d: %w", id, err)
	}
	return nil
}

// alertColumns are what queryAlerts scans, in its order.
const alertColumns = `a.id, a.rule, a.subject, a.member, COALESCE(m.name, ''), a.message, a.message_key, a.message_args, a.state,
	a.first_seen, a.last_seen, COALESCE(a.resolved_at, 0), COALESCE(a.notified_at, 0), a.notify_attempts,
	a.opened_on, a.closed_on, COALESCE(a.acknowledged_at, 0), a.acknowledged_by, a.assignee, a.snoozed_until, a.resolved_by`

// queryAlerts lists alerts; today decides which snoozes still hold.
func queryAlerts(ctx context.Context, tx *sql.Tx, today time.Time, where string, args ...any) ([]Alert, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+alertColumns+`
		FROM alerts a LEFT JOIN members m ON a.member <> '' AND m.slug = a.member `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Alert{}
	for rows.Next() {
		var a Alert
		var first, last, resolved, notified, acked int64
		var opened, closed, snoozed, key, margs sql.NullString
		if err := rows.Scan(&a.ID, &a.Rule, &a.Subject, &a.Member, &a.MemberName, &a.Message, &key, &margs, &a.State,
			&first, &last, &resolved, &notified, &a.Attempts,
			&opened, &closed, &acked, &a.AcknowledgedBy, &a.Assignee, &snoozed, &a.ResolvedBy); err != nil {
			return nil, err
		}
		a.FirstSeen, a.LastSeen = time.Unix(first, 0).UTC(), time.Unix(last, 0).UTC()
		if resolved > 0 {
			a.ResolvedAt = time.Unix(resolved, 0).UTC()
		}
		if notified > 0 {
			a.NotifiedAt = time.Unix(notified, 0).UTC()
		}
		if acked > 0 {
			a.AcknowledgedAt = time.Unix(acked, 0).UTC()
		}
		a.OpenedOn, a.ClosedOn, a.SnoozedUntil = parseDate(opened), parseDate(closed), parseDate(snoozed)
		a.MessageKey = key.String
		if margs.Valid && margs.String != "" {
			// Unreadable facts leave the message to its English.
			if json.Unmarshal([]byte(margs.String), &a.MessageArgs) != nil {
				a.MessageKey, a.MessageArgs = "", nil
			}
		}
		a.Status = a.statusOn(today)
		out = append(out, a)
	}
	return out, rows.Err()
}

func alertPlaceholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func alertArgs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// MemberCalls is a member's API traffic over a range, by outcome.
type MemberCalls struct {
	Slug      string
	Name      string
	Calls     int64
	Errors4xx int64
	Errors5xx int64
}

// CallsByMember sums the API traffic of every member with calls over the
// days [from, to), from the daily rollup, in one query.
func (db *DB) CallsByMember(ctx context.Context, from, to time.Time) ([]MemberCalls, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT m.slug, m.name, u.status_class, `+db.dialect.sumCount("u.calls")+`
		FROM api_usage_daily u
		JOIN api_consumers c ON c.id = u.consumer_id
		JOIN members m ON m.id = c.member_id
		WHERE u.bucket >= ? AND u.bucket < ?
		GROUP BY m.slug, m.name, u.status_class
		ORDER BY m.slug`, domain.Day(from).Unix(), domain.Day(to).Unix())
	if err != nil {
		return nil, fmt.Errorf("store: unable to sum API calls by member: %w", err)
	}
	defer rows.Close()
	var out []MemberCalls
	for rows.Next() {
		var slug, name string
		var class int
		var calls int64
		if err := rows.Scan(&slug, &name, &class, &calls); err != nil {
			return nil, fmt.Errorf("store: unable to sum API calls by member: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].Slug != slug {
			out = append(out, MemberCalls{Slug: slug, Name: name})
		}
		mc := &out[len(out)-1]
		mc.Calls = domain.AddSat(mc.Calls, calls) // saturating (usage_bounds.go), as TOTAL above
		switch class {
		case 4:
			mc.Errors4xx = domain.AddSat(mc.Errors4xx, calls)
		case 5:
			mc.Errors5xx = domain.AddSat(mc.Errors5xx, calls)
		}
	}
	return out, rows.Err()
}

// OverdueMilestone is a milestone due before a day and still open on it,
// once per party of its project.
type OverdueMilestone struct {
	Member      string // member slug
	MemberName  string
	Project     string // project slug
	ProjectName string
	Title       string
	DueOn       time.Time
}

// OverdueMilestones returns the milestones of planned and active projects
// that were due before day and not done by the end of it, for every party, ordered
// by member, project and due date.
func (db *DB) OverdueMilestones(ctx context.Context, day time.Time) ([]OverdueMilestone, error) {
	d := dateStr(domain.Day(day))
	rows, err := db.read.QueryContext(ctx, `SELECT m.slug, m.name, p.slug, p.name, ms.title, ms.due_on
		FROM milestones ms
		JOIN projects p ON p.id = ms.project_id
		JOIN project_parties pp ON pp.project_id = p.id
		JOIN members m ON m.id = pp.member_id
		WHERE ms.due_on < ? AND (ms.done_on IS NULL OR ms.done_on > ?) AND p.status IN (?, ?)
		ORDER BY m.slug, p.slug, ms.due_on, ms.id`, d, d, domain.ProjectPlanned, domain.ProjectActive)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list overdue milestones: %w", err)
	}
	defer rows.Close()
	var out []OverdueMilestone
	for rows.Next() {
		var o OverdueMilestone
		var due sql.NullString
		if err := rows.Scan(&o.Member, &o.MemberName, &o.Project, &o.ProjectName, &o.Title, &due); err != nil {
			return nil, fmt.Errorf("store: unable to list overdue milestones: %w", err)
		}
		o.DueOn = parseDate(due)
		out = append(out, o)
	}
	return out, rows.Err()
}

// messageColumns are a condition's message_key and message_args: NULL
// when it has no key (a condition of a test, or of an older caller), the
// args as a JSON object.
func messageColumns(c AlertCondition) (key, args any, err error) {
	if c.MessageKey == "" {
		return nil, nil, nil
	}
	if len(c.MessageArgs) == 0 {
		return c.MessageKey, nil, nil
	}
	b, err := json.Marshal(c.MessageArgs)
	if err != nil {
		return nil, nil, fmt.Errorf("alert message %q: %w", c.MessageKey, err)
	}
	return c.MessageKey, string(b), nil
}
