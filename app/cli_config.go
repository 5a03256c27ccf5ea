package app

import (
	"context"
	"fmt"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// ConfigOptions are the flags of `ecopulse config`.
type ConfigOptions struct {
	// Keys lists the settings with their environment variables instead of
	// printing the configuration.
	Keys bool
	// File and Overrides say where the configuration came from, for the
	// header: names only, never values.
	File      string
	Overrides config.Overrides
}

// ShowConfig runs `ecopulse config`: the effective configuration as YAML,
// secrets masked, or with Keys the list of settings.
func ShowConfig(env *Env, opt ConfigOptions) error {
	if opt.Keys {
		return config.WriteKeys(env.Out)
	}
	return config.WriteEffective(env.Out, env.Config, opt.File, opt.Overrides)
}

// ConfigCheck runs `ecopulse config --check`: it prints every problem of
// the configuration against the database and fails when there is one.
func ConfigCheck(ctx context.Context, env *Env) error {
	return env.withDB(ctx, func(db *data.DB) error {
		problems, err := configProblems(ctx, db, env.Config)
		if err != nil {
			return err
		}
		if len(problems) == 0 {
			fmt.Fprintf(env.Out, "configuration ok: %d sources, %d consumer mappings, %d affiliation rules\n",
				len(env.Config.Sources), len(env.Config.Consumers), len(env.Config.Affiliation.Domains)+len(env.Config.Affiliation.People))
			return nil
		}
		for _, p := range problems {
			fmt.Fprintln(env.Out, p)
		}
		return domain.Errorf(domain.EINVALID, "the configuration has %d problem(s)", len(problems))
	})
}
