// Package views turns store data into what pages and the JSON API show.
//
// Every page handler and its JSON twin call the same Build* function, so the
// numbers a person reads equal the numbers the API returns.
package views

// Count is a number with its change against the week before.
type Count struct {
	Value  int `json:"value"`
	Change int `json:"change"` // Value minus the value on the day compared with (7 days earlier on pages without a period)
}

// TrendPoint is one point of a weekly trend. Health and R are NaN where
// nothing was measured, null in JSON (series.go).
type TrendPoint struct {
	Day    string  `json:"day"`
	Health float64 `json:"health"`
	R      float64 `json:"R"`
}

// MemberRow is a member in a ranked list.
type MemberRow struct {
	Slug         string  `json:"slug"`
	Name         string  `json:"name"`
	Kind         string  `json:"kind"`
	Segment      string  `json:"segment"`
	Tier         string  `json:"tier"`
	Health       float64 `json:"health"`
	HealthChange float64 `json:"health_change"`
	Status       string  `json:"status"`
	ValueFigures
	PhiShare float64 `json:"phi_share"` // φ_i / R
	// Reason explains the member's health (domain.MemberScore.Explain): what
	// fell most against its own baseline, in words and numbers, or for a
	// member that is not healthy without a change its lowest dimension
	// (never cooperation); "" for a healthy member with no change.
	Reason     string `json:"reason,omitempty"`
	ReasonKind string `json:"reason_kind,omitempty"` // a change kind (usage_drop, dormant, latency…), low_dimension or no_activity
	// HealthBefore is the member's health on the day HealthChange is
	// computed against; null when it was not scored then (HealthChange is
	// then not a change).
	HealthBefore *float64   `json:"health_before,omitempty"`
	statusBefore string     // its status then, when HealthBefore is set
	factors      [3]float64 // T, I and M of the day: the members list's columns
}

// Overview is the executive overview at "/" and /api/v1/overview.
type Overview struct {
	At string `json:"at"` // YYYY-MM-DD of the scores shown
	DayShown
	// Health is the contribution-weighted ecosystem health (Σ C·health / Σ C);
	// HealthMean the plain mean of member health, null for days scored
	// before it was kept. Their changes are against ComparedWith.
	Health           float64  `json:"health"`
	HealthChange     float64  `json:"health_change"`
	HealthMean       *float64 `json:"health_mean"`
	HealthMeanChange *float64 `json:"health_mean_change"` // null when not computed
	Status           string   `json:"status"`
	R                float64  `json:"R"`
	RChange          float64  `json:"R_change"` // relative change against ComparedWith, e.g. 0.05 = +5%
	// Period is what every change of the overview is computed over (week,
	// month or quarter: 7, 28 or 91 days); ComparedWith the day it is
	// computed against, "" when no change is computed (ChangePartial or
	// ChangeMissing says why).
	Period        string `json:"period"`
	PeriodDays    int    `json:"period_days"`
	ComparedWith  string `json:"compared_with"`
	ChangeMissing string `json:"change_missing,omitempty"` // the day PeriodDays before was not scored
	// Summary tells the period's story in three sentences; Distribution
	// counts the members by status; Attention lists the members at risk,
	// then on watch, each with its reason.
	Summary       OverviewSummary    `json:"summary"`
	Distribution  StatusDistribution `json:"distribution"`
	Attention     []MemberRow        `json:"attention"`
	AttentionMore int                `json:"attention_more"` // members at risk or on watch not listed
	Members       Count              `json:"active_members"`
	Consumers     Count              `json:"api_consumers"`
	Contributors  Count              `json:"contributors"`
	Trend         []TrendPoint       `json:"trend"` // 26 weekly points, oldest first
	Top           []MemberRow        `json:"top_members"`
	AtRisk        []MemberRow        `json:"at_risk"`                  // the members at risk, lowest health first
	LastCollected string             `json:"last_collected,omitempty"` // RFC 3339 time of the last successful collection
	Empty         bool               `json:"empty"`                    // no member scored yet
	Setup         *Setup             `json:"setup"`
	// MemberQuery keeps the day shown on the links to members' pages when
	// the overview was asked for a day ("?at=…"), so that a member's page
	// opens on the scores the overview showed; "" for the latest day.
	MemberQuery string     `json:"-"`         // the getting-started checklist; null once every step is done
	Available   *DataOffer `json:"available"` // the scores that hold the data, when the day shown holds none
	// TrendWarmingUp is the first and last trend point whose scores are
	// warming up (series.go), shaded on the charts; null when none is.
	TrendWarmingUp *DayRange `json:"trend_warming_up"`
	// ChangePartial says why the changes against ComparedWith are not
	// computed (this week or the one ending on that day is partial); ""
	// when they are.
	ChangePartial string `json:"change_partial,omitempty"`
}
