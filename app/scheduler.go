package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/ecopulse/ecopulse/alerting"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// scheduler runs EcoPulse's background work: the cron jobs (scoring, the
// configured sources' collections, weekly snapshots, the purge of expired
// sessions, and the jobs its owner adds), the alert rules after every
// scoring run, and the jobs started off the schedule (jobs). Its owner
// starts it when it serves and stops it before the store closes. Its jobs
// run once per slot among the replicas of one database (app/jobs.go).
type scheduler struct {
	db  *data.DB
	cfg config.Config
	log *slog.Logger
	ops opsHooks // told what each collection did

	holder   string           // this replica's name, beside its job leases
	leaseTTL time.Duration    // a job lease's time to live (cfg.JobLease)
	now      func() time.Time // the clock of the leases and slots
	registry jobRegistry      // the cluster jobs, for takeovers

	cron       *cron.Cron
	jobs       *jobGroup // the jobs' context, and the goroutines stop waits for
	scorer     *Scorer
	scoreEntry cron.EntryID
	sources    []*scheduledSource
	alerts     *alerting.Engine
	notifier   *alerting.Notifier // nil: no webhook
	// versions are the declared API versions (nil: none): the configured
	// ones, or the demo's under serve --demo (app/routes_versions.go).
	versions *domain.APIVersions
}

// newScheduler validates the schedules, sources and alert rules of cfg and
// schedules their jobs; nothing runs before start.
func newScheduler(cfg config.Config, db *data.DB, log *slog.Logger, ops opsHooks, holder string) (*scheduler, error) {
	s := &scheduler{db: db, cfg: cfg, log: log, ops: ops, jobs: newJobGroup(), scorer: NewScorer(db, cfg.Scoring, log),
		holder: holder, leaseTTL: cfg.JobLease, now: time.Now}
	if s.leaseTTL == 0 { // a configuration not from config.Load
		s.leaseTTL = config.Default().JobLease
	}
	s.cron = cron.New(cron.WithLogger(cronLogger{log}), cron.WithChain(
		// cron.New does not recover panics by itself (robfig/cron#380).
		cron.Recover(cronLogger{log}),
		cron.SkipIfStillRunning(cronLogger{log}),
	))
	var err error
	if s.scoreEntry, err = s.scheduleJob(jobScore, cfg.Schedules.Score, s.scoreRun); err != nil {
		return nil, fmt.Errorf("app: bad schedule for scoring %q: %w", cfg.Schedules.Score, err)
	}
	// Weekly snapshots and alerts (app/snapshots.go, app/alerts.go).
	if err := s.scheduleSnapshots(); err != nil {
		return nil, err
	}
	if err := cfg.Alerts.Validate(); err != nil {
		return nil, err
	}
	s.alerts = alerting.NewEngine(db, cfg.Alerts, log)
	if s.versions, err = cfg.APIVersions(); err != nil {
		return nil, err
	}
	s.alerts.SetAPIVersions(s.versions)
	s.notifier = alerting.NewNotifier(cfg.Alerts.Webhook, cfg.Language, log)
	s.scorer.afterRun = s.afterScoring()
	s.scorer.sources = cfg.Sources
	s.scorer.alerting = s.alerts
	if s.sources, err = buildSources(cfg.Sources); err != nil {
		return nil, err
	}
	s.scheduleSources()
	// Expired sessions (idle or absolute) are deleted, not just ignored.
	if _, err := s.scheduleJob(jobPurge, "@every 1h", s.purgeSessions); err != nil {
		return nil, err
	}
	return s, nil
}

// start starts the schedule, the takeover of dead replicas' jobs, and a
// scoring run now: scores are current as soon as we serve (unless another
// replica is scoring).
func (s *scheduler) start() {
	s.cron.Start()
	s.jobs.Go(s.takeOverLoop)
	s.rescoreSoon()
}

// stop cancels the jobs' context and waits, at most timeout, for the cron
// jobs running and every job of the group.
func (s *scheduler) stop(timeout time.Duration) {
	jobs := s.jobs.stop()
	s.log.Debug("waiting for background jobs")
	if !waitAll(timeout, s.cron.Stop().Done(), jobs) {
		s.log.Warn("jobs still running after the shutdown timeout")
	}
}

// rescoreSoon runs the scoring job now (unless it runs, here or on another
// replica), so that a change to the members shows without waiting for the
// schedule. The job's lease keeps this run and the schedule's apart.
func (s *scheduler) rescoreSoon() {
	if s.cron == nil || s.scoreEntry == 0 {
		return
	}
	s.jobs.Go(func(ctx context.Context) { s.runNow(ctx, jobScore, s.scoreRun) })
}

func (s *scheduler) scoreRun(ctx context.Context) error {
	return s.scorer.Run(ctx, s.now(), s.cfg.BackfillDays)
}

func (s *scheduler) purgeSessions(ctx context.Context) error {
	_, err := s.db.Sessions().PurgeSessions(ctx)
	return err
}

// cronLogger adapts slog to cron.Logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
