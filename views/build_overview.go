package views

import (
	"context"
	"sort"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

const (
	trendWeeks  = 26
	topMembers  = 10
	riskMembers = 10
	// attentionMembers is how many members the attention list holds: it
	// is drawn above the fold, before the charts.
	attentionMembers = 10
)

// BuildOverview returns the executive overview as of day at (the latest
// scored day when at is zero), its changes over a week.
func BuildOverview(ctx context.Context, db *data.DB, cfg metrics.Config, at time.Time) (*Overview, error) {
	return BuildOverviewFor(ctx, db, cfg, OverviewQuery{At: at})
}

// BuildOverviewFor returns the executive overview of q: the day's scores,
// and every change over q's period. The page and /api/v1/overview both
// call it.
func BuildOverviewFor(ctx context.Context, db *data.DB, cfg metrics.Config, q OverviewQuery) (*Overview, error) {
	return oneRead(ctx, db, func(ctx context.Context) (*Overview, error) { return readOverviewFor(ctx, db, cfg, q) })
}

// readOverviewFor is BuildOverviewFor inside its snapshot.
func readOverviewFor(ctx context.Context, db *data.DB, cfg metrics.Config, q OverviewQuery) (*Overview, error) {
	period, err := overviewPeriod(q.Period)
	if err != nil {
		return nil, err
	}
	at := q.At
	o := &Overview{Top: []MemberRow{}, AtRisk: []MemberRow{}, Attention: []MemberRow{}, Trend: []TrendPoint{},
		Period: period.Name, PeriodDays: period.Days, Summary: OverviewSummary{Lines: []string{}, Movers: []Mover{}, FallPoints: FallPoints}}
	setup, err := overviewSetup(ctx, db, o)
	if err != nil {
		return nil, err
	}
	day, shown, err := scoreDay(ctx, db, at)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		o.Empty = true
		return o, overviewOffer(ctx, db, o, time.Time{})
	} else if err != nil {
		return nil, err
	}
	if at.IsZero() && !setupStep(setup, "scores") {
		// Days scored before any member had data (none, or members with no
		// traffic nor activity yet, as right after `ecopulse collect` of a
		// registry file): a health of 0 says nothing. The checklist and the
		// offer of the data say what to do instead.
		o.Empty = true
		return o, overviewOffer(ctx, db, o, time.Time{})
	}
	if err := overviewOffer(ctx, db, o, day); err != nil {
		return nil, err
	}
	o.At, o.DayShown = day.Format(domain.DateLayout), shown
	if !at.IsZero() {
		o.MemberQuery = "?at=" + o.At
	}
	eco, frame, err := overviewScores(ctx, db, cfg, o, day, period)
	if err != nil {
		return nil, err
	}

	// Weekly points: each week's close (Sunday), then the day shown; a
	// point without a measured score is missing, not 0 (series.go).
	if o.Trend, o.TrendWarmingUp, err = ecosystemTrend(ctx, db, day, trendWeeks, cfg.WindowDays); err != nil {
		return nil, err
	}

	before := day.AddDate(0, 0, -period.Days)
	var compared time.Time // zero: no member change either
	if o.ComparedWith != "" {
		compared = before
	}
	reasons := map[string]reasonFacts{}
	rows, err := memberRowsFacts(ctx, db, day, compared, eco.R, reasons)
	if err != nil {
		return nil, err
	}
	if o.Summary.facts != nil {
		o.Summary.facts.reasons = reasons
	}
	o.Top, o.AtRisk = topAndAtRisk(rows)
	if err := overviewStory(ctx, db, o, rows, eco.R, day, period, frame); err != nil {
		return nil, err
	}
	return o, nil
}

// overviewSetup notes when data was last collected and, while the setup is
// not complete, its checklist. It returns the setup.
func overviewSetup(ctx context.Context, db *data.DB, o *Overview) (*Setup, error) {
	last, err := db.LastSuccessfulRun(ctx)
	if err != nil {
		return nil, err
	}
	if !last.IsZero() {
		o.LastCollected = last.Format(time.RFC3339)
	}
	setup, err := BuildSetup(ctx, db)
	if err != nil {
		return nil, err
	}
	if !setup.Complete {
		o.Setup = setup
	}
	return setup, nil
}

