package data

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// Store queries of the ecosystem pages: API usage (/api-usage), projects
// (/projects) and community (/community). API usage is read from the rollup
// tables only, never from raw requests. Every value a visitor chooses is a
// bound parameter.

// ecoHistColumns lists the latency histogram columns of a rollup row u.
var ecoHistColumns = "u." + strings.Join(histColumns, ", u.")

// ecoWeekSeconds is the length of a week.
const ecoWeekSeconds = 7 * 24 * 3600

// maxEcosystemDays bounds the ranges these queries take.
const maxEcosystemDays = 400

func checkEcosystemRange(from, to time.Time) error {
	if !to.After(from) {
		return domain.Errorf(domain.EINVALID, "the range ends (%s) before it starts (%s)", dateStr(to.AddDate(0, 0, -1)), dateStr(from))
	}
	if to.Sub(from) > maxEcosystemDays*24*time.Hour {
		return domain.Errorf(domain.EINVALID, "the range may span at most %d days", maxEcosystemDays)
	}
	return nil
}

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

// UsageHourCell is the API traffic of one hour of the week (UTC) summed
// over a range: every Monday 09:00–10:00, say.
type UsageHourCell struct {
	Weekday time.Weekday `json:"weekday"`
	Hour    int          `json:"hour"` // 0..23
	domain.UsageTotals
}

// UsageByHourOfWeek sums the hourly rollups of the days [from, to) by
// weekday and hour of day (UTC), with their merged latency histograms.
// Cells without traffic are absent; cells come by weekday (Sunday first),
// then hour.
func (db *DB) UsageByHourOfWeek(ctx context.Context, from, to time.Time) ([]UsageHourCell, error) {
	from, to = domain.Day(from), domain.Day(to)
	if err := checkEcosystemRange(from, to); err != nil {
		return nil, err
	}
	cells := map[[2]int]*UsageHourCell{}
	add := func(bucket int64, class int, calls, bytes int64, h *domain.Histogram) {
		// 1970-01-01 was a Thursday (weekday 4 with Sunday = 0). Buckets
		// are positive Unix hours, so integer division is floor division.
		k := [2]int{int((bucket/86400 + 4) % 7), int(bucket / 3600 % 24)}
		c := cells[k]
		if c == nil {
			c = &UsageHourCell{Weekday: time.Weekday(k[0]), Hour: k[1]}
			cells[k] = c
		}
		c.Add(class, calls, bytes, h)
	}
	err := db.readTx(ctx, func(tx *sql.Tx) error { return usageByHour(ctx, tx, from.Unix(), to.Unix(), add) })
	if err != nil {
		return nil, fmt.Errorf("store: unable to sum API usage by hour: %w", err)
	}
	out := make([]UsageHourCell, 0, len(cells))
	for _, c := range cells {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Weekday != out[j].Weekday {
			return out[i].Weekday < out[j].Weekday
		}
		return out[i].Hour < out[j].Hour
	})
	return out, nil
}

