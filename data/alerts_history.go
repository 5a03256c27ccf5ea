package data

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// Member alerts have a history: the scoring job evaluates the member rules
// on every day it scores, in day order, and RecordAlertHistory turns the
// days' conditions into episodes, each with the day it opened and the day
// it closed. When older days are scored again (an import, a remap, a
// rescore), the episodes from the first such day on are derived again from
// the stored scores. An episode that still happened keeps its row — id,
// acknowledgement, assignee, snooze, comments and webhook delivery.

// AlertDay is what the member rules found on one scored day.
type AlertDay struct {
	Day   time.Time
	Conds []AlertCondition
}

// AlertMark is the earliest day whose scores were saved since member alerts
// last followed them (migration 0021's trigger lists every save).
type AlertMark struct {
	From time.Time // zero: no day waits
	seq  int64
}

// AlertsStaleFrom returns the earliest scored day whose scores were saved
// since member alerts were last derived, with the mark that says so.
func (db *DB) AlertsStaleFrom(ctx context.Context) (AlertMark, error) {
	var day sql.NullString
	var seq sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT MIN(day), MAX(seq) FROM alert_days_stale`).Scan(&day, &seq); err != nil {
		return AlertMark{}, fmt.Errorf("store: unable to find the days alerts wait for: %w", err)
	}
	return AlertMark{From: parseDate(day), seq: seq.Int64}, nil
}

// RecordAlertHistory derives the episodes of rules over days — every
// scored day from the first of them on, oldest first — and clears the marks
// up to mark. In one transaction:
//
//   - the state before the first day is the episodes open then;
//   - day by day, a condition (not Hold) with no open episode opens one on
//     that day; an open episode stays open while its condition (Hold or
//     not) is found, and closes on the first day it is not;
//   - the episodes from the first day on are matched with the stored ones
//     of the same rule and subject (the same opening day first, then any
//     overlap), which they update; the others are added;
//   - a stored episode from the first day on that no longer happened is
//     withdrawn: deleted, unless the webhook posted it or somebody handled
//     it, in which case it stays on record, resolved the day it opened.
//
// Alerts of rules not in rules are left alone.
func (db *DB) RecordAlertHistory(ctx context.Context, rules []string, days []AlertDay, mark AlertMark, at time.Time) (*AlertSync, error) {
	known := map[string]bool{}
	for _, r := range rules {
		known[r] = true
	}
	for i, d := range days {
		if i > 0 && !domain.Day(d.Day).After(domain.Day(days[i-1].Day)) {
			return nil, domain.Errorf(domain.EINVALID, "alert history days must ascend: %s after %s", dateStr(d.Day), dateStr(days[i-1].Day))
		}
		for _, c := range d.Conds {
			if !known[c.Rule] {
				return nil, domain.Errorf(domain.EINVALID, "alert condition of rule %q, which was not evaluated", c.Rule)
			}
			if c.Subject == "" || c.Message == "" {
				return nil, domain.Errorf(domain.EINVALID, "alert condition of rule %q needs a subject and a message", c.Rule)
			}
		}
	}
	res := &AlertSync{}
	err := db.writeTx(ctx, func(tx *sql.Tx) error { return recordAlertHistory(ctx, tx, db.dialect, rules, days, mark, at, res) })
	if err != nil {
		return nil, fmt.Errorf("store: unable to record the alert history: %w", err)
	}
	return res, nil
}

// recordAlertHistory is RecordAlertHistory's transaction, under the alerts
// lock (alertsLock).
func recordAlertHistory(ctx context.Context, tx *sql.Tx, d dialect, rules []string, days []AlertDay, mark AlertMark, at time.Time, res *AlertSync) error {
	if err := d.lockKey(ctx, tx, alertsLock); err != nil {
		return err
	}
	if len(days) > 0 && len(rules) > 0 {
		if err := rederiveAlerts(ctx, tx, rules, days, at, res); err != nil {
			return err
		}
	}
	if mark.seq > 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM alert_days_stale WHERE seq <= ?`, mark.seq); err != nil {
			return err
		}
	}
	if len(rules) == 0 {
		return nil
	}
	return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM alerts WHERE state = ? AND rule IN (`+alertPlaceholders(len(rules))+`)`,
		append([]any{AlertOpen}, alertArgs(rules)...)...).Scan(&res.Open)
}

// episode is one span of days a condition held: [opened, closed), closed
// zero while it holds on the last day.
type episode struct {
	key            string
	cond           AlertCondition // as found on its last day
	opened, closed time.Time
	row            *Alert // the stored episode it is; nil: a new one
}

func alertKey(rule, subject string) string { return rule + "\x00" + subject }

// rederiveAlerts derives the episodes of rules again from days on: it
// matches them with the stored ones, withdraws stored episodes that no
// longer happened, then closes and opens, counting each in res.
func rederiveAlerts(ctx context.Context, tx *sql.Tx, rules []string, days []AlertDay, at time.Time, res *AlertSync) error {
	from := domain.Day(days[0].Day)
	stored, err := queryAlerts(ctx, tx, domain.Day(at), `WHERE a.rule IN (`+alertPlaceholders(len(rules))+`)
		AND (a.closed_on IS NULL OR a.closed_on >= ?) ORDER BY a.opened_on, a.id`, append(alertArgs(rules), dateStr(from))...)
	if err != nil {
		return err
	}
	open, redo := splitStoredAlerts(stored, from)
	eps := deriveEpisodes(open, days)
	withdrawn := matchEpisodes(eps, redo)

	// Withdrawals, then closings, then openings: the store keeps at most one
	// open alert per rule and subject at every step.
	now := at.Unix()
	for _, a := range withdrawn {
		if err := withdrawAlert(ctx, tx, a, now); err != nil {
			return err
		}
		res.Withdrawn++
	}
	sort.SliceStable(eps, func(i, j int) bool { return !eps[i].closed.IsZero() && eps[j].closed.IsZero() })
	for _, e := range eps {
		var err error
		if e.row == nil {
			err = insertEpisode(ctx, tx, e, now, res)
		} else {
			err = updateEpisode(ctx, tx, e, now, res)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// splitStoredAlerts sorts the stored episodes: those opened before the
// first day from are open then (their history stays), by key; those from it
// on are to derive again.
func splitStoredAlerts(stored []Alert, from time.Time) (open map[string]*episode, redo map[string][]*Alert) {
	open = map[string]*episode{}
	redo = map[string][]*Alert{}
	for i := range stored {
		a := &stored[i]
		k := alertKey(a.Rule, a.Subject)
		if a.OpenedOn.Before(from) {
			open[k] = &episode{key: k, opened: a.OpenedOn, row: a,
				cond: AlertCondition{Rule: a.Rule, Subject: a.Subject, Member: a.Member, Message: a.Message,
					MessageKey: a.MessageKey, MessageArgs: a.MessageArgs}}
			continue
		}
		redo[k] = append(redo[k], a)
	}
	return open, redo
}

// deriveEpisodes walks the days from the episodes open before them: a
// condition found on a day continues its open episode or, unless it only
// holds one, opens a new one; an open episode whose condition is not found
// closes that day. It returns every episode, those open before the days
// first (by key), and leaves open the ones still open.
func deriveEpisodes(open map[string]*episode, days []AlertDay) []*episode {
	var eps []*episode
	for _, e := range open {
		eps = append(eps, e)
	}
	sort.Slice(eps, func(i, j int) bool { return eps[i].key < eps[j].key })
	for _, d := range days {
		day := domain.Day(d.Day)
		found, order := dayConditions(d)
		for _, k := range order {
			c := found[k]
			if e, ok := open[k]; ok {
				e.cond = c
			} else if !c.Hold {
				e := &episode{key: k, cond: c, opened: day}
				open[k] = e
				eps = append(eps, e)
			}
		}
		for k, e := range open {
			if _, ok := found[k]; !ok {
				e.closed = day
				delete(open, k)
			}
		}
	}
	return eps
}

// dayConditions returns the conditions of a day by key, and the keys in the
// order first found. Of a key found twice, a condition that opens wins over
// one that only holds.
func dayConditions(d AlertDay) (map[string]AlertCondition, []string) {
	found := map[string]AlertCondition{}
	var order []string
	for _, c := range d.Conds {
		k := alertKey(c.Rule, c.Subject)
		prev, seen := found[k]
		if !seen {
			order = append(order, k)
		}
		if !seen || (prev.Hold && !c.Hold) {
			found[k] = c
		}
	}
	return found, order
}

// withdrawAlert removes a stored episode that no longer happened, or, when
// someone handled it (notified, acknowledged, assigned, resolved, snoozed
// or commented), resolves it as of its opening day so that the record of
// the handling stays.
func withdrawAlert(ctx context.Context, tx *sql.Tx, a *Alert, now int64) error {
	handled := !a.NotifiedAt.IsZero() || !a.AcknowledgedAt.IsZero() || a.Assignee != "" || a.ResolvedBy != "" || !a.SnoozedUntil.IsZero()
	if !handled {
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM alert_comments WHERE alert_id = ?)`, a.ID).Scan(&handled); err != nil {
			return err
		}
	}
	q := `DELETE FROM alerts WHERE id = ?`
	args := []any{a.ID}
	if handled {
		q = `UPDATE alerts SET state = ?, closed_on = opened_on, resolved_at = COALESCE(resolved_at, ?), last_seen = ? WHERE id = ?`
		args = []any{AlertResolved, now, now, a.ID}
	}
	_, err := tx.ExecContext(ctx, q, args...)
	return err
}

