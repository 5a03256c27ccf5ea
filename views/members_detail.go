package views

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// A member's page: /members/:slug and /api/v1/members/:slug.

// MemberParams selects what a member's page shows.
type MemberParams struct {
	Slug string
	At   time.Time // day of the scores; zero: the latest scored day
	From time.Time // first day of the API usage range; zero: 27 days before To
	To   time.Time // last day of the range; zero: the day of the scores
	// Now stands for "today" when nothing is scored yet (the range then
	// ends today). It is never used when there are scores.
	Now time.Time
}

const (
	memberUsageDays    = 28
	memberMaxRangeDays = 366
	memberCommWeeks    = 12 // community weeks shown at least
	memberTopEndpoints = 10
	memberTopConsumers = 20
	memberTopTies      = 10
)

// MemberInfo is who the member is.
type MemberInfo struct {
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Tier     string `json:"tier"`
	Segment  string `json:"segment"`
	JoinedOn string `json:"joined_on"`
}

// MemberScoreView is the member's score on the day shown.
type MemberScoreView struct {
	Health       float64            `json:"health"`
	HealthChange float64            `json:"health_change"` // against 7 days earlier
	Status       string             `json:"status"`
	T            float64            `json:"T"`
	I            float64            `json:"I"`
	M            float64            `json:"M"`
	C            float64            `json:"C"`
	K            float64            `json:"K"`
	Phi          float64            `json:"phi"`
	PhiShare     float64            `json:"phi_share"`
	Dimensions   map[string]float64 `json:"dimensions"` // 0–100, only the dimensions with data
	// Reason explains the health (domain.MemberScore.Explain): the main
	// change in words and numbers, or the lowest dimension but cooperation
	// of a member not healthy without one; Changes are every signal that
	// fell, worst first.
	Reason     string       `json:"reason,omitempty"`
	ReasonKind string       `json:"reason_kind,omitempty"`
	Changes    []ChangeView `json:"changes"`
	// ChangePartial says why HealthChange is not computed (this week or the
	// one before is partial, series.go); "" when it is.
	ChangePartial string `json:"change_partial,omitempty"`
}

// MemberMedians are the ecosystem's medians on the day, for comparison.
type MemberMedians struct {
	Members    int                `json:"members"` // scored members the medians are taken over
	Health     float64            `json:"health"`
	T          float64            `json:"T"`
	I          float64            `json:"I"`
	M          float64            `json:"M"`
	Dimensions map[string]float64 `json:"dimensions"` // over the members with data in each
}

// MemberHistoryPoint is one week of the member's health history.
type MemberHistoryPoint struct {
	Day       string   `json:"day"`
	Health    *float64 `json:"health"`    // null: not scored that day, or scored on no data
	Ecosystem *float64 `json:"ecosystem"` // the ecosystem's health; null likewise
	C         *float64 `json:"C"`
}

// MemberLatency are latency percentiles in milliseconds, from the
// rollups' histograms; null when no call had a measured latency (a log
// without the request time), which is not a latency of 0.
type MemberLatency struct {
	P50 *float64 `json:"p50"`
	P95 *float64 `json:"p95"`
	P99 *float64 `json:"p99"`
}

// Measured reports whether the percentiles were measured.
func (l MemberLatency) Measured() bool { return l.P50 != nil }

// LatencyHint is what a page says where latency was not measured.
const LatencyHint = "add $request_time to the log format to measure latency"

// MemberUsageDay is one day of the member's API traffic.
type MemberUsageDay struct {
	Day       string         `json:"day"`
	Calls     int64          `json:"calls"`
	Errors4xx int64          `json:"errors_4xx"`
	Errors5xx int64          `json:"errors_5xx"`
	ErrorRate float64        `json:"error_rate"` // (4xx + 5xx) / calls; 0 without calls
	LatencyMS *MemberLatency `json:"latency_ms"` // null without calls
	// HasData: some input was collected that day (anyone's API calls or
	// community activity). Without, its zeros are not measurements and the
	// charts draw a gap.
	HasData bool `json:"has_data"`
}

// MemberUsageGroup is the member's traffic on one endpoint or from one consumer.
type MemberUsageGroup struct {
	Endpoint  string   `json:"endpoint,omitempty"`
	Consumer  string   `json:"consumer,omitempty"`
	LastDay   string   `json:"last_day,omitempty"`
	Calls     int64    `json:"calls"`
	Share     float64  `json:"share"` // of the member's calls
	Errors4xx int64    `json:"errors_4xx"`
	Errors5xx int64    `json:"errors_5xx"`
	ErrorRate float64  `json:"error_rate"`
	P95MS     *float64 `json:"p95_ms"` // null: no measured latency
}

