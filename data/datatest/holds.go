package datatest

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data"
)

// Holds reports whether any byte the store at target keeps on disk holds
// s (DiskBytes): for tests that a secret is never written, or is gone once
// forgotten.
func Holds(tb testing.TB, target, s string) bool {
	tb.Helper()
	return bytes.Contains(DiskBytes(tb, target), []byte(s))
}

// DiskBytes returns every byte the store at target keeps on disk, one file
// after another. On SQLite that is the database file and its write-ahead
// log. On PostgreSQL it is the database's own directory in the cluster
// (base/OID: every table, index and TOAST file, with the row versions not
// yet vacuumed), read after a CHECKPOINT has written every changed page
// out; the cluster's write-ahead log is shared by every test's database
// and is not read. A cluster whose files this process cannot read
// (another machine's) skips the test.
func DiskBytes(tb testing.TB, target string) []byte {
	tb.Helper()
	var all []byte
	if !data.IsPostgresURL(target) {
		for _, p := range []string{target, target + "-wal"} {
			b, err := os.ReadFile(p)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				tb.Fatal(err)
			}
			all = append(all, b...)
		}
		return all
	}
	cl, err := clusterOf(os.Getenv(PostgresEnv))
	if err != nil {
		tb.Fatal(err)
	}
	u, err := url.Parse(target)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	if _, err := cl.admin.ExecContext(ctx, `CHECKPOINT`); err != nil {
		tb.Fatalf("datatest: checkpoint: %v", err)
	}
	var dataDir, oid string
	if err := cl.admin.QueryRowContext(ctx, `SELECT current_setting('data_directory'), oid::text FROM pg_database WHERE datname = $1`,
		strings.TrimPrefix(u.Path, "/")).Scan(&dataDir, &oid); err != nil {
		tb.Fatalf("datatest: the database of %s: %v", data.RedactURL(target), err)
	}
	dir := filepath.Join(dataDir, "base", oid)
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Skipf("datatest: the cluster's files are not readable here (%v): cannot look for bytes in them", err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if errors.Is(err, fs.ErrNotExist) {
			continue // a relation rewritten meanwhile: its new file is listed too
		} else if err != nil {
			tb.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}
