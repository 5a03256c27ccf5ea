package app

import (
	"context"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
)

// configProblems lists what in cfg cannot work with the store's members as
// they are now (config.Problems): /sources shows the list, `ecopulse config
// --check` prints it.
func configProblems(ctx context.Context, db *data.DB, cfg config.Config) ([]string, error) {
	members, err := db.Members(ctx)
	if err != nil {
		return nil, err
	}
	return config.Problems(cfg, members), nil
}
