package data_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
)

// The two backends' migrations are written separately (PostgreSQL from one
// baseline); the store's SQL is written once for both, so both must end
// with the same schema: the same tables, columns, nullability, column type
// classes, primary keys and unique keys. A column added on one side only,
// or a unique key the upserts rely on missing on the other, fails here
// rather than as a runtime error on one backend.
func TestBothBackendsHaveTheSameSchema(t *testing.T) {
	if !datatest.Postgres() {
		t.Skip("needs a PostgreSQL cluster: set " + datatest.PostgresEnv + " (scripts/pgtest.sh starts one)")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "schema.db")
	lite, err := data.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	lite.Close()
	liteConn, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer liteConn.Close()
	url := datatest.Target(t)
	pg, err := data.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	pg.Close()
	pgConn, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer pgConn.Close()

	want := sqliteSchema(t, liteConn)
	got := postgresSchema(t, pgConn)
	if len(want) < 10 {
		t.Fatalf("read %d SQLite tables, want the whole schema", len(want))
	}
	compareSchemas(t, want, got)
}

// booleanColumns are BOOLEAN on PostgreSQL and INTEGER (0/1) on SQLite,
// which has no boolean type; no other column may differ in type class.
var booleanColumns = map[string]bool{
	"activities.bot":             true,
	"audit_log.ok":               true,
	"job_leases.done":            true,
	"users.disabled":             true,
	"users.must_change_password": true,
}

// tableSchema is what the comparison looks at in one table.
type tableSchema struct {
	columns map[string]column // by name
	primary string            // column list, in key order
	unique  map[string]bool   // column lists, " (partial)" for partial indexes
}

type column struct {
	class   string // int, float, text, bytes, bool
	notNull bool
}

func (c column) String() string {
	if c.notNull {
		return c.class + " NOT NULL"
	}
	return c.class
}

func compareSchemas(t *testing.T, lite, pg map[string]*tableSchema) {
	t.Helper()
	for _, name := range sortedKeys(lite) {
		l, p := lite[name], pg[name]
		if p == nil {
			t.Errorf("table %s: on SQLite, not on PostgreSQL", name)
			continue
		}
		for _, col := range sortedKeys(l.columns) {
			lc := l.columns[col]
			pc, ok := p.columns[col]
			switch {
			case !ok:
				t.Errorf("column %s.%s: on SQLite, not on PostgreSQL", name, col)
			case lc.notNull != pc.notNull:
				t.Errorf("column %s.%s: SQLite %s, PostgreSQL %s", name, col, lc, pc)
			case lc.class == pc.class:
			case booleanColumns[name+"."+col] && lc.class == "int" && pc.class == "bool":
			default:
				t.Errorf("column %s.%s: SQLite %s, PostgreSQL %s", name, col, lc, pc)
			}
		}
		for _, col := range sortedKeys(p.columns) {
			if _, ok := l.columns[col]; !ok {
				t.Errorf("column %s.%s: on PostgreSQL, not on SQLite", name, col)
			}
		}
		for col := range p.columns {
			if booleanColumns[name+"."+col] && p.columns[col].class != "bool" {
				t.Errorf("column %s.%s: PostgreSQL %s, want bool", name, col, p.columns[col])
			}
		}
		if l.primary != p.primary {
			t.Errorf("table %s: primary key (%s) on SQLite, (%s) on PostgreSQL", name, l.primary, p.primary)
		}
		for _, k := range sortedKeys(l.unique) {
			if !p.unique[k] {
				t.Errorf("table %s: unique key (%s) on SQLite, not on PostgreSQL", name, k)
			}
		}
		for _, k := range sortedKeys(p.unique) {
			if !l.unique[k] {
				t.Errorf("table %s: unique key (%s) on PostgreSQL, not on SQLite", name, k)
			}
		}
	}
	for _, name := range sortedKeys(pg) {
		if lite[name] == nil {
			t.Errorf("table %s: on PostgreSQL, not on SQLite", name)
		}
	}
}

