package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/ecopulse/ecopulse/collectors/accesslog"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

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
