package datatest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data"
)

// Holds reports whether the database at target (from Target) holds s
// anywhere: in any byte it keeps on disk (DiskBytes: free pages and old row
// versions a VACUUM has yet to remove included) or, on a PostgreSQL
// cluster whose files this process cannot read (another machine's), in a
// live row of any of its tables, in a text column or in the bytes of a
// BYTEA one. Tests of what must never be stored (secrets, personal data)
// or must be gone (a forgotten person) ask it after the store is closed.
func Holds(tb testing.TB, target, s string) bool {
	tb.Helper()
	if data.IsPostgresURL(target) {
		files, ok := postgresFiles(tb, target)
		if !ok {
			return rowsHold(tb, target, s)
		}
		return bytes.Contains(files, []byte(s))
	}
	return bytes.Contains(DiskBytes(tb, target), []byte(s))
}

// DiskBytes returns every byte the store at target keeps on disk, one file
// after another. On SQLite that is the database file and its write-ahead
// log. On PostgreSQL it is the database's own directory in the cluster
// (base/OID: every table, index and TOAST file, with the row versions not
// yet vacuumed), read after a CHECKPOINT has written every changed page
// out; the cluster's write-ahead log is shared by every test's database
// and is not read. A cluster whose files this process cannot read skips
// the test.
func DiskBytes(tb testing.TB, target string) []byte {
	tb.Helper()
	if data.IsPostgresURL(target) {
		files, ok := postgresFiles(tb, target)
		if !ok {
			tb.Skip("datatest: the PostgreSQL cluster's files are not readable here")
		}
		return files
	}
	var all []byte
	for _, p := range []string{target, target + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			tb.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// postgresFiles reads the files of the database at target after a
// checkpoint; ok is false when its directory is not readable here.
func postgresFiles(tb testing.TB, target string) (all []byte, ok bool) {
	tb.Helper()
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
		return nil, false
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if errors.Is(err, fs.ErrNotExist) {
			continue // a relation rewritten meanwhile: its new file is listed too
		} else if err != nil {
			return nil, false
		}
		all = append(all, b...)
	}
	return all, true
}

func rowsHold(tb testing.TB, target, s string) bool {
	tb.Helper()
	db, err := sql.Open("pgx", target)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT quote_ident(table_name), quote_ident(column_name), data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'bytea')`)
	if err != nil {
		tb.Fatal(err)
	}
	type column struct{ table, name, kind string }
	var cols []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.table, &c.name, &c.kind); err != nil {
			tb.Fatal(err)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	rows.Close()
	for _, c := range cols {
		q, arg := `SELECT EXISTS (SELECT 1 FROM `+c.table+` WHERE strpos(`+c.name+`, $1) > 0)`, any(s)
		if c.kind == "bytea" {
			q, arg = `SELECT EXISTS (SELECT 1 FROM `+c.table+` WHERE position($1 IN `+c.name+`) > 0)`, []byte(s)
		}
		var found bool
		if err := db.QueryRow(q, arg).Scan(&found); err != nil {
			tb.Fatalf("datatest: searching %s.%s: %v", c.table, c.name, err)
		}
		if found {
			return true
		}
	}
	return false
}
