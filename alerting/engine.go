package alerting

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
	"github.com/ecopulse/ecopulse/views"
)

// Alerts: the rules of AlertConfig. The rules about members are evaluated
// on every scored day, in day order (see deriveHistory): each condition that
// holds opens an episode on its day, which closes on the first day it does
// not (the change rules with hysteresis). The rules about sources are
// evaluated at the time of each evaluation. A newly opened alert still open
// after the evaluation is posted to the webhook once (notify.go); the
// store records that it was, so a restart posts it again never, and a
// backfill posts only what is open now.
//
// Member alerts follow the scores: every save of a day's scores marks the
// day (migration 0021), and an evaluation derives the member rules' episodes
// over every scored day from the earliest marked one on, in day order
// (data.RecordAlertHistory). So the scoring job's backfill, a rescore of
// old days after an import or a remap, and `ecopulse score --from --to` all
// leave alert history, and an episode that still happened keeps what people
// did about it.

// Engine evaluates the configured alert rules against the store.
type Engine struct {
	db  *data.DB
	cfg config.AlertConfig
	log *slog.Logger
	// versions are the declared API versions the sunset rule watches
	// (sunset.go); nil: none.
	versions *domain.APIVersions
	// mu serialises evaluations: two at once could post the same new
	// alert, or derive the same days twice.
	mu sync.Mutex
}

// NewEngine returns the engine of the rules cfg over db.
func NewEngine(db *data.DB, cfg config.AlertConfig, log *slog.Logger) *Engine {
	return &Engine{db: db, cfg: cfg, log: log}
}

// errorRateZ is the z of the error rate's lower confidence bound.
const errorRateZ = 1.645

// Evaluate follows the scores saved since the last evaluation (and day's)
// with the member rules, evaluates the source rules at now against sources
// and posts newly opened alerts with n, which may be nil (no webhook).
// Member alerts are derived from the earliest of day and the days scored
// since the last evaluation, through the latest scored day.
func (e *Engine) Evaluate(ctx context.Context, day, now time.Time, sources []views.SourceInfo, n *Notifier) (*data.AlertSync, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	res, err := e.deriveHistory(ctx, domain.Day(day), now)
	if err != nil {
		return nil, err
	}
	var conds []data.AlertCondition
	if e.cfg.SourceStaleIntervals > 0 || e.cfg.SourceMaxAge > 0 {
		if conds, err = e.sourceConditions(ctx, now, sources); err != nil {
			return nil, err
		}
	}
	src, err := e.db.SyncAlerts(ctx, views.SourceAlertRules, conds, now)
	if err != nil {
		return nil, err
	}
	res.Opened = append(res.Opened, src.Opened...)
	res.Resolved = append(res.Resolved, src.Resolved...)
	res.Open += src.Open
	if n != nil {
		if err := n.notifyPending(ctx, e.db, now); err != nil {
			return res, err
		}
	}
	return res, nil
}

// Follow derives the member alerts of the days scored since the last
// derivation, at once, so that `ecopulse score` and the backfill leave
// alert history without a server. Source alerts and the webhook are
// Evaluate's. A failure is logged: the days stay marked, and the next
// evaluation derives them.
func (e *Engine) Follow(ctx context.Context) {
	e.mu.Lock()
	defer e.mu.Unlock()
	start := time.Now()
	res, err := e.deriveHistory(ctx, time.Time{}, time.Now())
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			e.log.Warn("alert history not derived", "err", err)
		}
		return
	}
	if len(res.Opened)+len(res.Resolved)+res.Withdrawn > 0 {
		e.log.Info("alert history derived", "opened", len(res.Opened), "resolved", len(res.Resolved), "withdrawn", res.Withdrawn,
			"open", res.Open, "took", time.Since(start).Round(time.Millisecond))
	}
}

