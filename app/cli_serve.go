package app

import (
	"context"
	"fmt"
	"net"

	"github.com/ecopulse/ecopulse/collectors/demo"
	"github.com/ecopulse/ecopulse/data"
)

// ServeOptions are the flags of `ecopulse serve`.
type ServeOptions struct {
	Addr string
	Demo bool
}

// Serve runs `ecopulse serve` until ctx is done.
func Serve(ctx context.Context, env *Env, opt ServeOptions) error {
	return env.withDB(ctx, func(db *data.DB) error {
		a, err := New(env.Config, db, env.Log)
		if err != nil {
			return err
		}
		if opt.Demo {
			if err := a.enableDemo(ctx, env.Now()); err != nil {
				return err
			}
		}
		addr := opt.Addr
		if addr == "" {
			addr = env.Config.Addr
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		fmt.Fprintf(env.Out, "EcoPulse is serving on http://%s/\n", ln.Addr())
		return a.Serve(ctx, ln)
	})
}

// Demo runs `ecopulse demo`: it fills an empty database with the demo
// ecosystem and scores its history.
func Demo(ctx context.Context, env *Env) error {
	return env.withDB(ctx, func(db *data.DB) error {
		sum, err := seedDemo(ctx, db, env.Now())
		if err != nil {
			return err
		}
		scorer := NewScorer(db, env.Config.Scoring, env.Log)
		scorer.alerts = &env.Config.Alerts // the demo's history has alert history
		if scorer.versions, err = env.Config.APIVersions(); err != nil {
			return err
		}
		if !scorer.versions.Declared() {
			scorer.versions = demo.APIVersions(demoOptions(env.Now()))
		}
		if err := scorer.Run(ctx, env.Now(), env.Config.BackfillDays); err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "demo ecosystem: %d members, %d people, %d API consumers, %d projects, %d milestones, %d activities, %d API calls\n",
			sum.Members, sum.People, sum.Consumers, sum.Projects, sum.Milestones, sum.Activities, sum.Calls)
		return nil
	})
}
