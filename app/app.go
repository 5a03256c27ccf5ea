// Package app wires EcoPulse together: the Fiber server and its routes, the
// cron scheduler that runs collectors and the scoring job, and the commands.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/session"
	"github.com/robfig/cron/v3"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/views"
)

// App is a running EcoPulse: store, scheduler and HTTP server.
type App struct {
	cfg        config.Config
	db         *data.DB
	log        *slog.Logger
	views      *views.Renderer
	fiber      *fiber.App
	scorer     *Scorer
	cron       *cron.Cron
	demo       *demoFeed // nil unless serve --demo
	ready      atomic.Bool
	scoreEntry cron.EntryID
	push       pushStats // push ingest since the last flush
	sources    []*scheduledSource
	prom       *promMetrics // GET /metrics (app/metrics_prom.go)
	ops        opsHooks     // told what ingest and collection did: prom
	pages      *pageCache   // the page cache's state (app/pagecache.go)
	proxies    proxyTrust   // whose forwarded client addresses are believed (app/clientip.go)

	plainSessions, secureSessions *session.Store
	sso                           *ssoClient   // nil unless auth.oidc is configured (app/oidc.go)
	oidcFlowKey                   cachedSecret // seals the single-sign-on flow cookie (app/oidc_flow.go)
	throttle                      throttle     // failed logins
	loginCSRF                     loginCSRFKey // signs the login form's CSRF cookie (app/login_csrf.go)
	sliding                       sync.Map     // session IDs whose idle expiry a request is saving now
	touchEvery                    time.Duration
	slideHook                     func() // tests: called by the request that slides a session, before it saves

	// jobCtx is handed to every scheduled job and cancelled on shutdown:
	// robfig/cron passes jobs no context of its own.
	jobCtx    context.Context
	cancelJob context.CancelFunc
}

// New builds an App on an open, migrated store.
func New(cfg config.Config, db *data.DB, log *slog.Logger) (*App, error) {
	views.SetHealthBands(cfg.Scoring.Health.HealthyMin, cfg.Scoring.Health.WatchMin)
	views.SetScoringWindow(cfg.Scoring.WindowDays)
	r, err := views.NewRenderer()
	if err != nil {
		return nil, fmt.Errorf("app: unable to parse templates: %w", err)
	}
	a := &App{cfg: cfg, db: db, log: log, views: r, scorer: NewScorer(db, cfg.Scoring, log), touchEvery: sessionTouchEvery}
	a.prom = newPromMetrics(db.Path())
	a.ops = a.prom
	a.jobCtx, a.cancelJob = context.WithCancel(context.Background())
	a.plainSessions, a.secureSessions = newSessions(db)
	if a.sso, err = newSSO(cfg.Auth.OIDC); err != nil {
		return nil, err
	}
	a.fiber = a.newFiber()
	a.cron = cron.New(cron.WithLogger(cronLogger{log}), cron.WithChain(
		// cron.New does not recover panics by itself (robfig/cron#380).
		cron.Recover(cronLogger{log}),
		cron.SkipIfStillRunning(cronLogger{log}),
	))
	if a.scoreEntry, err = a.cron.AddFunc(cfg.Schedules.Score, a.scoreJob); err != nil {
		return nil, fmt.Errorf("app: bad schedule for scoring %q: %w", cfg.Schedules.Score, err)
	}
	// Weekly snapshots and alerts (app/snapshots.go, app/alerts.go).
	if err := a.scheduleSnapshots(); err != nil {
		return nil, err
	}
	if err := cfg.Alerts.Validate(); err != nil {
		return nil, err
	}
	a.scorer.afterRun = a.afterScoring()
	a.scorer.sources = cfg.Sources
	a.scorer.alerts = &a.cfg.Alerts
	if a.sources, err = buildSources(cfg.Sources); err != nil {
		return nil, err
	}
	for _, s := range a.sources {
		a.prom.declareSources(s.cfg.Name)
	}
	a.scheduleSources()
	// Expired sessions (idle or absolute) are deleted, not just ignored.
	if _, err := a.cron.AddFunc("@every 1h", func() {
		if _, err := a.db.Sessions().PurgeSessions(a.jobCtx); err != nil && a.jobCtx.Err() == nil {
			a.log.Error("purge expired sessions", "err", err)
		}
	}); err != nil {
		return nil, err
	}
	if _, err := a.cron.AddFunc("@every 1m", a.flushPush); err != nil {
		return nil, err
	}
	return a, nil
}

// flushPush records what push ingest received since the last flush.
func (a *App) flushPush() {
	if err := a.push.flush(context.WithoutCancel(a.jobCtx), a.db); err != nil {
		a.log.Error("record push ingest run", "err", err)
	}
}

// Fiber returns the HTTP handler (tests drive it with app.Test).
func (a *App) Fiber() *fiber.App { return a.fiber }

// Scorer returns the scoring job.
func (a *App) Scorer() *Scorer { return a.scorer }

func (a *App) scoreJob() {
	if err := a.scorer.Run(a.jobCtx, time.Now(), a.cfg.BackfillDays); err != nil && !errors.Is(err, context.Canceled) {
		a.log.Error("scoring failed", "err", err)
	}
}

// Serve starts the scheduler and serves HTTP on ln until ctx is done, then
// shuts down in order: stop taking requests and drain them, cancel and wait
// for running jobs (bounded by the shutdown timeout). The caller closes the store.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	if err := a.applyConsumerMappings(ctx); err != nil {
		a.log.Warn("some API consumer mappings were not applied", "err", err)
	}
	if err := a.applyAffiliations(ctx); err != nil {
		a.log.Warn("affiliations were not applied", "err", err)
	}
	if err := a.ensureAccounts(ctx); err != nil {
		return err
	}
	a.cron.Start()
	a.ready.Store(true)
	// Scores are current as soon as we serve. Going through the entry's
	// wrapped job keeps SkipIfStillRunning between this run and the schedule.
	go a.cron.Entry(a.scoreEntry).WrappedJob.Run()
	a.log.Info("serving", "addr", ln.Addr().String(), "db", a.db.Path())

	errc := make(chan error, 1)
	go func() { errc <- a.fiber.Listener(ln) }()

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	a.ready.Store(false)
	a.log.Info("shutting down")
	if err := a.fiber.ShutdownWithTimeout(a.cfg.ShutdownTimeout); err != nil {
		a.log.Error("HTTP shutdown", "err", err)
	}
	a.cancelJob()
	select {
	case <-a.cron.Stop().Done():
	case <-time.After(a.cfg.ShutdownTimeout):
		a.log.Warn("jobs still running after the shutdown timeout")
	}
	a.flushPush()
	a.log.Info("stopped")
	return serveErr
}

// cronLogger adapts slog to cron.Logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