// lastDay bounds "every scored day from then on".
var lastDay = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// deriveHistory derives member alerts over every scored day from the
// earliest of from (zero: none) and the days marked since the last
// derivation. The caller holds e.mu.
func (e *Engine) deriveHistory(ctx context.Context, from, now time.Time) (*data.AlertSync, error) {
	db := e.db
	mark, err := db.AlertsStaleFrom(ctx)
	if err != nil {
		return nil, err
	}
	if from.IsZero() || (!mark.From.IsZero() && mark.From.Before(from)) {
		from = mark.From
	}
	if from.IsZero() {
		return &data.AlertSync{}, nil
	}
	eco, err := db.EcosystemScores(ctx, from, lastDay)
	if err != nil {
		return nil, err
	}
	// The health drop reads the day a week before each: keep what was read.
	read := map[time.Time][]data.ScoredMember{}
	scores := func(d time.Time) ([]data.ScoredMember, error) {
		if s, ok := read[d]; ok {
			return s, nil
		}
		s, err := db.ScoresOn(ctx, d)
		if err != nil {
			return nil, err
		}
		for k := range read {
			if k.Before(d.AddDate(0, 0, -7)) { // no later day asks for it
				delete(read, k)
			}
		}
		read[d] = s
		return s, nil
	}
	days := make([]data.AlertDay, 0, len(eco))
	for _, day := range eco {
		conds, err := e.memberConditions(ctx, day.Day, scores)
		if err != nil {
			return nil, err
		}
		days = append(days, data.AlertDay{Day: day.Day, Conds: conds})
	}
	return db.RecordAlertHistory(ctx, views.MemberAlertRules, days, mark, now)
}

// memberConditions evaluates every enabled member rule on one scored day:
// its scores and their change signals, its API usage and milestones. A
// disabled rule holds no condition, so its open alerts close. scores reads
// a day's scores (the history's walk keeps the days it read).
func (e *Engine) memberConditions(ctx context.Context, day time.Time, scores func(time.Time) ([]data.ScoredMember, error)) ([]data.AlertCondition, error) {
	cfg, db := e.cfg, e.db
	day = domain.Day(day)
	cur, err := scores(day)
	if err != nil {
		return nil, err
	}
	var conds []data.AlertCondition
	if cfg.HealthBelow > 0 || cfg.HealthDrop > 0 {
		c, err := e.healthConditions(day, cur, scores)
		if err != nil {
			return nil, err
		}
		conds = append(conds, c...)
	}
	conds = append(conds, e.changeConditions(cur)...)
	if cfg.ErrorRateSLO > 0 {
		calls, err := db.CallsByMember(ctx, day.AddDate(0, 0, -6), day.AddDate(0, 0, 1))
		if err != nil {
			return nil, err
		}
		for _, m := range calls {
			failed, what, key := m.Errors5xx, "5xx", "alertmsg.error_rate_5xx"
			if cfg.ErrorRateCounts4xx {
				failed, what, key = m.Errors4xx+m.Errors5xx, "4xx and 5xx", "alertmsg.error_rate_4xx"
			}
			if m.Calls == 0 || m.Calls < cfg.ErrorRateMinCalls {
				continue
			}
			// The rate is judged on its Wilson lower bound (one-sided 95 %),
			// so that three errors in a hundred calls are not an incident
			// while three hundred in ten thousand are.
			rate := float64(failed) / float64(m.Calls)
			if metrics.WilsonLower(float64(failed), float64(m.Calls), errorRateZ) > cfg.ErrorRateSLO {
				conds = append(conds, data.AlertCondition{Rule: views.RuleErrorRate, Subject: m.Slug, Member: m.Slug,
					Message: fmt.Sprintf("%s API error rate %s over the last 7 days (%d of %d calls) is above the %s SLO",
						what, pctText(rate), failed, m.Calls, pctText(cfg.ErrorRateSLO)),
					MessageKey: key, MessageArgs: map[string]any{"Rate": pctText(rate), "Failed": strconv.FormatInt(failed, 10),
						"Calls": strconv.FormatInt(m.Calls, 10), "SLO": pctText(cfg.ErrorRateSLO)}})
			}
		}
	}
	sunset, err := e.sunsetConditions(ctx, day)
	if err != nil {
		return nil, err
	}
	conds = append(conds, sunset...)
	if cfg.MilestoneOverdue {
		over, err := db.OverdueMilestones(ctx, day)
		if err != nil {
			return nil, err
		}
		for i := 0; i < len(over); {
			j := i
			for j < len(over) && over[j].Member == over[i].Member && over[j].Project == over[i].Project {
				j++
			}
			o := over[i] // the oldest of the member's overdue milestones in the project
			conds = append(conds, data.AlertCondition{Rule: views.RuleMilestoneOverdue, Subject: o.Member + "/" + o.Project, Member: o.Member,
				Message: fmt.Sprintf("%s of project %s overdue; the oldest, %q, was due %s",
					domain.Plural(j-i, "milestone", "milestones"), o.ProjectName, o.Title, o.DueOn.Format(domain.DateLayout)),
				MessageKey: "alertmsg.milestone_overdue", MessageArgs: map[string]any{"Count": strconv.Itoa(j - i),
					"Project": o.ProjectName, "Title": strconv.Quote(o.Title), "Due": o.DueOn.Format(domain.DateLayout)}})
			i = j
		}
	}
	return conds, nil
}

