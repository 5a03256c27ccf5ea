package app

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/views"
)

// RejectedList runs `ecopulse rejected SOURCE [--json]`.
func RejectedList(ctx context.Context, env *Env, source string, asJSON bool) error {
	return env.withDB(ctx, func(db *data.DB) error {
		r, err := views.BuildRejected(ctx, db, source)
		if err != nil {
			return err
		}
		if asJSON {
			return printJSON(env, r)
		}
		fmt.Fprintf(env.Out, "%s keeps %d rejected records\n", source, r.Total)
		w := tabwriter.NewWriter(env.Out, 0, 4, 2, ' ', 0)
		for _, rc := range r.ByReason {
			fmt.Fprintf(w, "%d\t%s\n", rc.Count, oneLineText(rc.Reason))
		}
		if err := w.Flush(); err != nil {
			return err
		}
		for i, rec := range r.Records {
			if i == 10 {
				fmt.Fprintf(env.Out, "… (--json lists the newest %d)\n", len(r.Records))
				break
			}
			fmt.Fprintf(env.Out, "%s  %s\n    %s\n", rec.At, oneLineText(rec.Reason), oneLineText(rec.Sample))
		}
		return nil
	})
}
