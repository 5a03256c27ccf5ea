package views

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// The API usage page: /api-usage and /api/v1/api-usage/breakdown. Every
// number comes from the usage rollups (data.EcosystemUsage from the daily
// table, data.UsageByHourOfWeek from the hourly one), never raw requests.

// AvailabilitySLO is the availability objective of the API: the share of
// calls over a range that must not fail with a server error (5xx). Its
// error budget is the rest: 0.5% of the range's calls. Client errors (4xx)
// are the caller's and spend no budget.
const AvailabilitySLO = 0.995

// LatencySLOQuantile is the share of calls the latency objective holds for:
// metrics Config Technical.LatencySLOMS is a p95 objective, so 5% of calls
// (those with a latency) may be slower. They are the latency budget.
const LatencySLOQuantile = 0.95

const (
	apiUsageDefaultTop = 10
	apiUsageMaxTop     = 50
	apiUsageConsumers  = 20 // unmapped consumers listed by default
	// APIUsageMaxConsumers is the largest page of unmapped consumers the
	// breakdown lists (?consumers_limit): their number is bounded only by
	// ingest.max_new_consumers_per_day, and each is a row of JSON.
	APIUsageMaxConsumers = 500
)

// NoSegment names the members without a segment in the segment breakdown.
const NoSegment = "(no segment)"

// APIUsageParams selects what the API usage page shows.
type APIUsageParams struct {
	RangeParams
	Top int // endpoints listed; 0: the default (10)
	// ConsumersLimit and ConsumersOffset page the unmapped consumers
	// (busiest first); a zero limit is the default (20).
	ConsumersLimit, ConsumersOffset int
}

// ParseAPIUsageParams reads from, to and top from a query.
func ParseAPIUsageParams(get func(string) string) (APIUsageParams, error) {
	r, err := ParseRange(get)
	if err != nil {
		return APIUsageParams{}, err
	}
	p := APIUsageParams{RangeParams: r}
	if s := strings.TrimSpace(get("top")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > apiUsageMaxTop {
			return p, domain.ErrorKey(domain.EINVALID, "errors.query.whole_number", domain.Facts{"Name": "top", "Min": 1, "Max": apiUsageMaxTop, "Value": fmt.Sprintf("%q", s)}, "top must be a whole number from 1 to %d, not %q", apiUsageMaxTop, s)
		}
		p.Top = n
	}
	for _, f := range []struct {
		name     string
		dst      *int
		min, max int
	}{{"consumers_limit", &p.ConsumersLimit, 1, APIUsageMaxConsumers}, {"consumers_offset", &p.ConsumersOffset, 0, math.MaxInt32}} {
		s := strings.TrimSpace(get(f.name))
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < f.min || n > f.max {
			return p, domain.ErrorKey(domain.EINVALID, "errors.query.whole_number", domain.Facts{"Name": f.name, "Min": f.min, "Max": f.max, "Value": fmt.Sprintf("%q", s)}, "%s must be a whole number from %d to %d, not %q", f.name, f.min, f.max, s)
		}
		*f.dst = n
	}
	return p, nil
}

// APIUsageDay is one day of the ecosystem's API traffic.
type APIUsageDay struct {
	Day       string `json:"day"`
	Calls     int64  `json:"calls"`
	Errors4xx int64  `json:"errors_4xx"`
	Errors5xx int64  `json:"errors_5xx"`
	// BySegment is the calls of mapped consumers, aligned with
	// APIUsage.Segments; Unmapped the calls of consumers mapped to no member.
	BySegment []int64  `json:"by_segment"`
	Unmapped  int64    `json:"unmapped"`
	P95MS     *float64 `json:"p95_ms"` // null without latency data
	// Budget used so far in the range, cumulative, as a share of the whole
	// range's error budget (1 = all of it): the last day's equals the SLO's.
	AvailabilityBudgetUsed float64 `json:"availability_budget_used"`
	LatencyBudgetUsed      float64 `json:"latency_budget_used"`
	// HasData: some input was collected that day (API calls or community
	// activity). Without, its zeros are not measurements and the charts
	// draw a gap.
	HasData bool `json:"has_data"`
}

