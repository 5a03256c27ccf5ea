package main

import (
	"fmt"

	"github.com/ecopulse/ecopulse/app"
	"github.com/ecopulse/ecopulse/domain"
)

// alertsCommand runs `ecopulse alerts [--at DATE] [--json]`.
func alertsCommand(x *invocation) error {
	args := x.args
	fs := x.flags()
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
	env, err := x.env()
	if err != nil {
		return err
	}
	return app.AlertsList(x.ctx, env, opt)
}