// MemberUsage is the member's API traffic over From..To (inclusive).
type MemberUsage struct {
	From      string             `json:"from"`
	To        string             `json:"to"`
	Totals    domain.UsageTotals `json:"totals"`
	ErrorRate float64            `json:"error_rate"`
	LatencyMS MemberLatency      `json:"latency_ms"`
	Days      []MemberUsageDay   `json:"days"` // every day of the range
	Endpoints []MemberUsageGroup `json:"top_endpoints"`
	Consumers []MemberUsageGroup `json:"consumers"` // the busiest, at most memberTopConsumers
	// ConsumerCount is how many consumers the member has in the range: a
	// member may have thousands, the page and JSON list the busiest.
	ConsumerCount int `json:"consumer_count"`
}

// Milestone states on the day shown.
const (
	memberMsDone     = "done"     // delivered on or before its due date
	memberMsLate     = "late"     // delivered after its due date
	memberMsOverdue  = "overdue"  // past due and still open
	memberMsUpcoming = "upcoming" // open and not due yet
)

// MemberMilestoneCounts counts milestones by state.
type MemberMilestoneCounts struct {
	Done     int `json:"done"`
	Late     int `json:"late"`
	Overdue  int `json:"overdue"`
	Upcoming int `json:"upcoming"`
}

func (c *MemberMilestoneCounts) add(state string) {
	switch state {
	case memberMsDone:
		c.Done++
	case memberMsLate:
		c.Late++
	case memberMsOverdue:
		c.Overdue++
	default:
		c.Upcoming++
	}
}

// MemberMilestone is a project milestone and its state on the day shown.
type MemberMilestone struct {
	Title  string `json:"title"`
	DueOn  string `json:"due_on"`
	DoneOn string `json:"done_on,omitempty"` // empty while open on the day shown
	State  string `json:"state"`
}

// MemberLink names another member.
type MemberLink struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	Role string `json:"role,omitempty"`
}

// MemberProjectView is a cooperation project the member is a party of.
type MemberProjectView struct {
	Slug       string                `json:"slug"`
	Name       string                `json:"name"`
	Status     string                `json:"status"`
	Role       string                `json:"role"`
	StartOn    string                `json:"start_on"`
	EndOn      string                `json:"end_on,omitempty"`
	Partners   []MemberLink          `json:"partners"` // the other parties
	Counts     MemberMilestoneCounts `json:"milestone_counts"`
	Milestones []MemberMilestone     `json:"milestones"`
}

// MemberCommunityWeek is one week of the member's community activity.
type MemberCommunityWeek struct {
	Week               string   `json:"week"`  // ISO week, YYYY-Www
	Start              string   `json:"start"` // its Monday
	Contributions      int      `json:"contributions"`
	ActiveContributors int      `json:"active_contributors"`
	NewContributors    int      `json:"new_contributors"`
	Threads            int      `json:"threads"`
	Responded          int      `json:"responded"`
	FirstResponseHours *float64 `json:"median_first_response_hours"` // null when no thread got a response
	// DataDays is how many of the week's days shown hold collected input
	// (anyone's); a week with none is a gap on the charts. Partial: fewer
	// than 7 days shown, or fewer than 7 with data.
	DataDays int  `json:"data_days"`
	Partial  bool `json:"partial"`
}

// MemberCommunity is the member's community activity by week.
type MemberCommunity struct {
	From            string                `json:"from"` // a Monday
	To              string                `json:"to"`
	Contributions   int                   `json:"contributions"`
	NewContributors int                   `json:"new_contributors"`
	Threads         int                   `json:"threads"`
	Responded       int                   `json:"responded"`
	Weeks           []MemberCommunityWeek `json:"weeks"`
}

// MemberTie is a cooperation tie K_ij with another member.
type MemberTie struct {
	Slug   string  `json:"slug"`
	Name   string  `json:"name"`
	K      float64 `json:"k"`
	Health float64 `json:"health"`
	Status string  `json:"status"`
}

