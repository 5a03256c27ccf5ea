package alerting

import (
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// changeRule is an alert rule on a group of change signals: its key and
// thresholds (the kinds it watches: changeKinds).
type changeRule struct {
	key string // the rule's name, and its key under alerts in the configuration
	config.ChangeRule
}

// changeRules are the rules on change signals, with their thresholds.
func changeRules(c config.AlertConfig) []changeRule {
	return []changeRule{
		{views.RuleUsageDrop, c.UsageDrop},
		{views.RuleDormant, c.Dormant},
		{views.RuleLatency, c.Latency},
		{views.RuleErrors4xx, c.Errors4xx},
		{views.RuleErrors5xx, c.Errors5xx},
		{views.RuleUnanswered, c.Unanswered},
		{views.RuleContributorLoss, c.ContributorLoss},
	}
}

// changeKinds are the domain.Change kinds each change rule watches, by the
// rule's key (changeRules).
var changeKinds = map[string][]string{
	views.RuleUsageDrop:       {domain.ChangeUsageDrop},
	views.RuleDormant:         {domain.ChangeDormant},
	views.RuleLatency:         {domain.ChangeLatency},
	views.RuleErrors4xx:       {domain.ChangeErrors4xx},
	views.RuleErrors5xx:       {domain.ChangeErrors5xx},
	views.RuleUnanswered:      {domain.ChangeUnanswered, domain.ChangeSlowResponse},
	views.RuleContributorLoss: {domain.ChangeContributionDrop, domain.ChangeContributorLoss},
}
