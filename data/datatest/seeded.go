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
// still cannot see each other's writes. The seeded original is left for
// the temporary directory's or the cluster's end.
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

// makeSeed creates the store a seed is written to (NewTarget, never
// dropped: it outlives every test of the binary), runs seed on it and
// closes it: a database used as a template must have no one connected.
func makeSeed(name string, seed func(context.Context, *data.DB) error) (target, dbName string, err error) {
	ctx := context.Background()
	dir := ""
	if !Postgres() {
		if dir, err = os.MkdirTemp("", "ecopulse-seed-"+name+"-"); err != nil {
			return "", "", err
		}
	}
	if target, _, err = NewTarget(dir); err != nil {
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
