// Package views turns store data into what pages and the JSON API show.
//
// Every page handler and its JSON twin call the same Build* function, so the
// numbers a person reads equal the numbers the API returns.
package views

// Count is a number with its change against the week before.
type Count struct {
	Value  int `json:"value"`
	Change int `json:"change"` // Value minus the value 7 days earlier
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
	C            float64 `json:"C"`
	K            float64 `json:"K"`
	Phi          float64 `json:"phi"`
	PhiShare     float64 `json:"phi_share"`         // φ_i / R
	Reason       string  `json:"reason,omitempty"`  // why at risk: the weakest dimension, in words
	Weakest      string  `json:"weakest,omitempty"` // api, projects, community or cooperation
	WeakestScore float64 `json:"weakest_score,omitempty"`
}

// Overview is the executive overview at "/" and /api/v1/overview.
type Overview struct {
	At string `json:"at"` // YYYY-MM-DD of the scores shown
	DayShown
	Health        float64      `json:"health"`
	HealthChange  float64      `json:"health_change"`
	Status        string       `json:"status"`
	R             float64      `json:"R"`
	RChange       float64      `json:"R_change"` // relative change against 7 days earlier, e.g. 0.05 = +5%
	Members       Count        `json:"active_members"`
	Consumers     Count        `json:"api_consumers"`
	Contributors  Count        `json:"contributors"`
	Trend         []TrendPoint `json:"trend"` // 26 weekly points, oldest first
	Top           []MemberRow  `json:"top_members"`
	AtRisk        []MemberRow  `json:"at_risk"`
	LastCollected string       `json:"last_collected,omitempty"` // RFC 3339 time of the last successful collection
	Empty         bool         `json:"empty"`                    // no member scored yet
	Setup         *Setup       `json:"setup"`
	// MemberQuery keeps the day shown on the links to members' pages when
	// the overview was asked for a day ("?at=…"), so that a member's page
	// opens on the scores the overview showed; "" for the latest day.
	MemberQuery string     `json:"-"`         // the getting-started checklist; null once every step is done
	Available   *DataOffer `json:"available"` // the scores that hold the data, when the day shown holds none
	// TrendWarmingUp is the first and last trend point whose scores are
	// warming up (series.go), shaded on the charts; null when none is.
	TrendWarmingUp *DayRange `json:"trend_warming_up"`
	// ChangePartial says why the changes against 7 days earlier are not
	// computed (this week or the one before is partial); "" when they are.
	ChangePartial string `json:"change_partial,omitempty"`
}
