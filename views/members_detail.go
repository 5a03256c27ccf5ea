package views

import (
	"time"

	"github.com/ecopulse/ecopulse/domain"
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
	// Versions are the declared API versions: with some, the usage shows
	// the member's version mix (members_versions.go).
	Versions *domain.APIVersions
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
	Health       float64 `json:"health"`
	HealthChange float64 `json:"health_change"` // against 7 days earlier
	Status       string  `json:"status"`
	ScoreFigures
	PhiShare   float64            `json:"phi_share"`
	Dimensions map[string]float64 `json:"dimensions"` // 0–100, only the dimensions with data
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
	// Versions is the member's calls in the range by API version, when
	// versions are declared (absent otherwise): /api-versions' mix.
	Versions []APIVersionShare `json:"versions,omitempty"`
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

// memberMondayOf returns the Monday of day's ISO week.
func memberMondayOf(day time.Time) time.Time {
	back := (int(day.Weekday()) + 6) % 7
	return domain.Day(day).AddDate(0, 0, -back)
}

// memberLatencyOf returns h's percentiles; all null for an empty histogram,
// whose Quantile is 0.
func memberLatencyOf(h *domain.Histogram) MemberLatency {
	if h.Count() == 0 {
		return MemberLatency{}
	}
	return MemberLatency{P50: ecoOpt(h.Quantile(0.50)), P95: ecoOpt(h.Quantile(0.95)), P99: ecoOpt(h.Quantile(0.99))}
}

// LatencyPercentiles is p50/p95/p99 of h, null when nothing was measured:
// /api/v1/api-usage's latency_ms, like the pages'.
func LatencyPercentiles(h *domain.Histogram) MemberLatency { return memberLatencyOf(h) }