// sqliteSchema reads a SQLite file's tables through its PRAGMAs.
func sqliteSchema(t *testing.T, conn *sql.DB) map[string]*tableSchema {
	t.Helper()
	// data_version is SQLite's stand-in for PostgreSQL's sequence of the
	// same name (migration 0025).
	names := queryStrings(t, conn, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'data_version'`)
	out := map[string]*tableSchema{}
	for _, name := range names {
		ts := &tableSchema{columns: map[string]column{}, unique: map[string]bool{}}
		out[name] = ts
		rows, err := conn.Query(`SELECT name, type, "notnull", pk FROM pragma_table_info(?)`, name)
		if err != nil {
			t.Fatal(err)
		}
		pk := map[int]string{}
		for rows.Next() {
			var col, typ string
			var notNull bool
			var pos int
			if err := rows.Scan(&col, &typ, &notNull, &pos); err != nil {
				t.Fatal(err)
			}
			if pos > 0 {
				pk[pos] = col
				// A primary key column holds no NULL on PostgreSQL; on
				// SQLite an INTEGER PRIMARY KEY is the rowid, never NULL,
				// and the store never stores NULL in the others.
				notNull = true
			}
			ts.columns[col] = column{class: sqliteClass(typ), notNull: notNull}
		}
		closeRows(t, rows)
		var key []string
		for i := 1; i <= len(pk); i++ {
			key = append(key, pk[i])
		}
		ts.primary = strings.Join(key, ",")

		rows, err = conn.Query(`SELECT name, origin, partial FROM pragma_index_list(?) WHERE "unique" = 1 AND origin <> 'pk'`, name)
		if err != nil {
			t.Fatal(err)
		}
		type index struct {
			name    string
			partial bool
		}
		var indexes []index
		for rows.Next() {
			var ix index
			var origin string
			if err := rows.Scan(&ix.name, &origin, &ix.partial); err != nil {
				t.Fatal(err)
			}
			indexes = append(indexes, ix)
		}
		closeRows(t, rows)
		for _, ix := range indexes {
			cols := queryStrings(t, conn, `SELECT COALESCE(name, '(expression)') FROM pragma_index_info(?) ORDER BY seqno`, ix.name)
			ts.unique[uniqueKey(cols, ix.partial)] = true
		}
	}
	return out
}

// sqliteClass is the type class of a declared SQLite type, by SQLite's own
// affinity rules (https://sqlite.org/datatype3.html, 3.1).
func sqliteClass(declared string) string {
	d := strings.ToUpper(declared)
	switch {
	case strings.Contains(d, "INT"):
		return "int"
	case strings.Contains(d, "CHAR"), strings.Contains(d, "CLOB"), strings.Contains(d, "TEXT"):
		return "text"
	case d == "", strings.Contains(d, "BLOB"):
		return "bytes"
	case strings.Contains(d, "REAL"), strings.Contains(d, "FLOA"), strings.Contains(d, "DOUB"):
		return "float"
	}
	return "numeric " + declared
}

// postgresSchema reads the current schema of a PostgreSQL database through
// information_schema and pg_catalog.
func postgresSchema(t *testing.T, conn *sql.DB) map[string]*tableSchema {
	t.Helper()
	out := map[string]*tableSchema{}
	for _, name := range queryStrings(t, conn, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`) {
		out[name] = &tableSchema{columns: map[string]column{}, unique: map[string]bool{}}
	}
	rows, err := conn.Query(`SELECT table_name, column_name, data_type, is_nullable = 'NO'
		FROM information_schema.columns WHERE table_schema = current_schema()`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var table, col, typ string
		var notNull bool
		if err := rows.Scan(&table, &col, &typ, &notNull); err != nil {
			t.Fatal(err)
		}
		if ts := out[table]; ts != nil { // not a view's
			ts.columns[col] = column{class: postgresClass(typ), notNull: notNull}
		}
	}
	closeRows(t, rows)

	// Every primary key and unique constraint is backed by a unique index:
	// pg_index sees them all, and the unique indexes made without one.
	// Columns come in key order (unnest WITH ORDINALITY over indkey); an
	// expression's slot (attnum 0) matches no column.
	rows, err = conn.Query(`SELECT c.relname, i.indisprimary, i.indpred IS NOT NULL,
			string_agg(COALESCE(a.attname, '(expression)'), ',' ORDER BY k.ord)
		FROM pg_index i
		JOIN pg_class c ON c.oid = i.indrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
		CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
		LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum AND k.attnum > 0
		WHERE i.indisunique
		GROUP BY i.indexrelid, c.relname, i.indisprimary, i.indpred`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var table, cols string
		var primary, partial bool
		if err := rows.Scan(&table, &primary, &partial, &cols); err != nil {
			t.Fatal(err)
		}
		ts := out[table]
		if ts == nil {
			continue
		}
		if primary {
			ts.primary = cols
		} else {
			ts.unique[uniqueKey(strings.Split(cols, ","), partial)] = true
		}
	}
	closeRows(t, rows)
	return out
}

// postgresClass is the type class of an information_schema data_type.
func postgresClass(typ string) string {
	switch typ {
	case "bigint", "integer", "smallint":
		return "int"
	case "double precision", "real":
		return "float"
	case "text", "character varying", "character":
		return "text"
	case "bytea":
		return "bytes"
	case "boolean":
		return "bool"
	}
	return typ
}

// uniqueKey names a unique key by its columns; a partial index's predicate
// is written in each dialect's words, so only its being partial is compared.
func uniqueKey(cols []string, partial bool) string {
	k := strings.Join(cols, ",")
	if partial {
		k += " (partial)"
	}
	return k
}

func queryStrings(t *testing.T, conn *sql.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := conn.Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	closeRows(t, rows)
	return out
}

func closeRows(t *testing.T, rows *sql.Rows) {
	t.Helper()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestPostgresTextSortsLikeSQLite: every text column on PostgreSQL collates
// by bytes ("C"), as SQLite's BINARY does, so a list the store orders by
// name or slug is the same list on both backends whatever the server's
// locale (a database created with en_US.UTF-8 sorts "B" after "a").
func TestPostgresTextSortsLikeSQLite(t *testing.T) {
	if !datatest.Postgres() {
		t.Skip("needs a PostgreSQL cluster: set " + datatest.PostgresEnv + " (scripts/pgtest.sh starts one)")
	}
	raw := datatest.Raw(t, datatest.MustOpenDB(t))
	rows, err := raw.Query(`SELECT table_name, column_name, COALESCE(collation_name, '') FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type = 'text' AND table_name <> 'schema_migrations'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var table, column, collation string
		if err := rows.Scan(&table, &column, &collation); err != nil {
			t.Fatal(err)
		}
		n++
		if collation != "C" {
			t.Errorf("%s.%s collates as %q, want \"C\" (byte order, as SQLite)", table, column, collation)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 50 {
		t.Errorf("found %d text columns, want the whole schema's", n)
	}
}