// APIUsageEndpoint is the traffic of one endpoint.
type APIUsageEndpoint struct {
	Endpoint  string   `json:"endpoint"`
	Calls     int64    `json:"calls"`
	Share     float64  `json:"share"` // of all calls
	Errors4xx int64    `json:"errors_4xx"`
	Errors5xx int64    `json:"errors_5xx"`
	ErrorRate float64  `json:"error_rate"` // (4xx + 5xx) / calls
	P95MS     *float64 `json:"p95_ms"`
}

// APIUsageAvailability is the availability objective and its budget.
type APIUsageAvailability struct {
	Target     float64  `json:"target"`      // AvailabilitySLO
	Calls      int64    `json:"calls"`       // every call of the range
	Failed     int64    `json:"failed"`      // server errors (5xx)
	Allowed    float64  `json:"allowed"`     // the budget: (1 - target) · calls
	BudgetUsed float64  `json:"budget_used"` // failed / allowed; 0 without calls
	Achieved   *float64 `json:"achieved"`    // 1 - failed / calls; null without calls
}

// APIUsageLatency is the latency objective and its budget.
type APIUsageLatency struct {
	ThresholdMS float64  `json:"threshold_ms"` // metrics Config Technical.LatencySLOMS
	Quantile    float64  `json:"quantile"`     // LatencySLOQuantile
	Measured    int64    `json:"measured"`     // calls with a latency
	Slow        float64  `json:"slow"`         // of those, slower than the threshold (estimated from the histograms)
	Allowed     float64  `json:"allowed"`      // the budget: (1 - quantile) · measured
	BudgetUsed  float64  `json:"budget_used"`  // slow / allowed; 0 without latency data
	P95MS       *float64 `json:"p95_ms"`
}

// APIUsageSLO is the range's service level against its objectives.
type APIUsageSLO struct {
	Availability APIUsageAvailability `json:"availability"`
	Latency      APIUsageLatency      `json:"latency"`
}

// APIUsageCell is one hour of the week (UTC) in the latency heatmap.
type APIUsageCell struct {
	Weekday int      `json:"weekday"` // 0 = Monday … 6 = Sunday
	Hour    int      `json:"hour"`    // 0..23
	Calls   int64    `json:"calls"`
	Errors  int64    `json:"errors"` // 4xx + 5xx
	P95MS   *float64 `json:"p95_ms"` // from the cell's merged histograms; null without latency data
}

// APIUsageHeatmap is latency by hour of day and weekday over the range,
// from the hourly rollups: 7 × 24 cells, Monday 00:00 first.
type APIUsageHeatmap struct {
	Weekdays []string       `json:"weekdays"`
	Cells    []APIUsageCell `json:"cells"`
	Calls    int64          `json:"calls"` // the cells' sum: the range's calls
	MaxP95MS float64        `json:"max_p95_ms"`
}

// APIUsageConsumer is an unmapped consumer's traffic.
type APIUsageConsumer struct {
	Key       string  `json:"key"`      // what mapping it to a member names (PUT /api/v1/consumers/:key)
	Consumer  string  `json:"consumer"` // its name, or its key when unnamed
	Calls     int64   `json:"calls"`
	Errors4xx int64   `json:"errors_4xx"`
	Errors5xx int64   `json:"errors_5xx"`
	ErrorRate float64 `json:"error_rate"`
	LastDay   string  `json:"last_day,omitempty"`
	FirstDay  string  `json:"first_day,omitempty"`
	// TopEndpoint is the endpoint it called most in the range: what it is
	// for, often enough to tell whose it is.
	TopEndpoint string `json:"top_endpoint,omitempty"`
}

// APIUsageUnmapped is the traffic of consumers mapped to no member: counted
// in every total, attributed to nobody, and shown apart.
type APIUsageUnmapped struct {
	Totals        domain.UsageTotals `json:"totals"`
	Share         float64            `json:"share"` // of all calls
	ErrorRate     float64            `json:"error_rate"`
	ConsumerCount int                `json:"consumer_count"`
	// Consumers is one page of them, busiest first: ConsumersOffset
	// skipped, at most ConsumersLimit (default 20, at most 500).
	Consumers       []APIUsageConsumer `json:"consumers"`
	ConsumersOffset int                `json:"consumers_offset"`
	ConsumersLimit  int                `json:"consumers_limit"`
}

