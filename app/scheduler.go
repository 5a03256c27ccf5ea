package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/ecopulse/ecopulse/alerting"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
)

// scheduler runs EcoPulse's background work: the cron jobs (scoring, the
// configured sources' collections, weekly snapshots, the purge of expired
// sessions, and the jobs its owner adds), the alert rules after every
// scoring run, and the jobs started off the schedule (jobs). Its owner
// starts it when it serves and stops it before the store closes.
type scheduler struct {
	db  *data.DB
	cfg config.Config
	log *slog.Logger
	ops opsHooks // told what each collection did

	cron       *cron.Cron
	jobs       *jobGroup // the jobs' context, and the goroutines stop waits for
	scorer     *Scorer
	scoreEntry cron.EntryID
	sources    []*scheduledSource
	alerts     *alerting.Engine
	notifier   *alerting.Notifier // nil: no webhook
}

// newScheduler validates the schedules, sources and alert rules of cfg and
// schedules their jobs; nothing runs before start.
func newScheduler(cfg config.Config, db *data.DB, log *slog.Logger, ops opsHooks) (*scheduler, error) {
	s := &scheduler{db: db, cfg: cfg, log: log, ops: ops, jobs: newJobGroup(), scorer: NewScorer(db, cfg.Scoring, log)}
	s.cron = cron.New(cron.WithLogger(cronLogger{log}), cron.WithChain(
		// cron.New does not recover panics by itself (robfig/cron#380).
		cron.Recover(cronLogger{log}),
		cron.SkipIfStillRunning(cronLogger{log}),
	))
	var err error
	if s.scoreEntry, err = s.cron.AddFunc(cfg.Schedules.Score, s.scoreJob); err != nil {
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
	s.notifier = alerting.NewNotifier(cfg.Alerts.Webhook, log)
	s.scorer.afterRun = s.afterScoring()
	s.scorer.sources = cfg.Sources
	s.scorer.alerting = s.alerts
	if s.sources, err = buildSources(cfg.Sources); err != nil {
		return nil, err
	}
	s.scheduleSources()
	// Expired sessions (idle or absolute) are deleted, not just ignored.
	if _, err := s.cron.AddFunc("@every 1h", s.purgeSessions); err != nil {
		return nil, err
	}
	return s, nil
}

// start starts the schedule, and a scoring run now: scores are current as
// soon as we serve.
func (s *scheduler) start() {
	s.cron.Start()
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

// rescoreSoon runs the scoring job now (unless it is running), so that a
// change to the members shows without waiting for the schedule. Going
// through the entry's wrapped job keeps SkipIfStillRunning between this run
// and the schedule.
func (s *scheduler) rescoreSoon() {
	if s.cron == nil || s.scoreEntry == 0 {
		return
	}
	s.jobs.Go(func(context.Context) { s.cron.Entry(s.scoreEntry).WrappedJob.Run() })
}

func (s *scheduler) scoreJob() {
	if err := s.scorer.Run(s.jobs.ctx, time.Now(), s.cfg.BackfillDays); err != nil && !errors.Is(err, context.Canceled) {
		s.log.Error("scoring failed", "err", err)
	}
}

func (s *scheduler) purgeSessions() {
	if _, err := s.db.Sessions().PurgeSessions(s.jobs.ctx); err != nil && s.jobs.ctx.Err() == nil {
		s.log.Error("purge expired sessions", "err", err)
	}
}

// cronLogger adapts slog to cron.Logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
