package views

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// The overview's story of a period: the period selector, the three-line
// summary, the status distribution and the members needing attention.
// BuildOverview computes them once; the page and /api/v1/overview show the
// same values.

// OverviewPeriod is a period the overview's changes are computed over.
type OverviewPeriod struct {
	Name  string // week, month or quarter: the query's value
	Days  int    // whole weeks, so that a change compares the same weekdays
	Label string // "Week", as the selector shows it
	Words string // "7 days", as a sentence says it
}

// OverviewPeriods are the periods, in the order the page offers them. A
// month is four weeks and a quarter thirteen: a change then compares the
// same weekdays, and the weekly scores of the trends fall on both ends.
var OverviewPeriods = []OverviewPeriod{
	{Name: "week", Days: 7, Label: "Week", Words: "7 days"},
	{Name: "month", Days: 28, Label: "Month", Words: "4 weeks"},
	{Name: "quarter", Days: 91, Label: "Quarter", Words: "13 weeks"},
}

// DefaultOverviewPeriod is the period of an overview asked for none.
const DefaultOverviewPeriod = "week"

// overviewPeriod returns the period named name ("" is the default), or
// EINVALID.
func overviewPeriod(name string) (OverviewPeriod, error) {
	if name == "" {
		name = DefaultOverviewPeriod
	}
	for _, p := range OverviewPeriods {
		if p.Name == name {
			return p, nil
		}
	}
	return OverviewPeriod{}, newPageError(func(tr Tr) string {
		return tr("pageerr.unknown_period", "Value", fmt.Sprintf("%q", name))
	})
}

// OverviewQuery is what the overview is asked for: a day (zero: the latest
// scored day) and the period of its changes.
type OverviewQuery struct {
	At     time.Time
	Period string // week, month or quarter; "" for week
}

// ParseOverviewQuery reads the overview's query parameters (get returns one
// by name, "" when absent): at (YYYY-MM-DD) and period. A bad date or an
// unknown period is EINVALID.
func ParseOverviewQuery(get func(string) string) (OverviewQuery, error) {
	at, err := ParseQueryDay("at", strings.TrimSpace(get("at")))
	if err != nil {
		return OverviewQuery{}, err
	}
	p, err := overviewPeriod(strings.TrimSpace(get("period")))
	if err != nil {
		return OverviewQuery{}, err
	}
	return OverviewQuery{At: at, Period: p.Name}, nil
}

// FallPoints is how many points of health a member must lose over the
// period to be named in the summary although it stayed in its band.
const FallPoints = 10

// summaryNamed is how many members a summary sentence names.
const summaryNamed = 5

// OverviewSummary is the period's story: Lines are three sentences (health
// and its change; the members that moved; milestones and usage), the rest
// the numbers they quote.
type OverviewSummary struct {
	Lines      []string `json:"lines"`
	FallPoints float64  `json:"fall_points"` // a fall larger than this is named
	// Movers are the members that changed band or fell more than
	// FallPoints since ComparedWith, the worst fall first, then those
	// that rose to a better band.
	Movers            []Mover `json:"movers"`
	OverdueMilestones int     `json:"overdue_milestones"` // open milestones past due on the day shown
	// OverdueBefore: the same on ComparedWith; null when no change is computed.
	OverdueBefore *int `json:"overdue_milestones_before"`
	// Calls are the API calls of the period's last PeriodDays days;
	// CallsBefore of the PeriodDays before them, null when those days do
	// not all hold collected data (UsageNotCompared says why).
	Calls            int64    `json:"calls"`
	CallsBefore      *int64   `json:"calls_before"`
	CallsChange      *float64 `json:"calls_change"` // relative: −0.12 = −12%
	UsageNotCompared string   `json:"usage_not_compared,omitempty"`

	// facts are what the page needs to say the reasons above in its own
	// language (Overview.in); nil on an Overview not built by
	// BuildOverview. Unexported: the JSON keeps its English.
	facts *storyFacts
}

// storyFacts are the days and counts the story's reasons quote.
type storyFacts struct {
	frame       *trendFrame
	day, before time.Time
	period      OverviewPeriod
	usageN      int                    // days holding data of the span UsageNotCompared names
	usageBefore bool                   // that span is the period before (not the last)
	reasons     map[string]reasonFacts // what each member's reason quotes, by slug
}

