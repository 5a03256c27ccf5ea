package views

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ecopulse/ecopulse/data"
)

// mustOpenDB opens an empty store in a real SQLite file of the test's own,
// closed when the test ends.
func mustOpenDB(tb testing.TB) *data.DB {
	tb.Helper()
	db, err := data.Open(context.Background(), filepath.Join(tb.TempDir(), "ecopulse.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
