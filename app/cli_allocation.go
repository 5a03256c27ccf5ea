package app

import (
	"bufio"
	"context"
	"fmt"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// Allocate runs `ecopulse allocate --period P --pool AMOUNT [--currency C]
// [--rule R] [--agreement SLUG] [--format text|json|csv|xlsx] [-o FILE]`:
// the statement /allocation and /api/v1/allocation show (the same builder),
// written to outPath, or to env.Out when outPath is "" or "-". A file is
// written whole or not at all. Every run is audited (actor "cli") like the
// other exports.
func Allocate(ctx context.Context, env *Env, q views.AllocationQuery, format, outPath string) error {
	if format == "" {
		format = "text"
	}
	if format != "text" {
		if _, err := exportContentType(format); err != nil {
			return domain.Errorf(domain.EINVALID, "unknown format %q: want text, json, csv or xlsx", format)
		}
	}
	return env.withDB(ctx, func(db *data.DB) (err error) {
		defer func() {
			detail := "to " + outPath
			if outPath == "" || outPath == "-" {
				detail = "to standard output"
			}
			if err != nil {
				detail = domain.ErrorMessage(err)
			}
			if aerr := db.Audit(context.WithoutCancel(ctx), data.AuditEntry{Actor: cliActor, Action: "export",
				Target: "allocation " + q.Period + "." + format, Detail: detail, OK: err == nil}); aerr != nil && err == nil {
				err = aerr
			}
		}()
		a, err := views.BuildAllocation(ctx, db, q)
		if err != nil {
			return err
		}
		toFile, err := writeOutput(env.Out, outPath, func(w *bufio.Writer) error { return writeAllocation(w, a, format, views.TrIn(env.Config.Language)) })
		if err != nil || !toFile {
			return err
		}
		fmt.Fprintf(env.Out, "wrote the %s statement of %s (%s %s, %d members) as %s to %s\n", a.Rule, a.Period, a.Pool, a.Currency, len(a.Members), format, outPath)
		return nil
	})
}
