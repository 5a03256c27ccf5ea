package data

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// Store queries of the partner-manager pages: the members list, a member's
// page and the cooperation network. Every value a visitor chooses (filters,
// search text, slugs, dates) is a bound parameter; the only SQL built at run
// time is a list of "?" placeholders and fixed column lists.

// MemberFilter selects members for the members list. A nil field matches
// every member; a pointer to "" matches the members with that field empty
// (tier is empty for members that are not partners).
type MemberFilter struct {
	Segment *string
	Tier    *string
	Kind    *string
	// Query is a case-insensitive substring of the name or slug. LIKE's
	// wildcards (%, _) and the escape character match themselves.
	Query string
}

// memberLikeEscape escapes s for a LIKE pattern with ESCAPE '\'.
func memberLikeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// FilterMembers returns the members matching f, ordered by name.
func (db *DB) FilterMembers(ctx context.Context, f MemberFilter) ([]domain.Member, error) {
	opt := func(p *string) (bool, string) {
		if p == nil {
			return true, ""
		}
		return false, *p
	}
	anySeg, seg := opt(f.Segment)
	anyTier, tier := opt(f.Tier)
	anyKind, kind := opt(f.Kind)
	q := strings.TrimSpace(f.Query)
	// SQLite's LOWER folds ASCII only: the raw pattern also matches a name
	// whose non-ASCII letters are typed as stored.
	lower := "%" + memberLikeEscape(strings.ToLower(q)) + "%"
	raw := "%" + memberLikeEscape(q) + "%"
	rows, err := db.read.QueryContext(ctx, `SELECT `+memberColumns+` FROM members
		WHERE (? OR segment = ?) AND (? OR tier = ?) AND (? OR kind = ?)
		  AND (? = '' OR LOWER(name) LIKE ? ESCAPE '\' OR name LIKE ? ESCAPE '\' OR LOWER(slug) LIKE ? ESCAPE '\')
		ORDER BY name, id`,
		anySeg, seg, anyTier, tier, anyKind, kind, q, lower, raw, lower)
	if err != nil {
		return nil, fmt.Errorf("store: unable to filter members: %w", err)
	}
	defer rows.Close()
	var out []domain.Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to filter members: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to filter members: %w", err)
	}
	return out, nil
}

// memberMaxScoreDays bounds the days MemberScoresOn takes in one call.
const memberMaxScoreDays = 400

// MemberScoresOn returns the stored scores of the given days, for one member
// or for every member when memberID is 0, ordered by day then member. Days
// without scores are simply absent.
func (db *DB) MemberScoresOn(ctx context.Context, days []time.Time, memberID int64) ([]domain.MemberScore, error) {
	if len(days) == 0 {
		return nil, nil
	}
	if len(days) > memberMaxScoreDays {
		return nil, domain.Errorf(domain.EINVALID, "at most %d days of scores at once, asked for %d", memberMaxScoreDays, len(days))
	}
	args := make([]any, 0, len(days)+2)
	for _, d := range days {
		args = append(args, dateStr(d))
	}
	args = append(args, memberID, memberID)
	q := `SELECT day, member_id, t, i, m, c, k, phi, health, health_api, health_projects, health_community, health_cooperation, status, changes
		FROM scores WHERE day IN (` + memberPlaceholders(len(days)) + `) AND (? = 0 OR member_id = ?)
		ORDER BY day, member_id`
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read score history: %w", err)
	}
	defer rows.Close()
	var out []domain.MemberScore
	for rows.Next() {
		var s domain.MemberScore
		var day sql.NullString
		var d [4]sql.NullFloat64
		var changes sql.NullString
		if err := rows.Scan(&day, &s.MemberID, &s.T, &s.I, &s.M, &s.C, &s.K, &s.Phi, &s.Health,
			&d[0], &d[1], &d[2], &d[3], &s.Status, &changes); err != nil {
			return nil, fmt.Errorf("store: unable to read score history: %w", err)
		}
		s.Changes = decodeChanges(changes)
		s.Day = parseDate(day)
		for k := range d {
			s.Dimensions[k] = floatOrNaN(d[k])
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to read score history: %w", err)
	}
	return out, nil
}