// healthConditions: health below the threshold, and a drop of at least
// HealthDrop points against 7 days earlier. Members without data in the
// window (status no_data) are not judged.
func (e *Engine) healthConditions(day time.Time, cur []data.ScoredMember, scores func(time.Time) ([]data.ScoredMember, error)) ([]data.AlertCondition, error) {
	cfg := e.cfg
	before := map[int64]domain.MemberScore{}
	if cfg.HealthDrop > 0 {
		old, err := scores(day.AddDate(0, 0, -7))
		if err != nil {
			return nil, err
		}
		for _, m := range old {
			before[m.ID] = m.Score
		}
	}
	var conds []data.AlertCondition
	for _, m := range cur {
		s := m.Score
		if s.Status == domain.StatusNoData {
			continue
		}
		if cfg.HealthBelow > 0 && s.Health < cfg.HealthBelow {
			health, threshold := strconv.FormatFloat(s.Health, 'f', 1, 64), strconv.FormatFloat(cfg.HealthBelow, 'f', -1, 64)
			conds = append(conds, data.AlertCondition{Rule: views.RuleHealthBelow, Subject: m.Slug, Member: m.Slug,
				Message:    fmt.Sprintf("health %s is below %s", health, threshold),
				MessageKey: "alertmsg.health_below", MessageArgs: map[string]any{"Health": health, "Threshold": threshold}})
		}
		if old, ok := before[m.ID]; ok && cfg.HealthDrop > 0 && old.Status != domain.StatusNoData && old.Health-s.Health >= cfg.HealthDrop {
			args := map[string]any{"Drop": fmt.Sprintf("%.1f", old.Health-s.Health), "Before": fmt.Sprintf("%.1f", old.Health),
				"Day": day.AddDate(0, 0, -7).Format(domain.DateLayout), "Health": fmt.Sprintf("%.1f", s.Health)}
			conds = append(conds, data.AlertCondition{Rule: views.RuleHealthDrop, Subject: m.Slug, Member: m.Slug,
				Message: fmt.Sprintf("health fell %s points in a week, from %s on %s to %s", args["Drop"],
					args["Before"], args["Day"], args["Health"]),
				MessageKey: "alertmsg.health_drop", MessageArgs: args})
		}
	}
	return conds, nil
}

