package views

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// The alert inbox: /alerts, /api/v1/alerts and `ecopulse alerts` select
// with an AlertQuery and build with BuildAlertInbox, so the page, the JSON
// and the command list the same alerts; /alerts/:id and /api/v1/alerts/:id
// are BuildAlertDetail.

// Inbox states a query selects: one inbox status (data.AlertStatus*), or
// these.
const (
	AlertStateActive = "active" // open and acknowledged: what needs somebody (the default without at)
	AlertStateAll    = "all"    // every status (the default with at)
)

// alertStates are the states a query may name, in the inbox's tab order.
var alertStates = []string{AlertStateActive, data.AlertStatusOpen, data.AlertStatusAcknowledged,
	data.AlertStatusSnoozed, data.AlertStatusResolved, AlertStateAll}

// Bounds of an inbox page.
const (
	alertPageDefault = 200
	alertPageMax     = 1000
)

// AlertQuery selects alerts for the inbox.
type AlertQuery struct {
	State    string `json:"state"`              // see alertStates
	Rule     string `json:"rule,omitempty"`     // an alert rule
	Member   string `json:"member,omitempty"`   // a member slug
	Assignee string `json:"assignee,omitempty"` // a user name
	At       string `json:"at,omitempty"`       // YYYY-MM-DD: the alerts whose condition held that day
	Limit    int    `json:"limit"`
	Offset   int    `json:"offset"`
}

// ParseAlertQuery reads an inbox query from URL parameters (get returns ""
// for a missing one), naming the parameter of a bad value.
func ParseAlertQuery(get func(string) string) (AlertQuery, error) {
	q := AlertQuery{State: strings.TrimSpace(get("state")), Rule: strings.TrimSpace(get("rule")),
		Member: strings.TrimSpace(get("member")), Assignee: strings.TrimSpace(get("assignee"))}
	if at := strings.TrimSpace(get("at")); at != "" {
		d, err := ParseQueryDay("at", at)
		if err != nil {
			return q, err
		}
		q.At = d.Format(domain.DateLayout)
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"limit", &q.Limit}, {"offset", &q.Offset}} {
		v := strings.TrimSpace(get(p.name))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return q, domain.ErrorKey(domain.EINVALID, "errors.query.not_whole", domain.Facts{"Name": p.name, "Value": fmt.Sprintf("%q", v)}, "%s: %q is not a whole number of 0 or more", p.name, v)
		}
		*p.dst = n
	}
	return q, q.normalize()
}

// normalize fills the defaults and checks the values.
func (q *AlertQuery) normalize() error {
	if q.State == "" {
		q.State = AlertStateActive
		if q.At != "" {
			q.State = AlertStateAll
		}
	}
	if !slices.Contains(alertStates, q.State) {
		state := fmt.Sprintf("%q", q.State)
		return newPageError(func(tr Tr) string {
			return tr("pageerr.alert_state", "Value", state, "States", strings.Join(alertStates, ", "))
		})
	}
	if q.Rule != "" && !slices.Contains(AlertRules, q.Rule) {
		rule := fmt.Sprintf("%q", q.Rule)
		return newPageError(func(tr Tr) string { return tr("pageerr.alert_rule", "Value", rule) })
	}
	switch {
	case q.Limit == 0:
		q.Limit = alertPageDefault
	case q.Limit > alertPageMax:
		return newPageError(func(tr Tr) string { return tr("pageerr.limit", "Max", alertPageMax) })
	}
	if q.Offset < 0 {
		return newPageError(func(tr Tr) string { return tr("pageerr.offset") })
	}
	return nil
}

// statuses are the inbox statuses the query's state selects.
func (q AlertQuery) statuses() []string {
	switch q.State {
	case AlertStateActive:
		return []string{data.AlertStatusOpen, data.AlertStatusAcknowledged}
	case AlertStateAll:
		return nil
	}
	return []string{q.State}
}