// episodeState is the state of an episode and its closing day (NULL while
// open).
func episodeState(e *episode) (string, any) {
	state, closed := AlertOpen, nullDate(e.closed)
	if !e.closed.IsZero() {
		state = AlertResolved
	}
	return state, closed
}

// insertEpisode stores a new episode and adds it to res.Opened.
func insertEpisode(ctx context.Context, tx *sql.Tx, e *episode, now int64, res *AlertSync) error {
	c := e.cond
	state, closed := episodeState(e)
	var resolvedAt any
	if state == AlertResolved {
		resolvedAt = now
	}
	key, margs, err := messageColumns(c)
	if err != nil {
		return err
	}
	id, err := insertRow(ctx, tx, `INSERT INTO alerts (rule, subject, member, message, message_key, message_args, state, first_seen, last_seen, resolved_at, opened_on, closed_on)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.Rule, c.Subject, c.Member, c.Message, key, margs, state, now, now, resolvedAt, dateStr(e.opened), closed)
	if err != nil {
		return err
	}
	res.Opened = append(res.Opened, Alert{ID: id, Rule: c.Rule, Subject: c.Subject, Member: c.Member, Message: c.Message,
		MessageKey: c.MessageKey, MessageArgs: c.MessageArgs,
		State: state, FirstSeen: time.Unix(now, 0).UTC(), LastSeen: time.Unix(now, 0).UTC(), OpenedOn: e.opened, ClosedOn: e.closed})
	return nil
}

// updateEpisode rewrites a stored episode as derived again, adding it to
// res.Resolved when it closes now. A resolution time stays only when
// someone resolved it.
func updateEpisode(ctx context.Context, tx *sql.Tx, e *episode, now int64, res *AlertSync) error {
	c := e.cond
	state, closed := episodeState(e)
	resolvedAt := `CASE WHEN resolved_by <> '' THEN resolved_at END`
	if state == AlertResolved {
		resolvedAt = `COALESCE(resolved_at, ?)`
	}
	key, margs, err := messageColumns(c)
	if err != nil {
		return err
	}
	args := []any{c.Member, c.Message, key, margs, state, now, dateStr(e.opened), closed}
	if state == AlertResolved {
		args = append(args, now)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE alerts SET member = ?, message = ?, message_key = ?, message_args = ?, state = ?, last_seen = ?, opened_on = ?, closed_on = ?,
		resolved_at = `+resolvedAt+` WHERE id = ?`, append(args, e.row.ID)...); err != nil {
		return err
	}
	if state == AlertResolved && e.row.State == AlertOpen {
		a := *e.row
		a.State, a.ClosedOn, a.Message = AlertResolved, e.closed, c.Message
		a.MessageKey, a.MessageArgs = c.MessageKey, c.MessageArgs
		res.Resolved = append(res.Resolved, a)
	}
	return nil
}

