package datatest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ecopulse/ecopulse/data"
)

// PostgresEnv names the environment variable that points the tests at a
// throwaway PostgreSQL cluster: the URL of its maintenance database, as
// scripts/pgtest.sh prints it. Unset, every store is a SQLite file.
const PostgresEnv = "ECOPULSE_TEST_POSTGRES"

// Postgres reports whether this test run's stores are on PostgreSQL.
func Postgres() bool { return os.Getenv(PostgresEnv) != "" }

// SkipOnPostgres skips a test that cannot apply to PostgreSQL, with why.
func SkipOnPostgres(tb testing.TB, why string) {
	tb.Helper()
	if Postgres() {
		tb.Skip("not on PostgreSQL: " + why)
	}
}

// Target returns where a fresh, empty store for the test lives: a file in
// the test's temporary directory or, on PostgreSQL, a new database of the
// cluster made from a migrated template and dropped when the test ends.
// data.Open migrates it (on PostgreSQL it finds it migrated).
func Target(tb testing.TB) string {
	tb.Helper()
	return target(tb, true)
}

// UnmigratedTarget is Target without the schema: an empty SQLite file's
// path or, on PostgreSQL, a new database with no tables, for tests of
// what runs before the migrations (data.OpenNoMigrate).
func UnmigratedTarget(tb testing.TB) string {
	tb.Helper()
	return target(tb, false)
}

func target(tb testing.TB, migrated bool) string {
	tb.Helper()
	dir := ""
	if !Postgres() {
		dir = tb.TempDir()
	}
	target, drop, err := newTarget(dir, migrated)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := drop(); err != nil {
			tb.Error(err)
		}
	})
	return target
}

// NewTarget is Target for a store that outlives one test — one a package
// seeds once, in TestMain, for the tests that only read it: the SQLite file
// goes in dir (the caller removes dir), and drop drops the PostgreSQL
// database (on SQLite it does nothing).
func NewTarget(dir string) (target string, drop func() error, err error) {
	return newTarget(dir, true)
}

func newTarget(dir string, migrated bool) (target string, drop func() error, err error) {
	admin := os.Getenv(PostgresEnv)
	if admin == "" {
		return filepath.Join(dir, "ecopulse.db"), func() error { return nil }, nil
	}
	cl, err := clusterOf(admin)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("t_%d_%d", os.Getpid(), cl.n.Add(1))
	create := `CREATE DATABASE ` + name
	if migrated {
		create += ` TEMPLATE ` + cl.template
	}
	if _, err := cl.admin.Exec(create); err != nil {
		return "", nil, fmt.Errorf("datatest: unable to create database %s: %w", name, err)
	}
	drop = func() error {
		if _, err := cl.admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			return fmt.Errorf("datatest: unable to drop database %s: %w", name, err)
		}
		return nil
	}
	return withDatabase(admin, name), drop, nil
}

// cluster is the test process's connection to the throwaway cluster and
// the name of its migrated template database.
type cluster struct {
	admin    *sql.DB
	template string
	n        atomic.Int64
}

var (
	clusterOnce sync.Once
	theCluster  *cluster
	clusterErr  error
)

func clusterOf(admin string) (*cluster, error) {
	clusterOnce.Do(func() { theCluster, clusterErr = openCluster(admin) })
	return theCluster, clusterErr
}

// openCluster connects to the cluster and makes sure the template for the
// current PostgreSQL migrations exists. Its name carries a hash of the
// migrations, so a change to them makes a new one; test processes of
// several packages make it once between them, under an advisory lock.
func openCluster(admin string) (*cluster, error) {
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	migs, err := data.Migrations("postgres")
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	for _, m := range migs {
		fmt.Fprintf(h, "%d %s\n%s\n", m.Version, m.Name, m.SQL)
	}
	template := "ecopulse_tmpl_" + hex.EncodeToString(h.Sum(nil))[:16]
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("datatest: unable to reach the PostgreSQL cluster at %s: %w", data.RedactURL(admin), err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(4242)`); err != nil {
		return nil, err
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock(4242)`)
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, template).Scan(&exists); err != nil {
		return nil, err
	}
	if !exists {
		building := template + "_building"
		if _, err := conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+building+` WITH (FORCE)`); err != nil {
			return nil, err
		}
		if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+building); err != nil {
			return nil, err
		}
		store, err := data.Open(ctx, withDatabase(admin, building))
		if err != nil {
			return nil, fmt.Errorf("datatest: unable to migrate the template: %w", err)
		}
		store.Close()
		if _, err := conn.ExecContext(ctx, `ALTER DATABASE `+building+` RENAME TO `+template); err != nil {
			return nil, err
		}
	}
	return &cluster{admin: db, template: template}, nil
}

// withDatabase returns the URL admin with its database name replaced.
func withDatabase(admin, name string) string {
	u, err := url.Parse(admin)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + strings.TrimPrefix(name, "/")
	return u.String()
}
