package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/collectors/accesslog"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// Env is what every command gets: configuration, logger and output.
type Env struct {
	Config config.Config
	Log    *slog.Logger
	Out    io.Writer
	Now    func() time.Time
}

// withDB opens the configured database (migrating it), runs fn on it and
// closes it, for every command.
func (e *Env) withDB(ctx context.Context, fn func(*data.DB) error) error {
	db, err := data.Open(ctx, e.Config.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(db)
}

// cliActor is who the audit log names for what a command did: the
// commands run with the database file's access, not as an account.
const cliActor = "cli"

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
		if err := scorer.Run(ctx, env.Now(), env.Config.BackfillDays); err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "demo ecosystem: %d members, %d people, %d API consumers, %d projects, %d milestones, %d activities, %d API calls\n",
			sum.Members, sum.People, sum.Consumers, sum.Projects, sum.Milestones, sum.Activities, sum.Calls)
		return nil
	})
}

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
			enc := json.NewEncoder(env.Out)
			enc.SetIndent("", "  ")
			return enc.Encode(s)
		}
		fmt.Fprintf(env.Out, "scores of %s: R = %.4f, ecosystem health %.1f, %d members\n", s.At, s.Ecosystem.R, s.Ecosystem.Health, len(s.Members))
		fmt.Fprintf(env.Out, "%-28s %7s %7s %7s %7s %7s %7s %7s  %s\n", "member", "T", "I", "M", "C", "K", "phi", "health", "status")
		for _, m := range s.Members {
			fmt.Fprintf(env.Out, "%-28.28s %7.3f %7.3f %7.3f %7.3f %7.3f %7.4f %7.1f  %s\n", m.Slug, m.T, m.I, m.M, m.C, m.K, m.Phi, m.Health, m.Status)
		}
		return nil
	})
}

// Migrate runs `ecopulse migrate`.
func Migrate(ctx context.Context, env *Env) error {
	db, err := data.OpenNoMigrate(env.Config.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Out, "applied %d migration(s) %v; schema version %d\n", len(applied), applied, v)
	return nil
}

// Backup runs `ecopulse backup FILE`: a consistent copy, safe while serving.
func Backup(ctx context.Context, env *Env, path string) error {
	return env.withDB(ctx, func(db *data.DB) error {
		if err := db.Backup(ctx, path); err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "backed up %s to %s\n", env.Config.DB, path)
		return nil
	})
}

// TokenCreate runs `ecopulse token create`: it prints the secret once.
func TokenCreate(ctx context.Context, env *Env, name, allow string) error {
	return env.withDB(ctx, func(db *data.DB) error {
		prefixes, err := domain.ParseAllowList(allow)
		if err != nil {
			return err
		}
		t := &domain.Token{Name: name, Scope: domain.ScopeIngest, Allow: prefixes}
		secret, err := db.CreateToken(ctx, t)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "token %q (scope %s) created; it is shown only this once:\n%s\n", t.Name, t.Scope, secret)
		return nil
	})
}

// TokenRevoke runs `ecopulse token revoke`.
func TokenRevoke(ctx context.Context, env *Env, name string) error {
	return env.withDB(ctx, func(db *data.DB) error {
		if err := db.RevokeToken(ctx, name); err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "token %q revoked\n", name)
		return nil
	})
}

// TokenList runs `ecopulse token list`.
func TokenList(ctx context.Context, env *Env) error {
	return env.withDB(ctx, func(db *data.DB) error {
		ts, err := db.Tokens(ctx)
		if err != nil {
			return err
		}
		for _, t := range ts {
			state := "live"
			if !t.Revoked.IsZero() {
				state = "revoked " + t.Revoked.Format(time.RFC3339)
			}
			fmt.Fprintf(env.Out, "%-24s %-8s %-30s %s\n", t.Name, t.Scope, domain.FormatAllowList(t.Allow), state)
		}
		return nil
	})
}

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

// UserAdd runs `ecopulse user add NAME --role ROLE` with the password given.
func UserAdd(ctx context.Context, env *Env, name, role, password string) error {
	return env.withDB(ctx, func(db *data.DB) error {
		u, err := AddUser(ctx, db, name, role, password)
		if err != nil {
			return err
		}
		if err := db.Audit(ctx, data.AuditEntry{Actor: "cli", Action: "user.create", Target: u.Name, Detail: "role " + u.Role, OK: true}); err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "user %q (%s) created\n", u.Name, u.Role)
		return nil
	})
}

// ImportOptions are the flags of `ecopulse import accesslog`.
type ImportOptions struct {
	Format    string // combined (the default), log_format, kong, json
	LogFormat string // with Format log_format
	// Source names a configured accesslog source whose format, log_format,
	// field map, latency unit, consumer options and hash_key_env the import
	// borrows, so that it identifies consumers exactly as that source does.
	Source string
	// ConsumerFrom sets the consumer options directly: remote_user,
	// header:NAME, field:NAME, ip or none (path_prefix needs a map: only
	// through Source).
	ConsumerFrom string
	JSON         bool // print the summary as one JSON object
	Progress     io.Writer
}

// ImportAccessLog runs `ecopulse import accesslog FILE…`: a backfill that
// resumes where an interrupted run stopped (its cursor commits with its rows).
func ImportAccessLog(ctx context.Context, env *Env, files []string, opt ImportOptions) error {
	return env.withDB(ctx, func(db *data.DB) error {
		if err := applyConsumerMappings(ctx, db, env.Config.Consumers); err != nil {
			env.Log.Warn("some API consumer mappings were not applied", "err", err)
		}
		cfg, err := importConfig(env.Config.Sources, opt)
		if err != nil {
			return err
		}
		sum, err := accesslog.Import(ctx, db, cfg, files, opt.Progress)
		if err != nil {
			// A failed import is audited too: it may have stored part of
			// its files (it resumes from its cursor).
			if aerr := db.Audit(context.WithoutCancel(ctx), data.AuditEntry{Actor: cliActor, Action: "import.accesslog",
				Target: strings.Join(files, " "), Detail: domain.ErrorMessage(err), OK: false}); aerr != nil {
				env.Log.Error("audit log", "err", aerr)
			}
			return err
		}
		if err := db.Audit(ctx, data.AuditEntry{Actor: cliActor, Action: "import.accesslog", Target: strings.Join(files, " "),
			Detail: fmt.Sprintf("%d lines, %d stored, %d rejected", sum.Lines, sum.Stored, sum.Rejected), OK: true}); err != nil {
			return err
		}
		if opt.JSON {
			return json.NewEncoder(env.Out).Encode(sum)
		}
		fmt.Fprintf(env.Out, "imported %d file(s): %d lines read, %d stored, %d rejected in %.1f s\n", sum.Files, sum.Lines, sum.Stored, sum.Rejected, sum.Seconds)
		if sum.FirstDay != "" {
			fmt.Fprintf(env.Out, "days %s to %s; %d consumers: %d mapped, %d unmapped\n", sum.FirstDay, sum.LastDay, sum.Consumers, sum.Mapped, sum.Unmapped)
		}
		return nil
	})
}
