package metrics

import (
	"cmp"
	"slices"
)

// The developer funnel (docs/developers.md): what became of the API
// consumers first seen in a range. Days are whole UTC days numbered from
// any epoch (the store's Unix days); the funnel never reads a clock.
//
//   - first call: the consumer's first day with a call, of any status,
//     ever stored; the consumers of the funnel are those whose first call
//     falls in the range ("new" consumers);
//   - first success: its first day with a 2xx or 3xx call, within its first
//     FunnelWeeks weeks; time to first success is that day minus the first
//     call's, in days (0: the same day);
//   - active in week k: a successful call on a day of week k, the days
//     first+7(k-1) … first+7k-1 (week 1 holds the first call). Week k is
//     observed when its last day is not after the last day of usage data;
//     a consumer whose week k is not observed is left out of that stage
//     (neither active nor inactive: not measured);
//   - contributed: its member (the one its key is mapped to) had a
//     contribution by an affiliated person on a day of its first FunnelWeeks
//     weeks, up to the last day of data.

// FunnelWeeks is how many weeks after a first call the funnel follows.
const FunnelWeeks = 8

// Stage names, in funnel order.
const (
	StageFirstCall    = "first_call"
	StageFirstSuccess = "first_success"
	StageActiveWeek2  = "active_week_2"
	StageActiveWeek4  = "active_week_4"
	StageActiveWeek8  = "active_week_8"
	StageContributed  = "contributed"
)

// FunnelStageNames are the stages in funnel order.
func FunnelStageNames() []string {
	return []string{StageFirstCall, StageFirstSuccess, StageActiveWeek2, StageActiveWeek4, StageActiveWeek8, StageContributed}
}

// stageWeek is the week a retention stage looks at (0: not one).
func stageWeek(stage string) int {
	switch stage {
	case StageActiveWeek2:
		return 2
	case StageActiveWeek4:
		return 4
	case StageActiveWeek8:
		return 8
	}
	return 0
}

// FunnelConsumer is one new consumer's history in day numbers.
type FunnelConsumer struct {
	Key     string
	Segment string // "" when unmapped or the member has none
	Member  string // the member's slug; "" when unmapped
	First   int    // the day of its first call
	// SuccessDays are its days with a successful call, ascending.
	SuccessDays []int
	// ContributionDays are its member's days with a contribution,
	// ascending (nil for an unmapped consumer).
	ContributionDays []int
}

// FunnelStage is how many consumers reached a stage out of those for whom
// it was observed.
type FunnelStage struct {
	Stage    string `json:"stage"`
	Count    int    `json:"count"`
	Observed int    `json:"observed"`
}

// FunnelCell is one cohort's activity in one week after arrival.
type FunnelCell struct {
	Week     int `json:"week"` // 1 … FunnelWeeks
	Active   int `json:"active"`
	Observed int `json:"observed"` // 0: the week has not ended for anyone
}

// FunnelSummary is the funnel of a set of consumers.
type FunnelSummary struct {
	Consumers int           `json:"consumers"`
	Stages    []FunnelStage `json:"stages"`
	// Time to first success in days over the consumers that reached it;
	// nil when none did.
	TTFSMedian *float64 `json:"ttfs_median_days"`
	TTFSP90    *float64 `json:"ttfs_p90_days"`
}

// FunnelGroup is the funnel of one segment or member of a cohort.
type FunnelGroup struct {
	Key string `json:"key"` // the segment or member slug; "" for none
	FunnelSummary
}

// FunnelCohort is the consumers first seen in one ISO week.
type FunnelCohort struct {
	Monday int `json:"-"` // day number of the week's Monday
	FunnelSummary
	Retention []FunnelCell  `json:"retention"`
	Segments  []FunnelGroup `json:"segments"`
	Members   []FunnelGroup `json:"members"`
}

// Funnel is the whole funnel with its weekly cohorts.
type Funnel struct {
	FunnelSummary
	Segments []FunnelGroup  `json:"segments"`
	Cohorts  []FunnelCohort `json:"cohorts"`
}

// consumerFacts are what the funnel counts of one consumer.
type consumerFacts struct {
	success     bool
	ttfs        int
	active      [FunnelWeeks + 1]bool // by week, 1-based
	observed    [FunnelWeeks + 1]bool
	contributed bool
}

