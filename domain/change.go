package domain

import (
	"fmt"
	"math"
	"strconv"
)

// Kinds of Change: what moved a member against its own baseline or its
// targets. metrics computes them (metrics/change.go); docs/scoring.md
// defines each.
const (
	ChangeUsageDrop         = "usage_drop"         // calls in the last 7 days against the baseline week
	ChangeDormant           = "dormant"            // no calls for days after regular use
	ChangeLatency           = "latency"            // p95 of the last 7 days against the SLO
	ChangeErrors4xx         = "errors_4xx"         // 4xx share of the last 7 days against the baseline
	ChangeErrors5xx         = "errors_5xx"         // 5xx share of the last 7 days against the baseline
	ChangeUnanswered        = "unanswered"         // threads without a response within the response window
	ChangeSlowResponse      = "slow_response"      // median time to first response against the target
	ChangeContributionDrop  = "contribution_drop"  // contributions in the last 7 days against the baseline week
	ChangeContributorLoss   = "contributor_loss"   // active contributors against the weeks before
	ChangeMilestonesOverdue = "milestones_overdue" // milestones past their due date, still open
	ChangeMilestonesLate    = "milestones_late"    // share of milestones due that were delivered late
)

// ChangeKinds lists every kind, in the order docs/scoring.md gives them.
var ChangeKinds = []string{ChangeUsageDrop, ChangeDormant, ChangeLatency, ChangeErrors4xx, ChangeErrors5xx,
	ChangeUnanswered, ChangeSlowResponse, ChangeContributionDrop, ChangeContributorLoss,
	ChangeMilestonesOverdue, ChangeMilestonesLate}

// Change is one signal of a member's health on a day: how far one thing
// fell against the member's own baseline or its target. Score is 1 when it
// is fine and 0 at collapse; Now and Before are the numbers the sentence
// quotes (Before is the baseline or the target), Of a denominator where
// the sentence needs one (threads due, milestones due).
type Change struct {
	Kind      string  `json:"kind"`
	Dimension string  `json:"dimension"` // the health dimension it belongs to
	Score     float64 `json:"score"`
	Now       float64 `json:"now"`
	Before    float64 `json:"before"`
	Of        float64 `json:"of,omitempty"`
}

// Text says the change in words and numbers, for people: "API calls −62%
// against the previous four weeks (12.4k → 4.7k a week)".
func (c Change) Text() string {
	switch c.Kind {
	case ChangeUsageDrop:
		return fmt.Sprintf("API calls %s against the previous four weeks (%s → %s a week)",
			SignedPct(c.Now, c.Before), Compact(c.Before), Compact(c.Now))
	case ChangeDormant:
		return fmt.Sprintf("no API calls for %s (was %s a week)", days(c.Now), Compact(c.Before))
	case ChangeLatency:
		return fmt.Sprintf("p95 latency %s against a %s SLO", Millis(c.Now), Millis(c.Before))
	case ChangeErrors4xx:
		return fmt.Sprintf("4xx responses %s of calls in the last 7 days (was %s)", Pct(c.Now), Pct(c.Before))
	case ChangeErrors5xx:
		return fmt.Sprintf("5xx errors %s of calls in the last 7 days (was %s)", Pct(c.Now), Pct(c.Before))
	case ChangeUnanswered:
		return fmt.Sprintf("%s of %s threads unanswered after %s h", Compact(c.Now), Compact(c.Of), Compact(c.Before))
	case ChangeSlowResponse:
		return fmt.Sprintf("first response after %s h (median) against a %s h target", Compact(c.Now), Compact(c.Before))
	case ChangeContributionDrop:
		return fmt.Sprintf("contributions %s against the previous four weeks (%s → %s a week)",
			SignedPct(c.Now, c.Before), Compact(c.Before), Compact(c.Now))
	case ChangeContributorLoss:
		return fmt.Sprintf("active contributors %s against the weeks before (%s → %s)",
			SignedPct(c.Now, c.Before), Compact(c.Before), Compact(c.Now))
	case ChangeMilestonesOverdue:
		if c.Now == 1 {
			return "1 milestone overdue"
		}
		return fmt.Sprintf("%s milestones overdue", Compact(c.Now))
	case ChangeMilestonesLate:
		return fmt.Sprintf("%s of %s milestones due in the window not delivered on time", Compact(c.Of-c.Now), Compact(c.Of))
	}
	return c.Kind
}

// Facts are the numbers Text quotes, formatted as Text formats them, by
// the field names of the change's message in the interface's catalogues
// (alertmsg.change.KIND): a page or a webhook says the change in its own
// language from them, with the same digits. Count is the integer that
// picks a message's plural form.
func (c Change) Facts() map[string]any {
	switch c.Kind {
	case ChangeUsageDrop, ChangeContributionDrop, ChangeContributorLoss:
		return map[string]any{"Pct": SignedPct(c.Now, c.Before), "Before": Compact(c.Before), "Now": Compact(c.Now)}
	case ChangeDormant:
		return map[string]any{"Count": strconv.FormatFloat(c.Now, 'f', 0, 64), "Before": Compact(c.Before)}
	case ChangeLatency:
		return map[string]any{"Now": Millis(c.Now), "SLO": Millis(c.Before)}
	case ChangeErrors4xx, ChangeErrors5xx:
		return map[string]any{"Now": Pct(c.Now), "Before": Pct(c.Before)}
	case ChangeUnanswered:
		return map[string]any{"Now": Compact(c.Now), "Of": Compact(c.Of), "Hours": Compact(c.Before)}
	case ChangeSlowResponse:
		return map[string]any{"Now": Compact(c.Now), "Target": Compact(c.Before)}
	case ChangeMilestonesOverdue:
		return map[string]any{"Count": strconv.FormatFloat(math.Round(c.Now), 'f', 0, 64), "N": Compact(c.Now)}
	case ChangeMilestonesLate:
		return map[string]any{"Late": Compact(c.Of - c.Now), "Of": Compact(c.Of)}
	}
	return nil
}

// SignedPct is the relative change from before to now: "−62%", "+5%".
func SignedPct(now, before float64) string {
	if !(before > 0) {
		return "n/a"
	}
	p := math.Round(100 * (now - before) / before)
	switch {
	case p < 0:
		return "−" + strconv.FormatFloat(-p, 'f', 0, 64) + "%"
	case p > 0:
		return "+" + strconv.FormatFloat(p, 'f', 0, 64) + "%"
	}
	return "±0%"
}

// Pct formats a share: 0.213 → "21%", 0.004 → "0.4%".
func Pct(share float64) string {
	p := 100 * share
	if p != 0 && math.Abs(p) < 1 {
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(math.Round(p), 'f', 0, 64) + "%"
}

// Compact formats a count: 950, 12.4k, 3.1M (an integer as is below 1000).
func Compact(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', 1, 64) + "M"
	case a >= 1e4:
		return strconv.FormatFloat(v/1e3, 'f', 1, 64) + "k"
	case a >= 1e3:
		return strconv.FormatFloat(v/1e3, 'f', 2, 64) + "k"
	case v == math.Trunc(v):
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// Millis formats a latency: 850 ms, 3.1 s.
func Millis(ms float64) string {
	if ms >= 1000 {
		return strconv.FormatFloat(ms/1000, 'f', 1, 64) + " s"
	}
	return strconv.FormatFloat(math.Round(ms), 'f', 0, 64) + " ms"
}

func days(n float64) string {
	if n == 1 {
		return "1 day"
	}
	return strconv.FormatFloat(n, 'f', 0, 64) + " days"
}