// memberPlaceholders returns "?, ?, …" with n marks.
func memberPlaceholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

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
	// A daily rollup row is already one (day, consumer, endpoint, class):
	// the rows are read as they are and summed here, which spares SQLite a
	// GROUP BY over forty histogram columns.
	rows, err := db.read.QueryContext(ctx, `SELECT u.bucket, u.endpoint, c.id, CASE WHEN c.name = '' THEN c.key ELSE c.name END,
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

// ProjectMember is a party of a project, with the member's slug and name.
type ProjectMember struct {
	MemberID int64  `json:"member_id"`
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	Role     string `json:"role"`
}

// MemberProject is a cooperation project seen from one of its parties.
type MemberProject struct {
	domain.Project
	Role       string             `json:"role"` // the member's role
	Members    []ProjectMember    `json:"members"`
	Milestones []domain.Milestone `json:"milestones"` // by due date
}

// ProjectsOfMember returns the projects the member is a party of, with every
// party and milestone, newest start first.
func (db *DB) ProjectsOfMember(ctx context.Context, memberID int64) ([]MemberProject, error) {
	var out []MemberProject
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = projectsOfMember(ctx, tx, memberID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the projects of member %d: %w", memberID, err)
	}
	return out, nil
}

func projectsOfMember(ctx context.Context, tx *sql.Tx, memberID int64) ([]MemberProject, error) {
	rows, err := tx.QueryContext(ctx, `SELECT p.id, p.slug, p.name, p.scope, p.terms, p.status, p.start_on, p.end_on, p.source, pp.role
		FROM projects p JOIN project_parties pp ON pp.project_id = p.id
		WHERE pp.member_id = ? ORDER BY p.start_on DESC, p.name, p.id`, memberID)
	if err != nil {
		return nil, err
	}
	var out []MemberProject
	byID := map[int64]int{}
	for rows.Next() {
		var p MemberProject
		var start, end sql.NullString
		if err := rows.Scan(&p.ID, &p.Slug, &p.Name, &p.Scope, &p.Terms, &p.Status, &start, &end, &p.Source, &p.Role); err != nil {
			rows.Close()
			return nil, err
		}
		p.StartOn, p.EndOn = parseDate(start), parseDate(end)
		p.Parties, p.Members, p.Milestones = []domain.ProjectParty{}, []ProjectMember{}, []domain.Milestone{}
		byID[p.ID] = len(out)
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	rows, err = tx.QueryContext(ctx, `SELECT pp.project_id, m.id, m.slug, m.name, pp.role
		FROM project_parties pp JOIN members m ON m.id = pp.member_id
		WHERE pp.project_id IN (SELECT project_id FROM project_parties WHERE member_id = ?)
		ORDER BY pp.project_id, m.name, m.id`, memberID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var pid int64
		var pm ProjectMember
		if err := rows.Scan(&pid, &pm.MemberID, &pm.Slug, &pm.Name, &pm.Role); err != nil {
			rows.Close()
			return nil, err
		}
		if i, ok := byID[pid]; ok {
			out[i].Members = append(out[i].Members, pm)
			out[i].Parties = append(out[i].Parties, domain.ProjectParty{MemberID: pm.MemberID, Role: pm.Role})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT ms.id, ms.project_id, ms.external_id, ms.title, ms.due_on, ms.done_on
		FROM milestones ms
		WHERE ms.project_id IN (SELECT project_id FROM project_parties WHERE member_id = ?)
		ORDER BY ms.project_id, ms.due_on, ms.id`, memberID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var ms domain.Milestone
		var due, done sql.NullString
		if err := rows.Scan(&ms.ID, &ms.ProjectID, &ms.ExternalID, &ms.Title, &due, &done); err != nil {
			return nil, err
		}
		ms.DueOn, ms.DoneOn = parseDate(due), parseDate(done)
		if i, ok := byID[ms.ProjectID]; ok {
			out[i].Milestones = append(out[i].Milestones, ms)
		}
	}
	return out, rows.Err()
}

