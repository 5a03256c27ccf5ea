package views

import (
	"math"
	"strconv"

	"github.com/ecopulse/ecopulse/domain"
)

// A member's reason (domain.MemberScore.Explain) in the page's language:
// the JSON keeps the domain's English sentence; a page says the same
// numbers from the facts the sentence was made of.

// reasonFacts are what a reason quotes.
type reasonFacts struct {
	kind, dim string
	change    domain.Change // the change named, for a change kind
	low       float64       // the lowest dimension's value, for ReasonLowDimension
}

// reasonFactsOf returns the facts of s's reason, as Explain chooses it.
func reasonFactsOf(s *domain.MemberScore) reasonFacts {
	e := s.Explain()
	f := reasonFacts{kind: e.Kind, dim: e.Dimension}
	for _, c := range s.Changes {
		if c.Dimension == "cooperation" || !(c.Score < 1) {
			continue
		}
		if c.Kind == e.Kind {
			f.change = c
		}
		break
	}
	for k, d := range domain.Dimensions {
		if d == e.Dimension {
			f.low = s.Dimensions[k]
		}
	}
	return f
}

// reasonIn says a reason in tr's language; "" for a kind it does not know
// (the caller keeps the English).
func reasonIn(tr Tr, f reasonFacts) string {
	c := f.change
	switch f.kind {
	case "":
		return ""
	case domain.ReasonNoActivity:
		return tr("reason.no_activity")
	case domain.ReasonLowDimension:
		var dim string
		switch f.dim {
		case "api":
			dim = tr("reason.dim_api")
		case "projects":
			dim = tr("reason.dim_projects")
		case "community":
			dim = tr("reason.dim_community")
		default:
			return ""
		}
		return tr("reason.low_dimension", "Dim", dim, "Value", strconv.FormatFloat(f.low, 'f', 0, 64))
	case domain.ChangeUsageDrop:
		return tr("reason.usage_drop", "Change", reasonSignedPct(tr, c.Now, c.Before), "Before", domain.Compact(c.Before), "Now", domain.Compact(c.Now))
	case domain.ChangeDormant:
		return tr("reason.dormant", "Days", nDays(tr, int(math.Round(c.Now))), "Before", domain.Compact(c.Before))
	case domain.ChangeLatency:
		return tr("reason.latency", "Now", domain.Millis(c.Now), "Before", domain.Millis(c.Before))
	case domain.ChangeErrors4xx:
		return tr("reason.errors_4xx", "Now", domain.Pct(c.Now), "Before", domain.Pct(c.Before))
	case domain.ChangeErrors5xx:
		return tr("reason.errors_5xx", "Now", domain.Pct(c.Now), "Before", domain.Pct(c.Before))
	case domain.ChangeUnanswered:
		return tr("reason.unanswered", "Now", domain.Compact(c.Now), "Of", domain.Compact(c.Of), "Before", domain.Compact(c.Before))
	case domain.ChangeSlowResponse:
		return tr("reason.slow_response", "Now", domain.Compact(c.Now), "Before", domain.Compact(c.Before))
	case domain.ChangeContributionDrop:
		return tr("reason.contribution_drop", "Change", reasonSignedPct(tr, c.Now, c.Before), "Before", domain.Compact(c.Before), "Now", domain.Compact(c.Now))
	case domain.ChangeContributorLoss:
		return tr("reason.contributor_loss", "Change", reasonSignedPct(tr, c.Now, c.Before), "Before", domain.Compact(c.Before), "Now", domain.Compact(c.Now))
	case domain.ChangeMilestonesOverdue:
		if c.Now == 1 {
			return tr("story.overdue_one")
		}
		return tr("story.overdue", "N", domain.Compact(c.Now))
	case domain.ChangeMilestonesLate:
		return tr("reason.milestones_late", "Late", domain.Compact(c.Of-c.Now), "Of", domain.Compact(c.Of))
	}
	return ""
}

// The numbers as domain.Change.Text writes them (domain/change.go).

func reasonSignedPct(tr Tr, now, before float64) string {
	if !(before > 0) {
		return tr("reason.na")
	}
	return domain.SignedPct(now, before)
}

// rowsIn is rows with their reasons in tr's language (a copy), from facts
// by slug; a row without facts keeps its reason.
func rowsIn(tr Tr, rows []MemberRow, facts map[string]reasonFacts) []MemberRow {
	if rows == nil {
		return nil
	}
	out := make([]MemberRow, len(rows))
	for i, m := range rows {
		if f, ok := facts[m.Slug]; ok && m.Reason != "" {
			if s := reasonIn(tr, f); s != "" {
				m.Reason = s
			}
		}
		out[i] = m
	}
	return out
}
