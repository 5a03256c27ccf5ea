package app

import (
	"slices"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// changeRule is an alert rule on a group of change signals.
type changeRule struct {
	key   string   // the rule's name, and its key under alerts in the configuration
	kinds []string // the domain.Change kinds it watches
	config.ChangeRule
}

// changeRules are the rules on change signals, with their thresholds.
func changeRules(c config.AlertConfig) []changeRule {
	return []changeRule{
		{views.RuleUsageDrop, []string{domain.ChangeUsageDrop}, c.UsageDrop},
		{views.RuleDormant, []string{domain.ChangeDormant}, c.Dormant},
		{views.RuleLatency, []string{domain.ChangeLatency}, c.Latency},
		{views.RuleErrors4xx, []string{domain.ChangeErrors4xx}, c.Errors4xx},
		{views.RuleErrors5xx, []string{domain.ChangeErrors5xx}, c.Errors5xx},
		{views.RuleUnanswered, []string{domain.ChangeUnanswered, domain.ChangeSlowResponse}, c.Unanswered},
		{views.RuleContributorLoss, []string{domain.ChangeContributionDrop, domain.ChangeContributorLoss}, c.ContributorLoss},
	}
}

// changeConditions judges each member's change signals of a day against
// the enabled change rules. A rule's signal is the worst of its kinds: below
// OpenBelow it opens an alert (or keeps one open), below CloseAt it only
// keeps one open (Hold), at or above CloseAt — or not reported, which the
// model does for a signal that is fine or lacks the evidence to speak — it
// is no condition. The message is the signal's own sentence, in words and
// numbers. Volumes are not judged again here: the signals weigh them.
func changeConditions(cfg config.AlertConfig, scores []data.ScoredMember) []data.AlertCondition {
	var conds []data.AlertCondition
	rules := changeRules(cfg)
	for _, m := range scores {
		if len(m.Score.Changes) == 0 {
			continue
		}
		for _, r := range rules {
			if r.OpenBelow <= 0 {
				continue
			}
			var worst *domain.Change
			for i := range m.Score.Changes {
				ch := &m.Score.Changes[i]
				if !slices.Contains(r.kinds, ch.Kind) {
					continue
				}
				if worst == nil || ch.Score < worst.Score {
					worst = ch
				}
			}
			if worst == nil || !(worst.Score < r.CloseAt) {
				continue
			}
			conds = append(conds, data.AlertCondition{Rule: r.key, Subject: m.Slug, Member: m.Slug,
				Message: worst.Text(), Hold: worst.Score >= r.OpenBelow})
		}
	}
	return conds
}
