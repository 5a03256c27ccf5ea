package app

import (
	"context"
	"fmt"

	"github.com/ecopulse/ecopulse/data"
)

// Migrate runs `ecopulse migrate`.
func Migrate(ctx context.Context, env *Env) error {
	db, err := data.OpenNoMigrate(env.Config.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Out, "applied %d migration(s) %v; schema version %d\n", len(applied), applied, v)
	return nil
}

// Backup runs `ecopulse backup FILE`: a consistent copy, safe while
// serving, of a SQLite database (the store refuses PostgreSQL, saying how
// to back it up).
func Backup(ctx context.Context, env *Env, path string) error {
	return env.withDB(ctx, func(db *data.DB) error {
		if err := db.Backup(ctx, path); err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "backed up %s to %s\n", db.Path(), path)
		return nil
	})
}
