package metrics

import (
	"cmp"
	"math"
	"slices"

	"github.com/ecopulse/ecopulse/domain"
)

// changes computes a member's change signals (docs/scoring.md, "What
// changed"): how far each thing it does fell against its own baseline or
// its target, as a score in [0,1] (1: fine, 0: collapse). Only signals with
// enough evidence are returned, worst first; those with score 1 are left out.
func changes(m *MemberInput, cfg Config) []domain.Change {
	var out changeList
	weeks := min(m.Weeks, domain.MaxWeeks)
	out.usage(m, cfg.Changes, weeks)
	out.quality(m, cfg, weeks)
	out.threads(m, cfg)
	out.contributions(m, cfg, weeks)
	out.milestones(m, cfg.Health.OverdueScale)

	kindOrder := func(k string) int { return slices.Index(domain.ChangeKinds, k) }
	slices.SortStableFunc(out, func(a, b domain.Change) int {
		if c := cmp.Compare(a.Score, b.Score); c != 0 {
			return c
		}
		return cmp.Compare(kindOrder(a.Kind), kindOrder(b.Kind))
	})
	return out
}

// changeList collects the change signals of a member that say something:
// those whose score, clamped to [0,1], is below 1.
type changeList []domain.Change

func (out *changeList) add(ch domain.Change) {
	ch.Score = clamp(ch.Score, 0, 1)
	if ch.Score < 1 {
		*out = append(*out, ch)
	}
}

// usage compares the calls of the last 7 days against the median of the
// baseline weeks before them; dormancy when the member has stopped calling
// altogether.
func (out *changeList) usage(m *MemberInput, c ChangeConfig, weeks int) {
	if weeks < 2 {
		return
	}
	api := domain.Dimensions[0]
	baseline := medianWeeks(m.WeeklyCalls[:], 1, min(weeks, 1+c.BaselineWeeks))
	recent := float64(max(m.WeeklyCalls[0], 0))
	usual := usualWeek(m.WeeklyCalls[:], weeks)
	switch {
	case recent == 0 && m.LastCallDaysAgo >= c.DormantDays && usual >= c.UsageMinBaseline:
		out.add(domain.Change{Kind: domain.ChangeDormant, Dimension: api, Score: 0, Now: float64(m.LastCallDaysAgo), Before: usual})
	case baseline >= c.UsageMinBaseline:
		r := (recent + c.CallsPseudoCount) / (baseline + c.CallsPseudoCount)
		out.add(domain.Change{Kind: domain.ChangeUsageDrop, Dimension: api, Score: ramp(r, c.DropCollapse, c.DropOK),
			Now: recent, Before: baseline})
	}
}

// quality judges the last 7 days: latency against the SLO, 4xx and 5xx
// shares against what the member usually gets (the median share of its
// baseline weeks, so that a problem lasting a week or two does not become
// its own baseline), judged on the lower confidence bound of the share so
// that a handful of errors in a few calls is not an incident.
func (out *changeList) quality(m *MemberInput, cfg Config, weeks int) {
	c := cfg.Changes
	recent := m.WeeklyCalls[0]
	if weeks < 1 || recent < c.MinRecentCalls {
		return
	}
	api := domain.Dimensions[0]
	if p95 := m.RecentLatencyP95MS; p95 > 0 && !math.IsInf(p95, 0) {
		slo := cfg.Technical.LatencySLOMS
		out.add(domain.Change{Kind: domain.ChangeLatency, Dimension: api,
			Score: 1 - ramp(p95/slo, 1, c.LatencyCollapseRatio), Now: p95, Before: slo})
	}
	for _, e := range []struct {
		kind      string
		weekly    *[domain.MaxWeeks]int64
		tol, span float64
	}{
		{domain.ChangeErrors4xx, &m.Weekly4xx, c.Errors4xxTolerance, c.Errors4xxCollapse},
		{domain.ChangeErrors5xx, &m.Weekly5xx, c.Errors5xxTolerance, c.Errors5xxCollapse},
	} {
		errs := count(e.weekly[0])
		share := clamp(errs/float64(recent), 0, 1)
		var shares []float64
		for w := 1; w < min(weeks, 1+c.BaselineWeeks); w++ {
			if calls := m.WeeklyCalls[w]; calls > 0 {
				shares = append(shares, clamp(count(e.weekly[w])/float64(calls), 0, 1))
			}
		}
		usual := domain.Median(shares)
		lower := WilsonLower(min(errs, float64(recent)), float64(recent), c.ConfidenceZ)
		floor := usual + e.tol
		out.add(domain.Change{Kind: e.kind, Dimension: api, Score: 1 - ramp(lower, floor, floor+e.span), Now: share, Before: usual})
	}
}

