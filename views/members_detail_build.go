package views

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// BuildMember returns a member's page. An unknown slug is ENOTFOUND. The
// page asks the store one question, data.MemberDetail, answered from one
// snapshot; the rest is arithmetic on the answer.
func BuildMember(ctx context.Context, db *data.DB, cfg metrics.Config, p MemberParams) (*MemberDetail, error) {
	if !domain.ValidSlug(p.Slug) {
		return nil, domain.ErrorKey(domain.ENOTFOUND, "errors.no_member", domain.Facts{"Slug": fmt.Sprintf("%q", p.Slug)}, "no member %q", p.Slug)
	}
	if !p.Versions.Declared() {
		return buildMember(ctx, db, cfg, p)
	}
	// The version mix is a second question: both read one snapshot.
	return oneRead(ctx, db, func(ctx context.Context) (*MemberDetail, error) {
		d, err := buildMember(ctx, db, cfg, p)
		if err != nil {
			return nil, err
		}
		return d, memberVersionMix(ctx, db, d, p)
	})
}

// buildMember is BuildMember without the version mix.
func buildMember(ctx context.Context, db *data.DB, cfg metrics.Config, p MemberParams) (*MemberDetail, error) {
	var plan memberPlan
	r, err := db.MemberDetail(ctx, data.MemberDetailQuery{Slug: p.Slug, At: p.At, ResolvedAlerts: resolvedAlerts,
		Span: func(scored time.Time) (data.MemberSpan, error) {
			var err error
			plan, err = planMember(p, scored)
			return plan.span, err
		}})
	if err != nil {
		return nil, err
	}
	return memberDetailOf(r, plan, cfg.WindowDays)
}

// memberPlan is what a member's page shows around the day shown.
type memberPlan struct {
	day       time.Time // the day shown
	shown     DayShown
	scored    bool
	history   []time.Time // the weekly points of the health history
	from, to  time.Time   // the API usage range, both days included
	commStart time.Time   // the Monday of the first community week
	span      data.MemberSpan
}

// planMember chooses the days of a member's page once the store has found
// the scored day (zero: no day is scored).
func planMember(p MemberParams, scored time.Time) (memberPlan, error) {
	var pl memberPlan
	day, shown, err := scoredDayShown(p.At, scored)
	if pl.scored = err == nil; !pl.scored {
		// Nothing scored: the page still shows the member's usage,
		// projects and community up to the day asked (or today).
		day = domain.Day(p.At)
		if day.IsZero() {
			day = domain.Day(p.Now)
		}
		if day.IsZero() {
			day = domain.Day(time.Now())
		}
	}
	pl.day, pl.shown = day, shown
	pl.history = membersTrendDays(day, trendWeeks)

	to := domain.Day(p.To)
	if to.IsZero() {
		to = day
	}
	from := domain.Day(p.From)
	if from.IsZero() {
		from = to.AddDate(0, 0, -(memberUsageDays - 1))
	}
	if to.Before(from) {
		return pl, domain.ErrorKey(domain.EINVALID, "errors.query.to_before_from", domain.Facts{"To": to.Format(domain.DateLayout), "From": from.Format(domain.DateLayout)}, "to (%s) is before from (%s)", to.Format(domain.DateLayout), from.Format(domain.DateLayout))
	}
	if to.Sub(from) > memberMaxRangeDays*24*time.Hour {
		return pl, domain.ErrorKey(domain.EINVALID, "errors.query.range_days", domain.Facts{"Max": memberMaxRangeDays}, "the range may span at most %d days", memberMaxRangeDays)
	}
	pl.from, pl.to, pl.commStart = from, to, memberCommStart(from, to)
	end := to.AddDate(0, 0, 1)
	pl.span = data.MemberSpan{Day: day,
		// The history, and the day a week before the day shown: the
		// health change.
		ScoreDays: append(slices.Clone(pl.history), day.AddDate(0, 0, -7)),
		UsageFrom: from, UsageTo: end, CommunityFrom: pl.commStart, CommunityTo: end,
		// The days with data of the usage range and the community weeks.
		DataDays: []data.DaySpan{{From: pl.commStart, To: to}}}
	if pl.scored { // and of the two weeks the health change compares
		pl.span.DataDays = append(pl.span.DataDays, data.DaySpan{From: day.AddDate(0, 0, -13), To: day})
	}
	return pl, nil
}