// funnelFactsOf works out a consumer's stages; last is the last day of data.
func funnelFactsOf(c FunnelConsumer, last int) consumerFacts {
	var f consumerFacts
	end := c.First + 7*FunnelWeeks // first day after the followed weeks
	for _, d := range c.SuccessDays {
		if d < c.First || d >= end || d > last {
			continue
		}
		if !f.success {
			f.success, f.ttfs = true, d-c.First
		}
		f.active[(d-c.First)/7+1] = true
	}
	for k := 1; k <= FunnelWeeks; k++ {
		f.observed[k] = c.First+7*k-1 <= last
		if !f.observed[k] {
			f.active[k] = false
		}
	}
	for _, d := range c.ContributionDays {
		if d >= c.First && d < end && d <= last {
			f.contributed = true
			break
		}
	}
	return f
}

// FunnelOf computes the funnel of consumers, all first seen in the range
// the caller asked about; last is the last day with usage data.
func FunnelOf(consumers []FunnelConsumer, last int) Funnel {
	facts := make([]consumerFacts, len(consumers))
	all := make([]int, len(consumers))
	for i, c := range consumers {
		facts[i], all[i] = funnelFactsOf(c, last), i
	}
	out := Funnel{FunnelSummary: summarize(facts, all)}
	out.Segments = groupBy(consumers, facts, all, func(c FunnelConsumer) string { return c.Segment })
	byWeek := map[int][]int{}
	for i, c := range consumers {
		m := mondayOf(c.First)
		byWeek[m] = append(byWeek[m], i)
	}
	mondays := make([]int, 0, len(byWeek))
	for m := range byWeek {
		mondays = append(mondays, m)
	}
	slices.Sort(mondays)
	for _, m := range mondays {
		idx := byWeek[m]
		co := FunnelCohort{Monday: m, FunnelSummary: summarize(facts, idx), Retention: make([]FunnelCell, FunnelWeeks)}
		for k := 1; k <= FunnelWeeks; k++ {
			cell := FunnelCell{Week: k}
			for _, i := range idx {
				if facts[i].observed[k] {
					cell.Observed++
					if facts[i].active[k] {
						cell.Active++
					}
				}
			}
			co.Retention[k-1] = cell
		}
		co.Segments = groupBy(consumers, facts, idx, func(c FunnelConsumer) string { return c.Segment })
		co.Members = groupBy(consumers, facts, idx, func(c FunnelConsumer) string { return c.Member })
		out.Cohorts = append(out.Cohorts, co)
	}
	return out
}

// mondayOf is the Monday of the ISO week of day d (day 0, 1970-01-01, was
// a Thursday).
func mondayOf(d int) int {
	return d - ((d%7)+7+3)%7
}

// summarize counts the stages of the consumers facts[idx].
func summarize(facts []consumerFacts, idx []int) FunnelSummary {
	s := FunnelSummary{Consumers: len(idx)}
	var ttfs []float64
	for _, name := range FunnelStageNames() {
		st := FunnelStage{Stage: name}
		k := stageWeek(name)
		for _, i := range idx {
			f := facts[i]
			switch {
			case name == StageFirstCall:
				st.Observed++
				st.Count++
			case name == StageFirstSuccess:
				st.Observed++
				if f.success {
					st.Count++
					ttfs = append(ttfs, float64(f.ttfs))
				}
			case name == StageContributed:
				st.Observed++
				if f.contributed {
					st.Count++
				}
			case f.observed[k]:
				st.Observed++
				if f.active[k] {
					st.Count++
				}
			}
		}
		s.Stages = append(s.Stages, st)
	}
	if len(ttfs) > 0 {
		slices.Sort(ttfs)
		med, p90 := Quantile(ttfs, 0.5), Quantile(ttfs, 0.9)
		s.TTFSMedian, s.TTFSP90 = &med, &p90
	}
	return s
}

// groupBy splits the consumers idx by key, sorted by key.
func groupBy(consumers []FunnelConsumer, facts []consumerFacts, idx []int, key func(FunnelConsumer) string) []FunnelGroup {
	parts := map[string][]int{}
	for _, i := range idx {
		k := key(consumers[i])
		parts[k] = append(parts[k], i)
	}
	out := make([]FunnelGroup, 0, len(parts))
	for k, ids := range parts {
		out = append(out, FunnelGroup{Key: k, FunnelSummary: summarize(facts, ids)})
	}
	slices.SortFunc(out, func(a, b FunnelGroup) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

// Quantile is the q-quantile of sorted values, linearly interpolated
// between ranks (the 0.5-quantile of an even count is the mean of the
// middle two); 0 for no values.
func Quantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	h := float64(n-1) * q
	lo := int(h)
	if lo >= n-1 {
		return sorted[n-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}
