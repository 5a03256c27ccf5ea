package views

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/metrics"
)

const (
	trendWeeks  = 26
	topMembers  = 10
	riskMembers = 10
)

// dimensionReasons says in words what a weak dimension means.
var dimensionReasons = map[string]string{
	"api":         "API quality: errors or latency above the SLO",
	"projects":    "cooperation projects: milestones late or overdue",
	"community":   "community: little activity or slow responses",
	"cooperation": "cooperation: few ties with other members",
}

// BuildOverview returns the executive overview as of day at (the latest
// scored day when at is zero). The page and /api/v1/overview both call it.
func BuildOverview(ctx context.Context, db *data.DB, cfg metrics.Config, at time.Time) (*Overview, error) {
	o := &Overview{Top: []MemberRow{}, AtRisk: []MemberRow{}, Trend: []TrendPoint{}}
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
	day, shown, err := scoreDay(ctx, db, at)
	if data.ErrorCode(err) == data.ENOTFOUND {
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
	o.At, o.DayShown = day.Format(data.DateLayout), shown
	if !at.IsZero() {
		o.MemberQuery = "?at=" + o.At
	}
	eco, err := db.EcosystemScoreOn(ctx, day)
	if err != nil {
		return nil, err
	}
	weekAgo := day.AddDate(0, 0, -7)
	prev, err := db.EcosystemScoreOn(ctx, weekAgo)
	if err != nil && data.ErrorCode(err) != data.ENOTFOUND {
		return nil, err
	}
	// A change is computed only between two complete weeks (series.go).
	if o.ChangePartial, err = weekOverWeekOf(ctx, db, day, cfg.WindowDays); err != nil {
		return nil, err
	}
	if prev == nil || o.ChangePartial != "" {
		prev = eco // no history, or a partial week: no change
	}
	o.Health, o.HealthChange = eco.Health, eco.Health-prev.Health
	o.Status = metrics.StatusOf(eco.Health, cfg)
	o.R = eco.R
	if prev.R > 0 {
		o.RChange = eco.R/prev.R - 1
	}
	o.Members = Count{eco.Members, eco.Members - prev.Members}
	o.Consumers = Count{eco.Consumers, eco.Consumers - prev.Consumers}
	o.Contributors = Count{eco.Contributors, eco.Contributors - prev.Contributors}

	// Weekly points: each week's close (Sunday), then the day shown; a
	// point without a measured score is missing, not 0 (series.go).
	if o.Trend, o.TrendWarmingUp, err = ecosystemTrend(ctx, db, day, trendWeeks, cfg.WindowDays); err != nil {
		return nil, err
	}

	rows, err := memberRows(ctx, db, day, eco.R)
	if err != nil {
		return nil, err
	}
	for _, r := range rows { // rows come by descending φ
		if len(o.Top) == topMembers {
			break
		}
		o.Top = append(o.Top, r)
	}
	for _, r := range rows {
		if r.Status == data.StatusAtRisk {
			o.AtRisk = append(o.AtRisk, r)
		}
	}
	sort.SliceStable(o.AtRisk, func(i, j int) bool { return o.AtRisk[i].Health < o.AtRisk[j].Health })
	if len(o.AtRisk) > riskMembers {
		o.AtRisk = o.AtRisk[:riskMembers]
	}
	return o, nil
}

// memberRows returns the scored members of a day by descending φ, with their
// health change against 7 days earlier and their weakest dimension.
func memberRows(ctx context.Context, db *data.DB, day time.Time, r float64) ([]MemberRow, error) {
	cur, err := db.ScoresOn(ctx, day)
	if err != nil {
		return nil, err
	}
	old, err := db.ScoresOn(ctx, day.AddDate(0, 0, -7))
	if err != nil {
		return nil, err
	}
	before := map[int64]float64{}
	for _, m := range old {
		before[m.ID] = m.Score.Health
	}
	rows := make([]MemberRow, 0, len(cur))
	for _, m := range cur {
		s := m.Score
		row := MemberRow{Slug: m.Slug, Name: m.Name, Kind: string(m.Kind), Segment: m.Segment, Tier: m.Tier,
			Health: s.Health, Status: s.Status, C: s.C, K: s.K, Phi: s.Phi}
		if h, ok := before[m.ID]; ok {
			row.HealthChange = s.Health - h
		}
		if r > 0 {
			row.PhiShare = s.Phi / r
		}
		if k, v := weakest(s.Dimensions); k >= 0 {
			row.Weakest, row.WeakestScore = data.Dimensions[k], v
			row.Reason = fmt.Sprintf("%s (%.0f/100)", dimensionReasons[data.Dimensions[k]], v)
		} else {
			row.Reason = "no activity in the scoring window"
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// weakest returns the index and value of the lowest dimension with data, or -1.
func weakest(d [4]float64) (int, float64) {
	best, val := -1, math.Inf(1)
	for k, v := range d {
		if !math.IsNaN(v) && v < val {
			best, val = k, v
		}
	}
	return best, val
}
