package app

import (
	"context"
	"testing"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
)

// TestReadyzWaitsForTheMigrations: a server on a store that lacks this
// build's migrations says it is not ready, and is ready once they are
// applied — on either backend.
func TestReadyzWaitsForTheMigrations(t *testing.T) {
	ctx := context.Background()
	db, err := data.OpenNoMigrate(datatest.UnmigratedTarget(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := New(config.Default(), db, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	a.ready.Store(true)
	if status, body, _ := get(t, a.Fiber(), "/readyz"); status != 503 {
		t.Errorf("GET /readyz on an unmigrated store = %d %s, want 503", status, body)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if status, body, _ := get(t, a.Fiber(), "/readyz"); status != 200 {
		t.Errorf("GET /readyz once migrated = %d %s, want 200", status, body)
	}
}
