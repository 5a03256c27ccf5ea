// Package datatest opens the stores tests run on — a SQLite file, or a
// fresh database of a throwaway PostgreSQL cluster when
// ECOPULSE_TEST_POSTGRES names one (target.go) — and reads a store's rows
// for tests' assertions where the store has no query of its own: what a
// collector stored, exactly as stored.
package datatest

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

func readOnly(tb testing.TB, db *data.DB) *sql.DB {
	tb.Helper()
	if target, ok := targets.Load(db); ok && data.IsPostgresURL(target.(string)) {
		conn, err := sql.Open("pgx", target.(string))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { conn.Close() })
		return conn
	}
	conn, err := sql.Open("sqlite", "file:"+db.Path()+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	return conn
}

// Activities returns every stored activity by external id.
func Activities(tb testing.TB, db *data.DB) map[string]domain.Activity {
	tb.Helper()
	rows, err := readOnly(tb, db).Query(`SELECT source, external_id, kind, at, actor, COALESCE(person_id, 0), COALESCE(member_id, 0),
		thread, title, bot FROM activities`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	out := map[string]domain.Activity{}
	for rows.Next() {
		var a domain.Activity
		var at int64
		if err := rows.Scan(&a.Source, &a.ExternalID, &a.Kind, &at, &a.Actor, &a.PersonID, &a.MemberID, &a.Thread, &a.Title, &a.Bot); err != nil {
			tb.Fatal(err)
		}
		a.At = time.Unix(at, 0).UTC()
		out[a.ExternalID] = a
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// Milestone is a stored milestone's row.
type Milestone struct {
	Project    int64
	ExternalID string
	Title      string
	DueOn      string
	DoneOn     string // "" while open
}

// Milestones returns every stored milestone by project and external id.
func Milestones(tb testing.TB, db *data.DB) []Milestone {
	tb.Helper()
	rows, err := readOnly(tb, db).Query(`SELECT project_id, external_id, title, due_on, COALESCE(done_on, '') FROM milestones ORDER BY project_id, external_id`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []Milestone
	for rows.Next() {
		var m Milestone
		if err := rows.Scan(&m.Project, &m.ExternalID, &m.Title, &m.DueOn, &m.DoneOn); err != nil {
			tb.Fatal(err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// Raw opens another handle on db's database, writable, as another process
// (the CLI) or a fault would reach its rows: queries are written with the
// store's "?" placeholders on both backends (data.OpenSQL). It is closed
// when the test ends. db must come from MustOpenDB or Open.
func Raw(tb testing.TB, db *data.DB) *sql.DB {
	tb.Helper()
	target, ok := targets.Load(db)
	if !ok {
		tb.Fatalf("datatest: Raw of a store not opened by MustOpenDB or Open (%s)", db.Path())
	}
	return RawOf(tb, target.(string))
}

// TargetOf is the target db was opened on (db from MustOpenDB or Open):
// for a test that opens it again, as another process.
func TargetOf(tb testing.TB, db *data.DB) string {
	tb.Helper()
	target, ok := targets.Load(db)
	if !ok {
		tb.Fatalf("datatest: TargetOf a store not opened by MustOpenDB or Open (%s)", db.Path())
	}
	return target.(string)
}

// RawOf is Raw of the database at target (from Target).
func RawOf(tb testing.TB, target string) *sql.DB {
	tb.Helper()
	conn, err := data.OpenSQL(target)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	return conn
}

// Open opens the store at target (from Target), closed when the test ends:
// for tests that open a store again on the same database.
func Open(tb testing.TB, target string) *data.DB {
	tb.Helper()
	db, err := data.Open(context.Background(), target)
	if err != nil {
		tb.Fatal(err)
	}
	targets.Store(db, target)
	tb.Cleanup(func() { db.Close(); targets.Delete(db) })
	return db
}

// MustOpenDB opens an empty, migrated store (Target), closed when the test
// ends: the one opener of every package's tests.
func MustOpenDB(tb testing.TB) *data.DB {
	tb.Helper()
	return Open(tb, Target(tb))
}

// targets remembers what each MustOpenDB store was opened on, for readOnly.
var targets sync.Map