// MemberDetail is /members/:slug and /api/v1/members/:slug.
type MemberDetail struct {
	// CanEdit: the viewer may edit the member (set by the handler, per
	// role, never part of the JSON).
	CanEdit bool   `json:"-"`
	At      string `json:"at"` // day of the scores
	DayShown
	Member        MemberInfo            `json:"member"`
	Score         *MemberScoreView      `json:"score"` // null: no score on that day
	Median        *MemberMedians        `json:"ecosystem_median"`
	History       []MemberHistoryPoint  `json:"history"` // 26 weekly points, oldest first
	Usage         MemberUsage           `json:"api_usage"`
	Projects      []MemberProjectView   `json:"projects"`
	Milestones    MemberMilestoneCounts `json:"milestones"`
	Community     MemberCommunity       `json:"community"`
	Ties          []MemberTie           `json:"ties"`   // strongest first
	Alerts        *Alerts               `json:"alerts"` // open and recently resolved alerts about the member
	LastCollected string                `json:"last_collected,omitempty"`
	// DataRange is the first and last day with API usage or community
	// activity (null: none); Available offers it when the page shows
	// neither for the member.
	DataRange *DayRange  `json:"data_range"`
	Available *DataOffer `json:"available"`
	// HistoryWarmingUp is the first and last history point whose scores are
	// warming up (series.go), shaded on the chart; null when none is.
	HistoryWarmingUp *DayRange `json:"history_warming_up"`
}

// memberMilestoneState is a milestone's state as of day: one delivered after day
// is still open on it, as in scoring.
func memberMilestoneState(m domain.Milestone, day time.Time) string {
	done := !m.DoneOn.IsZero() && !m.DoneOn.After(day)
	switch {
	case done && !m.DoneOn.After(m.DueOn):
		return memberMsDone
	case done:
		return memberMsLate
	case m.DueOn.Before(day):
		return memberMsOverdue
	}
	return memberMsUpcoming
}

func memberOptFloat(v float64) *float64 {
	if !finiteNum(v) {
		return nil
	}
	return &v
}

func memberRatio(n, d int64) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

func memberMedianOf(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// memberMondayOf returns the Monday of day's ISO week.
func memberMondayOf(day time.Time) time.Time {
	back := (int(day.Weekday()) + 6) % 7
	return domain.Day(day).AddDate(0, 0, -back)
}

// BuildMember returns a member's page. An unknown slug is ENOTFOUND.
func BuildMember(ctx context.Context, db *data.DB, cfg metrics.Config, p MemberParams) (*MemberDetail, error) {
	if !domain.ValidSlug(p.Slug) {
		return nil, domain.Errorf(domain.ENOTFOUND, "no member %q", p.Slug)
	}
	m, err := db.MemberBySlug(ctx, p.Slug)
	if err != nil {
		return nil, err
	}
	d := &MemberDetail{
		Member: MemberInfo{Slug: m.Slug, Name: m.Name, Kind: string(m.Kind), Tier: m.Tier, Segment: m.Segment,
			JoinedOn: m.JoinedOn.Format(domain.DateLayout)},
		History: []MemberHistoryPoint{}, Projects: []MemberProjectView{}, Ties: []MemberTie{},
	}
	last, err := db.LastSuccessfulRun(ctx)
	if err != nil {
		return nil, err
	}
	if !last.IsZero() {
		d.LastCollected = last.Format(time.RFC3339)
	}
	day, shown, err := scoreDay(ctx, db, p.At)
	scored := true
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		// Nothing scored: the page still shows the member's usage,
		// projects and community up to the day asked (or today).
		scored = false
		day = domain.Day(p.At)
		if day.IsZero() {
			day = domain.Day(p.Now)
		}
		if day.IsZero() {
			day = domain.Day(time.Now())
		}
	} else if err != nil {
		return nil, err
	}
	d.At, d.DayShown = day.Format(domain.DateLayout), shown
	if scored {
		if err := memberScores(ctx, db, d, m, day, cfg.WindowDays); err != nil {
			return nil, err
		}
	}
	if err := memberHistory(ctx, db, d, m, day, cfg.WindowDays); err != nil {
		return nil, err
	}

	to := domain.Day(p.To)
	if to.IsZero() {
		to = day
	}
	from := domain.Day(p.From)
	if from.IsZero() {
		from = to.AddDate(0, 0, -(memberUsageDays - 1))
	}
	if to.Before(from) {
		return nil, domain.Errorf(domain.EINVALID, "to (%s) is before from (%s)", to.Format(domain.DateLayout), from.Format(domain.DateLayout))
	}
	if to.Sub(from) > memberMaxRangeDays*24*time.Hour {
		return nil, domain.Errorf(domain.EINVALID, "the range may span at most %d days", memberMaxRangeDays)
	}
	// The days with data of the usage range and the community weeks.
	frame, err := loadTrendFrame(ctx, db, memberCommStart(from, to), to, cfg.WindowDays)
	if err != nil {
		return nil, err
	}
	if err := memberUsage(ctx, db, d, m, from, to, frame); err != nil {
		return nil, err
	}
	if err := memberProjects(ctx, db, d, m, day); err != nil {
		return nil, err
	}
	if err := memberCommunity(ctx, db, d, m, from, to, frame); err != nil {
		return nil, err
	}
	if d.Alerts, err = BuildAlerts(ctx, db, m.Slug); err != nil {
		return nil, err
	}
	if err := memberOffer(ctx, db, d, day); err != nil {
		return nil, err
	}
	return d, nil
}

