package data

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// The member page and the API usage page break the daily rollups down by
// day, endpoint and consumer. A daily rollup row is already one (day,
// consumer, endpoint, class): the rows are read as they are and summed in
// Go, which spares SQLite a GROUP BY over forty histogram columns.

// usageBreakdownRow is one daily rollup row, with its consumer's name (its
// key when unnamed) and whether it is mapped to a member (and that member's
// segment).
type usageBreakdownRow struct {
	bucket, consumer        int64
	endpoint, name, segment string
	mapped                  bool
	class                   int
	calls, bytes            int64
	h                       domain.Histogram
}

// day is the row's day.
func (r *usageBreakdownRow) day() time.Time { return time.Unix(r.bucket, 0).UTC() }

// scanUsageBreakdown hands add each daily rollup row matching where (over
// the rollup u, its consumer c and the consumer's member m, if any). add
// must not keep r, which is reused.
func scanUsageBreakdown(ctx context.Context, db querier, where string, args []any, add func(r *usageBreakdownRow)) error {
	rows, err := db.QueryContext(ctx, `SELECT u.bucket, u.endpoint, c.id, CASE WHEN c.name = '' THEN c.key ELSE c.name END,
		c.member_id IS NOT NULL, COALESCE(m.segment, ''), u.status_class, u.calls, u.bytes, `+histList+`
		FROM api_usage_daily u JOIN api_consumers c ON c.id = u.consumer_id LEFT JOIN members m ON m.id = c.member_id
		WHERE `+where, args...)
	if err != nil {
		return fmt.Errorf("store: unable to break down API usage: %w", err)
	}
	defer rows.Close()
	var r usageBreakdownRow
	dest := histDest(&r.h, &r.bucket, &r.endpoint, &r.consumer, &r.name, &r.mapped, &r.segment, &r.class, &r.calls, &r.bytes)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("store: unable to break down API usage: %w", err)
		}
		add(&r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: unable to break down API usage: %w", err)
	}
	return nil
}

// histDest is the scan destinations fields followed by the buckets of h, in
// the order of histList.
func histDest(h *domain.Histogram, fields ...any) []any {
	dest := make([]any, 0, len(fields)+len(h))
	dest = append(dest, fields...)
	for k := range h {
		dest = append(dest, &h[k])
	}
	return dest
}

// usageGroups sums rollup rows into groups by day, endpoint and consumer.
type usageGroups struct {
	days      map[int64]*UsageGroup
	endpoints map[string]*UsageGroup
	consumers map[int64]*UsageGroup
}

func newUsageGroups() usageGroups {
	return usageGroups{days: map[int64]*UsageGroup{}, endpoints: map[string]*UsageGroup{}, consumers: map[int64]*UsageGroup{}}
}

// day is the group of r's day.
func (g usageGroups) day(r *usageBreakdownRow) *UsageGroup {
	d := g.days[r.bucket]
	if d == nil {
		d = &UsageGroup{Day: r.day()}
		g.days[r.bucket] = d
	}
	return d
}

// endpoint is the group of r's endpoint.
func (g usageGroups) endpoint(r *usageBreakdownRow) *UsageGroup {
	e := g.endpoints[r.endpoint]
	if e == nil {
		e = &UsageGroup{Endpoint: r.endpoint}
		g.endpoints[r.endpoint] = e
	}
	return e
}

// consumer is the group of r's consumer, its LastDay moved to r's day when
// r has calls.
func (g usageGroups) consumer(r *usageBreakdownRow) *UsageGroup {
	c := g.consumers[r.consumer]
	if c == nil {
		c = &UsageGroup{ConsumerID: r.consumer, Consumer: r.name}
		g.consumers[r.consumer] = c
	}
	if day := r.day(); r.calls > 0 && day.After(c.LastDay) {
		c.LastDay = day
	}
	return c
}

// byDay lists the groups of m oldest day first.
func byDay(m map[int64]*UsageGroup) []UsageGroup {
	out := make([]UsageGroup, 0, len(m))
	for _, g := range m {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Day.Before(out[j].Day) })
	return out
}

// byCalls lists the groups of m by descending calls, then endpoint, name
// and ID (the one key an endpoint or consumer group has).
func byCalls[K comparable](m map[K]*UsageGroup) []UsageGroup {
	out := make([]UsageGroup, 0, len(m))
	for _, g := range m {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
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
	})
	return out
}