// sourceConditions: a configured source with no successful run within
// SourceStaleIntervals of its schedule's interval; a source that ran but is
// not configured (push ingest, the demo feed) with none within SourceMaxAge.
// A source that ran but never succeeded is stale once its latest run failed.
func (e *Engine) sourceConditions(ctx context.Context, now time.Time, sources []views.SourceInfo) ([]data.AlertCondition, error) {
	cfg, db := e.cfg, e.db
	runs, err := db.LatestRuns(ctx)
	if err != nil {
		return nil, err
	}
	latest := map[string]domain.CollectorRun{}
	for _, r := range runs {
		latest[r.Source] = r
	}
	limits := map[string]time.Duration{}
	expect := map[string]string{}
	every := map[string]time.Duration{} // a scheduled source's interval
	for _, s := range sources {
		if cfg.SourceStaleIntervals > 0 && s.Interval > 0 {
			limits[s.Name] = time.Duration(cfg.SourceStaleIntervals * float64(s.Interval))
			expect[s.Name] = "expected every " + shortDuration(s.Interval)
			every[s.Name] = s.Interval
		} else {
			limits[s.Name] = 0
		}
	}
	for _, r := range runs {
		if _, ok := limits[r.Source]; !ok && cfg.SourceMaxAge > 0 {
			limits[r.Source] = cfg.SourceMaxAge
			expect[r.Source] = "no schedule; allowed " + shortDuration(cfg.SourceMaxAge)
		}
	}
	var conds []data.AlertCondition
	for name, limit := range limits {
		if limit <= 0 {
			continue
		}
		run, ran := latest[name]
		if !ran {
			continue // never ran: nothing stopped
		}
		ok, err := db.LastSuccessOf(ctx, name)
		if err != nil {
			return nil, err
		}
		var msg, key string
		args := map[string]any{"Source": name, "Error": ""}
		switch {
		case ok.IsZero() && run.Status == domain.RunFailed:
			msg, key = "has never collected successfully", "alertmsg.source_never"
		case !ok.IsZero() && now.Sub(ok) > limit:
			msg = fmt.Sprintf("has not collected successfully for %s (%s)", shortDuration(now.Sub(ok)), expect[name])
			args["For"] = shortDuration(now.Sub(ok))
			if iv, scheduled := every[name]; scheduled {
				key, args["Every"] = "alertmsg.source_stale_every", shortDuration(iv)
			} else {
				key, args["Allowed"] = "alertmsg.source_stale_unscheduled", shortDuration(cfg.SourceMaxAge)
			}
		default:
			continue
		}
		if run.Status == domain.RunFailed && run.Error != "" {
			args["Error"] = truncate(run.Error, 200)
			msg += "; last error: " + args["Error"].(string)
		}
		conds = append(conds, data.AlertCondition{Rule: views.RuleSourceStale, Subject: name, Message: "source " + name + " " + msg,
			MessageKey: key, MessageArgs: args})
	}
	return conds, nil
}

// changeConditions judges each member's change signals of a day against
// the enabled change rules. A rule's signal is the worst of its kinds: below
// OpenBelow it opens an alert (or keeps one open), below CloseAt it only
// keeps one open (Hold), at or above CloseAt — or not reported, which the
// model does for a signal that is fine or lacks the evidence to speak — it
// is no condition. The message is the signal's own sentence, in words and
// numbers. Volumes are not judged again here: the signals weigh them.
func (e *Engine) changeConditions(scores []data.ScoredMember) []data.AlertCondition {
	var conds []data.AlertCondition
	rules := changeRules(e.cfg)
	for _, m := range scores {
		if len(m.Score.Changes) == 0 {
			continue
		}
		for _, r := range rules {
			if r.OpenBelow <= 0 {
				continue
			}
			var worst *domain.Change
			for i := range m.Score.Changes {
				ch := &m.Score.Changes[i]
				if !slices.Contains(changeKinds[r.key], ch.Kind) {
					continue
				}
				if worst == nil || ch.Score < worst.Score {
					worst = ch
				}
			}
			if worst == nil || !(worst.Score < r.CloseAt) {
				continue
			}
			conds = append(conds, data.AlertCondition{Rule: r.key, Subject: m.Slug, Member: m.Slug,
				Message: worst.Text(), MessageKey: changeMessageKey(worst.Kind), MessageArgs: worst.Facts(),
				Hold: worst.Score >= r.OpenBelow})
		}
	}
	return conds
}

// changeMessageKey is the catalogue key of a change signal's sentence
// (domain.Change's Text, said from its Facts); TestAlertMessagesSayTheStoredEnglish
// checks every kind has one whose English is the Text.
func changeMessageKey(kind string) string { return "alertmsg.change." + kind }