// APIUsage is /api-usage and /api/v1/api-usage/breakdown.
type APIUsage struct {
	// MapTargets, when set (by the handler, for managers), are the members
	// an unmapped consumer can be mapped to from the page; never in the JSON.
	MapTargets    []domain.Member    `json:"-"`
	From          string             `json:"from"`
	To            string             `json:"to"`
	Days          int                `json:"days"`
	Top           int                `json:"top"`
	Totals        domain.UsageTotals `json:"totals"` // the same as /api/v1/api-usage's for the range
	ErrorRate     float64            `json:"error_rate"`
	LatencyMS     MemberLatency      `json:"latency_ms"`
	Segments      []string           `json:"segments"` // busiest first
	Daily         []APIUsageDay      `json:"daily"`    // every day of the range
	Endpoints     []APIUsageEndpoint `json:"top_endpoints"`
	EndpointCount int                `json:"endpoint_count"`
	SLO           APIUsageSLO        `json:"slo"`
	Heatmap       APIUsageHeatmap    `json:"heatmap"`
	Unmapped      APIUsageUnmapped   `json:"unmapped"`
	LastCollected string             `json:"last_collected,omitempty"`
	// DataRange is the first and last day with stored usage (null: none);
	// Available offers it when the range shown has no call.
	DataRange *DayRange  `json:"data_range"`
	Available *DataOffer `json:"available"`
}

// apiUsageWeekdays are the heatmap's rows, Monday first.
var apiUsageWeekdays = []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

func ecoRatio(n, d float64) float64 {
	if d == 0 {
		return 0
	}
	return n / d
}

// BuildAPIUsage returns the API usage page. The page and its JSON twin both
// call it.
func BuildAPIUsage(ctx context.Context, db *data.DB, cfg metrics.Config, p APIUsageParams) (*APIUsage, error) {
	return oneRead(ctx, db, func(ctx context.Context) (*APIUsage, error) { return readAPIUsage(ctx, db, cfg, p) })
}

