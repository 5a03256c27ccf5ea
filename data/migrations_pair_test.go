package data_test

import (
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data"
)

// PostgreSQL's migrations start from a baseline equal to SQLite's schema at
// the baseline's number; every later migration comes as a pair, one per
// backend, of the same number and name, so that a store migrated on either
// records the same schema version for the same schema.
func TestMigrationsComeInPairsAfterThePostgresBaseline(t *testing.T) {
	lite, err := data.Migrations("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	pg, err := data.Migrations("postgres")
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) == 0 || len(pg) == 0 {
		t.Fatalf("%d SQLite and %d PostgreSQL migrations, want some of each", len(lite), len(pg))
	}
	base := pg[0]
	if !strings.HasSuffix(base.Name, "_baseline") {
		t.Fatalf("first PostgreSQL migration is %s, want NNNN_baseline", base.Name)
	}
	liteByVersion := map[int]string{}
	for _, m := range lite {
		liteByVersion[m.Version] = m.Name
	}
	if _, ok := liteByVersion[base.Version]; !ok {
		t.Errorf("the PostgreSQL baseline is %s, but SQLite has no migration %04d to be its equal", base.Name, base.Version)
	}
	pgByVersion := map[int]string{}
	for _, m := range pg[1:] {
		pgByVersion[m.Version] = m.Name
		if got := liteByVersion[m.Version]; got != m.Name {
			t.Errorf("PostgreSQL migration %s: SQLite's %04d is %q, want the same name", m.Name, m.Version, got)
		}
	}
	for _, m := range lite {
		if m.Version <= base.Version {
			continue
		}
		if got := pgByVersion[m.Version]; got != m.Name {
			t.Errorf("SQLite migration %s: PostgreSQL's %04d is %q, want the same name", m.Name, m.Version, got)
		}
	}
	if l, p := lite[len(lite)-1].Version, pg[len(pg)-1].Version; l != p {
		t.Errorf("highest migration: %d on SQLite, %d on PostgreSQL", l, p)
	}
}
