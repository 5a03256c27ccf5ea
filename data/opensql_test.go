package data_test

import (
	"context"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
)

// A handle of OpenSQL takes the store's "?" placeholders on either backend
// and writes what the store then reads.
func TestOpenSQLWritesWithTheStoresPlaceholders(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	m := mustMember(t, db, "acme")
	raw := datatest.Raw(t, db)
	res, err := raw.Exec(`UPDATE members SET name = ?2 || ?1 WHERE id = ?3 AND slug = ?`, "-renamed", "Acme", m.ID, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("updated %d rows, want 1", n)
	}
	got, err := db.MemberBySlug(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Acme-renamed" {
		t.Errorf("name %q, want Acme-renamed", got.Name)
	}
}
