package domain

import (
	"fmt"
	"math"
)

// Kinds of Explanation besides the Change kinds.
const (
	// ReasonLowDimension: nothing fell against the member's baseline, and
	// the member is not healthy; its lowest dimension (never cooperation)
	// is named instead.
	ReasonLowDimension = "low_dimension"
	// ReasonNoActivity: the member is not healthy and has no API, project
	// or community dimension to name (only cooperation, or nothing).
	ReasonNoActivity = "no_activity"
)

// Explanation says why a member's health is what it is, for people.
type Explanation struct {
	Kind      string // a Change kind, ReasonLowDimension or ReasonNoActivity; "" when nothing needs explaining
	Dimension string // api, projects or community; "" when none applies
	Text      string
}

// dimensionWords names the dimensions an explanation may name. Cooperation
// is not among them: it measures ties, not decline, and every isolated
// member would otherwise be "weak" in it by construction.
var dimensionWords = map[string]string{
	"api":       "API quality",
	"projects":  "project milestones",
	"community": "community activity and responses",
}

// Explain returns the member's reason: its worst change against its own
// baseline or targets when something fell; otherwise, for a member that is
// not healthy, its lowest dimension other than cooperation; and nothing for
// a healthy member with no change. Pages, the JSON API, alerts and frozen
// snapshots all explain a score with it.
func (s *MemberScore) Explain() Explanation {
	for _, c := range s.Changes {
		if c.Dimension == "cooperation" || !(c.Score < 1) {
			continue
		}
		return Explanation{Kind: c.Kind, Dimension: c.Dimension, Text: c.Text()}
	}
	if s.Status == StatusHealthy {
		return Explanation{}
	}
	low, val := "", math.Inf(1)
	for k, d := range Dimensions {
		v := s.Dimensions[k]
		if _, named := dimensionWords[d]; named && !math.IsNaN(v) && v < val {
			low, val = d, v
		}
	}
	if low == "" {
		return Explanation{Kind: ReasonNoActivity, Text: "no API calls, project milestones or community activity in the scoring window"}
	}
	return Explanation{Kind: ReasonLowDimension, Dimension: low,
		Text: fmt.Sprintf("%s %.0f/100, its lowest dimension; nothing fell against its own baseline", dimensionWords[low], val)}
}
