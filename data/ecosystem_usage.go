package data

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// API usage (/api-usage) is read from the rollup tables only, never from raw
// requests. Every value a visitor chooses is a bound parameter.

// ecoHistColumns lists the latency histogram columns of a rollup row u.
var ecoHistColumns = "u." + strings.Join(histColumns, ", u.")

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
// of the daily rollups (a rollup row is already one day, consumer, endpoint
// and status class: rows are summed here, sparing SQLite a GROUP BY over
// forty histogram columns).
func (db *DB) EcosystemUsage(ctx context.Context, from, to time.Time) (*EcosystemUsage, error) {
	from, to = domain.Day(from), domain.Day(to)
	if err := checkEcosystemRange(from, to); err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT u.bucket, u.endpoint, c.id, CASE WHEN c.name = '' THEN c.key ELSE c.name END,
		c.member_id IS NOT NULL, COALESCE(m.segment, ''), u.status_class, u.calls, u.bytes, `+ecoHistColumns+`
		FROM api_usage_daily u JOIN api_consumers c ON c.id = u.consumer_id LEFT JOIN members m ON m.id = c.member_id
		WHERE u.bucket >= ? AND u.bucket < ?`, from.Unix(), to.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: unable to break down API usage: %w", err)
	}
	defer rows.Close()
	sums := newEcosystemUsageSums()
	for rows.Next() {
		var r ecosystemUsageRow
		dest := []any{&r.bucket, &r.endpoint, &r.consumer, &r.name, &r.mapped, &r.segment, &r.class, &r.calls, &r.bytes}
		for i := range r.h {
			dest = append(dest, &r.h[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("store: unable to break down API usage: %w", err)
		}
		sums.add(&r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to break down API usage: %w", err)
	}
	return sums.usage(), nil
}

// ecosystemUsageRow is one daily rollup row, with its consumer's name and
// whether it is mapped to a member (and that member's segment).
type ecosystemUsageRow struct {
	bucket, consumer        int64
	endpoint, name, segment string
	mapped                  bool
	class                   int
	calls, bytes            int64
	h                       domain.Histogram
}

type ecosystemSegmentKey struct {
	day int64
	seg string
}

// ecosystemUsageSums adds up rollup rows into the groups of EcosystemUsage.
type ecosystemUsageSums struct {
	out               EcosystemUsage
	days              map[int64]*UsageGroup
	unmappedDays      map[int64]*UsageGroup
	segments          map[ecosystemSegmentKey]*UsageSegmentDay
	endpoints         map[string]*UsageGroup
	consumers         map[int64]*UsageGroup
	consumerEndpoints map[int64]map[string]int64 // unmapped consumers' calls by endpoint
}

func newEcosystemUsageSums() *ecosystemUsageSums {
	return &ecosystemUsageSums{days: map[int64]*UsageGroup{}, unmappedDays: map[int64]*UsageGroup{},
		segments: map[ecosystemSegmentKey]*UsageSegmentDay{}, endpoints: map[string]*UsageGroup{},
		consumers: map[int64]*UsageGroup{}, consumerEndpoints: map[int64]map[string]int64{}}
}

// add counts r in the totals, its day and endpoint, then in its segment's
// day when it is mapped, else in the unmapped groups.
func (s *ecosystemUsageSums) add(r *ecosystemUsageRow) {
	day := time.Unix(r.bucket, 0).UTC()
	d := s.days[r.bucket]
	if d == nil {
		d = &UsageGroup{Day: day}
		s.days[r.bucket] = d
	}
	e := s.endpoints[r.endpoint]
	if e == nil {
		e = &UsageGroup{Endpoint: r.endpoint}
		s.endpoints[r.endpoint] = e
	}
	for _, t := range []*domain.UsageTotals{&s.out.Totals, &d.UsageTotals, &e.UsageTotals} {
		t.Add(r.class, r.calls, r.bytes, &r.h)
	}
	if r.mapped {
		k := ecosystemSegmentKey{r.bucket, r.segment}
		g := s.segments[k]
		if g == nil {
			g = &UsageSegmentDay{Day: day, Segment: r.segment}
			s.segments[k] = g
		}
		g.Add(r.class, r.calls, r.bytes, &r.h)
		return
	}
	s.addUnmapped(r, day)
}

func (s *ecosystemUsageSums) addUnmapped(r *ecosystemUsageRow, day time.Time) {
	ud := s.unmappedDays[r.bucket]
	if ud == nil {
		ud = &UsageGroup{Day: day}
		s.unmappedDays[r.bucket] = ud
	}
	c := s.consumers[r.consumer]
	if c == nil {
		c = &UsageGroup{ConsumerID: r.consumer, Consumer: r.name}
		s.consumers[r.consumer] = c
	}
	if r.calls > 0 && day.After(c.LastDay) {
		c.LastDay = day
	}
	if r.calls > 0 && (c.FirstDay.IsZero() || day.Before(c.FirstDay)) {
		c.FirstDay = day
	}
	eps := s.consumerEndpoints[r.consumer]
	if eps == nil {
		eps = map[string]int64{}
		s.consumerEndpoints[r.consumer] = eps
	}
	eps[r.endpoint] = domain.AddSat(eps[r.endpoint], r.calls)
	for _, t := range []*domain.UsageTotals{&s.out.Unmapped, &ud.UsageTotals, &c.UsageTotals} {
		t.Add(r.class, r.calls, r.bytes, &r.h)
	}
}

// usage returns the sums, each list in its documented order.
func (s *ecosystemUsageSums) usage() *EcosystemUsage {
	out := &s.out
	out.ByDay = sortedDays(s.days)
	out.UnmappedByDay = sortedDays(s.unmappedDays)
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
	out.ByEndpoint = make([]UsageGroup, 0, len(s.endpoints))
	for _, e := range s.endpoints {
		out.ByEndpoint = append(out.ByEndpoint, *e)
	}
	sort.Slice(out.ByEndpoint, func(i, j int) bool {
		a, b := out.ByEndpoint[i], out.ByEndpoint[j]
		if a.Calls != b.Calls {
			return a.Calls > b.Calls
		}
		return a.Endpoint < b.Endpoint
	})
	out.UnmappedConsumers = make([]UsageGroup, 0, len(s.consumers))
	for id, c := range s.consumers {
		var top int64
		for ep, n := range s.consumerEndpoints[id] {
			if n > top || n == top && ep < c.TopEndpoint {
				c.TopEndpoint, top = ep, n
			}
		}
		out.UnmappedConsumers = append(out.UnmappedConsumers, *c)
	}
	sort.Slice(out.UnmappedConsumers, func(i, j int) bool {
		a, b := out.UnmappedConsumers[i], out.UnmappedConsumers[j]
		if a.Calls != b.Calls {
			return a.Calls > b.Calls
		}
		if a.Consumer != b.Consumer {
			return a.Consumer < b.Consumer
		}
		return a.ConsumerID < b.ConsumerID
	})
	return out
}

func sortedDays(m map[int64]*UsageGroup) []UsageGroup {
	out := make([]UsageGroup, 0, len(m))
	for _, g := range m {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Day.Before(out[j].Day) })
	return out
}
