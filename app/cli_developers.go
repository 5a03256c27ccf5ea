package app

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/views"
)

// Developers runs `ecopulse developers [--from DATE] [--to DATE] [--json]`:
// the developer funnel /developers and /api/v1/developers show (the same
// builder), as a table of stages and cohorts or, with --json, the API's
// answer.
func Developers(ctx context.Context, env *Env, p views.RangeParams, asJSON bool) error {
	return env.withDB(ctx, func(db *data.DB) error {
		p.Now = env.Now()
		d, err := views.BuildDevelopers(ctx, db, p)
		if err != nil {
			return err
		}
		if asJSON {
			return printJSON(env, d)
		}
		fmt.Fprintf(env.Out, "%d new API consumers first seen %s to %s (observed through %s); time to first success: median %s, p90 %s days\n",
			d.Consumers, d.From, d.To, cliOr(d.ObservedThrough), cliDays(d.TTFSMedian), cliDays(d.TTFSP90))
		w := tabwriter.NewWriter(env.Out, 0, 4, 2, ' ', 0)
		fmt.Fprint(w, "cohort\tconsumers")
		for _, s := range d.Stages[1:] {
			fmt.Fprintf(w, "\t%s", s.Stage)
		}
		fmt.Fprintln(w, "\tmedian days")
		row := func(name string, f views.DeveloperFunnel) {
			fmt.Fprintf(w, "%s\t%d", name, f.Consumers)
			for _, s := range f.Stages[1:] {
				fmt.Fprintf(w, "\t%d/%d", s.Count, s.Observed)
			}
			fmt.Fprintf(w, "\t%s\n", cliDays(f.TTFSMedian))
		}
		for _, c := range d.Cohorts {
			row(c.Week, c.DeveloperFunnel)
		}
		row("all", d.DeveloperFunnel)
		return w.Flush()
	})
}

func cliDays(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f", *v)
}

func cliOr(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
