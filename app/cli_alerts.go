package app

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// AlertsOptions are the flags of `ecopulse alerts`.
type AlertsOptions struct {
	At   time.Time // zero: the latest scored day
	JSON bool      // print /api/v1/alerts?at=DAY's JSON
}

// AlertsList runs `ecopulse alerts [--at DAY] [--json]`: the alerts whose
// condition held on the day, whatever people did about them — the inbox's
// query with at, so --json prints what GET /api/v1/alerts?at=DAY answers.
func AlertsList(ctx context.Context, env *Env, opt AlertsOptions) error {
	return env.withDB(ctx, func(db *data.DB) error {
		at := opt.At
		if at.IsZero() {
			latest, err := db.LatestScoreDay(ctx)
			if err != nil {
				return err
			}
			if latest.IsZero() {
				return domain.Errorf(domain.ENOTFOUND, "no day is scored yet: run ecopulse score first")
			}
			at = latest
		}
		in, err := views.BuildAlertInbox(ctx, db, views.AlertQuery{At: at.Format(domain.DateLayout)}, env.Now())
		if err != nil {
			return err
		}
		if opt.JSON {
			return printJSON(env, in)
		}
		fmt.Fprintf(env.Out, "%s open on %s\n", domain.Plural(in.Total, "alert", "alerts"), in.Query.At)
		if len(in.Alerts) == 0 {
			return nil
		}
		w := tabwriter.NewWriter(env.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "id\trule\tabout\topened\tstatus\tassignee\tmessage")
		for _, a := range in.Alerts {
			about := a.Member
			if about == "" {
				about = a.Subject
			}
			assignee := a.Assignee
			if assignee == "" {
				assignee = "-"
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Rule, oneLineText(about), a.OpenedDay, a.Status,
				oneLineText(assignee), oneLineText(a.Message))
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if len(in.Alerts) < in.Total {
			fmt.Fprintf(env.Out, "… and %d more (--json, or /alerts?at=%s)\n", in.Total-len(in.Alerts), in.Query.At)
		}
		return nil
	})
}
