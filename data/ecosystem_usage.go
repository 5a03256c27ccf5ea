package data

import (
	"context"
	"sort"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// API usage (/api-usage) is read from the rollup tables only, never from raw
// requests. Every value a visitor chooses is a bound parameter.

// UsageSegmentDay is one day of the traffic of the consumers mapped to
// members of one segment ("" for members without a segment).
type UsageSegmentDay struct {
	Day     time.Time `json:"day"`
	Segment string    `json:"segment"`
	domain.UsageTotals
}

// EcosystemUsage is all API traffic over a range of days, from the daily
// rollups, broken down for the API usage page. Unmapped consumers (no
// member) are counted in Totals and ByDay, and apart in the Unmapped fields;
// BySegment holds mapped traffic only.
type EcosystemUsage struct {
	Totals            domain.UsageTotals
	Unmapped          domain.UsageTotals
	ByDay             []UsageGroup      // days with traffic, oldest first
	BySegment         []UsageSegmentDay // by day, then segment
	UnmappedByDay     []UsageGroup      // days with unmapped traffic, oldest first
	ByEndpoint        []UsageGroup      // by descending calls, then endpoint
	UnmappedConsumers []UsageGroup      // by descending calls, then name
}

// EcosystemUsage sums the API traffic of the days [from, to) from one read
// of the daily rollups.
func (db *DB) EcosystemUsage(ctx context.Context, from, to time.Time) (*EcosystemUsage, error) {
	from, to = domain.Day(from), domain.Day(to)
	if err := checkEcosystemRange(from, to); err != nil {
		return nil, err
	}
	sums := newEcosystemUsageSums()
	if err := scanUsageBreakdown(ctx, db.read, `u.bucket >= ? AND u.bucket < ?`, []any{from.Unix(), to.Unix()}, sums.add); err != nil {
		return nil, err
	}
	return sums.usage(), nil
}

type ecosystemSegmentKey struct {
	day int64
	seg string
}

// ecosystemUsageSums adds up rollup rows into the groups of EcosystemUsage:
// all traffic by day and endpoint, the unmapped traffic by day and consumer.
type ecosystemUsageSums struct {
	out               EcosystemUsage
	all, unmapped     usageGroups
	segments          map[ecosystemSegmentKey]*UsageSegmentDay
	consumerEndpoints map[int64]map[string]int64 // unmapped consumers' calls by endpoint
}

func newEcosystemUsageSums() *ecosystemUsageSums {
	return &ecosystemUsageSums{all: newUsageGroups(), unmapped: newUsageGroups(),
		segments: map[ecosystemSegmentKey]*UsageSegmentDay{}, consumerEndpoints: map[int64]map[string]int64{}}
}

// add counts r in the totals, its day and endpoint, then in its segment's
// day when it is mapped, else in the unmapped groups.
func (s *ecosystemUsageSums) add(r *usageBreakdownRow) {
	for _, t := range []*domain.UsageTotals{&s.out.Totals, &s.all.day(r).UsageTotals, &s.all.endpoint(r).UsageTotals} {
		t.Add(r.class, r.calls, r.bytes, &r.h)
	}
	if r.mapped {
		k := ecosystemSegmentKey{r.bucket, r.segment}
		g := s.segments[k]
		if g == nil {
			g = &UsageSegmentDay{Day: r.day(), Segment: r.segment}
			s.segments[k] = g
		}
		g.Add(r.class, r.calls, r.bytes, &r.h)
		return
	}
	s.addUnmapped(r)
}

func (s *ecosystemUsageSums) addUnmapped(r *usageBreakdownRow) {
	c := s.unmapped.consumer(r)
	if day := r.day(); r.calls > 0 && (c.FirstDay.IsZero() || day.Before(c.FirstDay)) {
		c.FirstDay = day
	}
	eps := s.consumerEndpoints[r.consumer]
	if eps == nil {
		eps = map[string]int64{}
		s.consumerEndpoints[r.consumer] = eps
	}
	eps[r.endpoint] = domain.AddSat(eps[r.endpoint], r.calls)
	for _, t := range []*domain.UsageTotals{&s.out.Unmapped, &s.unmapped.day(r).UsageTotals, &c.UsageTotals} {
		t.Add(r.class, r.calls, r.bytes, &r.h)
	}
}

// usage returns the sums, each list in its documented order.
func (s *ecosystemUsageSums) usage() *EcosystemUsage {
	out := &s.out
	out.ByDay = byDay(s.all.days)
	out.UnmappedByDay = byDay(s.unmapped.days)
	out.BySegment = make([]UsageSegmentDay, 0, len(s.segments))
	for _, g := range s.segments {
		out.BySegment = append(out.BySegment, *g)
	}
	sort.Slice(out.BySegment, func(i, j int) bool {
		a, b := out.BySegment[i], out.BySegment[j]
		if !a.Day.Equal(b.Day) {
			return a.Day.Before(b.Day)
		}
		return a.Segment < b.Segment
	})
	out.ByEndpoint = byCalls(s.all.endpoints)
	for id, c := range s.unmapped.consumers {
		var top int64
		for ep, n := range s.consumerEndpoints[id] {
			if n > top || n == top && ep < c.TopEndpoint {
				c.TopEndpoint, top = ep, n
			}
		}
	}
	out.UnmappedConsumers = byCalls(s.unmapped.consumers)
	return out
}