// AlertInbox is /api/v1/alerts (and `ecopulse alerts --json`): the alerts
// a query selects, and how many there are in each inbox status.
type AlertInbox struct {
	Query  AlertQuery     `json:"query"`
	Counts map[string]int `json:"counts"` // per inbox status, for the query's rule, member, assignee and day, whatever its state
	Total  int            `json:"total"`  // alerts the query selects; Alerts is Limit of them from Offset
	Alerts []AlertRow     `json:"alerts"`
}

// BuildAlertInbox returns the alerts q selects, snoozes judged on today.
// A member that does not exist is ENOTFOUND.
func BuildAlertInbox(ctx context.Context, db *data.DB, q AlertQuery, today time.Time) (*AlertInbox, error) {
	return oneRead(ctx, db, func(ctx context.Context) (*AlertInbox, error) { return readAlertInbox(ctx, db, q, today) })
}

// readAlertInbox is BuildAlertInbox inside its snapshot.
func readAlertInbox(ctx context.Context, db *data.DB, q AlertQuery, today time.Time) (*AlertInbox, error) {
	if err := q.normalize(); err != nil {
		return nil, err
	}
	if q.Member != "" {
		if _, err := db.MemberBySlug(ctx, q.Member); err != nil {
			return nil, err
		}
	}
	f := data.AlertFilter{Rule: q.Rule, Member: q.Member, Assignee: q.Assignee, Statuses: q.statuses(), Today: today,
		Limit: q.Limit, Offset: q.Offset}
	if q.At != "" {
		at, err := ParseQueryDay("at", q.At)
		if err != nil {
			return nil, err
		}
		f.At = at
	}
	out := &AlertInbox{Query: q, Alerts: []AlertRow{}}
	var err error
	if out.Counts, err = db.AlertCounts(ctx, f); err != nil {
		return nil, err
	}
	for _, s := range data.AlertStatuses {
		if len(f.Statuses) == 0 || slices.Contains(f.Statuses, s) {
			out.Total += out.Counts[s]
		}
	}
	alerts, err := db.Alerts(ctx, f)
	if err != nil {
		return nil, err
	}
	for _, a := range alerts {
		out.Alerts = append(out.Alerts, alertRow(a))
	}
	return out, nil
}

// AlertDetail is /api/v1/alerts/:id and the inbox entry /alerts/:id: the
// alert, its comments, and the other episodes of its rule and subject.
type AlertDetail struct {
	Alert    AlertRow            `json:"alert"`
	Comments []data.AlertComment `json:"comments"` // oldest first
	Episodes []AlertRow          `json:"episodes"` // the other times its condition held, newest first (at most alertEpisodes)
}

// alertEpisodes bounds the episodes an entry lists.
const alertEpisodes = 50

// BuildAlertDetail returns an alert's entry, or ENOTFOUND.
func BuildAlertDetail(ctx context.Context, db *data.DB, id int64, today time.Time) (*AlertDetail, error) {
	return oneRead(ctx, db, func(ctx context.Context) (*AlertDetail, error) { return readAlertDetail(ctx, db, id, today) })
}

// readAlertDetail is BuildAlertDetail inside its snapshot.
func readAlertDetail(ctx context.Context, db *data.DB, id int64, today time.Time) (*AlertDetail, error) {
	a, comments, err := db.AlertByID(ctx, id, today)
	if err != nil {
		return nil, err
	}
	out := &AlertDetail{Alert: alertRow(*a), Comments: comments, Episodes: []AlertRow{}}
	others, err := db.Alerts(ctx, data.AlertFilter{Rule: a.Rule, Today: today, Limit: alertEpisodes + 1, Subject: a.Subject})
	if err != nil {
		return nil, err
	}
	for _, o := range others {
		if o.ID != a.ID && len(out.Episodes) < alertEpisodes {
			out.Episodes = append(out.Episodes, alertRow(o))
		}
	}
	slices.SortStableFunc(out.Episodes, func(x, y AlertRow) int { return strings.Compare(y.OpenedDay, x.OpenedDay) })
	return out, nil
}
