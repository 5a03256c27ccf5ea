package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/views"
)

// What a source rejected, and why (viewers, like /sources):
//
//	GET /sources/:name/rejected          counts per reason, the newest records
//	GET /api/v1/sources/:name/rejected   the same as JSON
//
// and `ecopulse rejected SOURCE [--json]`. Push ingest's records are under
// the source "push", imports' under "import".

func (a *App) rejectedPage(c *fiber.Ctx) error {
	r, err := views.BuildRejected(c.UserContext(), a.db, c.Params("name"))
	if err != nil {
		return err
	}
	return a.render(c, func(b *bytes.Buffer) error { return a.views.RejectedPage(b, *r) })
}

func (a *App) rejectedJSON(c *fiber.Ctx) error {
	r, err := views.BuildRejected(c.UserContext(), a.db, c.Params("name"))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// RejectedList runs `ecopulse rejected SOURCE [--json]`.
func RejectedList(ctx context.Context, env *Env, source string, asJSON bool) error {
	return env.withDB(ctx, func(db *data.DB) error {
		r, err := views.BuildRejected(ctx, db, source)
		if err != nil {
			return err
		}
		if asJSON {
			enc := json.NewEncoder(env.Out)
			enc.SetIndent("", "  ")
			return enc.Encode(r)
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