// Mover is a member that changed band or fell over the period.
type Mover struct {
	Slug         string  `json:"slug"`
	Name         string  `json:"name"`
	StatusBefore string  `json:"status_before"`
	Status       string  `json:"status"`
	HealthBefore float64 `json:"health_before"`
	Health       float64 `json:"health"`
	Change       float64 `json:"change"`
	Worse        bool    `json:"worse"` // a worse band or a fall; false: a better band
	Reason       string  `json:"reason,omitempty"`
	ReasonKind   string  `json:"reason_kind,omitempty"`
}

// StatusDistribution counts the scored members of the day by status, and
// the share of the ecosystem's value R held by the members at risk (Σ φ of
// those members / R; null when R is 0: no value to share).
type StatusDistribution struct {
	Scored         int      `json:"scored"`
	Healthy        int      `json:"healthy"`
	Watch          int      `json:"watch"`
	AtRisk         int      `json:"at_risk"`
	NoData         int      `json:"no_data"`
	AtRiskShareOfR *float64 `json:"at_risk_share_of_R"`
}

// statusRank orders the bands from the best: a higher rank is worse.
var statusRank = map[string]int{domain.StatusHealthy: 0, domain.StatusWatch: 1, domain.StatusAtRisk: 2}

// distributionOf counts rows (every scored member of the day) by status.
func distributionOf(rows []MemberRow, r float64) StatusDistribution {
	var d StatusDistribution
	var phiAtRisk float64
	for _, m := range rows {
		d.Scored++
		switch m.Status {
		case domain.StatusHealthy:
			d.Healthy++
		case domain.StatusWatch:
			d.Watch++
		case domain.StatusAtRisk:
			d.AtRisk++
			phiAtRisk += m.Phi
		default:
			d.NoData++
		}
	}
	if r > 0 {
		share := phiAtRisk / r
		d.AtRiskShareOfR = &share
	}
	return d
}

// attentionOf returns the members at risk, then those on watch, the lowest
// health first within each, at most limit, and how many were left out.
func attentionOf(rows []MemberRow, limit int) ([]MemberRow, int) {
	out := []MemberRow{}
	for _, m := range rows {
		if m.Status == domain.StatusAtRisk || m.Status == domain.StatusWatch {
			out = append(out, m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := statusRank[out[i].Status], statusRank[out[j].Status]; a != b {
			return a > b
		}
		return out[i].Health < out[j].Health
	})
	if len(out) > limit {
		return out[:limit], len(out) - limit
	}
	return out, 0
}

// moversOf returns the members that changed band or fell more than
// FallPoints between the day compared with and the day shown: the falls
// and worse bands first (largest fall first), then the better bands. A
// member without a band on either day (no data) is left out.
func moversOf(rows []MemberRow) []Mover {
	out := []Mover{}
	for _, m := range rows {
		if m.HealthBefore == nil {
			continue
		}
		before := m.statusBefore
		_, okNow := statusRank[m.Status]
		_, okBefore := statusRank[before]
		if !okNow || !okBefore {
			continue
		}
		change := m.Health - *m.HealthBefore
		worse := statusRank[m.Status] > statusRank[before] || change < -FallPoints
		better := statusRank[m.Status] < statusRank[before]
		if !worse && !better {
			continue
		}
		out = append(out, Mover{Slug: m.Slug, Name: m.Name, StatusBefore: before, Status: m.Status,
			HealthBefore: *m.HealthBefore, Health: m.Health, Change: change, Worse: worse, Reason: m.Reason, ReasonKind: m.ReasonKind})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Worse != out[j].Worse {
			return out[i].Worse
		}
		if out[i].Worse {
			return out[i].Change < out[j].Change
		}
		return out[i].Change > out[j].Change
	})
	return out
}

// summaryLines writes the three sentences of the summary.
func summaryLines(o *Overview, p OverviewPeriod) []string { return summaryLinesIn(nil, o, p) }

