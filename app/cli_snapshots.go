package app

import (
	"bufio"
	"context"
	"fmt"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// Snapshot runs `ecopulse snapshot [--week YYYY-Www]`: it freezes the scores
// of a closed ISO week (by default the last week closed at env.Now()),
// scoring its Sunday first if needed. A week that has not closed, or that
// has a snapshot already, is refused with the reason.
func Snapshot(ctx context.Context, env *Env, week string) error {
	return env.withDB(ctx, func(db *data.DB) error {
		now := env.Now()
		if week == "" {
			week = domain.ISOWeek(data.LastClosedWeekSunday(now))
		}
		s, err := takeSnapshot(ctx, db, NewScorer(db, env.Config.Scoring, env.Log), week, now)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "snapshot of %s taken: scores of %s, R = %.4f, ecosystem health %.1f, %d members\n",
			s.Week, s.Day.Format(domain.DateLayout), s.R, s.Health, s.Members)
		return nil
	})
}

// Export runs `ecopulse export --week YYYY-Www --format csv|xlsx|json [-o FILE]`:
// it writes a snapshot to outPath, or to env.Out when outPath is "" or "-".
// An empty week exports the latest snapshot; an empty format is csv. A file
// is written whole or not at all (a temporary file renamed into place).
// Every export, written or failed, is audited (actor "cli").
func Export(ctx context.Context, env *Env, week, format, outPath string) (err error) {
	if format == "" {
		format = "csv"
	}
	if _, err := exportContentType(format); err != nil {
		return err
	}
	return env.withDB(ctx, func(db *data.DB) (err error) {
		defer func() {
			target, detail := week+"."+format, "to "+outPath
			if outPath == "" || outPath == "-" {
				detail = "to standard output"
			}
			if err != nil {
				detail = domain.ErrorMessage(err)
			}
			if aerr := db.Audit(context.WithoutCancel(ctx), data.AuditEntry{Actor: cliActor, Action: "export",
				Target: target, Detail: detail, OK: err == nil}); aerr != nil && err == nil {
				err = aerr
			}
		}()
		if week == "" {
			list, err := db.Snapshots(ctx)
			if err != nil {
				return err
			}
			if len(list) == 0 {
				return domain.Errorf(domain.ENOTFOUND, "no snapshot yet: take one with `ecopulse snapshot`")
			}
			week = list[0].Week
		}
		d, err := views.BuildSnapshot(ctx, db, env.Config.Scoring, week) // the window: a snapshot's partial flag
		if err != nil {
			return err
		}
		toFile, err := writeOutput(env.Out, outPath, func(w *bufio.Writer) error { return writeExport(w, d, format, views.TrIn(env.Config.Language)) })
		if err != nil || !toFile {
			return err
		}
		fmt.Fprintf(env.Out, "exported the snapshot of %s (%d members) as %s to %s\n", d.Week, len(d.Members), format, outPath)
		return nil
	})
}
