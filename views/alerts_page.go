package views

import (
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// AlertsPage is what the inbox page shows beyond its JSON: the tabs, the
// filters' choices, and the actions of a viewer who may act.
type AlertsPage struct {
	AlertInbox
	CanAct bool   // a manager: the rows have their actions
	CSRF   string // the session's token, for the forms
	Self   string // this page's URL: where an action comes back to
	Tabs   []alertTab
	Rules  []alertOption
	Member []alertOption
	Users  []alertOption
	Prev   string // the previous page of results, or empty
	Next   string // the next page, or empty
}

type alertTab struct {
	Label  string
	URL    string
	Count  int
	Active bool
}

type alertOption struct {
	Value, Label string
	Selected     bool
}

// alertStateLabels name the inbox tabs.
var alertStateLabels = map[string]string{
	AlertStateActive:             "Needs action",
	data.AlertStatusOpen:         "Open",
	data.AlertStatusAcknowledged: "Acknowledged",
	data.AlertStatusSnoozed:      "Snoozed",
	data.AlertStatusResolved:     "Resolved",
	AlertStateAll:                "All",
}

// url is the inbox page of q.
func (q AlertQuery) url() string {
	v := url.Values{}
	state := q.State
	if def := (AlertQuery{At: q.At}); def.normalize() == nil && def.State == state {
		state = "" // the default: the inbox's plain address
	}
	for _, p := range []struct{ k, v string }{{"state", state}, {"rule", q.Rule}, {"member", q.Member},
		{"assignee", q.Assignee}, {"at", q.At}} {
		if p.v != "" {
			v.Set(p.k, p.v)
		}
	}
	if q.Offset > 0 {
		v.Set("offset", strconv.Itoa(q.Offset))
	}
	if q.Limit != alertPageDefault && q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if len(v) == 0 {
		return "/alerts"
	}
	return "/alerts?" + v.Encode()
}

// NewAlertsPage lays an inbox out: tabs with their counts, the filters'
// choices (members and users as the store lists them), paging links.
func NewAlertsPage(in AlertInbox, members []domain.Member, users []domain.User, canAct bool, csrf string) AlertsPage {
	q := in.Query
	p := AlertsPage{AlertInbox: in, CanAct: canAct, CSRF: csrf, Self: q.url()}
	for _, s := range alertStates {
		t := q
		t.State, t.Offset = s, 0
		n := 0
		switch s {
		case AlertStateActive:
			n = in.Counts[data.AlertStatusOpen] + in.Counts[data.AlertStatusAcknowledged]
		case AlertStateAll:
			for _, c := range in.Counts {
				n += c
			}
		default:
			n = in.Counts[s]
		}
		p.Tabs = append(p.Tabs, alertTab{Label: alertStateLabels[s], URL: t.url(), Count: n, Active: s == q.State})
	}
	for _, r := range AlertRules {
		p.Rules = append(p.Rules, alertOption{Value: r, Label: RuleLabel(r), Selected: r == q.Rule})
	}
	for _, m := range members {
		p.Member = append(p.Member, alertOption{Value: m.Slug, Label: m.Name, Selected: m.Slug == q.Member})
	}
	for _, u := range users {
		if !u.Disabled {
			p.Users = append(p.Users, alertOption{Value: u.Name, Label: u.Name, Selected: u.Name == q.Assignee})
		}
	}
	if q.Offset > 0 {
		prev := q
		prev.Offset = max(0, q.Offset-q.Limit)
		p.Prev = prev.url()
	}
	if q.Offset+len(in.Alerts) < in.Total {
		next := q
		next.Offset = q.Offset + len(in.Alerts)
		p.Next = next.url()
	}
	return p
}

// AlertsPage writes the inbox, /alerts.
func (r *Renderer) AlertsPage(w io.Writer, p AlertsPage) error {
	return r.render(w, "alerts", layoutData{Title: r.Tr()("nav.alerts"), Active: "/alerts", Page: p})
}

// AlertPage is an inbox entry, /alerts/:id: its JSON, the actions of a
// viewer who may act and a problem with the last one.
type AlertPage struct {
	AlertDetail
	CanAct   bool
	CSRF     string
	Users    []alertOption
	Tomorrow string // the earliest day a snooze may end
	Problem  string // why the last action was refused
}

// NewAlertPage lays an inbox entry out.
func NewAlertPage(d AlertDetail, users []domain.User, canAct bool, csrf string, today time.Time) AlertPage {
	p := AlertPage{AlertDetail: d, CanAct: canAct && d.Alert.Status != data.AlertStatusResolved, CSRF: csrf,
		Tomorrow: domain.Day(today).AddDate(0, 0, 1).Format(domain.DateLayout)}
	for _, u := range users {
		if !u.Disabled {
			p.Users = append(p.Users, alertOption{Value: u.Name, Label: u.Name, Selected: u.Name == d.Alert.Assignee})
		}
	}
	return p
}

// AlertPage writes an inbox entry.
func (r *Renderer) AlertPage(w io.Writer, p AlertPage) error {
	tr := r.Tr()
	rule := p.Alert.RuleLabel
	if key := "alert_rule." + p.Alert.Rule; tr(key) != key { // a rule the catalogues name (a missing key shows as itself)
		rule = tr(key)
	}
	return r.render(w, "alert", layoutData{Title: tr("alertpage.title", "ID", strconv.FormatInt(p.Alert.ID, 10), "Rule", rule),
		Active: "/alerts", Page: p})
}