// summaryLinesIn is summaryLines in tr's language (nil: English); the
// reasons o quotes are in it already (Overview.in).
func summaryLinesIn(tr Tr, o *Overview, p OverviewPeriod) []string {
	tr = orEnglish(tr)
	words := periodWordsIn(tr, p.Name)
	var since string
	switch p.Name {
	case "month":
		since = tr("story.a_month_earlier")
	case "quarter":
		since = tr("story.a_quarter_earlier")
	default:
		since = tr("story.a_week_earlier")
	}
	if o.ComparedWith != "" {
		since = tr("story.since_day", "Day", o.ComparedWith, "Period", words)
	}
	notCompared := ""
	switch {
	case o.ChangePartial != "":
		notCompared = tr("story.not_compared_with", "Period", words, "Why", o.ChangePartial)
	case o.ChangeMissing != "":
		notCompared = tr("series.not_compared", "Why", o.ChangeMissing)
	}

	// 1. Health and its change.
	health := tr("story.health", "Health", fmtScore(o.Health))
	if o.HealthMean != nil {
		health += tr("story.health_mean", "Mean", fmtScore(*o.HealthMean))
	} else {
		health += tr("story.health_no_mean")
	}
	if notCompared != "" {
		health += tr("story.sep") + notCompared + tr("story.end")
	} else {
		health += tr("story.change_since", "Change", signedPoints(o.HealthChange), "Since", since)
		if o.HealthMeanChange != nil {
			health += tr("story.change_mean", "Change", signedPoints(*o.HealthMeanChange))
		}
		health += tr("story.end")
	}

	// 2. The members that moved.
	var moved string
	switch {
	case notCompared != "":
		moved = tr("story.bands_not_compared", "AtRisk", nMembers(tr, o.Distribution.AtRisk), "Watch", nMembers(tr, o.Distribution.Watch), "Period", words)
	case len(o.Summary.Movers) == 0:
		moved = tr("story.no_movers", "Points", FallPoints, "Day", o.ComparedWith)
	default:
		var worse, better []Mover
		for _, m := range o.Summary.Movers {
			if m.Worse {
				worse = append(worse, m)
			} else {
				better = append(better, m)
			}
		}
		var parts []string
		if len(worse) > 0 {
			parts = append(parts, tr("story.worse", "Members", nMembers(tr, len(worse)), "Points", FallPoints, "Day", o.ComparedWith, "Names", moverNames(tr, worse)))
		}
		if len(better) > 0 {
			parts = append(parts, tr("story.better", "Members", nMembers(tr, len(better)), "Names", moverNames(tr, better)))
		}
		moved = strings.Join(parts, tr("story.sep")) + tr("story.end")
	}

	// 3. Milestones and usage.
	s := o.Summary
	var work string
	if s.OverdueMilestones == 1 {
		work = tr("story.overdue_one")
	} else {
		work = tr("story.overdue", "N", s.OverdueMilestones)
	}
	if s.OverdueBefore != nil {
		switch d := s.OverdueMilestones - *s.OverdueBefore; {
		case d > 0:
			work += tr("story.overdue_more", "N", d, "Day", o.ComparedWith)
		case d < 0:
			work += tr("story.overdue_fewer", "N", -d, "Day", o.ComparedWith)
		default:
			work += tr("story.overdue_same", "Day", o.ComparedWith)
		}
	}
	usage := tr("story.calls", "Calls", fmtCount(s.Calls), "Period", words)
	if s.CallsChange != nil {
		usage += tr("story.calls_change", "Change", signedPct(*s.CallsChange), "Period", words, "Before", fmtCount(*s.CallsBefore))
	} else if s.UsageNotCompared != "" {
		usage += tr("story.calls_not_compared", "Why", s.UsageNotCompared)
	}
	return []string{health, moved, work + tr("story.sep") + usage + tr("story.end")}
}

// nMembers is "1 member", "3 members" in tr's language.
func nMembers(tr Tr, n int) string {
	if n == 1 {
		return tr("story.one_member")
	}
	return tr("story.n_members", "N", n)
}

// moverNames names the first summaryNamed movers: "Acme (healthy → at
// risk, −31.2)", "Beta (−12.0, still watch)".
func moverNames(tr Tr, ms []Mover) string {
	var names []string
	for i, m := range ms {
		if i == summaryNamed {
			names = append(names, tr("story.and_more", "N", len(ms)-summaryNamed))
			break
		}
		if m.Status != m.StatusBefore {
			names = append(names, tr("story.mover_moved", "Name", m.Name, "From", statusWordIn(tr, m.StatusBefore),
				"To", statusWordIn(tr, m.Status), "Change", signedPoints(m.Change)))
		} else {
			names = append(names, tr("story.mover_still", "Name", m.Name, "Change", signedPoints(m.Change), "Status", statusWordIn(tr, m.Status)))
		}
	}
	return strings.Join(names, tr("story.list_sep"))
}