// memberScores fills the score of the day, the ecosystem medians and the ties.
func memberScores(ctx context.Context, db *data.DB, d *MemberDetail, m *domain.Member, day time.Time, windowDays int) error {
	eco, err := db.EcosystemScoreOn(ctx, day)
	if err != nil {
		return err
	}
	rows, err := memberRows(ctx, db, day, day.AddDate(0, 0, -7), eco.R)
	if err != nil {
		return err
	}
	all, err := db.ScoresOn(ctx, day)
	if err != nil {
		return err
	}
	byID := make(map[int64]data.ScoredMember, len(all))
	var health, ts, is, ms []float64
	var dims [4][]float64
	for _, sm := range all {
		byID[sm.ID] = sm
		s := sm.Score
		health, ts, is, ms = append(health, s.Health), append(ts, s.T), append(is, s.I), append(ms, s.M)
		for k, v := range s.Dimensions {
			if finiteNum(v) {
				dims[k] = append(dims[k], v)
			}
		}
	}
	if len(all) > 0 {
		med := &MemberMedians{Members: len(all), Health: memberMedianOf(health), T: memberMedianOf(ts), I: memberMedianOf(is), M: memberMedianOf(ms),
			Dimensions: map[string]float64{}}
		for k := range dims {
			if len(dims[k]) > 0 {
				med.Dimensions[domain.Dimensions[k]] = memberMedianOf(dims[k])
			}
		}
		d.Median = med
	}
	mine, ok := byID[m.ID]
	if !ok {
		return nil // not scored that day (joined later)
	}
	s := mine.Score
	v := &MemberScoreView{Health: s.Health, Status: s.Status, T: s.T, I: s.I, M: s.M, C: s.C, K: s.K, Phi: s.Phi,
		Dimensions: dimensionMap(s.Dimensions), Changes: changeViews(s.Changes)}
	for _, r := range rows {
		if r.Slug == m.Slug {
			v.HealthChange, v.PhiShare, v.Reason, v.ReasonKind = r.HealthChange, r.PhiShare, r.Reason, r.ReasonKind
			break
		}
	}
	// A change is computed only between two complete weeks (series.go).
	if v.ChangePartial, err = weekOverWeekOf(ctx, db, day, windowDays); err != nil {
		return err
	}
	if v.ChangePartial != "" {
		v.HealthChange = 0
	}
	d.Score = v

	edges, err := db.EdgesOn(ctx, day)
	if err != nil {
		return err
	}
	for _, e := range edges {
		other := int64(0)
		switch m.ID {
		case e.A:
			other = e.B
		case e.B:
			other = e.A
		}
		o, ok := byID[other]
		if other == 0 || !ok || !(e.K > 0) {
			continue
		}
		d.Ties = append(d.Ties, MemberTie{Slug: o.Slug, Name: o.Name, K: e.K, Health: o.Score.Health, Status: o.Score.Status})
	}
	sort.SliceStable(d.Ties, func(i, j int) bool {
		if d.Ties[i].K != d.Ties[j].K {
			return d.Ties[i].K > d.Ties[j].K
		}
		return d.Ties[i].Slug < d.Ties[j].Slug
	})
	if len(d.Ties) > memberTopTies {
		d.Ties = d.Ties[:memberTopTies]
	}
	return nil
}

