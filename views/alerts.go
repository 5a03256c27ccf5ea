package views

import (
	"context"
	"slices"
	"sort"
	"strconv"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// Alert rules, as they are named in configuration and stored.
const (
	RuleHealthBelow      = "health_below"
	RuleHealthDrop       = "health_drop"
	RuleUsageDrop        = "usage_drop"       // change signal usage_drop
	RuleDormant          = "dormant"          // change signal dormant
	RuleLatency          = "latency"          // change signal latency
	RuleErrors4xx        = "errors_4xx"       // change signal errors_4xx
	RuleErrors5xx        = "errors_5xx"       // change signal errors_5xx
	RuleErrorRate        = "error_rate"       // failed share of the last 7 days against a fixed SLO
	RuleUnanswered       = "unanswered"       // change signals unanswered and slow_response
	RuleContributorLoss  = "contributor_loss" // change signals contribution_drop and contributor_loss
	RuleMilestoneOverdue = "milestone_overdue"
	RuleSourceStale      = "source_stale"
	RuleSunset           = "sunset" // a member still calls an API version near its sunset (docs/api-versions.md)
)

// MemberAlertRules are the rules about members: evaluated on every scored
// day, so they have a history (app/alerts_history.go).
var MemberAlertRules = []string{RuleHealthBelow, RuleHealthDrop, RuleUsageDrop, RuleDormant, RuleLatency,
	RuleErrors4xx, RuleErrors5xx, RuleErrorRate, RuleUnanswered, RuleContributorLoss, RuleMilestoneOverdue, RuleSunset}

// SourceAlertRules are evaluated at the time of the evaluation.
var SourceAlertRules = []string{RuleSourceStale}

// AlertRules are every alert rule, in the order pages list them.
var AlertRules = append(slices.Clone(MemberAlertRules), SourceAlertRules...)

// ruleLabels name the rules for people.
var ruleLabels = map[string]string{
	RuleHealthBelow:      "Low health",
	RuleHealthDrop:       "Health drop",
	RuleUsageDrop:        "API usage drop",
	RuleDormant:          "Dormant",
	RuleLatency:          "Latency over SLO",
	RuleErrors4xx:        "4xx rate rising",
	RuleErrors5xx:        "5xx rate rising",
	RuleErrorRate:        "API errors over SLO",
	RuleUnanswered:       "Threads unanswered",
	RuleContributorLoss:  "Contributors leaving",
	RuleMilestoneOverdue: "Milestone overdue",
	RuleSourceStale:      "Source stopped collecting",
	RuleSunset:           "API version near its sunset",
}

// RuleLabel names an alert rule for people.
func RuleLabel(rule string) string {
	if l, ok := ruleLabels[rule]; ok {
		return l
	}
	return rule
}

// AlertRow is an alert as pages, /api/v1/alerts and `ecopulse alerts`
// show it: its days as YYYY-MM-DD, and the page of its inbox entry.
type AlertRow struct {
	data.Alert
	RuleLabel    string  `json:"rule_label"`
	OpenedDay    string  `json:"opened_on"`               // the scored day its condition was first found
	ClosedDay    *string `json:"closed_on"`               // the scored day it was found cleared; null while it holds
	SnoozedUntil string  `json:"snoozed_until,omitempty"` // hidden from the inbox until this day
	URL          string  `json:"url"`                     // its inbox entry
	// Text is the message in a reader's language, set by InLanguage;
	// Message stays the English the engine found.
	Text string `json:"text,omitempty"`
}

// InLanguage sets each alert's Text to its message in tr's language, where
// that is not the English message.
func (in *AlertInbox) InLanguage(tr Tr) {
	for i := range in.Alerts {
		r := &in.Alerts[i]
		if s := AlertMessage(tr, r.MessageKey, r.MessageArgs, r.Message); s != r.Message {
			r.Text = s
		}
	}
}

// alertRow is the row of a stored alert.
func alertRow(a data.Alert) AlertRow {
	r := AlertRow{Alert: a, RuleLabel: RuleLabel(a.Rule), URL: "/alerts/" + strconv.FormatInt(a.ID, 10)}
	if !a.OpenedOn.IsZero() {
		r.OpenedDay = a.OpenedOn.Format(domain.DateLayout)
	}
	if !a.ClosedOn.IsZero() {
		d := a.ClosedOn.Format(domain.DateLayout)
		r.ClosedDay = &d
	}
	if a.Status == data.AlertStatusSnoozed {
		r.SnoozedUntil = a.SnoozedUntil.Format(domain.DateLayout)
	}
	return r
}

// Alerts is a member page's alerts (and its JSON's): the alerts not
// resolved, by rule then newest first, and the latest resolved ones.
type Alerts struct {
	Member   string     `json:"member,omitempty"` // the member they are about; empty: everyone
	Open     []AlertRow `json:"open"`             // open, acknowledged or snoozed
	Resolved []AlertRow `json:"resolved"`         // at most resolvedAlerts, most recent first
}

// resolvedAlerts is how many resolved alerts BuildAlerts returns.
const resolvedAlerts = 20

// BuildAlerts returns the alerts about a member not resolved and the
// recently resolved ones (every alert when memberSlug is empty): member
// pages and their JSON call it.
func BuildAlerts(ctx context.Context, db *data.DB, memberSlug string) (*Alerts, error) {
	open, err := db.Alerts(ctx, data.AlertFilter{Member: memberSlug,
		Statuses: []string{data.AlertStatusOpen, data.AlertStatusAcknowledged, data.AlertStatusSnoozed}})
	if err != nil {
		return nil, err
	}
	resolved, err := db.Alerts(ctx, data.AlertFilter{Statuses: []string{data.AlertStatusResolved}, Member: memberSlug, Limit: resolvedAlerts})
	if err != nil {
		return nil, err
	}
	return alertsOf(memberSlug, open, resolved), nil
}

// alertsOf is BuildAlerts once the alerts not resolved and the latest
// resolved ones have been read.
func alertsOf(memberSlug string, open, resolved []data.Alert) *Alerts {
	out := &Alerts{Member: memberSlug, Open: []AlertRow{}, Resolved: []AlertRow{}}
	// Open alerts go by rule (in AlertRules' order: members' health first),
	// then the newest first.
	sort.SliceStable(open, func(i, j int) bool {
		if ri, rj := ruleRank(open[i].Rule), ruleRank(open[j].Rule); ri != rj {
			return ri < rj
		}
		return open[i].OpenedOn.After(open[j].OpenedOn)
	})
	for _, a := range open {
		out.Open = append(out.Open, alertRow(a))
	}
	for _, a := range resolved {
		out.Resolved = append(out.Resolved, alertRow(a))
	}
	return out
}

// ruleRank orders rules as AlertRules does; unknown ones last.
func ruleRank(rule string) int {
	if i := slices.Index(AlertRules, rule); i >= 0 {
		return i
	}
	return len(AlertRules)
}
