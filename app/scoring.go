package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ecopulse/ecopulse/alerting"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// Scorer runs the scoring model over the store: it measures a day's window
// (data), scores it (metrics, pure) and stores the result (data).
type Scorer struct {
	db  *data.DB
	cfg metrics.Config
	log *slog.Logger
	// afterRun, when set (the scheduler does), runs at the end of every
	// successful Run: weekly snapshots and alert rules.
	afterRun func(ctx context.Context, day time.Time)
	// sources are the configured sources, whose hash keys address rules
	// need (app/consumer_address.go); set with the Scorer's owner's config.
	sources []config.SourceConfig
	// alerts, when set, are the alert rules member alerts follow the days
	// scored with (app/alerts_history.go).
	alerts *config.AlertConfig
	// alerting, when set (App.New does), is the rule engine those member
	// alerts follow with; else one of alerts is made on first use.
	alerting   *alerting.Engine
	alertsOnce sync.Once
	// versions are the declared API versions the sunset rule of an engine
	// made of alerts watches.
	versions *domain.APIVersions
}

// NewScorer returns a Scorer with the given model configuration.
func NewScorer(db *data.DB, cfg metrics.Config, log *slog.Logger) *Scorer {
	return &Scorer{db: db, cfg: cfg, log: log}
}

// Compute scores one day without storing it.
func (s *Scorer) Compute(ctx context.Context, day time.Time) (*domain.DayScores, error) {
	day = domain.Day(day)
	s.refreshDigests(ctx)
	w, err := s.db.ScoringWindow(ctx, day, s.cfg.WindowDays)
	if err != nil {
		return nil, err
	}
	for _, d := range w.UnreadableDigests { // read from the source rows: rebuild them
		s.log.Warn("scoring: unreadable day digest, rebuilding it", "day", d.Format(domain.DateLayout))
		if err := s.db.InvalidateDay(ctx, d); err != nil {
			s.log.Warn("scoring: day digest not marked for rebuild", "day", d.Format(domain.DateLayout), "err", err)
		}
	}
	res := metrics.Score(metrics.Input{Day: day, Members: w.Members, Pairs: w.Pairs}, s.cfg)
	active := 0
	for _, m := range res.Members {
		if m.C > 0 {
			active++
		}
	}
	return &domain.DayScores{
		Ecosystem: domain.EcosystemScore{Day: day, R: res.R, Health: res.Health, HealthMean: healthMean(res), Members: active,
			Consumers: w.ActiveConsumers, Contributors: w.ActiveContributors},
		Members: res.Members,
		Edges:   res.Edges,
	}, nil
}

// healthMean is the plain mean of member health, missing when no member has data.
func healthMean(res metrics.Result) *float64 {
	for _, m := range res.Members {
		if m.Status != domain.StatusNoData {
			v := res.HealthMean
			return &v
		}
	}
	return nil
}

// refreshDigests rebuilds the stale usage and activity day digests. They only
// speed the window up; it is right without them. After an upgrade or a bulk
// import every day is stale once: say what the wait was.
//
// The days those digests cover got new inputs (an import, a late collection):
// they and the days whose windows hold them (two windows: the current and
// the previous one) are marked for scoring first, so that the scoring job
// scores them however old, whether they were scored before or not.
func (s *Scorer) refreshDigests(ctx context.Context) {
	now := domain.Day(time.Now())
	days, err := s.db.StaleInputDays(ctx)
	if err == nil {
		err = s.db.MarkRescoreAfter(ctx, days, 2*s.cfg.WindowDays, now, now.AddDate(0, 0, -recentDays))
	}
	if err != nil && ctx.Err() == nil {
		s.log.Warn("scoring: days with new inputs not marked for scoring", "err", err)
	}
	for _, r := range []struct {
		what    string
		refresh func(context.Context) (int, error)
	}{{"usage", s.db.RefreshUsageDays}, {"activity", s.db.RefreshActivityDays}} {
		start := time.Now()
		if n, err := r.refresh(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("scoring: day digests not refreshed", "of", r.what, "err", err)
		} else if n > 1 {
			s.log.Info("day digests refreshed", "of", r.what, "days", n, "took", time.Since(start).Round(time.Millisecond))
		}
	}
}

// ScoreDay scores one day and stores the result, replacing that day's scores.
func (s *Scorer) ScoreDay(ctx context.Context, day time.Time) (*domain.DayScores, error) {
	ds, err := s.Compute(ctx, day)
	if err != nil {
		return nil, err
	}
	if err := s.db.SaveDayScores(ctx, ds); err != nil {
		return nil, err
	}
	return ds, nil
}