// memberDetailOf builds the page from the store's answer.
func memberDetailOf(r *data.MemberDetail, pl memberPlan, windowDays int) (*MemberDetail, error) {
	m := r.Member
	d := &MemberDetail{
		Member: MemberInfo{Slug: m.Slug, Name: m.Name, Kind: string(m.Kind), Tier: m.Tier, Segment: m.Segment,
			JoinedOn: m.JoinedOn.Format(domain.DateLayout)},
		History: []MemberHistoryPoint{}, Projects: []MemberProjectView{}, Ties: []MemberTie{},
	}
	if !r.LastRun.IsZero() {
		d.LastCollected = r.LastRun.Format(time.RFC3339)
	}
	d.At, d.DayShown = pl.day.Format(domain.DateLayout), pl.shown
	frame := memberFrame(r, windowDays)
	if pl.scored {
		if err := memberScores(d, r, pl.day, frame); err != nil {
			return nil, err
		}
	}
	memberHistory(d, r, pl.history, frame.warm)
	memberUsage(d, r.Usage, pl.from, pl.to, frame)
	memberProjects(d, &m, r.Projects, pl.day)
	memberCommunity(d, r.Community, pl.commStart, pl.to, frame)
	d.Alerts = alertsOf(m.Slug, r.OpenAlerts, r.ResolvedAlerts)
	memberOfferOf(d, r, pl.day)
	return d, nil
}

// warmUpOf is the ecosystem's warm-up given where its data is: window days
// (0: the default configuration's scoring window) from its first day with
// usage or activity.
func warmUpOf(r data.DataRange, windowDays int) warmUp {
	if windowDays < 1 {
		windowDays = metrics.DefaultConfig().WindowDays
	}
	first, _ := r.Measured()
	if first.IsZero() {
		return warmUp{WindowDays: windowDays}
	}
	return warmUp{From: first, To: first.AddDate(0, 0, windowDays-1), WindowDays: windowDays}
}

// memberFrame is the trend frame of the days with data the page read.
func memberFrame(r *data.MemberDetail, windowDays int) *trendFrame {
	f := &trendFrame{warm: warmUpOf(r.DataRange, windowDays), dataDays: map[time.Time]bool{}}
	for _, s := range r.Span.DataDays {
		if f.from.IsZero() || s.From.Before(f.from) {
			f.from = domain.Day(s.From)
		}
		if s.To.After(f.to) {
			f.to = domain.Day(s.To)
		}
	}
	for _, d := range r.DataDays {
		f.dataDays[d.Day] = true
	}
	return f
}

