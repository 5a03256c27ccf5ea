package metrics

import (
	"fmt"
	"math"
	"strings"

	"github.com/ecopulse/ecopulse/domain"
)

// Config holds every weight, normalisation constant and threshold of the
// scoring model. Keys are snake_case in YAML and JSON; docs/scoring.md lists
// them all with their defaults. Start from DefaultConfig and override: the
// zero Config is not valid.
//
// Config is a plain comparable value (no slices, maps or pointers).
type Config struct {
	// WindowDays is the length of the trailing window the data layer
	// measures (and of the previous window used for growth). Score itself
	// reads only the counts in Input.
	WindowDays int `yaml:"window_days" json:"window_days"`

	Technical   TechnicalConfig   `yaml:"technical" json:"technical"`     // T_i
	Investment  InvestmentWeights `yaml:"investment" json:"investment"`   // I_i
	Influence   InfluenceWeights  `yaml:"influence" json:"influence"`     // M_i
	Cooperation CooperationConfig `yaml:"cooperation" json:"cooperation"` // K_ij
	Health      HealthConfig      `yaml:"health" json:"health"`           // Health_i and status
	Changes     ChangeConfig      `yaml:"changes" json:"changes"`         // what changed: decline against the member's baseline
}

// ChangeConfig configures the change signals (metrics/change.go): how a
// member's last 7 days are held against its own baseline weeks and its
// targets, and how far a collapsed dimension pulls its health down.
type ChangeConfig struct {
	// BaselineWeeks is how many weeks before the last 7 days make the
	// baseline (their median, so one unusual week does not move it).
	BaselineWeeks int `yaml:"baseline_weeks" json:"baseline_weeks"`
	// DropOK and DropCollapse map the ratio recent/baseline (calls,
	// contributions, contributors) to a score: 1 at or above DropOK, 0 at
	// or below DropCollapse, linear between.
	DropOK       float64 `yaml:"drop_ok" json:"drop_ok"`
	DropCollapse float64 `yaml:"drop_collapse" json:"drop_collapse"`
	// UsageMinBaseline is the baseline calls a week below which a drop is
	// not judged; CallsPseudoCount is added to both sides of the ratio, so
	// that a small member's noise is not a collapse.
	UsageMinBaseline float64 `yaml:"usage_min_baseline" json:"usage_min_baseline"`
	CallsPseudoCount float64 `yaml:"calls_pseudo_count" json:"calls_pseudo_count"`
	// DormantDays: no calls for this many days after a usual week of at
	// least UsageMinBaseline calls is dormancy (score 0).
	DormantDays int `yaml:"dormant_days" json:"dormant_days"`
	// MinRecentCalls is the calls in the last 7 days below which their
	// latency and error shares are not judged.
	MinRecentCalls int64 `yaml:"min_recent_calls" json:"min_recent_calls"`
	// LatencyCollapseRatio: the p95 of the last 7 days scores 1 at the SLO
	// and 0 at this multiple of it.
	LatencyCollapseRatio float64 `yaml:"latency_collapse_ratio" json:"latency_collapse_ratio"`
	// Errors…Tolerance is how far above the member's usual share the last
	// 7 days' share may go before it counts; …Collapse how much further
	// until the score is 0. Shares are judged on their Wilson lower bound
	// at ConfidenceZ.
	Errors4xxTolerance float64 `yaml:"errors_4xx_tolerance" json:"errors_4xx_tolerance"`
	Errors4xxCollapse  float64 `yaml:"errors_4xx_collapse" json:"errors_4xx_collapse"`
	Errors5xxTolerance float64 `yaml:"errors_5xx_tolerance" json:"errors_5xx_tolerance"`
	Errors5xxCollapse  float64 `yaml:"errors_5xx_collapse" json:"errors_5xx_collapse"`
	ConfidenceZ        float64 `yaml:"confidence_z" json:"confidence_z"`
	// ResponseWindowHours: a thread without a response this long after it
	// was opened is unanswered. MinThreads is the threads below which
	// neither unanswered nor slow responses are judged. AnsweredOK and
	// AnsweredCollapse map the (smoothed) answered share to a score;
	// ResponseCollapseRatio is the median wait, as a multiple of
	// health.response_target_hours, that scores 0.
	ResponseWindowHours   float64 `yaml:"response_window_hours" json:"response_window_hours"`
	MinThreads            int     `yaml:"min_threads" json:"min_threads"`
	AnsweredOK            float64 `yaml:"answered_ok" json:"answered_ok"`
	AnsweredCollapse      float64 `yaml:"answered_collapse" json:"answered_collapse"`
	ResponseCollapseRatio float64 `yaml:"response_collapse_ratio" json:"response_collapse_ratio"`
	// ContributionsMinBaseline and ContributorsMinBaseline: baselines a
	// week below which a drop is not judged; the pseudo-counts as
	// CallsPseudoCount.
	ContributionsMinBaseline float64 `yaml:"contributions_min_baseline" json:"contributions_min_baseline"`
	ContributionsPseudoCount float64 `yaml:"contributions_pseudo_count" json:"contributions_pseudo_count"`
	ContributorsMinBaseline  float64 `yaml:"contributors_min_baseline" json:"contributors_min_baseline"`
	ContributorsPseudoCount  float64 `yaml:"contributors_pseudo_count" json:"contributors_pseudo_count"`
	// CollapseBelow: a change signal whose score × 100 is below it caps the
	// member's health at 100·score + (health.healthy_min − collapse_below),
	// so that one collapsed dimension takes the member out of healthy, and a
	// severe collapse into at_risk.
	CollapseBelow float64 `yaml:"collapse_below" json:"collapse_below"`
}