// matchEpisodes gives each derived episode that opened from the first day
// on the stored episode it is — of the same rule and subject, opened the
// same day, or else overlapping it — and returns the stored ones no derived
// episode is.
func matchEpisodes(eps []*episode, redo map[string][]*Alert) []*Alert {
	byKey := map[string][]*episode{}
	for _, e := range eps {
		if e.row == nil {
			byKey[e.key] = append(byKey[e.key], e)
		}
	}
	var left []*Alert
	keys := make([]string, 0, len(redo))
	for k := range redo {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		rows := redo[k]
		used := make([]bool, len(rows))
		for _, same := range []bool{true, false} {
			for _, e := range byKey[k] {
				if e.row != nil {
					continue
				}
				for i, r := range rows {
					if used[i] {
						continue
					}
					if (same && r.OpenedOn.Equal(e.opened)) || (!same && overlaps(e, r)) {
						e.row, used[i] = r, true
						break
					}
				}
			}
		}
		for i, r := range rows {
			if !used[i] {
				left = append(left, r)
			}
		}
	}
	return left
}

// overlaps reports whether an episode and a stored one share a day.
func overlaps(e *episode, a *Alert) bool {
	endsAfter := func(end, day time.Time) bool { return end.IsZero() || end.After(day) }
	return endsAfter(e.closed, a.OpenedOn) && endsAfter(a.ClosedOn, e.opened)
}
