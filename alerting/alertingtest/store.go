// Package alertingtest holds the hand-made stores the alert tests of the
// alerting package and of the app evaluate: members with scores, API usage,
// a late milestone and collector runs (Scenario), and days of change
// signals given by hand (ChangeHistory).
package alertingtest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
)

// End is the scenario's scored day, the last of the demo data.
var End = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

// OpenStore opens an empty store in a file of the test's temporary
// directory, closed when the test ends.
func OpenStore(tb testing.TB) *data.DB {
	tb.Helper()
	db, err := data.Open(context.Background(), filepath.Join(tb.TempDir(), "ecopulse.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
