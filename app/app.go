// Package app wires EcoPulse together: the Fiber server and its routes, the
// scheduler that runs collectors, the scoring job and the alert rules, and
// the commands.
package app

import (
	"context"
	"log/slog"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
)

// App is a running EcoPulse: store, scheduler and HTTP server. It composes
// the scheduler (app/scheduler.go), whose methods the handlers that start,
// list or rescore its jobs call, and the web server's state (app/web.go),
// and owns their lifecycle (Serve).
type App struct {
	*scheduler
	*webServer

	cfg     config.Config
	db      *data.DB
	replica string // this process among the replicas of one database (app/replica.go)
	log     *slog.Logger
	demo    *demoFeed    // nil unless serve --demo
	push    pushStats    // push ingest since the last flush
	prom    *promMetrics // GET /metrics (app/metrics_prom.go); told what ingest and collection did
}

// New builds an App on an open, migrated store.
func New(cfg config.Config, db *data.DB, log *slog.Logger) (*App, error) {
	replica := replicaName()
	a := &App{cfg: cfg, db: db, log: log, prom: newPromMetrics(db, replica), replica: replica}
	var err error
	if a.webServer, err = newWebServer(cfg, db); err != nil {
		return nil, err
	}
	a.fiber = a.newFiber()
	if a.scheduler, err = newScheduler(cfg, db, log, a.prom, a.replica); err != nil {
		return nil, err
	}
	for _, s := range a.sources {
		a.prom.declareSources(s.cfg.Name)
	}
	if _, err := a.cron.AddFunc("@every 1m", a.flushPush); err != nil {
		return nil, err
	}
	// Every minute, so that a steady stream of keyed batches is purged as
	// fast as it expires (each run is bounded: data.PurgeIngestKeys).
	if _, err := a.cron.AddFunc("@every 1m", a.purgeIngestKeys); err != nil {
		return nil, err
	}
	return a, nil
}

// flushPush records what push ingest received since the last flush.
func (a *App) flushPush() {
	if err := a.push.flush(context.WithoutCancel(a.jobs.ctx), a.db); err != nil {
		a.log.Error("record push ingest run", "err", err)
	}
}

// purgeIngestKeys forgets the idempotency keys of push batches older than
// domain.IdempotencyKeyTTL.
func (a *App) purgeIngestKeys() {
	if _, err := a.db.PurgeIngestKeys(a.jobs.ctx, time.Now()); err != nil && a.jobs.ctx.Err() == nil {
		a.log.Error("purge idempotency keys", "err", err)
	}
}

// Fiber returns the HTTP handler (tests drive it with app.Test).
func (a *App) Fiber() *fiber.App { return a.fiber }

// Scorer returns the scoring job.
func (a *App) Scorer() *Scorer { return a.scorer }

// Serve starts the scheduler and serves HTTP on ln until ctx is done, then
// shuts down in order: stop taking requests and drain them, cancel and wait
// for the running jobs, scheduled or not (bounded by the shutdown timeout).
// The caller closes the store.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	// A job may already run (a source started by hand through the handler,
	// a token's last use): however Serve ends, the job group is stopped and
	// waited for, so no job outlives the store it writes to.
	stopped := false
	defer func() {
		if !stopped {
			a.scheduler.stop(a.cfg.ShutdownTimeout)
		}
	}()
	if err := a.applyConsumerMappings(ctx); err != nil {
		a.log.Warn("some API consumer mappings were not applied", "err", err)
	}
	if err := a.applyAffiliations(ctx); err != nil {
		a.log.Warn("affiliations were not applied", "err", err)
	}
	if err := a.ensureAccounts(ctx); err != nil {
		return err
	}
	a.scheduler.start()
	a.ready.Store(true)
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
	a.scheduler.stop(a.cfg.ShutdownTimeout)
	stopped = true
	a.flushPush()
	a.log.Info("stopped")
	return serveErr
}