// TechnicalConfig configures T_i, the quality of what a member builds and delivers.
type TechnicalConfig struct {
	// LatencySLOMS is the p95 latency objective in milliseconds: a p95 at or
	// under it scores 1, above it SLO/p95.
	LatencySLOMS float64 `yaml:"latency_slo_ms" json:"latency_slo_ms"`
	// NoDataScore is T_i for a member without any T component (no calls and
	// no milestone due in the window), in [0,1].
	NoDataScore float64          `yaml:"no_data_score" json:"no_data_score"`
	Weights     TechnicalWeights `yaml:"weights" json:"weights"`
}

// TechnicalWeights weighs the components of T_i.
type TechnicalWeights struct {
	Success     float64 `yaml:"success" json:"success"`         // 1 − 5xx share
	Integration float64 `yaml:"integration" json:"integration"` // 1 − 4xx share
	Latency     float64 `yaml:"latency" json:"latency"`         // p95 against the SLO
	Milestones  float64 `yaml:"milestones" json:"milestones"`   // on-time share of milestones due
}

// InvestmentWeights weighs the components of I_i (each log-scaled against the
// ecosystem's largest value).
type InvestmentWeights struct {
	Calls         float64 `yaml:"calls" json:"calls"`
	Contributions float64 `yaml:"contributions" json:"contributions"`
	Milestones    float64 `yaml:"milestones" json:"milestones"` // milestones delivered
	Contributors  float64 `yaml:"contributors" json:"contributors"`
}

// InfluenceWeights weighs the components of M_i.
type InfluenceWeights struct {
	Consumers          float64 `yaml:"consumers" json:"consumers"` // log-scaled vs the ecosystem
	Engaged            float64 `yaml:"engaged" json:"engaged"`     // log-scaled vs the ecosystem
	CallGrowth         float64 `yaml:"call_growth" json:"call_growth"`
	ContributionGrowth float64 `yaml:"contribution_growth" json:"contribution_growth"`
}

// CooperationConfig holds the coefficients of x_ij in K_ij = 1 − exp(−x_ij).
type CooperationConfig struct {
	SharedProjects   float64 `yaml:"shared_projects" json:"shared_projects"`
	SharedMilestones float64 `yaml:"shared_milestones" json:"shared_milestones"`
	SharedThreads    float64 `yaml:"shared_threads" json:"shared_threads"`
}

