package data

import (
	"context"
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
	g := newUsageGroups()
	err := scanUsageBreakdown(ctx, db, `c.member_id = ? AND u.bucket >= ? AND u.bucket < ?`,
		[]any{memberID, domain.Day(from).Unix(), domain.Day(to).Unix()}, func(r *usageBreakdownRow) {
			for _, group := range []*UsageGroup{g.day(r), g.endpoint(r), g.consumer(r)} {
				group.Add(r.class, r.calls, r.bytes, &r.h)
			}
		})
	if err != nil {
		return nil, err
	}
	return &MemberUsageBreakdown{ByDay: byDay(g.days), ByEndpoint: byCalls(g.endpoints), ByConsumer: byCalls(g.consumers)}, nil
}
