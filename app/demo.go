package app

import (
	"context"
	"fmt"
	"time"

	"github.com/ecopulse/ecopulse/collectors/demo"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// demoOptions are the demo ecosystem's fixed parameters: the history ends
// yesterday, and today's traffic arrives minute by minute from the tick job.
func demoOptions(now time.Time) demo.Options {
	return demo.Options{Seed: 1, Days: 180, End: domain.Day(now).AddDate(0, 0, -1), Members: 40}
}

// demoEndKey keeps the last day the demo history was seeded with: the tick
// job must continue the same trajectories after a restart on a later day.
const demoEndKey = "demo:seed-end"

// seedDemo fills an empty database with the demo ecosystem. Its cursor ends
// at midnight: the tick job appends today's traffic from there on.
func seedDemo(ctx context.Context, db *data.DB, now time.Time) (demo.Summary, error) {
	opt := demoOptions(now)
	sum, err := demo.Seed(ctx, db, opt)
	if err != nil {
		return sum, err
	}
	return sum, db.SetCursor(ctx, demoEndKey, opt.End.Format(domain.DateLayout))
}

// seededDemoOptions returns the options the database was seeded with.
func seededDemoOptions(ctx context.Context, db *data.DB, now time.Time) (demo.Options, error) {
	opt := demoOptions(now)
	s, err := db.Cursor(ctx, demoEndKey)
	if err != nil || s == "" {
		return opt, err
	}
	if opt.End, err = domain.ParseDay(s); err != nil {
		return opt, err
	}
	return opt, nil
}

// demoFeed appends fresh demo traffic on a schedule so the dashboard is alive.
type demoFeed struct {
	opt demo.Options
}

// enableDemo seeds an empty database, scores its history and schedules the
// tick job. A database that already has members keeps its data.
func (a *App) enableDemo(ctx context.Context, now time.Time) error {
	if err := a.declareDemoVersions(ctx, now); err != nil {
		return err
	}
	if err := a.seedDemoOnce(ctx, now); err != nil {
		return err
	}
	opt, err := seededDemoOptions(ctx, a.db, now)
	if err != nil {
		return err
	}
	a.demo = &demoFeed{opt: opt}
	if _, err := a.scheduleJob(jobDemoTick, a.cfg.Schedules.DemoTick, a.demoTick); err != nil {
		return fmt.Errorf("app: bad schedule for the demo tick %q: %w", a.cfg.Schedules.DemoTick, err)
	}
	return nil
}

// declareDemoVersions declares the demo's API versions (v1 deprecated
// halfway through its history, its sunset 20 days after it ends) when the
// configuration declares none, before the history is seeded and scored so
// that its alert history has the sunset rule's alerts.
func (a *App) declareDemoVersions(ctx context.Context, now time.Time) error {
	if a.versions.Declared() {
		return nil
	}
	opt, err := seededDemoOptions(ctx, a.db, now)
	if err != nil {
		return err
	}
	a.versions = demo.APIVersions(opt)
	a.alerts.SetAPIVersions(a.versions)
	return nil
}

// demoSeedPoll is how often a replica waiting for another's demo seed
// looks whether it has finished.
const demoSeedPoll = 200 * time.Millisecond

// seedDemoOnce seeds an empty database and scores its history, under the
// demo seed's job lease: of replicas starting together, one seeds while
// the others wait for it (or, when it dies, take the lease over once it
// runs out), then each finds the members there and goes on.
func (a *App) seedDemoOnce(ctx context.Context, now time.Time) error {
	waiting := false
	for {
		l, err := a.claimNow(ctx, jobDemoSeed)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if l != nil {
			return l.hold(ctx, func(ctx context.Context) error { return a.seedDemoIfEmpty(ctx, now) })
		}
		if !waiting {
			waiting = true
			a.log.Info("waiting for another replica to seed the demo ecosystem")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(demoSeedPoll):
		}
	}
}

func (a *App) seedDemoIfEmpty(ctx context.Context, now time.Time) error {
	n, err := a.db.CountMembers(ctx)
	if err != nil || n > 0 {
		return err
	}
	start := time.Now()
	sum, err := seedDemo(ctx, a.db, now)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	a.log.Info("demo ecosystem seeded", "members", sum.Members, "calls", sum.Calls, "took", time.Since(start).Round(time.Millisecond))
	if err := a.scorer.Run(ctx, now, a.cfg.BackfillDays); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

// demoTick is the tick job: it appends the traffic of the minutes since
// the last tick, then rescores today ("after each collection").
func (a *App) demoTick(ctx context.Context) error {
	return a.runDemoTick(ctx, a.now())
}

func (a *App) runDemoTick(ctx context.Context, now time.Time) error {
	cur, err := a.db.Cursor(ctx, demo.Source)
	if err != nil {
		return err
	}
	from, err := time.Parse(time.RFC3339, cur)
	if err != nil {
		from = domain.Day(now)
	}
	to := now.UTC().Truncate(time.Minute)
	if !to.After(from) {
		return nil
	}
	// Tick stores the traffic and moves the cursor in one transaction, if
	// the cursor is still the one read here: a tick of another replica
	// from the same cursor is stored once.
	if _, err := demo.Tick(ctx, a.db, a.demo.opt, cur, from, to); err != nil {
		return err
	}
	_, err = a.scorer.ScoreDay(ctx, now)
	return err
}
