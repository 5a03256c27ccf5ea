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
	type segKey struct {
		day int64
		seg string
	}
	days := map[int64]*UsageGroup{}
	unmappedDays := map[int64]*UsageGroup{}
	segments := map[segKey]*UsageSegmentDay{}
	endpoints := map[string]*UsageGroup{}
	consumers := map[int64]*UsageGroup{}
	consumerEndpoints := map[int64]map[string]int64{} // unmapped consumers' calls by endpoint
	out := &EcosystemUsage{}
	for rows.Next() {
		var bucket, consumer int64
		var endpoint, name, segment string
		var mapped bool
		var class int
		var calls, bytes int64
		var h domain.Histogram
		dest := []any{&bucket, &endpoint, &consumer, &name, &mapped, &segment, &class, &calls, &bytes}
		for i := range h {
			dest = append(dest, &h[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("store: unable to break down API usage: %w", err)
		}
		day := time.Unix(bucket, 0).UTC()
		d := days[bucket]
		if d == nil {
			d = &UsageGroup{Day: day}
			days[bucket] = d
		}
		e := endpoints[endpoint]
		if e == nil {
			e = &UsageGroup{Endpoint: endpoint}
			endpoints[endpoint] = e
		}
		for _, t := range []*domain.UsageTotals{&out.Totals, &d.UsageTotals, &e.UsageTotals} {
			t.Add(class, calls, bytes, &h)
		}
		if mapped {
			k := segKey{bucket, segment}
			s := segments[k]
			if s == nil {
				s = &UsageSegmentDay{Day: day, Segment: segment}
				segments[k] = s
			}
			s.Add(class, calls, bytes, &h)
			continue
		}
		ud := unmappedDays[bucket]
		if ud == nil {
			ud = &UsageGroup{Day: day}
			unmappedDays[bucket] = ud
		}
		c := consumers[consumer]
		if c == nil {
			c = &UsageGroup{ConsumerID: consumer, Consumer: name}
			consumers[consumer] = c
		}
		if calls > 0 && day.After(c.LastDay) {
			c.LastDay = day
		}
		if calls > 0 && (c.FirstDay.IsZero() || day.Before(c.FirstDay)) {
			c.FirstDay = day
		}
		eps := consumerEndpoints[consumer]
		if eps == nil {
			eps = map[string]int64{}
			consumerEndpoints[consumer] = eps
		}
		eps[endpoint] = domain.AddSat(eps[endpoint], calls)
		for _, t := range []*domain.UsageTotals{&out.Unmapped, &ud.UsageTotals, &c.UsageTotals} {
			t.Add(class, calls, bytes, &h)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to break down API usage: %w", err)
	}
	out.ByDay = sortedDays(days)
	out.UnmappedByDay = sortedDays(unmappedDays)
	out.BySegment = make([]UsageSegmentDay, 0, len(segments))
	for _, s := range segments {
		out.BySegment = append(out.BySegment, *s)
	}
	sort.Slice(out.BySegment, func(i, j int) bool {
		a, b := out.BySegment[i], out.BySegment[j]
		if !a.Day.Equal(b.Day) {
			return a.Day.Before(b.Day)
		}
		return a.Segment < b.Segment
	})
	out.ByEndpoint = make([]UsageGroup, 0, len(endpoints))
	for _, e := range endpoints {
		out.ByEndpoint = append(out.ByEndpoint, *e)
	}
	sort.Slice(out.ByEndpoint, func(i, j int) bool {
		a, b := out.ByEndpoint[i], out.ByEndpoint[j]
		if a.Calls != b.Calls {
			return a.Calls > b.Calls
		}
		return a.Endpoint < b.Endpoint
	})
	out.UnmappedConsumers = make([]UsageGroup, 0, len(consumers))
	for id, c := range consumers {
		var top int64
		for ep, n := range consumerEndpoints[id] {
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
	return out, nil
}

func sortedDays(m map[int64]*UsageGroup) []UsageGroup {
	out := make([]UsageGroup, 0, len(m))
	for _, g := range m {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Day.Before(out[j].Day) })
	return out
}