// overviewScores sets the ecosystem's scores of day and their changes over
// the period. Every change is against the day one period earlier, and
// computed only when that day was scored and both weeks ending on the two
// days are complete (series.go). It returns the day's ecosystem score and
// the frame of days the changes were judged on.
func overviewScores(ctx context.Context, db *data.DB, cfg metrics.Config, o *Overview, day time.Time, period OverviewPeriod) (*domain.EcosystemScore, *trendFrame, error) {
	eco, err := db.EcosystemScoreOn(ctx, day)
	if err != nil {
		return nil, nil, err
	}
	before := day.AddDate(0, 0, -period.Days)
	prev, err := db.EcosystemScoreOn(ctx, before)
	if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		return nil, nil, err
	}
	frame, err := loadTrendFrame(ctx, db, before.AddDate(0, 0, 1-period.Days), day, cfg.WindowDays)
	if err != nil {
		return nil, nil, err
	}
	o.ChangePartial = periodPartial(frame, day, before)
	o.Summary.facts = &storyFacts{frame: frame, day: day, before: before, period: period}
	switch {
	case o.ChangePartial != "":
		prev = eco
	case prev == nil:
		o.ChangeMissing = changeMissingIn(nil, before, period, o.At)
		prev = eco
	default:
		o.ComparedWith = before.Format(domain.DateLayout)
	}
	o.Health, o.HealthChange = eco.Health, eco.Health-prev.Health
	o.HealthMean = eco.HealthMean
	if o.ComparedWith != "" && eco.HealthMean != nil && prev.HealthMean != nil {
		c := *eco.HealthMean - *prev.HealthMean
		o.HealthMeanChange = &c
	}
	o.Status = metrics.StatusOf(eco.Health, cfg)
	o.R = eco.R
	if prev.R > 0 {
		o.RChange = eco.R/prev.R - 1
	}
	o.Members = Count{eco.Members, eco.Members - prev.Members}
	o.Consumers = Count{eco.Consumers, eco.Consumers - prev.Consumers}
	o.Contributors = Count{eco.Contributors, eco.Contributors - prev.Contributors}
	return eco, frame, nil
}

// topAndAtRisk returns the first members of rows (which come by descending
// φ) and the members at risk, least healthy first.
func topAndAtRisk(rows []MemberRow) (top, atRisk []MemberRow) {
	top, atRisk = []MemberRow{}, []MemberRow{}
	for _, r := range rows {
		if len(top) == topMembers {
			break
		}
		top = append(top, r)
	}
	for _, r := range rows {
		if r.Status == domain.StatusAtRisk {
			atRisk = append(atRisk, r)
		}
	}
	sort.SliceStable(atRisk, func(i, j int) bool { return atRisk[i].Health < atRisk[j].Health })
	if len(atRisk) > riskMembers {
		atRisk = atRisk[:riskMembers]
	}
	return top, atRisk
}

// overviewStory tells the period's story: the distribution, who needs
// attention, the movers, overdue milestones, usage and the summary lines.
func overviewStory(ctx context.Context, db *data.DB, o *Overview, rows []MemberRow, r float64, day time.Time, period OverviewPeriod, frame *trendFrame) error {
	o.Distribution = distributionOf(rows, r)
	o.Attention, o.AttentionMore = attentionOf(rows, attentionMembers)
	o.Summary.Movers = moversOf(rows)
	agreements, err := db.Agreements(ctx)
	if err != nil {
		return err
	}
	o.Summary.OverdueMilestones = overdueOn(agreements, day)
	if o.ComparedWith != "" {
		n := overdueOn(agreements, day.AddDate(0, 0, -period.Days))
		o.Summary.OverdueBefore = &n
	}
	if err := periodUsage(ctx, db, &o.Summary, day, period, frame); err != nil {
		return err
	}
	o.Summary.Lines = summaryLines(o, period)
	return nil
}

// memberRowsFacts returns the scored members of a day by descending φ, each
// with its reason (domain.MemberScore.Explain) and, when before is not zero,
// its health change against that day (for the members scored then); it
// notes in facts (when not nil) what each member's reason quotes, by slug,
// for a page to say it in its language.
func memberRowsFacts(ctx context.Context, db *data.DB, day, before time.Time, r float64, facts map[string]reasonFacts) ([]MemberRow, error) {
	cur, err := db.ScoresOn(ctx, day)
	if err != nil {
		return nil, err
	}
	old := map[int64]data.HealthPoint{}
	if !before.IsZero() {
		prev, err := db.MemberStatusesOn(ctx, before)
		if err != nil {
			return nil, err
		}
		for _, p := range prev {
			old[p.MemberID] = p
		}
	}
	rows := make([]MemberRow, 0, len(cur))
	for _, m := range cur {
		s := m.Score
		row := MemberRow{Slug: m.Slug, Name: m.Name, Kind: string(m.Kind), Segment: m.Segment, Tier: m.Tier,
			Health: s.Health, Status: s.Status, ValueFigures: valueFigures(&s), factors: [3]float64{s.T, s.I, s.M}}
		if o, ok := old[m.ID]; ok && memberScoreMeasured(o.Health, o.Status) {
			h := o.Health
			row.HealthChange, row.HealthBefore, row.statusBefore = s.Health-h, &h, o.Status
		}
		if r > 0 {
			row.PhiShare = s.Phi / r
		}
		e := s.Explain()
		row.Reason, row.ReasonKind = e.Text, e.Kind
		if facts != nil {
			facts[m.Slug] = reasonFactsOf(&s)
		}
		rows = append(rows, row)
	}
	return rows, nil
}
