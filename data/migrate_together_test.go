package data_test

import (
	"context"
	"sync"
	"testing"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
)

// TestReplicasMigratingTogether: three stores opened at once on one empty
// database (three replicas starting together; on SQLite, three processes
// on one file — each store has its own connections) all open, and each
// migration is applied once: SQLite's write transaction (BEGIN IMMEDIATE)
// and PostgreSQL's migration lock put them in turn, and each finds what
// the one before it recorded.
func TestReplicasMigratingTogether(t *testing.T) {
	target := datatest.UnmigratedTarget(t)
	ctx := context.Background()
	const replicas = 3
	var wg sync.WaitGroup
	applied := make([][]string, replicas)
	errs := make([]error, replicas)
	dbs := make([]*data.DB, replicas)
	for i := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if dbs[i], errs[i] = data.OpenNoMigrate(target); errs[i] == nil {
				applied[i], errs[i] = dbs[i].Migrate(ctx)
			}
		}()
	}
	wg.Wait()
	for _, db := range dbs {
		if db != nil {
			t.Cleanup(func() { db.Close() })
		}
	}
	seen := map[string]int{}
	for i := range replicas {
		if errs[i] != nil {
			t.Errorf("replica %d: %v", i, errs[i])
		}
		for _, name := range applied[i] {
			seen[name]++
		}
	}
	if t.Failed() {
		return
	}
	migs, err := data.Migrations(dbs[0].Backend())
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != len(migs) {
		t.Errorf("%d migrations applied, want %d", len(seen), len(migs))
	}
	for name, n := range seen {
		if n != 1 {
			t.Errorf("migration %s applied %d times", name, n)
		}
	}
	var rows int
	if err := datatest.RawOf(t, target).QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != len(migs) {
		t.Errorf("schema_migrations has %d rows, want %d", rows, len(migs))
	}
}