// memberHistory fills the 26 weekly points of health, with the ecosystem's.
func memberHistory(ctx context.Context, db *data.DB, d *MemberDetail, m *domain.Member, day time.Time, windowDays int) error {
	days := membersTrendDays(day, trendWeeks)
	scores, err := db.MemberScoresOn(ctx, days, m.ID)
	if err != nil {
		return err
	}
	eco, err := db.EcosystemScores(ctx, days[0], day)
	if err != nil {
		return err
	}
	mine := map[string]domain.MemberScore{}
	for _, s := range scores {
		mine[s.Day.Format(domain.DateLayout)] = s
	}
	ecoScores := map[string]domain.EcosystemScore{}
	for _, e := range eco {
		ecoScores[e.Day.Format(domain.DateLayout)] = e
	}
	// A day scored on no data is no measurement (series.go).
	labels := make([]string, len(days))
	for i, t := range days {
		key := t.Format(domain.DateLayout)
		labels[i] = key
		pt := MemberHistoryPoint{Day: key}
		if s, ok := mine[key]; ok && memberScoreMeasured(s.Health, s.Status) {
			pt.Health, pt.C = memberOptFloat(s.Health), memberOptFloat(s.C)
		}
		if e, ok := ecoScores[key]; ok && ecoScoreMeasured(e) {
			pt.Ecosystem = memberOptFloat(e.Health)
		}
		d.History = append(d.History, pt)
	}
	warm, err := loadWarmUp(ctx, db, windowDays)
	if err != nil {
		return err
	}
	d.HistoryWarmingUp = warm.points(days, labels)
	return nil
}

// memberLatencyOf returns h's percentiles; all null for an empty histogram,
// whose Quantile is 0.
func memberLatencyOf(h *domain.Histogram) MemberLatency {
	if h.Count() == 0 {
		return MemberLatency{}
	}
	return MemberLatency{P50: ecoOpt(h.Quantile(0.50)), P95: ecoOpt(h.Quantile(0.95)), P99: ecoOpt(h.Quantile(0.99))}
}

// memberUsage fills the API usage of [from, to] (inclusive days).
func memberUsage(ctx context.Context, db *data.DB, d *MemberDetail, m *domain.Member, from, to time.Time, frame *trendFrame) error {
	end := to.AddDate(0, 0, 1)
	u := MemberUsage{From: from.Format(domain.DateLayout), To: to.Format(domain.DateLayout),
		Days: []MemberUsageDay{}, Endpoints: []MemberUsageGroup{}, Consumers: []MemberUsageGroup{}}
	usage, err := db.MemberUsageBreakdowns(ctx, m.ID, from, end)
	if err != nil {
		return err
	}
	byDay := usage.ByDay
	perDay := map[string]data.UsageGroup{}
	var total domain.UsageTotals
	for _, g := range byDay {
		perDay[g.Day.Format(domain.DateLayout)] = g
		total.Calls = domain.AddSat(total.Calls, g.Calls) // saturating: a poisoned row must not wrap to negative
		total.Errors4xx = domain.AddSat(total.Errors4xx, g.Errors4xx)
		total.Errors5xx = domain.AddSat(total.Errors5xx, g.Errors5xx)
		total.Bytes = domain.AddSat(total.Bytes, g.Bytes)
		total.Latency.Merge(&g.Latency)
	}
	for t := from; !t.After(to); t = t.AddDate(0, 0, 1) {
		key := t.Format(domain.DateLayout)
		day := MemberUsageDay{Day: key, HasData: frame.hasData(t)}
		if g, ok := perDay[key]; ok {
			day.Calls, day.Errors4xx, day.Errors5xx = g.Calls, g.Errors4xx, g.Errors5xx
			day.ErrorRate = memberRatio(g.Errors4xx+g.Errors5xx, g.Calls)
			if g.Latency.Count() > 0 {
				l := memberLatencyOf(&g.Latency)
				day.LatencyMS = &l
			}
		}
		u.Days = append(u.Days, day)
	}
	u.Totals = total
	u.ErrorRate = memberRatio(total.Errors4xx+total.Errors5xx, total.Calls)
	u.LatencyMS = memberLatencyOf(&total.Latency)

	group := func(g data.UsageGroup) MemberUsageGroup {
		out := MemberUsageGroup{Endpoint: g.Endpoint, Consumer: g.Consumer, Calls: g.Calls, Share: memberRatio(g.Calls, total.Calls),
			Errors4xx: g.Errors4xx, Errors5xx: g.Errors5xx, ErrorRate: memberRatio(g.Errors4xx+g.Errors5xx, g.Calls),
			P95MS: memberLatencyOf(&g.Latency).P95}
		if !g.LastDay.IsZero() {
			out.LastDay = g.LastDay.Format(domain.DateLayout)
		}
		return out
	}
	for i, g := range usage.ByEndpoint {
		if i == memberTopEndpoints {
			break
		}
		u.Endpoints = append(u.Endpoints, group(g))
	}
	u.ConsumerCount = len(usage.ByConsumer)
	for i, g := range usage.ByConsumer {
		if i == memberTopConsumers {
			break
		}
		u.Consumers = append(u.Consumers, group(g))
	}
	d.Usage = u
	return nil
}