// memberScores fills the score of the day, the ecosystem medians and the ties.
func memberScores(d *MemberDetail, r *data.MemberDetail, day time.Time, frame *trendFrame) error {
	var eco *domain.EcosystemScore
	for i := range r.Ecosystem {
		if r.Ecosystem[i].Day.Equal(day) {
			eco = &r.Ecosystem[i]
		}
	}
	if eco == nil {
		return domain.ErrorKey(domain.ENOTFOUND, "errors.no_scores_for", domain.Facts{"Day": day.Format(domain.DateLayout)}, "no scores for %s", day.Format(domain.DateLayout))
	}
	d.Median = memberMedians(r.DayScores)
	var mine, before *domain.MemberScore
	for i, s := range r.Scores {
		switch {
		case s.Day.Equal(day):
			mine = &r.Scores[i]
		case s.Day.Equal(day.AddDate(0, 0, -7)):
			before = &r.Scores[i]
		}
	}
	if mine == nil {
		return nil // not scored that day (joined later)
	}
	s := mine
	v := &MemberScoreView{Health: s.Health, Status: s.Status, ScoreFigures: scoreFigures(s),
		Dimensions: dimensionMap(s.Dimensions), Changes: changeViews(s.Changes)}
	if before != nil && memberScoreMeasured(before.Health, before.Status) {
		v.HealthChange = s.Health - before.Health
	}
	if eco.R > 0 {
		v.PhiShare = s.Phi / eco.R
	}
	e := s.Explain()
	v.Reason, v.ReasonKind = e.Text, e.Kind
	// A change is computed only between two complete weeks (series.go).
	if v.ChangePartial = frame.weekOverWeek(day); v.ChangePartial != "" {
		v.HealthChange = 0
	}
	d.Score = v
	for _, t := range r.Ties {
		d.Ties = append(d.Ties, MemberTie{Slug: t.Slug, Name: t.Name, K: t.K, Health: t.Health, Status: t.Status})
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

// memberMedians are the ecosystem's medians of the day's scores; nil when
// no member is scored.
func memberMedians(scores []domain.MemberScore) *MemberMedians {
	if len(scores) == 0 {
		return nil
	}
	var health, ts, is, ms []float64
	var dims [4][]float64
	for _, s := range scores {
		health, ts, is, ms = append(health, s.Health), append(ts, s.T), append(is, s.I), append(ms, s.M)
		for k, v := range s.Dimensions {
			if finiteNum(v) {
				dims[k] = append(dims[k], v)
			}
		}
	}
	med := &MemberMedians{Members: len(scores), Health: domain.Median(health), T: domain.Median(ts), I: domain.Median(is), M: domain.Median(ms),
		Dimensions: map[string]float64{}}
	for k := range dims {
		if len(dims[k]) > 0 {
			med.Dimensions[domain.Dimensions[k]] = domain.Median(dims[k])
		}
	}
	return med
}

// memberHistory fills the weekly points of health, with the ecosystem's.
func memberHistory(d *MemberDetail, r *data.MemberDetail, days []time.Time, warm warmUp) {
	mine := map[string]domain.MemberScore{}
	for _, s := range r.Scores {
		mine[s.Day.Format(domain.DateLayout)] = s
	}
	ecoScores := map[string]domain.EcosystemScore{}
	for _, e := range r.Ecosystem {
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
	d.HistoryWarmingUp = warm.points(days, labels)
}

// memberOfferOf says where the data is on a member's page and, when the
// member's range shows neither calls nor contributions, offers the scores
// that hold the data — or, when those days are not scored yet, the range
// itself, whose usage the page shows without scores.
func memberOfferOf(d *MemberDetail, r *data.MemberDetail, day time.Time) {
	d.DataRange = measuredRange(r.DataRange)
	if d.DataRange == nil || d.Usage.Totals.Calls > 0 || d.Community.Contributions > 0 {
		return
	}
	path := "/members/" + url.PathEscape(d.Member.Slug)
	if d.Score == nil {
		day = time.Time{} // no scores shown: any scored day that holds the data is an offer
	}
	o := scoresOfferOf(r.DataRange, r.ScoredAfterData, r.ScoredNearData, path, nil, day)
	if o == nil {
		return
	}
	if o.URL == "" {
		first, last := r.DataRange.Measured()
		o = rangeOffer(path, nil, first, last)
	}
	d.Available = o
}

// memberUsage fills the API usage of [from, to] (inclusive days).
func memberUsage(d *MemberDetail, usage *data.MemberUsageBreakdown, from, to time.Time, frame *trendFrame) {
	u := MemberUsage{From: from.Format(domain.DateLayout), To: to.Format(domain.DateLayout),
		Days: []MemberUsageDay{}, Endpoints: []MemberUsageGroup{}, Consumers: []MemberUsageGroup{}}
	perDay := map[string]data.UsageGroup{}
	var total domain.UsageTotals
	for _, g := range usage.ByDay {
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
}

// memberProjects fills the member's cooperation projects and milestone states.
func memberProjects(d *MemberDetail, m *domain.Member, ps []data.MemberProject, day time.Time) {
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
// from start (the one holding the usage range's first day, at least
// memberCommWeeks of them) to to.
func memberCommunity(d *MemberDetail, weeks []data.CommunityWeek, start, to time.Time, frame *trendFrame) {
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
}
