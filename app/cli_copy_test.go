package app

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestCopyCommandMovesTheDemoToPostgres copies the scored demo database
// into a fresh PostgreSQL database as `ecopulse copy` does: every table
// has as many rows, the scores sum the same, the store and the API answer
// the same on both, and a second copy into the now filled database is
// refused.
func TestCopyCommandMovesTheDemoToPostgres(t *testing.T) {
	if !datatest.Postgres() {
		t.Skip("copy needs PostgreSQL: set " + datatest.PostgresEnv)
	}
	ctx := context.Background()
	// The source is a SQLite file whatever the run's backend: copy reads
	// SQLite.
	src := datatest.Open(t, filepath.Join(t.TempDir(), "source.db"))
	if err := seedScoredDemo(ctx, src); err != nil {
		t.Fatal(err)
	}
	target := datatest.Target(t)
	var out, bar bytes.Buffer
	env := &Env{Config: config.Default(), Log: quietLogger(), Out: &out, Now: time.Now}
	env.Config.DB = src.Path()
	if err := Copy(ctx, env, CopyOptions{To: target, Progress: &bar}); err != nil {
		t.Fatalf("copy: %v", err)
	}
	if !strings.Contains(out.String(), "copied ") || strings.Contains(out.String(), "\n\n") {
		t.Errorf("copy printed %q", out.String())
	}
	dst, err := data.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()

	// Rows per table, read apart from the store.
	lite := rawSQL(t, src)
	pg, err := sql.Open("pgx", target)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	rows, err := pg.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	if len(tables) < 30 {
		t.Fatalf("the copy has %d tables", len(tables))
	}
	for _, table := range tables {
		var a, b int64
		if err := lite.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&a); err != nil {
			t.Fatal(err)
		}
		if err := pg.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&b); err != nil {
			t.Fatal(err)
		}
		if a != b {
			t.Errorf("%s: %d rows on SQLite, %d on the copy", table, a, b)
		}
		if table == "scores" || table == "activities" || table == "api_usage_daily" {
			if a == 0 {
				t.Errorf("the demo has no %s: the copy proves little", table)
			}
			if !strings.Contains(bar.String(), table) {
				t.Errorf("the progress bar never named %s", table)
			}
		}
	}
	for _, q := range []string{
		`SELECT SUM(c) FROM scores`, `SELECT SUM(phi) FROM scores`, `SELECT SUM(health) FROM scores`, `SELECT SUM(r) FROM ecosystem_scores`,
	} {
		var a, b float64
		if err := lite.QueryRow(q).Scan(&a); err != nil {
			t.Fatal(err)
		}
		if err := pg.QueryRow(q).Scan(&b); err != nil {
			t.Fatal(err)
		}
		if a == 0 || math.Abs(a-b) > 1e-9*math.Abs(a) {
			t.Errorf("%s: %v on SQLite, %v on the copy", q, a, b)
		}
	}

	// The store answers the same on both.
	same := func(what string, read func(*data.DB) (any, error)) {
		t.Helper()
		a, err := read(src)
		if err != nil {
			t.Fatalf("%s on SQLite: %v", what, err)
		}
		b, err := read(dst)
		if err != nil {
			t.Errorf("%s on the copy: %v", what, err)
			return
		}
		// A dimension without data is NaN, which DeepEqual never finds
		// equal: then the printed values (no pointers in them) compare.
		if !reflect.DeepEqual(a, b) && fmt.Sprintf("%v", a) != fmt.Sprintf("%v", b) {
			t.Errorf("%s differs between SQLite and the copy:\nSQLite %.300v\ncopy   %.300v", what, a, b)
		}
	}
	same("members", func(db *data.DB) (any, error) { return db.Members(ctx) })
	same("latest scored day", func(db *data.DB) (any, error) { return db.LatestScoreDay(ctx) })
	same("scores of the last day", func(db *data.DB) (any, error) { return db.ScoresOn(ctx, demoEnd) })
	same("ecosystem scores", func(db *data.DB) (any, error) { return db.EcosystemScores(ctx, demoEnd.AddDate(0, 0, -35), demoEnd) })
	same("the API's members list", func(db *data.DB) (any, error) {
		status, body, _ := get(t, newTestApp(t, db).Fiber(), "/api/v1/members?at="+demoEnd.Format(domain.DateLayout))
		if status != 200 {
			return nil, fmt.Errorf("GET /api/v1/members = %d %s", status, body)
		}
		return body, nil
	})

	// The target has data now: a second copy is refused, and leaves it be.
	err = Copy(ctx, env, CopyOptions{To: target})
	if domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(domain.ErrorMessage(err), "not empty") {
		t.Errorf("a second copy: %v, want a refusal of a database that is not empty", err)
	}
	want, err := src.CountMembers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := dst.CountMembers(ctx); err != nil || n != want {
		t.Errorf("after a refused copy the target has %d members (%v), want %d", n, err, want)
	}
}