// readAPIUsage is BuildAPIUsage inside its snapshot.
func readAPIUsage(ctx context.Context, db *data.DB, cfg metrics.Config, p APIUsageParams) (*APIUsage, error) {
	from, to, err := resolveRange(ctx, db, p.RangeParams)
	if err != nil {
		return nil, err
	}
	out := &APIUsage{From: from.Format(domain.DateLayout), To: to.Format(domain.DateLayout), Top: p.Top,
		Segments: []string{}, Daily: []APIUsageDay{}, Endpoints: []APIUsageEndpoint{}}
	if out.Top == 0 {
		out.Top = apiUsageDefaultTop
	}
	if out.LastCollected, err = ecoLastCollected(ctx, db); err != nil {
		return nil, err
	}
	u, cells, err := loadAPIUsage(ctx, db, from, to.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	t := u.Totals
	out.Totals = t
	out.ErrorRate = ecoRatio(float64(t.Errors4xx+t.Errors5xx), float64(t.Calls))
	out.LatencyMS = memberLatencyOf(&t.Latency)
	out.Segments = apiUsageSegments(u)
	out.SLO = apiUsageSLO(&t, cfg.Technical.LatencySLOMS)

	// Every day of the range, and whether it holds data (series.go).
	frame, err := loadTrendFrame(ctx, db, from, to, cfg.WindowDays)
	if err != nil {
		return nil, err
	}
	out.Daily = apiUsageDaily(u, frame, from, to, out.Segments, &out.SLO)
	out.EndpointCount = len(u.ByEndpoint)
	out.Endpoints = apiUsageEndpoints(u, out.Top)
	out.Heatmap = apiUsageHeatmap(cells)
	if out.Unmapped, err = apiUsageUnmapped(ctx, db, u, p); err != nil {
		return nil, err
	}
	out.Days = len(out.Daily)
	if err := apiUsageOffer(ctx, db, out); err != nil {
		return nil, err
	}
	return out, nil
}

// loadAPIUsage reads the daily and the hourly rollups of [from, end), one
// after the other: the page is one snapshot of the store, one connection
// (data.DB.Snapshot), which PostgreSQL does not let two reads share at once.
func loadAPIUsage(ctx context.Context, db *data.DB, from, end time.Time) (*data.EcosystemUsage, []data.UsageHourCell, error) {
	u, err := db.EcosystemUsage(ctx, from, end)
	if err != nil {
		return nil, nil, err
	}
	cells, err := db.UsageByHourOfWeek(ctx, from, end)
	if err != nil {
		return nil, nil, err
	}
	return u, cells, nil
}

// apiUsageSegments returns the segments with traffic, busiest first.
func apiUsageSegments(u *data.EcosystemUsage) []string {
	segCalls := map[string]int64{}
	for _, s := range u.BySegment {
		segCalls[apiUsageSegment(s.Segment)] += s.Calls
	}
	segments := []string{}
	for s := range segCalls {
		segments = append(segments, s)
	}
	sort.Slice(segments, func(i, j int) bool {
		a, b := segments[i], segments[j]
		if segCalls[a] != segCalls[b] {
			return segCalls[a] > segCalls[b]
		}
		return a < b
	})
	return segments
}

// apiUsageSLO measures the range's totals against the availability and the
// latency objectives (latency against sloMS).
func apiUsageSLO(t *domain.UsageTotals, sloMS float64) APIUsageSLO {
	var slo APIUsageSLO
	av := &slo.Availability
	av.Target, av.Calls, av.Failed = AvailabilitySLO, t.Calls, t.Errors5xx
	av.Allowed = (1 - AvailabilitySLO) * float64(t.Calls)
	av.BudgetUsed = ecoRatio(float64(av.Failed), av.Allowed)
	if t.Calls > 0 {
		av.Achieved = ecoOpt(1 - float64(t.Errors5xx)/float64(t.Calls))
	}
	lat := &slo.Latency
	lat.ThresholdMS, lat.Quantile = sloMS, LatencySLOQuantile
	lat.Measured = t.Latency.Count()
	lat.Slow = t.Latency.CountAbove(lat.ThresholdMS)
	lat.Allowed = (1 - LatencySLOQuantile) * float64(lat.Measured)
	lat.BudgetUsed = ecoRatio(lat.Slow, lat.Allowed)
	if lat.Measured > 0 {
		lat.P95MS = ecoOpt(t.Latency.Quantile(LatencySLOQuantile))
	}
	return slo
}

// apiUsageDaily returns every day of [from, to]: its traffic, by segment
// (aligned with segments) and unmapped, and the error budgets of slo used
// so far.
func apiUsageDaily(u *data.EcosystemUsage, frame *trendFrame, from, to time.Time, segments []string, slo *APIUsageSLO) []APIUsageDay {
	segIndex := map[string]int{}
	for i, s := range segments {
		segIndex[s] = i
	}
	daily := []APIUsageDay{}
	byDay := map[string]int{}
	for i, d := range ecoDays(from, to) {
		byDay[d] = len(daily)
		daily = append(daily, APIUsageDay{Day: d, BySegment: make([]int64, len(segments)), HasData: frame.hasData(from.AddDate(0, 0, i))})
	}
	for _, g := range u.ByDay {
		d := &daily[byDay[g.Day.Format(domain.DateLayout)]]
		d.Calls, d.Errors4xx, d.Errors5xx = g.Calls, g.Errors4xx, g.Errors5xx
		if g.Latency.Count() > 0 {
			d.P95MS = ecoOpt(g.Latency.Quantile(LatencySLOQuantile))
		}
	}
	for _, s := range u.BySegment {
		daily[byDay[s.Day.Format(domain.DateLayout)]].BySegment[segIndex[apiUsageSegment(s.Segment)]] += s.Calls
	}
	for _, g := range u.UnmappedByDay {
		daily[byDay[g.Day.Format(domain.DateLayout)]].Unmapped = g.Calls
	}
	slowByDay := map[string]float64{}
	for _, g := range u.ByDay {
		slowByDay[g.Day.Format(domain.DateLayout)] = g.Latency.CountAbove(slo.Latency.ThresholdMS)
	}
	var failed int64
	var slow float64
	for i := range daily {
		d := &daily[i]
		failed = domain.AddSat(failed, d.Errors5xx)
		slow += slowByDay[d.Day]
		d.AvailabilityBudgetUsed = ecoRatio(float64(failed), slo.Availability.Allowed)
		d.LatencyBudgetUsed = ecoRatio(slow, slo.Latency.Allowed)
	}
	return daily
}

// apiUsageEndpoints returns the top busiest endpoints.
func apiUsageEndpoints(u *data.EcosystemUsage, top int) []APIUsageEndpoint {
	endpoints := []APIUsageEndpoint{}
	for i, g := range u.ByEndpoint {
		if i == top {
			break
		}
		e := APIUsageEndpoint{Endpoint: g.Endpoint, Calls: g.Calls, Share: ecoRatio(float64(g.Calls), float64(u.Totals.Calls)),
			Errors4xx: g.Errors4xx, Errors5xx: g.Errors5xx, ErrorRate: ecoRatio(float64(g.Errors4xx+g.Errors5xx), float64(g.Calls))}
		if g.Latency.Count() > 0 {
			e.P95MS = ecoOpt(g.Latency.Quantile(LatencySLOQuantile))
		}
		endpoints = append(endpoints, e)
	}
	return endpoints
}

// apiUsageHeatmap lays the hourly cells out as 7 × 24 cells, Monday first.
func apiUsageHeatmap(cells []data.UsageHourCell) APIUsageHeatmap {
	h := APIUsageHeatmap{Weekdays: apiUsageWeekdays, Cells: make([]APIUsageCell, 7*24)}
	for i := range h.Cells {
		h.Cells[i] = APIUsageCell{Weekday: i / 24, Hour: i % 24}
	}
	for _, c := range cells {
		wd := (int(c.Weekday) + 6) % 7 // Sunday = 0 → 6
		cell := &h.Cells[wd*24+c.Hour]
		cell.Calls, cell.Errors = c.Calls, c.Errors4xx+c.Errors5xx
		if c.Latency.Count() > 0 {
			cell.P95MS = ecoOpt(c.Latency.Quantile(LatencySLOQuantile))
			if *cell.P95MS > h.MaxP95MS {
				h.MaxP95MS = *cell.P95MS
			}
		}
		h.Calls = domain.AddSat(h.Calls, c.Calls)
	}
	return h
}

// apiUsageUnmapped returns the traffic of the unmapped consumers and the
// page of them that p asks for.
func apiUsageUnmapped(ctx context.Context, db *data.DB, u *data.EcosystemUsage, p APIUsageParams) (APIUsageUnmapped, error) {
	um := APIUsageUnmapped{Totals: u.Unmapped}
	um.Share = ecoRatio(float64(u.Unmapped.Calls), float64(u.Totals.Calls))
	um.ErrorRate = ecoRatio(float64(u.Unmapped.Errors4xx+u.Unmapped.Errors5xx), float64(u.Unmapped.Calls))
	um.ConsumerCount = len(u.UnmappedConsumers)
	um.Consumers = []APIUsageConsumer{}
	um.ConsumersLimit, um.ConsumersOffset = p.ConsumersLimit, p.ConsumersOffset
	if um.ConsumersLimit == 0 {
		um.ConsumersLimit = apiUsageConsumers
	}
	page := u.UnmappedConsumers[min(um.ConsumersOffset, len(u.UnmappedConsumers)):]
	page = page[:min(len(page), um.ConsumersLimit)]
	ids := make([]int64, len(page))
	for i, g := range page {
		ids[i] = g.ConsumerID
	}
	keys, err := db.ConsumerKeys(ctx, ids)
	if err != nil {
		return um, err
	}
	for _, g := range page {
		c := APIUsageConsumer{Key: keys[g.ConsumerID], Consumer: g.Consumer, Calls: g.Calls, Errors4xx: g.Errors4xx, Errors5xx: g.Errors5xx,
			ErrorRate: ecoRatio(float64(g.Errors4xx+g.Errors5xx), float64(g.Calls))}
		if !g.LastDay.IsZero() {
			c.LastDay = g.LastDay.Format(domain.DateLayout)
		}
		c.TopEndpoint = g.TopEndpoint
		if !g.FirstDay.IsZero() {
			c.FirstDay = g.FirstDay.Format(domain.DateLayout)
		}
		um.Consumers = append(um.Consumers, c)
	}
	return um, nil
}

func apiUsageSegment(s string) string {
	if strings.TrimSpace(s) == "" {
		return NoSegment
	}
	return s
}