// ScoreRange scores every day in [from, to], oldest first.
func (s *Scorer) ScoreRange(ctx context.Context, from, to time.Time) (int, error) {
	var days []time.Time
	for day := domain.Day(from); !day.After(domain.Day(to)); day = day.AddDate(0, 0, 1) {
		days = append(days, day)
	}
	return s.scoreDays(ctx, days)
}

// scoreDays scores days with a few workers: each day is independent, and the
// store's pooled reader lets windows be measured side by side.
//
// The marks of the days it scored (data.RescoreDays) are cleared after: a
// day scored now needs no other run.
func (s *Scorer) scoreDays(ctx context.Context, days []time.Time) (int, error) {
	const workers = 2
	s.refreshDigests(ctx) // once, before the workers would each wait for it
	marks, err := s.db.RescoreDays(ctx)
	if err != nil {
		return 0, err
	}
	n, err := s.scoreEach(ctx, days, workers)
	if err != nil {
		return n, err
	}
	scored := map[time.Time]bool{}
	for _, d := range days {
		scored[domain.Day(d)] = true
	}
	var done []data.RescoreMark
	for _, m := range marks {
		if scored[m.Day] {
			done = append(done, m)
		}
	}
	if err := s.db.RescoreDone(ctx, done); err != nil {
		return n, err
	}
	s.followAlerts(ctx) // in day order, from the first day scored
	return n, nil
}

// scoreEach scores days on workers, stopping at the first error.
func (s *Scorer) scoreEach(ctx context.Context, days []time.Time, workers int) (int, error) {
	work := make(chan time.Time)
	errs := make(chan error, workers)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var done atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for day := range work {
				if _, err := s.ScoreDay(ctx, day); err != nil {
					errs <- fmt.Errorf("score %s: %w", day.Format(domain.DateLayout), err)
					cancel()
					return
				}
				done.Add(1)
			}
		}()
	}
feed:
	for _, d := range days {
		select {
		case work <- d:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return int(done.Load()), err
	}
	return int(done.Load()), ctx.Err()
}

// recentDays are scored every day when backfilling; older history is
// backfilled at week ends only, which is what trends, week-over-week changes
// and weekly snapshots read. The daily job fills every day from then on.
const recentDays = 14

// backfillDays returns the days of the last `days` before today (today and
// yesterday excluded) that the backfill wants: the recent ones and Sundays.
func backfillDays(today time.Time, days int) []time.Time {
	var out []time.Time
	for d := today.AddDate(0, 0, -days); d.Before(today.AddDate(0, 0, -1)); d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Sunday || !d.Before(today.AddDate(0, 0, -recentDays)) {
			out = append(out, d)
		}
	}
	return out
}

// Run is the scheduled job: it fills in missing history (see backfillDays),
// scores again the days marked for it (data.RescoreDays), and rescores today
// and yesterday, whose data may still grow.
func (s *Scorer) Run(ctx context.Context, today time.Time, backfill int) error {
	start := time.Now()
	today = domain.Day(today)
	var missing []time.Time
	for _, d := range backfillDays(today, backfill) {
		_, err := s.db.EcosystemScoreOn(ctx, d)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			missing = append(missing, d)
		} else if err != nil {
			return err
		}
	}
	// Consumers that address rules and members' key patterns claim are
	// mapped first: the days their history touches are marked like any
	// other remap.
	if n, err := applyAddressRules(ctx, s.db, s.sources); err != nil {
		return err
	} else if n > 0 {
		s.log.Info("API consumers mapped by address rules", "consumers", n)
	}
	if n, err := s.db.ApplyKeyPatterns(ctx); err != nil {
		return err
	} else if n > 0 {
		s.log.Info("API consumers mapped by members' key patterns", "consumers", n)
	}
	// Days whose inputs changed after they were scored (a member archived,
	// restored or merged, a consumer remapped, data imported) are scored
	// again, however old.
	s.refreshDigests(ctx)
	marks, err := s.db.RescoreDays(ctx)
	if err != nil {
		return err
	}
	seen := map[time.Time]bool{today.AddDate(0, 0, -1): true, today: true}
	for _, d := range missing {
		seen[d] = true
	}
	for _, m := range marks {
		if !seen[m.Day] && !m.Day.After(today) {
			seen[m.Day] = true
			missing = append(missing, m.Day)
		}
	}
	missing = append(missing, today.AddDate(0, 0, -1), today)
	n, err := s.scoreDays(ctx, missing)
	if err != nil {
		return err
	}
	s.log.Info("scores computed", "day", today.Format(domain.DateLayout), "days", n, "took", time.Since(start).Round(time.Millisecond))
	if s.afterRun != nil {
		s.afterRun(ctx, today)
	}
	return nil
}
