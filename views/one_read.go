package views

import (
	"context"

	"github.com/ecopulse/ecopulse/data"
)

// oneRead runs a page builder in one snapshot of the store
// (data.DB.Snapshot): whatever the builder asks, the page shows one
// consistent state of the database and begins one read.
func oneRead[T any](ctx context.Context, db *data.DB, build func(context.Context) (T, error)) (T, error) {
	var out T
	err := db.Snapshot(ctx, func(ctx context.Context) error {
		var err error
		out, err = build(ctx)
		return err
	})
	return out, err
}