// CommunityWeek is a member's community activity over one week (7 days
// from Start), bots excluded. People are counted as in scoring: by person
// when the actor is known, else by source and login.
type CommunityWeek struct {
	Start              time.Time
	Contributions      int // threads, replies, pull requests, reviews, releases…
	ActiveContributors int // distinct people who contributed
	NewContributors    int // of those, people whose first contribution for the member ever was this week
	Threads            int // threads the member's people opened this week
	Responded          int // of those, threads that got a first response from someone else (before the range ends)
	FirstResponseHours float64
	// FirstResponseHours is the median time to that first response, in
	// hours; NaN when no thread of the week got one.
}

const memberWeekSeconds = 7 * 24 * 3600

// MemberCommunityWeeks returns the member's community activity in weeks of
// seven days from from (a Monday, for calendar weeks) until to (exclusive),
// oldest first; the last week may be partial.
func (db *DB) MemberCommunityWeeks(ctx context.Context, memberID int64, from, to time.Time) ([]CommunityWeek, error) {
	from, to = domain.Day(from), domain.Day(to)
	if !to.After(from) {
		return nil, domain.Errorf(domain.EINVALID, "the community range ends (%s) before it starts (%s)", dateStr(to), dateStr(from))
	}
	n := int((to.Unix() - from.Unix() + memberWeekSeconds - 1) / memberWeekSeconds)
	if n > 520 {
		return nil, domain.Errorf(domain.EINVALID, "at most ten years of community activity at once")
	}
	weeks := make([]CommunityWeek, n)
	for i := range weeks {
		weeks[i].Start = from.AddDate(0, 0, 7*i)
		weeks[i].FirstResponseHours = math.NaN()
	}
	f, t := from.Unix(), to.Unix()
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		const who = `COALESCE(CAST(person_id AS TEXT), source || ':' || actor)`
		rows, err := tx.QueryContext(ctx, `SELECT (at - ?) / ?, COUNT(*), COUNT(DISTINCT `+who+`) FROM activities
			WHERE member_id = ? AND bot = 0 AND at >= ? AND at < ? GROUP BY 1`,
			f, memberWeekSeconds, memberID, f, t)
		if err != nil {
			return err
		}
		for rows.Next() {
			var w int64
			var c, a int
			if err := rows.Scan(&w, &c, &a); err != nil {
				rows.Close()
				return err
			}
			if w >= 0 && w < int64(n) {
				weeks[w].Contributions, weeks[w].ActiveContributors = c, a
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// A person is new in the week of their first contribution for the member.
		rows, err = tx.QueryContext(ctx, `SELECT MIN(at) FROM activities
			WHERE member_id = ? AND bot = 0 AND at < ? GROUP BY `+who, memberID, t)
		if err != nil {
			return err
		}
		for rows.Next() {
			var first int64
			if err := rows.Scan(&first); err != nil {
				rows.Close()
				return err
			}
			if first >= f {
				weeks[(first-f)/memberWeekSeconds].NewContributors++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// Threads opened by the member's people and their first response by
		// someone else, as the scoring window measures them.
		rows, err = tx.QueryContext(ctx, `SELECT o.at, MIN(r.at)
			FROM activities o LEFT JOIN activities r ON r.thread = o.thread AND r.actor <> o.actor AND r.bot = 0
			     AND r.kind IN ('reply', 'review', 'pr_merged') AND r.at >= o.at AND r.at < ?
			WHERE o.member_id = ? AND o.kind IN ('thread_opened', 'pr_opened') AND o.bot = 0 AND o.thread <> ''
			  AND o.at >= ? AND o.at < ?
			GROUP BY o.id, o.at`, t, memberID, f, t)
		if err != nil {
			return err
		}
		defer rows.Close()
		waits := make([][]float64, n)
		for rows.Next() {
			var opened int64
			var first sql.NullInt64
			if err := rows.Scan(&opened, &first); err != nil {
				return err
			}
			w := (opened - f) / memberWeekSeconds
			weeks[w].Threads++
			if first.Valid {
				weeks[w].Responded++
				waits[w] = append(waits[w], float64(first.Int64-opened)/3600)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for i, ws := range waits {
			if len(ws) > 0 {
				weeks[i].FirstResponseHours = median(ws)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the community activity of member %d: %w", memberID, err)
	}
	return weeks, nil
}
