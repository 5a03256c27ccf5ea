package app

import (
	"context"
	"fmt"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// Collect runs `ecopulse collect [SOURCE…]`: the named sources (all when none
// is named) once, now, each under a run record; then scores today. It fails
// when any source failed.
func Collect(ctx context.Context, env *Env, names []string) error {
	return env.withDB(ctx, func(db *data.DB) error {
		a, err := New(env.Config, db, env.Log)
		if err != nil {
			return err
		}
		if err := a.applyConsumerMappings(ctx); err != nil {
			env.Log.Warn("some API consumer mappings were not applied", "err", err)
		}
		if err := a.applyAffiliations(ctx); err != nil {
			env.Log.Warn("affiliations were not applied", "err", err)
		}
		todo := a.sources
		if len(names) > 0 {
			todo = nil
			for _, n := range names {
				s, err := a.sourceByName(n)
				if err != nil {
					return err
				}
				todo = append(todo, s)
			}
		}
		if len(todo) == 0 {
			return domain.Errorf(domain.EINVALID, "no source is configured: declare sources in the configuration file (--config)")
		}
		failed := 0
		for _, s := range todo {
			run, err := a.runSource(ctx, s)
			detail := ""
			if run != nil {
				fmt.Fprintf(env.Out, "%-20s %-9s read %d, stored %d, rejected %d in %s\n", s.cfg.Name, run.Status,
					run.ItemsRead, run.ItemsStored, run.ItemsRejected, run.EndedAt.Sub(run.StartedAt).Round(time.Millisecond))
				detail = fmt.Sprintf("read %d, stored %d, rejected %d", run.ItemsRead, run.ItemsStored, run.ItemsRejected)
			}
			if err != nil {
				failed++
				fmt.Fprintf(env.Out, "%-20s error: %v\n", s.cfg.Name, err)
				detail = domain.ErrorMessage(err)
			}
			// A hand-started run, like "Run now" on /sources.
			a.audit(ctx, cliActor, "source.run", s.cfg.Name, detail, err == nil)
		}
		if failed > 0 {
			return fmt.Errorf("%d of %d sources failed", failed, len(todo))
		}
		return nil
	})
}