// HealthConfig configures the health dimensions, Health_i and the status bands.
type HealthConfig struct {
	Weights          HealthWeights    `yaml:"weights" json:"weights"`                     // of the four dimensions
	APIWeights       APIWeights       `yaml:"api_weights" json:"api_weights"`             // inside the api dimension
	CommunityWeights CommunityWeights `yaml:"community_weights" json:"community_weights"` // inside the community dimension

	// ActivityTarget is the number of contributions in a window that gives a
	// full community activity score (log-scaled: log1p(n)/log1p(target), capped at 1).
	ActivityTarget float64 `yaml:"activity_target" json:"activity_target"`
	// ResponseTargetHours is the median time to first response that scores
	// 1; slower scores target/hours.
	ResponseTargetHours float64 `yaml:"response_target_hours" json:"response_target_hours"`
	// OverdueScale divides the number of overdue milestones in the projects
	// penalty exp(−overdue/scale).
	OverdueScale float64 `yaml:"overdue_scale" json:"overdue_scale"`
	// CooperationScale is k0 in cooperation = 100·(1 − exp(−K_i/k0)).
	CooperationScale float64 `yaml:"cooperation_scale" json:"cooperation_scale"`

	// Status bands: healthy ≥ HealthyMin, watch ≥ WatchMin, at_risk below.
	HealthyMin float64 `yaml:"healthy_min" json:"healthy_min"`
	WatchMin   float64 `yaml:"watch_min" json:"watch_min"`
}

// HealthWeights weighs the four dimensions in Health_i (order of domain.Dimensions).
type HealthWeights struct {
	API         float64 `yaml:"api" json:"api"`
	Projects    float64 `yaml:"projects" json:"projects"`
	Community   float64 `yaml:"community" json:"community"`
	Cooperation float64 `yaml:"cooperation" json:"cooperation"`
}

// APIWeights weighs the components of the api dimension.
type APIWeights struct {
	Success     float64 `yaml:"success" json:"success"`
	Integration float64 `yaml:"integration" json:"integration"`
	Latency     float64 `yaml:"latency" json:"latency"`
}

// CommunityWeights weighs the components of the community dimension.
type CommunityWeights struct {
	Activity     float64 `yaml:"activity" json:"activity"`
	Responded    float64 `yaml:"responded" json:"responded"`
	ResponseTime float64 `yaml:"response_time" json:"response_time"`
}

// DefaultConfig returns the documented defaults (docs/scoring.md).
func DefaultConfig() Config {
	return Config{
		WindowDays: 28,
		Technical: TechnicalConfig{
			LatencySLOMS: 1000,
			NoDataScore:  0.5,
			Weights:      TechnicalWeights{Success: 1, Integration: 0.5, Latency: 0.5, Milestones: 1},
		},
		Investment:  InvestmentWeights{Calls: 1, Contributions: 1, Milestones: 1, Contributors: 1},
		Influence:   InfluenceWeights{Consumers: 1, Engaged: 1, CallGrowth: 0.5, ContributionGrowth: 0.5},
		Cooperation: CooperationConfig{SharedProjects: 0.5, SharedMilestones: 0.25, SharedThreads: 0.05},
		Health: HealthConfig{
			Weights:             HealthWeights{API: 1, Projects: 1, Community: 1, Cooperation: 0.5},
			APIWeights:          APIWeights{Success: 1, Integration: 0.5, Latency: 0.5},
			CommunityWeights:    CommunityWeights{Activity: 1, Responded: 1, ResponseTime: 1},
			ActivityTarget:      20,
			ResponseTargetHours: 24,
			OverdueScale:        3,
			CooperationScale:    1,
			HealthyMin:          70,
			WatchMin:            40,
		},
		Changes: ChangeConfig{
			BaselineWeeks:            4,
			DropOK:                   0.75,
			DropCollapse:             0.25,
			UsageMinBaseline:         70,
			CallsPseudoCount:         20,
			DormantDays:              7,
			MinRecentCalls:           50,
			LatencyCollapseRatio:     4,
			Errors4xxTolerance:       0.05,
			Errors4xxCollapse:        0.15,
			Errors5xxTolerance:       0.02,
			Errors5xxCollapse:        0.1,
			ConfidenceZ:              1.645,
			ResponseWindowHours:      48,
			MinThreads:               4,
			AnsweredOK:               0.8,
			AnsweredCollapse:         0.2,
			ResponseCollapseRatio:    5,
			ContributionsMinBaseline: 5,
			ContributionsPseudoCount: 8,
			ContributorsMinBaseline:  5,
			ContributorsPseudoCount:  2,
			CollapseBelow:            60,
		},
	}
}