// memberProjects fills the member's cooperation projects and milestone states.
func memberProjects(ctx context.Context, db *data.DB, d *MemberDetail, m *domain.Member, day time.Time) error {
	ps, err := db.ProjectsOfMember(ctx, m.ID)
	if err != nil {
		return err
	}
	for _, p := range ps {
		v := MemberProjectView{Slug: p.Slug, Name: p.Name, Status: p.Status, Role: p.Role,
			StartOn: p.StartOn.Format(domain.DateLayout), Partners: []MemberLink{}, Milestones: []MemberMilestone{}}
		if !p.EndOn.IsZero() {
			v.EndOn = p.EndOn.Format(domain.DateLayout)
		}
		for _, pm := range p.Members {
			if pm.MemberID != m.ID {
				v.Partners = append(v.Partners, MemberLink{Slug: pm.Slug, Name: pm.Name, Role: pm.Role})
			}
		}
		for _, ms := range p.Milestones {
			state := memberMilestoneState(ms, day)
			mv := MemberMilestone{Title: ms.Title, DueOn: ms.DueOn.Format(domain.DateLayout), State: state}
			if state == memberMsDone || state == memberMsLate {
				mv.DoneOn = ms.DoneOn.Format(domain.DateLayout)
			}
			v.Milestones = append(v.Milestones, mv)
			if p.Status != domain.ProjectCancelled {
				v.Counts.add(state)
				d.Milestones.add(state)
			}
		}
		d.Projects = append(d.Projects, v)
	}
	return nil
}

// memberCommStart is the first day of the community weeks: the Monday of
// the week holding from, or earlier to show at least memberCommWeeks.
func memberCommStart(from, to time.Time) time.Time {
	start := memberMondayOf(from)
	if earliest := memberMondayOf(to).AddDate(0, 0, -7*(memberCommWeeks-1)); earliest.Before(start) {
		start = earliest
	}
	return start
}

// memberCommunity fills the weekly community activity: the calendar weeks
// from the one holding from (at least memberCommWeeks of them) to to.
func memberCommunity(ctx context.Context, db *data.DB, d *MemberDetail, m *domain.Member, from, to time.Time, frame *trendFrame) error {
	start := memberCommStart(from, to)
	weeks, err := db.MemberCommunityWeeks(ctx, m.ID, start, to.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	c := MemberCommunity{From: start.Format(domain.DateLayout), To: to.Format(domain.DateLayout), Weeks: []MemberCommunityWeek{}}
	for _, w := range weeks {
		last := w.Start.AddDate(0, 0, 6)
		if last.After(to) {
			last = to
		}
		shown := int(last.Sub(w.Start).Hours()/24) + 1
		withData := frame.dataDaysIn(w.Start, last)
		c.Weeks = append(c.Weeks, MemberCommunityWeek{
			Week: domain.ISOWeek(w.Start), Start: w.Start.Format(domain.DateLayout),
			Contributions: w.Contributions, ActiveContributors: w.ActiveContributors, NewContributors: w.NewContributors,
			Threads: w.Threads, Responded: w.Responded, FirstResponseHours: memberOptFloat(w.FirstResponseHours),
			DataDays: withData, Partial: shown < 7 || withData < 7,
		})
		c.Contributions += w.Contributions
		c.NewContributors += w.NewContributors
		c.Threads += w.Threads
		c.Responded += w.Responded
	}
	d.Community = c
	return nil
}

// LatencyPercentiles is p50/p95/p99 of h, null when nothing was measured:
// /api/v1/api-usage's latency_ms, like the pages'.
func LatencyPercentiles(h *domain.Histogram) MemberLatency { return memberLatencyOf(h) }