// statusWordIn names a status as statusBadgeOf does, in tr's language.
func statusWordIn(tr Tr, s string) string {
	b := statusBadgeOf(s)
	if b.Class == "no-data" && s != "" && s != domain.StatusNoData {
		return b.Label // a status of no known kind, as it is
	}
	return badgeWordIn(tr, b)
}

// signedPoints is a change of health: "+1.3", "−4.0", "±0.0".
func signedPoints(v float64) string {
	r := roundTo(v, 1)
	switch {
	case r > 0:
		return "+" + fmtScore(r)
	case r < 0:
		return "−" + fmtScore(-r)
	}
	return "±0.0"
}

// signedPct is a relative change: "+5.0%", "−12.3%".
func signedPct(v float64) string {
	r := roundTo(v*100, 1)
	switch {
	case r > 0:
		return "+" + fmtPct(v)
	case r < 0:
		return "−" + fmtPct(-v)
	}
	return "±0.0%"
}

// overdueOn counts the open milestones past due on day, as /projects counts
// them (cancelled agreements left out).
func overdueOn(all []data.Agreement, day time.Time) int {
	n := 0
	for _, a := range all {
		if a.Status == domain.ProjectCancelled {
			continue
		}
		for _, m := range a.Milestones {
			if memberMilestoneState(m, day) == memberMsOverdue {
				n++
			}
		}
	}
	return n
}

// periodUsage sets the summary's API calls: the last p.Days days to day,
// against the p.Days before, compared only when all of those hold data.
func periodUsage(ctx context.Context, db *data.DB, s *OverviewSummary, day time.Time, p OverviewPeriod, f *trendFrame) error {
	start := day.AddDate(0, 0, 1-p.Days)
	prevStart := start.AddDate(0, 0, -p.Days)
	now, err := db.CallsBetween(ctx, start, day.AddDate(0, 0, 1))
	if err != nil {
		return err
	}
	s.Calls = now
	if n := f.dataDaysIn(prevStart, start.AddDate(0, 0, -1)); n < p.Days {
		s.UsageNotCompared = usageNotComparedIn(nil, n, p.Days, true)
		if s.facts != nil {
			s.facts.usageN, s.facts.usageBefore = n, true
		}
		return nil
	}
	if n := f.dataDaysIn(start, day); n < p.Days {
		s.UsageNotCompared = usageNotComparedIn(nil, n, p.Days, false)
		if s.facts != nil {
			s.facts.usageN = n
		}
		return nil
	}
	before, err := db.CallsBetween(ctx, prevStart, start)
	if err != nil {
		return err
	}
	s.CallsBefore = &before
	if before > 0 {
		c := float64(now)/float64(before) - 1
		s.CallsChange = &c
	}
	return nil
}

// periodPartial says why the changes between the week ending on day and
// the week ending on before cannot be computed (series.go's partial
// weeks), or "" when both weeks are complete.
func periodPartial(f *trendFrame, day, before time.Time) string {
	return periodPartialIn(nil, f, day, before)
}

// periodPartialIn is periodPartial in tr's language (nil: English).
func periodPartialIn(tr Tr, f *trendFrame, day, before time.Time) string {
	tr = orEnglish(tr)
	if before.Equal(day.AddDate(0, 0, -7)) {
		return f.weekOverWeekIn(tr, day)
	}
	if why := f.weekPartialIn(tr, day); why != "" {
		return tr("series.this_week_partial", "Why", why)
	}
	if why := f.weekPartialIn(tr, before); why != "" {
		return tr("story.week_ending_partial", "Day", before.Format(domain.DateLayout), "Why", why)
	}
	return ""
}

// usageNotComparedIn says why the period's calls are not compared: only n
// of its days (or of the days before it) hold data.
func usageNotComparedIn(tr Tr, n, days int, before bool) string {
	tr = orEnglish(tr)
	if before {
		return tr("story.usage_before_short", "N", n, "Days", days)
	}
	return tr("story.usage_last_short", "N", n, "Days", days)
}

// changeMissingIn says that the day compared with was not scored.
func changeMissingIn(tr Tr, before time.Time, p OverviewPeriod, at string) string {
	tr = orEnglish(tr)
	return tr("story.missing", "Day", before.Format(domain.DateLayout), "Period", periodWordsIn(tr, p.Name), "At", at)
}
