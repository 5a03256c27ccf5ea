package data

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// UsageBreakdown says how MemberUsage groups traffic.
type UsageBreakdown int

// Breakdowns of MemberUsage.
const (
	UsageByDay UsageBreakdown = iota
	UsageByEndpoint
	UsageByConsumer
)

// UsageGroup is API traffic summed over one group of a breakdown: a day, an
// endpoint or a consumer (the other key fields are zero).
type UsageGroup struct {
	Day        time.Time `json:"day,omitempty"`
	Endpoint   string    `json:"endpoint,omitempty"`
	ConsumerID int64     `json:"consumer_id,omitempty"`
	Consumer   string    `json:"consumer,omitempty"` // the consumer's name, or its key when unnamed
	LastDay    time.Time `json:"last_day,omitempty"` // by consumer: the last day with calls
	// FirstDay and TopEndpoint, for the unmapped consumers of the API-usage
	// breakdown: the first day with calls, the endpoint with most calls.
	FirstDay    time.Time `json:"first_day,omitempty"`
	TopEndpoint string    `json:"top_endpoint,omitempty"`
	domain.UsageTotals
}

// MemberUsage sums a member's API traffic over the days [from, to), grouped
// by day, endpoint or consumer, from the daily rollups. Groups come by day,
// or by descending calls (then key) for endpoints and consumers.
func (db *DB) MemberUsage(ctx context.Context, memberID int64, from, to time.Time, by UsageBreakdown) ([]UsageGroup, error) {
	if by != UsageByDay && by != UsageByEndpoint && by != UsageByConsumer {
		return nil, domain.Errorf(domain.EINVALID, "unknown usage breakdown %d", by)
	}
	b, err := db.MemberUsageBreakdowns(ctx, memberID, from, to)
	if err != nil {
		return nil, err
	}
	switch by {
	case UsageByEndpoint:
		return b.ByEndpoint, nil
	case UsageByConsumer:
		return b.ByConsumer, nil
	}
	return b.ByDay, nil
}

// memberHistColumns lists the latency histogram columns of a rollup row.
var memberHistColumns = "u." + strings.Join(histColumns, ", u.")

// MemberUsageBreakdown is a member's API traffic over a range, broken down
// three ways (see MemberUsage for the order of each).
type MemberUsageBreakdown struct {
	ByDay      []UsageGroup
	ByEndpoint []UsageGroup
	ByConsumer []UsageGroup
}

// MemberUsageBreakdowns returns the three breakdowns of a member's API
// traffic over the days [from, to) from one read of the daily rollups: the
// member's rows are few, but they lie on many pages.
func (db *DB) MemberUsageBreakdowns(ctx context.Context, memberID int64, from, to time.Time) (*MemberUsageBreakdown, error) {
	return memberUsageBreakdowns(ctx, db.read, memberID, from, to)
}

func memberUsageBreakdowns(ctx context.Context, db querier, memberID int64, from, to time.Time) (*MemberUsageBreakdown, error) {
	// A daily rollup row is already one (day, consumer, endpoint, class):
	// the rows are read as they are and summed here, which spares SQLite a
	// GROUP BY over forty histogram columns.
	rows, err := db.QueryContext(ctx, `SELECT u.bucket, u.endpoint, c.id, CASE WHEN c.name = '' THEN c.key ELSE c.name END,
		u.status_class, u.calls, u.bytes, `+memberHistColumns+`
		FROM api_usage_daily u JOIN api_consumers c ON c.id = u.consumer_id
		WHERE c.member_id = ? AND u.bucket >= ? AND u.bucket < ?`, memberID, domain.Day(from).Unix(), domain.Day(to).Unix())
	if err != nil {
		return nil, fmt.Errorf("store: unable to break down API usage: %w", err)
	}
	defer rows.Close()
	days := map[int64]*UsageGroup{}
	endpoints := map[string]*UsageGroup{}
	consumers := map[int64]*UsageGroup{}
	for rows.Next() {
		var bucket, consumer int64
		var endpoint, name string
		var class int
		var calls, bytes int64
		var h domain.Histogram
		dest := []any{&bucket, &endpoint, &consumer, &name, &class, &calls, &bytes}
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
		c := consumers[consumer]
		if c == nil {
			c = &UsageGroup{ConsumerID: consumer, Consumer: name}
			consumers[consumer] = c
		}
		if calls > 0 && day.After(c.LastDay) {
			c.LastDay = day
		}
		for _, g := range []*UsageGroup{d, e, c} {
			g.Add(class, calls, bytes, &h)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to break down API usage: %w", err)
	}
	b := &MemberUsageBreakdown{ByDay: []UsageGroup{}, ByEndpoint: []UsageGroup{}, ByConsumer: []UsageGroup{}}
	for _, g := range days {
		b.ByDay = append(b.ByDay, *g)
	}
	for _, g := range endpoints {
		b.ByEndpoint = append(b.ByEndpoint, *g)
	}
	for _, g := range consumers {
		b.ByConsumer = append(b.ByConsumer, *g)
	}
	sort.Slice(b.ByDay, func(i, j int) bool { return b.ByDay[i].Day.Before(b.ByDay[j].Day) })
	byCalls := func(list []UsageGroup) func(i, j int) bool {
		return func(i, j int) bool {
			a, b := list[i], list[j]
			if a.Calls != b.Calls {
				return a.Calls > b.Calls
			}
			if a.Endpoint != b.Endpoint {
				return a.Endpoint < b.Endpoint
			}
			if a.Consumer != b.Consumer {
				return a.Consumer < b.Consumer
			}
			return a.ConsumerID < b.ConsumerID
		}
	}
	sort.Slice(b.ByEndpoint, byCalls(b.ByEndpoint))
	sort.Slice(b.ByConsumer, byCalls(b.ByConsumer))
	return b, nil
}
