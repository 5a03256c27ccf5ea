package app

import (
	"bufio"
	"context"
	"fmt"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// `ecopulse export --week B --against A` (two weeks compared) and
// `ecopulse export --series N` (the weekly series): the files the API's
// downloads are, written whole or not at all, and audited as those are.

// ExportCompare writes the comparison of weeks a and b (empty: the
// defaults of /snapshots/compare) to outPath, or to env.Out for "" or "-".
func ExportCompare(ctx context.Context, env *Env, a, b, format, outPath string) error {
	if format == "" {
		format = "csv"
	}
	return cliExport(ctx, env, "compare."+format, format, outPath, func(db *data.DB, w *bufio.Writer) (string, error) {
		c, err := views.BuildSnapshotCompare(ctx, db, env.Config.Scoring, a, b)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("exported %s against %s (%d members) as %s", c.B.Week, c.A.Week, len(c.Members), format),
			writeCompareExport(w, c, format, views.TrIn(env.Config.Language))
	})
}

// ExportSeries writes the weekly series of the last weeks to outPath, or
// to env.Out for "" or "-".
func ExportSeries(ctx context.Context, env *Env, weeks int, format, outPath string) error {
	if format == "" {
		format = "csv"
	}
	return cliExport(ctx, env, "series."+format, format, outPath, func(db *data.DB, w *bufio.Writer) (string, error) {
		s, err := views.BuildSnapshotSeries(ctx, db, env.Config.Scoring, weeks)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("exported the series of %d weeks, %s to %s, as %s", len(s.Weeks), s.Weeks[0].Week, s.Weeks[len(s.Weeks)-1].Week, format),
			writeSeriesExport(w, s, format, views.TrIn(env.Config.Language))
	})
}

// cliExport checks the format, runs write into the output and audits the
// export (actor "cli"), written or failed; to a file it prints what write
// said it wrote.
func cliExport(ctx context.Context, env *Env, target, format, outPath string, write func(*data.DB, *bufio.Writer) (string, error)) error {
	if _, err := exportContentType(format); err != nil {
		return err
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
				Target: target, Detail: detail, OK: err == nil}); aerr != nil && err == nil {
				err = aerr
			}
		}()
		var said string
		toFile, err := writeOutput(env.Out, outPath, func(w *bufio.Writer) error {
			var werr error
			said, werr = write(db, w)
			return werr
		})
		if err != nil || !toFile {
			return err
		}
		fmt.Fprintf(env.Out, "%s to %s\n", said, outPath)
		return nil
	})
}
