package views

import "github.com/ecopulse/ecopulse/domain"

// ChangeView is one signal of what changed for a member (domain.Change), with
// its words: what a member's page lists under its reason.
type ChangeView struct {
	Kind      string  `json:"kind"`
	Dimension string  `json:"dimension"`
	Score     float64 `json:"score"` // 1 fine, 0 collapse
	Text      string  `json:"text"`
}

// changeViews returns the changes that fell, worst first as stored, with
// their words; cooperation, which measures ties and not decline, is never
// among them.
func changeViews(cs []domain.Change) []ChangeView {
	out := []ChangeView{}
	for _, c := range cs {
		if c.Dimension == "cooperation" || !(c.Score < 1) {
			continue
		}
		out = append(out, ChangeView{Kind: c.Kind, Dimension: c.Dimension, Score: c.Score, Text: c.Text()})
	}
	return out
}
