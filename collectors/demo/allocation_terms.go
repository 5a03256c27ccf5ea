package demo

import (
	"fmt"
	"strings"
)

// allocationTerms are the lines of a demo agreement's terms that a benefit
// allocation reads (docs/allocation.md): a pool, and a weight per party —
// a lead weighs 2, any other party 1. They are derived from the plan, never
// drawn, so the rest of the demo stays the same draw for draw.
func (p *plan) allocationTerms(i int) string {
	pr := &p.projects[i]
	if len(pr.parties) == 0 {
		return ""
	}
	weights := make([]string, len(pr.parties))
	for k, party := range pr.parties {
		w := 1
		if party.role == "lead" {
			w = 2
		}
		weights[k] = fmt.Sprintf("%s=%d", p.members[party.member].Slug, w)
	}
	pool := 50_000 * (1 + i%4) // 50,000 to 200,000 CNY
	return fmt.Sprintf("\npool: %d CNY\nweights: %s", pool, strings.Join(weights, ", "))
}
