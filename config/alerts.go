package config

import (
	"net/url"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// AlertConfig holds the alert rules (config key "alerts"). A rule whose
// threshold is zero is off.
type AlertConfig struct {
	// HealthBelow opens an alert for a member whose health is below it.
	HealthBelow float64 `yaml:"health_below"`
	// HealthDrop opens an alert for a member whose health fell by at least
	// this many points against 7 days earlier. Off by default: evaluated on
	// every scored day, a week's difference of a composite score flaps on
	// small members (on the planted ecosystem, 10 points flagged 9 of 20
	// steady members), and the change rules below say what fell, weighing
	// the evidence.
	HealthDrop float64 `yaml:"health_drop"`
	// ErrorRateSLO opens an alert for a member whose share of failed API
	// calls (5xx, plus 4xx with ErrorRateCounts4xx) over the last 7 days is
	// above it — judged on the share's Wilson lower bound (one-sided 95 %),
	// so that a few errors in few calls are not an incident — once it made
	// at least ErrorRateMinCalls calls.
	ErrorRateSLO       float64 `yaml:"error_rate_slo"`
	ErrorRateMinCalls  int64   `yaml:"error_rate_min_calls"`
	ErrorRateCounts4xx bool    `yaml:"error_rate_counts_4xx"`
	// MilestoneOverdue opens an alert per member and project with a
	// milestone due before today that is still open.
	MilestoneOverdue bool `yaml:"milestone_overdue"`
	// SourceStaleIntervals opens an alert for a configured source with no
	// successful run within this many of its schedule's intervals.
	SourceStaleIntervals float64 `yaml:"source_stale_intervals"`
	// SourceMaxAge does the same for sources that ran but have no schedule
	// here (push ingest, the demo feed): no successful run within it.
	SourceMaxAge time.Duration `yaml:"source_max_age"`
	// SunsetDays opens an alert for a member that still called a version
	// (api_versions) in the last SunsetDays days once its sunset is at most
	// SunsetDays away, or past (0: off).
	SunsetDays int `yaml:"sunset_days"`

	// Rules on the members' change signals (domain.Change; docs/scoring.md,
	// "What changed"), one per group of kinds. The signals already weigh
	// their evidence (volumes, Wilson bounds, the member's own baseline):
	// the rules only compare their scores with the thresholds.
	UsageDrop       ChangeRule `yaml:"usage_drop"`       // usage_drop
	Dormant         ChangeRule `yaml:"dormant"`          // dormant
	Latency         ChangeRule `yaml:"latency"`          // latency
	Errors4xx       ChangeRule `yaml:"errors_4xx"`       // errors_4xx
	Errors5xx       ChangeRule `yaml:"errors_5xx"`       // errors_5xx
	Unanswered      ChangeRule `yaml:"unanswered"`       // unanswered, slow_response
	ContributorLoss ChangeRule `yaml:"contributor_loss"` // contribution_drop, contributor_loss

	Webhook WebhookConfig `yaml:"webhook"`
}

// ChangeRule opens an alert about a member when one of its rule's change
// signals scores below OpenBelow (scores are in [0,1], 0 at collapse), and
// closes it only once none is below CloseAt: a member whose signal hovers
// around one threshold does not flap. OpenBelow 0 turns the rule off.
type ChangeRule struct {
	OpenBelow float64 `yaml:"open_below"`
	CloseAt   float64 `yaml:"close_at"`
}

// WebhookConfig posts newly opened alerts as Slack-compatible JSON.
type WebhookConfig struct {
	// URL is where alerts are posted (empty: no webhook). Its path is a
	// credential (Slack's), so `ecopulse config` masks it.
	URL string `yaml:"url" secret:"true"`

	Attempts int           `yaml:"attempts"` // tries per alert and evaluation
	Backoff  time.Duration `yaml:"backoff"`  // wait before the second try, doubled after each
	Timeout  time.Duration `yaml:"timeout"`  // per request
	// Rounds is how many evaluations in a row may fail to deliver an alert
	// before it is given up on (it stays open and listed).
	Rounds int `yaml:"rounds"`
}

// defaultChangeRule opens below 0.5 — where a signal already caps health
// under the healthy band (docs/scoring.md) — and closes at 0.75, the drop
// ratio the model calls fine: a signal must recover half of the way, not
// just cross back over 0.5.
var defaultChangeRule = ChangeRule{OpenBelow: 0.5, CloseAt: 0.75}

// DefaultAlertConfig returns the alert defaults.
func DefaultAlertConfig() AlertConfig {
	return AlertConfig{
		HealthBelow:          40,
		HealthDrop:           0,
		ErrorRateSLO:         0.02,
		ErrorRateMinCalls:    100,
		MilestoneOverdue:     true,
		SourceStaleIntervals: 3,
		SourceMaxAge:         24 * time.Hour,
		SunsetDays:           30,
		UsageDrop:            defaultChangeRule,
		Dormant:              defaultChangeRule,
		Latency:              defaultChangeRule,
		Errors4xx:            defaultChangeRule,
		Errors5xx:            defaultChangeRule,
		Unanswered:           defaultChangeRule,
		ContributorLoss:      defaultChangeRule,
		Webhook:              WebhookConfig{Attempts: 4, Backoff: time.Second, Timeout: 10 * time.Second, Rounds: 5},
	}
}

// validate reports a change rule's thresholds that cannot work.
func (r ChangeRule) validate(key string) error {
	switch {
	case r.OpenBelow == 0:
		return nil // off
	case !(r.OpenBelow > 0 && r.OpenBelow < 1):
		return domain.Errorf(domain.EINVALID, "config: alerts.%s.open_below must be within [0, 1) (0: off)", key)
	case !(r.CloseAt > r.OpenBelow && r.CloseAt <= 1):
		return domain.Errorf(domain.EINVALID, "config: alerts.%s.close_at must be above open_below and at most 1", key)
	}
	return nil
}

// Validate reports the first alert setting that cannot work.
func (c AlertConfig) Validate() error {
	switch {
	case c.HealthBelow < 0 || c.HealthBelow > 100:
		return domain.Errorf(domain.EINVALID, "config: alerts.health_below must be within 0–100")
	case c.HealthDrop < 0 || c.HealthDrop > 100:
		return domain.Errorf(domain.EINVALID, "config: alerts.health_drop must be within 0–100")
	case c.ErrorRateSLO < 0 || c.ErrorRateSLO >= 1:
		return domain.Errorf(domain.EINVALID, "config: alerts.error_rate_slo must be a share within [0, 1)")
	case c.ErrorRateMinCalls < 0:
		return domain.Errorf(domain.EINVALID, "config: alerts.error_rate_min_calls cannot be negative")
	case c.SourceStaleIntervals < 0 || c.SourceMaxAge < 0:
		return domain.Errorf(domain.EINVALID, "config: alerts.source_stale_intervals and source_max_age cannot be negative")
	case c.SunsetDays < 0 || c.SunsetDays > MaxSunsetDays:
		return domain.Errorf(domain.EINVALID, "config: alerts.sunset_days must be within 0–%d (0: off)", MaxSunsetDays)
	}
	for _, r := range []struct {
		key  string
		rule ChangeRule
	}{
		{"usage_drop", c.UsageDrop}, {"dormant", c.Dormant}, {"latency", c.Latency}, {"errors_4xx", c.Errors4xx},
		{"errors_5xx", c.Errors5xx}, {"unanswered", c.Unanswered}, {"contributor_loss", c.ContributorLoss},
	} {
		if err := r.rule.validate(r.key); err != nil {
			return err
		}
	}
	w := c.Webhook
	if w.URL != "" {
		u, err := url.Parse(w.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return domain.Errorf(domain.EINVALID, "config: alerts.webhook.url must be an http(s) URL")
		}
	}
	if w.Attempts < 1 || w.Attempts > 10 {
		return domain.Errorf(domain.EINVALID, "config: alerts.webhook.attempts must be within 1–10")
	}
	if w.Backoff < 0 || w.Backoff > time.Minute {
		return domain.Errorf(domain.EINVALID, "config: alerts.webhook.backoff must be within 0–1m")
	}
	if w.Timeout <= 0 {
		return domain.Errorf(domain.EINVALID, "config: alerts.webhook.timeout must be positive")
	}
	if w.Rounds < 1 {
		return domain.Errorf(domain.EINVALID, "config: alerts.webhook.rounds must be at least 1")
	}
	return nil
}