type namedValue struct {
	key string
	v   float64
}

// Validate reports every problem of c in one EINVALID error, naming each
// offending key: a negative or non-finite weight, a weight set that is all
// zero, a scale or target that is not a positive number, a no-data score
// outside [0,1], status thresholds outside 0 ≤ watch_min < healthy_min ≤ 100,
// or window_days < 1.
func (c Config) Validate() error {
	var p configProblems
	if c.WindowDays < 1 {
		p.bad("window_days must be at least 1, got %d", c.WindowDays)
	}
	p.checkScoring(c)
	p.checkHealth(c.Health)
	p.checkChanges(c.Changes, c.Health.HealthyMin)
	if len(p) > 0 {
		return domain.Errorf(domain.EINVALID, "invalid scoring config: %s", strings.Join(p, "; "))
	}
	return nil
}

// configProblems collects what Validate finds wrong, in the order it checks.
type configProblems []string

func (p *configProblems) bad(format string, args ...any) {
	*p = append(*p, fmt.Sprintf(format, args...))
}

// weights checks a weight set: each weight a finite number ≥ 0, and not all
// of them zero.
func (p *configProblems) weights(set string, ws ...namedValue) {
	var sum float64
	ok := true
	for _, w := range ws {
		if math.IsNaN(w.v) || math.IsInf(w.v, 0) || w.v < 0 {
			p.bad("%s.%s must be a finite number ≥ 0, got %v", set, w.key, w.v)
			ok = false
			continue
		}
		sum += w.v
	}
	if ok && !(sum > 0) {
		p.bad("%s cannot all be zero", set)
	}
}

// positive checks that v is a finite number > 0.
func (p *configProblems) positive(key string, v float64) {
	if !(v > 0) || math.IsInf(v, 0) {
		p.bad("%s must be a finite number > 0, got %v", key, v)
	}
}

// checkScoring checks the settings of T, I, M and K.
func (p *configProblems) checkScoring(c Config) {
	t := c.Technical
	p.positive("technical.latency_slo_ms", t.LatencySLOMS)
	if !(t.NoDataScore >= 0 && t.NoDataScore <= 1) {
		p.bad("technical.no_data_score must be in [0,1], got %v", t.NoDataScore)
	}
	p.weights("technical.weights",
		namedValue{"success", t.Weights.Success}, namedValue{"integration", t.Weights.Integration},
		namedValue{"latency", t.Weights.Latency}, namedValue{"milestones", t.Weights.Milestones})
	p.weights("investment",
		namedValue{"calls", c.Investment.Calls}, namedValue{"contributions", c.Investment.Contributions},
		namedValue{"milestones", c.Investment.Milestones}, namedValue{"contributors", c.Investment.Contributors})
	p.weights("influence",
		namedValue{"consumers", c.Influence.Consumers}, namedValue{"engaged", c.Influence.Engaged},
		namedValue{"call_growth", c.Influence.CallGrowth}, namedValue{"contribution_growth", c.Influence.ContributionGrowth})
	p.weights("cooperation",
		namedValue{"shared_projects", c.Cooperation.SharedProjects}, namedValue{"shared_milestones", c.Cooperation.SharedMilestones},
		namedValue{"shared_threads", c.Cooperation.SharedThreads})
}

// checkHealth checks the health settings and the status thresholds.
func (p *configProblems) checkHealth(h HealthConfig) {
	p.weights("health.weights",
		namedValue{"api", h.Weights.API}, namedValue{"projects", h.Weights.Projects},
		namedValue{"community", h.Weights.Community}, namedValue{"cooperation", h.Weights.Cooperation})
	p.weights("health.api_weights",
		namedValue{"success", h.APIWeights.Success}, namedValue{"integration", h.APIWeights.Integration},
		namedValue{"latency", h.APIWeights.Latency})
	p.weights("health.community_weights",
		namedValue{"activity", h.CommunityWeights.Activity}, namedValue{"responded", h.CommunityWeights.Responded},
		namedValue{"response_time", h.CommunityWeights.ResponseTime})
	p.positive("health.activity_target", h.ActivityTarget)
	p.positive("health.response_target_hours", h.ResponseTargetHours)
	p.positive("health.overdue_scale", h.OverdueScale)
	p.positive("health.cooperation_scale", h.CooperationScale)
	if !(h.WatchMin >= 0 && h.WatchMin < h.HealthyMin && h.HealthyMin <= 100) {
		p.bad("status thresholds need 0 ≤ health.watch_min < health.healthy_min ≤ 100, got watch_min %v and healthy_min %v",
			h.WatchMin, h.HealthyMin)
	}
}