// usageByHour hands add the traffic of every hour and status class of the
// days [from, to): from usage_hour_totals, and from api_usage_hourly for
// the days whose totals are stale (usage_days.go).
func usageByHour(ctx context.Context, tx *sql.Tx, from, to int64, add func(bucket int64, class int, calls, bytes int64, h *domain.Histogram)) error {
	stale := map[int64]bool{}
	if err := scanInts(ctx, tx, `SELECT day FROM usage_days_stale WHERE day >= ? AND day < ?`, func(d int64) { stale[d] = true }, from, to); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT bucket, status_class, calls, bytes, latency FROM usage_hour_totals WHERE bucket >= ? AND bucket < ?`, from, to)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var bucket, calls, bytes int64
		var class int
		var latency sql.RawBytes
		if err := rows.Scan(&bucket, &class, &calls, &bytes, &latency); err != nil {
			return err
		}
		if stale[bucket-bucket%86400] {
			continue
		}
		var h domain.Histogram
		if latency != nil {
			if err := mergeEncodedHistogram(&h, latency); err != nil {
				return err
			}
		}
		add(bucket, class, calls, bytes, &h)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for d := range stale {
		if err := scanHourlyUsage(ctx, tx, d, d+86400, add); err != nil {
			return err
		}
	}
	return nil
}

// EcosystemCommunityWeek is the whole community's activity in one week,
// bots excluded. People are counted as in scoring: by person when the actor
// is known, else by source and login.
type EcosystemCommunityWeek struct {
	Start              time.Time // the week's Monday (the range may start later)
	Contributions      int       // every activity: threads, replies, pull requests, reviews, releases…
	ActiveContributors int       // distinct people with an activity
	NewContributors    int       // of those, people whose first activity ever was this week
	PROpened           int       // pull requests opened (pr_opened)
	PRMerged           int       // pull requests merged (pr_merged)
	Threads            int       // threads and pull requests opened (thread_opened, pr_opened)
	Responded          int       // of those, the ones someone else answered before the range ends
	ResponseHours      []float64 // hours to each of those first responses, ascending
}

// EcosystemCommunity is the community's activity over a range of days.
type EcosystemCommunity struct {
	From, To           time.Time // the range: [From, To)
	Weeks              []EcosystemCommunityWeek
	Contributions      int
	ActiveContributors int // distinct people over the whole range
	NewContributors    int
	// PerPerson is each active person's number of contributions over the
	// range, largest first.
	PerPerson []int
}

// EcosystemCommunity measures the community over the days [from, to) in
// ISO calendar weeks (Monday to Sunday) from the week holding from; the
// first and last week may be partial: only activity inside the range
// counts. A thread's first response is the earliest reply, review or merge
// by another (non-bot) actor before the range ends.
func (db *DB) EcosystemCommunity(ctx context.Context, from, to time.Time) (*EcosystemCommunity, error) {
	from, to = domain.Day(from), domain.Day(to)
	if err := checkEcosystemRange(from, to); err != nil {
		return nil, err
	}
	monday := from.AddDate(0, 0, -((int(from.Weekday()) + 6) % 7))
	n := int((to.Unix() - monday.Unix() + ecoWeekSeconds - 1) / ecoWeekSeconds)
	c := &EcosystemCommunity{From: from, To: to, Weeks: make([]EcosystemCommunityWeek, n), PerPerson: []int{}}
	for i := range c.Weeks {
		c.Weeks[i].Start = monday.AddDate(0, 0, 7*i)
		c.Weeks[i].ResponseHours = []float64{}
	}
	m, f, t := monday.Unix(), from.Unix(), to.Unix()
	week := func(at int64) int { return int((at - m) / ecoWeekSeconds) }
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		const who = `COALESCE(CAST(person_id AS TEXT), source || ':' || actor)`
		rows, err := tx.QueryContext(ctx, `SELECT (at - ?) / ?, COUNT(*), COUNT(DISTINCT `+who+`),
			SUM(CASE WHEN kind = 'pr_opened' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'pr_merged' THEN 1 ELSE 0 END)
			FROM activities WHERE bot = 0 AND at >= ? AND at < ? GROUP BY 1`, m, ecoWeekSeconds, f, t)
		if err != nil {
			return err
		}
		for rows.Next() {
			var w int64
			var contrib, active, opened, merged int
			if err := rows.Scan(&w, &contrib, &active, &opened, &merged); err != nil {
				rows.Close()
				return err
			}
			if w >= 0 && w < int64(n) {
				wk := &c.Weeks[w]
				wk.Contributions, wk.ActiveContributors, wk.PROpened, wk.PRMerged = contrib, active, opened, merged
				c.Contributions += contrib
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// Each person's first activity ever, and their contributions in range.
		rows, err = tx.QueryContext(ctx, `SELECT MIN(at), SUM(CASE WHEN at >= ? THEN 1 ELSE 0 END) FROM activities
			WHERE bot = 0 AND at < ? GROUP BY `+who, f, t)
		if err != nil {
			return err
		}
		for rows.Next() {
			var first int64
			var inRange int
			if err := rows.Scan(&first, &inRange); err != nil {
				rows.Close()
				return err
			}
			if inRange > 0 {
				c.ActiveContributors++
				c.PerPerson = append(c.PerPerson, inRange)
			}
			if first >= f {
				c.Weeks[week(first)].NewContributors++
				c.NewContributors++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT o.at, MIN(r.at)
			FROM activities o LEFT JOIN activities r ON r.thread = o.thread AND r.actor <> o.actor AND r.bot = 0
			     AND r.kind IN ('reply', 'review', 'pr_merged') AND r.at >= o.at AND r.at < ?
			WHERE o.kind IN ('thread_opened', 'pr_opened') AND o.bot = 0 AND o.thread <> ''
			  AND o.at >= ? AND o.at < ?
			GROUP BY o.id, o.at`, t, f, t)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var opened int64
			var first sql.NullInt64
			if err := rows.Scan(&opened, &first); err != nil {
				return err
			}
			wk := &c.Weeks[week(opened)]
			wk.Threads++
			if first.Valid {
				wk.Responded++
				wk.ResponseHours = append(wk.ResponseHours, float64(first.Int64-opened)/3600)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to measure the community: %w", err)
	}
	for i := range c.Weeks {
		sort.Float64s(c.Weeks[i].ResponseHours)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(c.PerPerson)))
	return c, nil
}
