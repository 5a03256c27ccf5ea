package datatest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/ecopulse/ecopulse/data"
)

// Seeded returns the target of a fresh store holding what seed wrote: seed
// runs once per test binary and name, on a store of its own, and each call
// gets a private copy of it — on SQLite a backup of the seeded file, on
// PostgreSQL a database made from the seeded one as its template. Tests
// that share an expensive fixture (a scored demo) pay for it once and
// still cannot see each other's writes. The seeded original (Lasting) is
// left for the temporary directory's or the cluster's end.
func Seeded(tb testing.TB, name string, seed func(ctx context.Context, db *data.DB) error) string {
	tb.Helper()
	if !seedName.MatchString(name) {
		tb.Fatalf("datatest: seed name %q: want lower-case letters, digits and _", name)
	}
	seedsMu.Lock()
	s := seeds[name]
	if s == nil {
		s = &seeded{}
		seeds[name] = s
	}
	seedsMu.Unlock()
	s.once.Do(func() { s.target, s.dbName, s.err = makeSeed(name, seed) })
	if s.err != nil {
		tb.Fatalf("datatest: seed %s: %v", name, s.err)
	}
	ctx := context.Background()
	if !Postgres() {
		src, err := data.Open(ctx, s.target)
		if err != nil {
			tb.Fatal(err)
		}
		path := filepath.Join(tb.TempDir(), "ecopulse.db")
		err = src.Backup(ctx, path)
		src.Close()
		if err != nil {
			tb.Fatal(err)
		}
		return path
	}
	return copyDatabase(tb, s.dbName)
}

// copyDatabase creates a database of the cluster from template and returns
// its URL; it is dropped when the test ends.
func copyDatabase(tb testing.TB, template string) string {
	tb.Helper()
	admin := os.Getenv(PostgresEnv)
	cl, err := clusterOf(admin)
	if err != nil {
		tb.Fatal(err)
	}
	name := fmt.Sprintf("t_%d_%d", os.Getpid(), cl.n.Add(1))
	// FILE_COPY copies the template's files as they are: for a seeded
	// demo (about 100 MB) two to four times faster than the default,
	// which writes every page through the write-ahead log (PostgreSQL 15+).
	if _, err := cl.admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + template + ` STRATEGY FILE_COPY`); err != nil {
		tb.Fatalf("datatest: unable to create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		if _, err := cl.admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			tb.Errorf("datatest: unable to drop database %s: %v", name, err)
		}
	})
	return withDatabase(admin, name)
}

// MustOpen opens the store at target (Target, Seeded), closed when the test
// ends; the row readers of this package read it where it lives.
func MustOpen(tb testing.TB, target string) *data.DB {
	tb.Helper()
	db, err := data.Open(context.Background(), target)
	if err != nil {
		tb.Fatal(err)
	}
	targets.Store(db, target)
	tb.Cleanup(func() { db.Close(); targets.Delete(db) })
	return db
}

var seedName = regexp.MustCompile(`^[a-z0-9_]+$`)

type seeded struct {
	once   sync.Once
	target string // the seeded store
	dbName string // on PostgreSQL, its database
	err    error
}

var (
	seedsMu sync.Mutex
	seeds   = map[string]*seeded{}
)

// makeSeed creates the store a seed is written to, runs seed on it and
// closes it: a database used as a template must have no one connected.
func makeSeed(name string, seed func(context.Context, *data.DB) error) (target, dbName string, err error) {
	ctx := context.Background()
	target, _, err = Lasting("s_" + name)
	if err != nil {
		return "", "", err
	}
	if data.IsPostgresURL(target) {
		u, err := url.Parse(target)
		if err != nil {
			return "", "", err
		}
		dbName = strings.TrimPrefix(u.Path, "/")
	}
	db, err := data.Open(ctx, target)
	if err != nil {
		return "", "", err
	}
	err = seed(ctx, db)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return target, dbName, err
}

// Lasting returns the target of a fresh, migrated store that lasts until
// drop is called (by a TestMain) rather than until a test ends, for a
// fixture that a package's tests share and only read: a file in a
// temporary directory of its own, or a database of the cluster named after
// name and the test process.
func Lasting(name string) (target string, drop func() error, err error) {
	if !seedName.MatchString(name) {
		return "", nil, fmt.Errorf("datatest: store name %q: want lower-case letters, digits and _", name)
	}
	admin := os.Getenv(PostgresEnv)
	if admin == "" {
		dir, err := os.MkdirTemp("", "ecopulse-"+name+"-")
		if err != nil {
			return "", nil, err
		}
		return filepath.Join(dir, name+".db"), func() error { return os.RemoveAll(dir) }, nil
	}
	cl, err := clusterOf(admin)
	if err != nil {
		return "", nil, err
	}
	dbName := fmt.Sprintf("l_%d_%s", os.Getpid(), name)
	if _, err := cl.admin.Exec(`DROP DATABASE IF EXISTS ` + dbName + ` WITH (FORCE)`); err != nil {
		return "", nil, err
	}
	if _, err := cl.admin.Exec(`CREATE DATABASE ` + dbName + ` TEMPLATE ` + cl.template); err != nil {
		return "", nil, fmt.Errorf("datatest: unable to create database %s: %w", dbName, err)
	}
	drop = func() error {
		_, err := cl.admin.Exec(`DROP DATABASE IF EXISTS ` + dbName + ` WITH (FORCE)`)
		return err
	}
	return withDatabase(admin, dbName), drop, nil
}
