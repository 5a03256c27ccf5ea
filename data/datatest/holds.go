package datatest

import (
	"bytes"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"testing"

	"github.com/ecopulse/ecopulse/data"
)

// Holds reports whether the database at target (from Target) holds s
// anywhere: on SQLite in the bytes of its file or of its write-ahead log,
// free pages included; on PostgreSQL in a live row of any of its tables,
// in a text column or in the bytes of a BYTEA one (the server's files are
// not the test's to read, so old row versions a VACUUM has yet to remove
// are not seen). Tests of what must never be stored (secrets, personal
// data) ask it after the store is closed.
func Holds(tb testing.TB, target, s string) bool {
	tb.Helper()
	if data.IsPostgresURL(target) {
		return rowsHold(tb, target, s)
	}
	for _, p := range []string{target, target + "-wal"} {
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			tb.Fatal(err)
		}
		if bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
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
