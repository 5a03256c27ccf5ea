package app

import (
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/views"
)

// changeRule is an alert rule on a group of change signals: its key and
// thresholds (the kinds it watches are the engine's: changeKinds).
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