// checkChanges checks the change signals' settings; collapse_below must not
// exceed healthyMin.
func (p *configProblems) checkChanges(ch ChangeConfig, healthyMin float64) {
	if ch.BaselineWeeks < 1 || ch.BaselineWeeks > domain.MaxWeeks-1 {
		p.bad("changes.baseline_weeks must be in [1,%d], got %d", domain.MaxWeeks-1, ch.BaselineWeeks)
	}
	if ch.DormantDays < 1 {
		p.bad("changes.dormant_days must be at least 1, got %d", ch.DormantDays)
	}
	if ch.MinRecentCalls < 1 {
		p.bad("changes.min_recent_calls must be at least 1, got %d", ch.MinRecentCalls)
	}
	if ch.MinThreads < 1 {
		p.bad("changes.min_threads must be at least 1, got %d", ch.MinThreads)
	}
	for _, nv := range []namedValue{{"usage_min_baseline", ch.UsageMinBaseline}, {"calls_pseudo_count", ch.CallsPseudoCount},
		{"contributions_min_baseline", ch.ContributionsMinBaseline}, {"contributions_pseudo_count", ch.ContributionsPseudoCount},
		{"contributors_min_baseline", ch.ContributorsMinBaseline}, {"contributors_pseudo_count", ch.ContributorsPseudoCount},
		{"errors_4xx_tolerance", ch.Errors4xxTolerance},
		{"errors_5xx_tolerance", ch.Errors5xxTolerance}, {"confidence_z", ch.ConfidenceZ}} {
		if !(nv.v >= 0) || math.IsInf(nv.v, 0) {
			p.bad("changes.%s must be a finite number ≥ 0, got %v", nv.key, nv.v)
		}
	}
	for _, nv := range []namedValue{{"errors_4xx_collapse", ch.Errors4xxCollapse}, {"errors_5xx_collapse", ch.Errors5xxCollapse},
		{"response_window_hours", ch.ResponseWindowHours}} {
		p.positive("changes."+nv.key, nv.v)
	}
	for _, nv := range []namedValue{{"latency_collapse_ratio", ch.LatencyCollapseRatio}, {"response_collapse_ratio", ch.ResponseCollapseRatio}} {
		if !(nv.v > 1) || math.IsInf(nv.v, 0) {
			p.bad("changes.%s must be a finite number > 1, got %v", nv.key, nv.v)
		}
	}
	if !(ch.DropCollapse >= 0 && ch.DropCollapse < ch.DropOK && ch.DropOK <= 1) {
		p.bad("changes need 0 ≤ drop_collapse < drop_ok ≤ 1, got %v and %v", ch.DropCollapse, ch.DropOK)
	}
	if !(ch.AnsweredCollapse >= 0 && ch.AnsweredCollapse < ch.AnsweredOK && ch.AnsweredOK <= 1) {
		p.bad("changes need 0 ≤ answered_collapse < answered_ok ≤ 1, got %v and %v", ch.AnsweredCollapse, ch.AnsweredOK)
	}
	if !(ch.CollapseBelow >= 0 && ch.CollapseBelow <= healthyMin) {
		p.bad("changes.collapse_below must be in [0, health.healthy_min], got %v", ch.CollapseBelow)
	}
}

// StatusOf returns the status band of a health score: domain.StatusHealthy at
// or above health.healthy_min, domain.StatusWatch at or above health.watch_min,
// domain.StatusAtRisk below, and domain.StatusNoData for NaN.
func StatusOf(health float64, cfg Config) string {
	switch {
	case math.IsNaN(health):
		return domain.StatusNoData
	case health >= cfg.Health.HealthyMin:
		return domain.StatusHealthy
	case health >= cfg.Health.WatchMin:
		return domain.StatusWatch
	}
	return domain.StatusAtRisk
}
