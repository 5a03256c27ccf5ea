package main

import (
	"context"
	"fmt"
	"io"

	"github.com/ecopulse/ecopulse/app"
	"github.com/ecopulse/ecopulse/domain"
)

// alertsCommand runs `ecopulse alerts [--at DATE] [--json]`.
func alertsCommand(ctx context.Context, args []string, out, stderr io.Writer) error {
	fs, c := newFlags("alerts", "", "The alerts open on a day (default: the latest scored day), whatever people did about them; --json prints what GET /api/v1/alerts?at=DATE answers.", stderr)
	at := fs.String("at", "", "the `DATE` (YYYY-MM-DD) the alerts were open on")
	asJSON := fs.Bool("json", false, "print JSON (the shape of /api/v1/alerts)")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	opt := app.AlertsOptions{JSON: *asJSON}
	if *at != "" {
		d, err := domain.ParseDay(*at)
		if err != nil {
			return fmt.Errorf("--at: %s", oneLine(err))
		}
		opt.At = d
	}
	env, err := c.env(out, stderr)
	if err != nil {
		return err
	}
	return app.AlertsList(ctx, env, opt)
}
