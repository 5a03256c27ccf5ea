package views

import (
	"context"
	"slices"
	"sort"

	"github.com/ecopulse/ecopulse/data"
)

// Alert rules, as they are named in configuration and stored.
const (
	RuleHealthBelow      = "health_below"
	RuleHealthDrop       = "health_drop"
	RuleErrorRate        = "error_rate"
	RuleMilestoneOverdue = "milestone_overdue"
	RuleSourceStale      = "source_stale"
)

// AlertRules are every alert rule, in the order pages list them.
var AlertRules = []string{RuleHealthBelow, RuleHealthDrop, RuleErrorRate, RuleMilestoneOverdue, RuleSourceStale}

// ruleLabels name the rules for people.
var ruleLabels = map[string]string{
	RuleHealthBelow:      "Low health",
	RuleHealthDrop:       "Health drop",
	RuleErrorRate:        "API errors over SLO",
	RuleMilestoneOverdue: "Milestone overdue",
	RuleSourceStale:      "Source stopped collecting",
}

// RuleLabel names an alert rule for people.
func RuleLabel(rule string) string {
	if l, ok := ruleLabels[rule]; ok {
		return l
	}
	return rule
}

// AlertRow is an alert as pages and /api/v1/alerts show it.
type AlertRow struct {
	data.Alert
	RuleLabel string `json:"rule_label"`
}

// Alerts is /api/v1/alerts (and a member page's alerts): the open alerts,
// by rule then newest first, and the latest resolved ones.
type Alerts struct {
	Member   string     `json:"member,omitempty"` // the member they are about; empty: everyone
	Open     []AlertRow `json:"open"`
	Resolved []AlertRow `json:"resolved"` // at most resolvedAlerts, most recent first
}

// resolvedAlerts is how many resolved alerts BuildAlerts returns.
const resolvedAlerts = 20

// BuildAlerts returns the open and recently resolved alerts about a member
// (every alert when memberSlug is empty). /api/v1/alerts, the overview's
// "Open alerts" card and member pages all call it.
func BuildAlerts(ctx context.Context, db *data.DB, memberSlug string) (*Alerts, error) {
	out := &Alerts{Member: memberSlug, Open: []AlertRow{}, Resolved: []AlertRow{}}
	open, err := db.Alerts(ctx, data.AlertFilter{State: data.AlertOpen, Member: memberSlug})
	if err != nil {
		return nil, err
	}
	resolved, err := db.Alerts(ctx, data.AlertFilter{State: data.AlertResolved, Member: memberSlug, Limit: resolvedAlerts})
	if err != nil {
		return nil, err
	}
	// Open alerts go by rule (in AlertRules' order: members' health first),
	// then the newest first.
	rank := func(rule string) int {
		if i := slices.Index(AlertRules, rule); i >= 0 {
			return i
		}
		return len(AlertRules)
	}
	sort.SliceStable(open, func(i, j int) bool {
		if ri, rj := rank(open[i].Rule), rank(open[j].Rule); ri != rj {
			return ri < rj
		}
		return open[i].FirstSeen.After(open[j].FirstSeen)
	})
	for _, a := range open {
		out.Open = append(out.Open, AlertRow{Alert: a, RuleLabel: RuleLabel(a.Rule)})
	}
	for _, a := range resolved {
		out.Resolved = append(out.Resolved, AlertRow{Alert: a, RuleLabel: RuleLabel(a.Rule)})
	}
	return out, nil
}
