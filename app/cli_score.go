package app

import (
	"context"
	"fmt"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// ScoreOptions are the flags of `ecopulse score`.
type ScoreOptions struct {
	At       time.Time // zero: today, after filling in missing history
	From, To time.Time // both set: score every day of [From, To] (and print To's scores)
	JSON     bool
}

// Score runs `ecopulse score`.
func Score(ctx context.Context, env *Env, opt ScoreOptions) error {
	return env.withDB(ctx, func(db *data.DB) error {
		scorer := NewScorer(db, env.Config.Scoring, env.Log)
		scorer.sources = env.Config.Sources
		scorer.alerts = &env.Config.Alerts // the days scored get alert history
		var err error
		if scorer.versions, err = env.Config.APIVersions(); err != nil {
			return err
		}
		day := opt.At
		if !opt.From.IsZero() {
			if opt.To.Before(opt.From) {
				return domain.Errorf(domain.EINVALID, "--to %s is before --from %s", opt.To.Format(domain.DateLayout), opt.From.Format(domain.DateLayout))
			}
			n, err := scorer.ScoreRange(ctx, opt.From, opt.To)
			if err != nil {
				return err
			}
			env.Log.Info("scored a range", "from", opt.From.Format(domain.DateLayout), "to", opt.To.Format(domain.DateLayout), "days", n)
			day = opt.To
		} else if day.IsZero() {
			day = domain.Day(env.Now())
			if err := scorer.Run(ctx, day, env.Config.BackfillDays); err != nil {
				return err
			}
		} else if _, err := scorer.ScoreDay(ctx, day); err != nil {
			return err
		}
		s, err := views.BuildScores(ctx, db, day)
		if err != nil {
			return err
		}
		if opt.JSON {
			return printJSON(env, s)
		}
		fmt.Fprintf(env.Out, "scores of %s: R = %.4f, ecosystem health %.1f, %d members\n", s.At, s.Ecosystem.R, s.Ecosystem.Health, len(s.Members))
		fmt.Fprintf(env.Out, "%-28s %7s %7s %7s %7s %7s %7s %7s  %s\n", "member", "T", "I", "M", "C", "K", "phi", "health", "status")
		for _, m := range s.Members {
			fmt.Fprintf(env.Out, "%-28.28s %7.3f %7.3f %7.3f %7.3f %7.3f %7.4f %7.1f  %s\n", m.Slug, m.T, m.I, m.M, m.C, m.K, m.Phi, m.Health, m.Status)
		}
		return nil
	})
}
