package main

import (
	"fmt"

	"github.com/ecopulse/ecopulse/app"
	"github.com/ecopulse/ecopulse/domain"
)

// apiVersionsCommand runs `ecopulse api-versions [--at DATE] [--json]`.
func apiVersionsCommand(x *invocation) error {
	fs := x.flags()
	at := fs.String("at", "", "the `DATE` (YYYY-MM-DD) to report on (default: the latest day with API usage)")
	asJSON := fs.Bool("json", false, "print JSON (the shape of /api/v1/api-versions)")
	if err := noArgs(fs, x.args); err != nil {
		return err
	}
	opt := app.VersionsOptions{JSON: *asJSON}
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
	return app.APIVersionsReport(x.ctx, env, opt)
}
