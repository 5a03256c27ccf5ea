package views

import (
	"context"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// The developer funnel (docs/developers.md): /developers and its JSON twin
// /api/v1/developers both come from BuildDevelopers. The consumers are
// those whose first call falls in the range; what became of them is
// followed for eight weeks after that call, up to the last day of usage
// data (data.FunnelUsage, metrics.FunnelOf).

// DevelopersRangeDays is the default range: twelve weeks of arrivals, so
// that the older cohorts' eighth week is already over.
const DevelopersRangeDays = 84

// developerStageLabel names a stage on the page.
func developerStageLabel(stage string) string {
	switch stage {
	case metrics.StageFirstCall:
		return "First call"
	case metrics.StageFirstSuccess:
		return "First successful call"
	case metrics.StageActiveWeek2:
		return "Active in week 2"
	case metrics.StageActiveWeek4:
		return "Active in week 4"
	case metrics.StageActiveWeek8:
		return "Active in week 8"
	case metrics.StageContributed:
		return "Member contributed"
	}
	return stage
}

// DeveloperStage is one stage of a funnel: Count of the Observed consumers
// for whom it could be measured; Rate is Count/Observed, null when none was.
type DeveloperStage struct {
	Stage    string   `json:"stage"`
	Label    string   `json:"label"`
	Count    int      `json:"count"`
	Observed int      `json:"observed"`
	Rate     *float64 `json:"rate"`
}

// DeveloperFunnel is the funnel of a set of new consumers.
type DeveloperFunnel struct {
	Consumers int              `json:"consumers"`
	Stages    []DeveloperStage `json:"stages"`
	// Time to first success in whole days (null: nobody succeeded).
	TTFSMedian *float64 `json:"ttfs_median_days"`
	TTFSP90    *float64 `json:"ttfs_p90_days"`
}

// DeveloperGroup is the funnel of one segment or member.
type DeveloperGroup struct {
	Key   string `json:"key"`   // segment, or member slug; "" for none
	Label string `json:"label"` // as shown: the member's name, "unmapped", "no segment"
	DeveloperFunnel
}

// DeveloperCell is a cohort's retention in one week after arrival; Rate
// is null when that week is not over for any of its consumers.
type DeveloperCell struct {
	Week     int      `json:"week"`
	Active   int      `json:"active"`
	Observed int      `json:"observed"`
	Rate     *float64 `json:"rate"`
}

// DeveloperCohort is the consumers first seen in one ISO week (its first
// and last days clipped to the range).
type DeveloperCohort struct {
	Week  string `json:"week"`
	Start string `json:"start"`
	End   string `json:"end"`
	DeveloperFunnel
	Retention []DeveloperCell  `json:"retention"`
	Segments  []DeveloperGroup `json:"segments"`
	Members   []DeveloperGroup `json:"members"`
}

// Developers is /developers and /api/v1/developers.
type Developers struct {
	Available *DataOffer `json:"available"` // the days with usage when no consumer is new in the range
	From      string     `json:"from"`
	To        string     `json:"to"`
	// ObservedThrough is the last day of usage data: weeks after it are
	// not observed. UsageFrom is the first: consumers first seen that day
	// may have called before collection began (Predates).
	ObservedThrough string `json:"observed_through,omitempty"`
	UsageFrom       string `json:"usage_from,omitempty"`
	Predates        bool   `json:"first_day_of_collection_in_range"`
	DeveloperFunnel
	Segments      []DeveloperGroup  `json:"segments"`
	Cohorts       []DeveloperCohort `json:"cohorts"`
	LastCollected string            `json:"last_collected,omitempty"`
}

// BuildDevelopers returns the developer funnel of a range. The page and
// its JSON twin both call it.
func BuildDevelopers(ctx context.Context, db *data.DB, p RangeParams) (*Developers, error) {
	return oneRead(ctx, db, func(ctx context.Context) (*Developers, error) { return readDevelopers(ctx, db, p) })
}

// readDevelopers is BuildDevelopers inside its snapshot.
func readDevelopers(ctx context.Context, db *data.DB, p RangeParams) (*Developers, error) {
	from, to, err := resolveRange(ctx, db, p)
	if err != nil {
		return nil, err
	}
	if p.From.IsZero() {
		from = to.AddDate(0, 0, -(DevelopersRangeDays - 1))
	}
	out := &Developers{From: from.Format(domain.DateLayout), To: to.Format(domain.DateLayout),
		Segments: []DeveloperGroup{}, Cohorts: []DeveloperCohort{}}
	if out.LastCollected, err = ecoLastCollected(ctx, db); err != nil {
		return nil, err
	}
	u, err := db.FunnelUsage(ctx, from, to.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	if u.LastDay.IsZero() {
		out.DeveloperFunnel = developerFunnel(metrics.FunnelSummary{Stages: emptyStages()})
		return out, nil
	}
	out.ObservedThrough, out.UsageFrom = u.LastDay.Format(domain.DateLayout), u.FirstDay.Format(domain.DateLayout)
	out.Predates = !u.FirstDay.Before(from) && !u.FirstDay.After(to)
	names := map[string]string{}
	in := make([]metrics.FunnelConsumer, len(u.Consumers))
	for i, c := range u.Consumers {
		names[c.Member] = c.MemberName
		in[i] = metrics.FunnelConsumer{Key: c.Key, Segment: c.Segment, Member: c.Member, First: dayNumber(c.First),
			SuccessDays: dayNumbers(c.Success), ContributionDays: dayNumbers(u.Contributions[c.Member])}
		if c.Member == "" {
			in[i].ContributionDays = nil
		}
	}
	f := metrics.FunnelOf(in, dayNumber(u.LastDay))
	out.DeveloperFunnel = developerFunnel(f.FunnelSummary)
	out.Segments = developerGroups(f.Segments, segmentLabel)
	memberLabel := func(slug string) string {
		if slug == "" {
			return "Unmapped consumers"
		}
		return names[slug]
	}
	for _, co := range f.Cohorts {
		out.Cohorts = append(out.Cohorts, developerCohort(co, from, to, memberLabel))
	}
	if out.Consumers == 0 {
		out.Available = rangeOffer("/developers", nil, u.FirstDay, u.LastDay)
	}
	return out, nil
}

func segmentLabel(s string) string {
	if s == "" {
		return "No segment"
	}
	return s
}

func emptyStages() []metrics.FunnelStage {
	var out []metrics.FunnelStage
	for _, s := range metrics.FunnelStageNames() {
		out = append(out, metrics.FunnelStage{Stage: s})
	}
	return out
}

func developerCohort(co metrics.FunnelCohort, from, to time.Time, label func(string) string) DeveloperCohort {
	monday := dayTime(co.Monday)
	start, end := monday, monday.AddDate(0, 0, 6)
	if start.Before(from) {
		start = from
	}
	if end.After(to) {
		end = to
	}
	out := DeveloperCohort{Week: domain.ISOWeek(monday), Start: start.Format(domain.DateLayout), End: end.Format(domain.DateLayout),
		DeveloperFunnel: developerFunnel(co.FunnelSummary), Retention: make([]DeveloperCell, len(co.Retention)),
		Segments: developerGroups(co.Segments, segmentLabel), Members: developerGroups(co.Members, label)}
	for i, c := range co.Retention {
		out.Retention[i] = DeveloperCell{Week: c.Week, Active: c.Active, Observed: c.Observed, Rate: developerRate(c.Active, c.Observed)}
	}
	return out
}

func developerFunnel(s metrics.FunnelSummary) DeveloperFunnel {
	out := DeveloperFunnel{Consumers: s.Consumers, TTFSMedian: s.TTFSMedian, TTFSP90: s.TTFSP90, Stages: make([]DeveloperStage, len(s.Stages))}
	for i, st := range s.Stages {
		out.Stages[i] = DeveloperStage{Stage: st.Stage, Label: developerStageLabel(st.Stage), Count: st.Count, Observed: st.Observed,
			Rate: developerRate(st.Count, st.Observed)}
	}
	return out
}

func developerGroups(gs []metrics.FunnelGroup, label func(string) string) []DeveloperGroup {
	out := make([]DeveloperGroup, len(gs))
	for i, g := range gs {
		out[i] = DeveloperGroup{Key: g.Key, Label: label(g.Key), DeveloperFunnel: developerFunnel(g.FunnelSummary)}
	}
	return out
}

// developerRate is n/of, or nil (not measured) when of is 0.
func developerRate(n, of int) *float64 {
	if of == 0 {
		return nil
	}
	r := float64(n) / float64(of)
	return &r
}

// dayNumber is a UTC day as whole days since 1970-01-01.
func dayNumber(t time.Time) int { return int(domain.Day(t).Unix() / 86400) }

func dayTime(n int) time.Time { return time.Unix(int64(n)*86400, 0).UTC() }

func dayNumbers(ts []time.Time) []int {
	out := make([]int, len(ts))
	for i, t := range ts {
		out[i] = dayNumber(t)
	}
	return out
}