// threads scores the share of the recent threads old enough to have had an
// answer that got none within the response window, and the median wait of
// those answered.
func (out *changeList) threads(m *MemberInput, cfg Config) {
	c := cfg.Changes
	community := domain.Dimensions[2]
	var due, unanswered float64
	var waits []float64
	for _, t := range m.RecentThreads {
		if t.WaitHours >= 0 {
			waits = append(waits, t.WaitHours)
		}
		if t.AgeHours < c.ResponseWindowHours {
			continue
		}
		due++
		if t.WaitHours < 0 || t.WaitHours > c.ResponseWindowHours {
			unanswered++
		}
	}
	if due >= float64(c.MinThreads) {
		answered := (due - unanswered + 1) / (due + 1)
		out.add(domain.Change{Kind: domain.ChangeUnanswered, Dimension: community, Score: ramp(answered, c.AnsweredCollapse, c.AnsweredOK),
			Now: unanswered, Before: c.ResponseWindowHours, Of: due})
	}
	if len(waits) >= c.MinThreads {
		target := cfg.Health.ResponseTargetHours
		med := domain.Median(waits)
		out.add(domain.Change{Kind: domain.ChangeSlowResponse, Dimension: community,
			Score: 1 - ramp(med/target, 1, c.ResponseCollapseRatio), Now: med, Before: target})
	}
}

// contributions compares the contributions and contributors of the last 7
// days against the baseline.
func (out *changeList) contributions(m *MemberInput, cfg Config, weeks int) {
	if weeks < 2 {
		return
	}
	c := cfg.Changes
	community := domain.Dimensions[2]
	contrib, people := m.WeeklyContributions[:], m.WeeklyContributors[:]
	if baseline := medianWeeks(contrib, 1, min(weeks, 1+c.BaselineWeeks)); baseline >= c.ContributionsMinBaseline {
		recent := float64(max(contrib[0], 0))
		r := (recent + c.ContributionsPseudoCount) / (baseline + c.ContributionsPseudoCount)
		out.add(domain.Change{Kind: domain.ChangeContributionDrop, Dimension: community, Score: ramp(r, c.DropCollapse, c.DropOK),
			Now: recent, Before: baseline})
	}
	// Contributors are counted in the window only: its weeks before the last.
	inWindow := min(weeks, max(1, cfg.WindowDays/7))
	if baseline := medianWeeks(people, 1, inWindow); inWindow >= 2 && baseline >= c.ContributorsMinBaseline {
		recent := float64(max(people[0], 0))
		r := (recent + c.ContributorsPseudoCount) / (baseline + c.ContributorsPseudoCount)
		out.add(domain.Change{Kind: domain.ChangeContributorLoss, Dimension: community, Score: ramp(r, c.DropCollapse, c.DropOK),
			Now: recent, Before: baseline})
	}
}

// milestones flags milestones open past their due date, and those
// delivered late.
func (out *changeList) milestones(m *MemberInput, overdueScale float64) {
	projects := domain.Dimensions[1]
	if over := count(int64(m.MilestonesOverdue)); over > 0 {
		out.add(domain.Change{Kind: domain.ChangeMilestonesOverdue, Dimension: projects,
			Score: math.Exp(-over / overdueScale), Now: over})
	}
	if due := count(int64(m.MilestonesDue)); due > 0 {
		onTime := clamp(count(int64(m.MilestonesOnTime)), 0, due)
		out.add(domain.Change{Kind: domain.ChangeMilestonesLate, Dimension: projects, Score: (onTime + 1) / (due + 1),
			Now: onTime, Of: due})
	}
}

// changeFloor is, per health dimension, the lowest score of its change
// signals (1 when it has none).
func changeFloor(cs []domain.Change) [4]float64 {
	floor := [4]float64{1, 1, 1, 1}
	for _, c := range cs {
		if d := slices.Index(domain.Dimensions[:], c.Dimension); d >= 0 {
			floor[d] = min(floor[d], c.Score)
		}
	}
	return floor
}

// ramp maps x linearly from 0 at lo to 1 at hi, clamped.
func ramp(x, lo, hi float64) float64 {
	if !(hi > lo) {
		if x >= hi {
			return 1
		}
		return 0
	}
	return clamp((x-lo)/(hi-lo), 0, 1)
}

// medianWeeks is the median of weeks [from, to) of a weekly series (0 when
// the range is empty).
func medianWeeks[T int64 | int](weekly []T, from, to int) float64 {
	if to <= from {
		return 0
	}
	var buf [domain.MaxWeeks]float64
	xs := buf[:0]
	for _, v := range weekly[from:to] {
		xs = append(xs, float64(max(v, 0)))
	}
	return domain.Median(xs)
}

// usualWeek is what a member that stopped calling used to make in a week:
// the median of its weeks with calls before the last.
func usualWeek(weekly []int64, weeks int) float64 {
	var buf [domain.MaxWeeks]float64
	xs := buf[:0]
	for _, v := range weekly[1:weeks] {
		if v > 0 {
			xs = append(xs, float64(v))
		}
	}
	if len(xs) == 0 {
		return 0
	}
	return domain.Median(xs)
}

// WilsonLower is the lower bound of the Wilson score interval of k
// successes in n trials at z standard deviations: a share that few trials
// cannot pin down stays low.
func WilsonLower(k, n, z float64) float64 {
	if !(n > 0) {
		return 0
	}
	p := clamp(k/n, 0, 1)
	z2 := z * z
	centre := p + z2/(2*n)
	spread := z * math.Sqrt(p*(1-p)/n+z2/(4*n*n))
	return clamp((centre-spread)/(1+z2/n), 0, 1)
}
