package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/ecopulse/ecopulse/domain"
)

// Copy moves a SQLite store into an empty PostgreSQL one (`ecopulse
// copy`): every table but the bookkeeping of migrations and of SQLite
// itself, rows with their ids, in one transaction of the target, so that a
// copy that fails leaves the target empty and can simply be run again.
//
// Tables come in an order in which every foreign key finds its row, read
// from the SQLite schema (the PostgreSQL constraints are not deferrable).
// Tables that the target's triggers fill while others are copied (day
// digests, stale-day lists, the alert-day counter) come after the tables
// whose triggers fill them, and are emptied before their own rows come
// in: the copy holds the source's rows, not what the triggers made of them.
//
// Before it commits, Copy checks the target against the source's snapshot:
// the same rows per table, and the same sum of every floating-point column
// (scores, rates, latencies) within 1e-9 of the sum of their magnitudes.
// Identity sequences then continue after the copied ids (and after ids
// SQLite handed out and deleted since: AUTOINCREMENT never reuses them).
func Copy(ctx context.Context, src, dst *DB, progress CopyProgress) ([]CopiedTable, error) {
	if src.dialect.postgres {
		return nil, domain.Errorf(domain.EINVALID, "copy reads a SQLite database: --db must be a file, not %s", src.Path())
	}
	if !dst.dialect.postgres {
		return nil, domain.Errorf(domain.EINVALID, "--to must be a postgres:// URL: copy fills a PostgreSQL database")
	}
	if progress == nil {
		progress = func(string, int64, int64) {}
	}
	sv, err := src.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	dv, err := dst.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if sv != dv {
		return nil, domain.Errorf(domain.EINVALID, "the databases are at different schema versions (%d and %d): migrate both with this build", sv, dv)
	}
	var copied []CopiedTable
	err = src.readTx(ctx, func(stx *sql.Tx) error {
		tables, err := sqliteTables(ctx, stx)
		if err != nil {
			return err
		}
		return dst.writeTx(ctx, func(dtx *sql.Tx) error {
			if err := checkEmpty(ctx, dtx, tables); err != nil {
				return err
			}
			quieted, err := quietTriggers(ctx, dtx)
			if err != nil {
				return err
			}
			for _, t := range tables {
				if err := t.describeTarget(ctx, dtx); err != nil {
					return err
				}
				if err := stx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+quoteIdent(t.name)).Scan(&t.rows); err != nil {
					return err
				}
			}
			for _, t := range tables {
				if err := copyTable(ctx, stx, dtx, t, progress); err != nil {
					return fmt.Errorf("table %s: %w", t.name, err)
				}
				copied = append(copied, CopiedTable{Name: t.name, Rows: t.rows})
			}
			if err := verifyCopy(ctx, stx, dtx, tables); err != nil {
				return err
			}
			if err := wakeTriggers(ctx, dtx, quieted); err != nil {
				return err
			}
			return resetIdentities(ctx, stx, dtx, tables)
		})
	})
	if err != nil {
		if _, ok := errors.AsType[*domain.Error](err); ok {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to copy %s to %s: %w", src.Path(), dst.Path(), err)
	}
	return copied, nil
}

// CopyProgress is told how far a copy is: rows done of the table's total,
// at its start (done 0) and after each batch.
type CopyProgress func(table string, done, total int64)

// CopiedTable is one table a copy filled, with its rows.
type CopiedTable struct {
	Name string
	Rows int64
}

// copyBatchRows is the rows of one INSERT: few round trips. A wide table
// takes fewer, within the parameters one PostgreSQL statement can have.
const (
	copyBatchRows = 1000
	maxParams     = 65535
)

// copyTableInfo is one table of a copy: its columns as SQLite has them,
// the type of each on the target, and what orders it among the others.
type copyTableInfo struct {
	name     string
	columns  []string
	pk       []string          // primary key columns (rowid tables: their INTEGER PRIMARY KEY)
	refs     []string          // the tables its foreign keys point to, itself excepted
	selfRefs []string          // columns with a foreign key to its own table
	fills    []string          // the tables its triggers write to
	filled   bool              // another table's trigger writes to it
	types    map[string]string // column → PostgreSQL data_type
	identity string            // the identity column on the target, if any
	rows     int64             // in the source's snapshot
}

// sqliteTables reads the tables to copy from the SQLite schema, ordered
// so that each comes after the tables it refers to and the tables whose
// triggers write to it (ties by name).
func sqliteTables(ctx context.Context, tx *sql.Tx) ([]*copyTableInfo, error) {
	// data_version is a counter of writes, not data (a sequence on
	// PostgreSQL): the target's own goes on from where it is.
	rows, err := tx.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT IN ('schema_migrations', 'data_version') ORDER BY name`)
	if err != nil {
		return nil, err
	}
	byName := map[string]*copyTableInfo{}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		byName[n] = &copyTableInfo{name: n}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, n := range names {
		t := byName[n]
		if err := t.describeSource(ctx, tx); err != nil {
			return nil, fmt.Errorf("table %s: %w", n, err)
		}
	}
	// A trigger's body names the tables it writes: INSERT INTO, UPDATE,
	// DELETE FROM (with OR IGNORE/REPLACE in SQLite's spelling).
	trows, err := tx.QueryContext(ctx, `SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'`)
	if err != nil {
		return nil, err
	}
	defer trows.Close()
	for trows.Next() {
		var on, body string
		if err := trows.Scan(&on, &body); err != nil {
			return nil, err
		}
		t := byName[on]
		if t == nil {
			continue
		}
		for _, m := range triggerWrites.FindAllStringSubmatch(body, -1) {
			w := strings.ToLower(strings.Trim(m[1], `"`))
			if w2 := byName[w]; w2 != nil && w != on && !slices.Contains(t.fills, w) {
				t.fills = append(t.fills, w)
				w2.filled = true
			}
		}
	}
	if err := trows.Err(); err != nil {
		return nil, err
	}
	// Depth-first: a table after everything it needs before it.
	var order []*copyTableInfo
	state := map[string]int{} // 1 visiting, 2 placed
	var visit func(n string) error
	visit = func(n string) error {
		switch state[n] {
		case 1:
			return fmt.Errorf("tables refer to each other in a cycle through %s", n)
		case 2:
			return nil
		}
		state[n] = 1
		var before []string
		before = append(before, byName[n].refs...)
		for _, o := range names {
			if slices.Contains(byName[o].fills, n) {
				before = append(before, o)
			}
		}
		slices.Sort(before)
		for _, b := range before {
			if byName[b] == nil {
				return fmt.Errorf("table %s refers to %s, which does not exist", n, b)
			}
			if err := visit(b); err != nil {
				return err
			}
		}
		state[n] = 2
		order = append(order, byName[n])
		return nil
	}
	for _, n := range names {
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	return order, nil
}

var triggerWrites = regexp.MustCompile(`(?i)\b(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+("?\w+"?)`)

// describeSource reads a SQLite table's columns, primary key and foreign
// keys.
func (t *copyTableInfo) describeSource(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT name, pk FROM pragma_table_info(?) ORDER BY cid`, t.name)
	if err != nil {
		return err
	}
	type pkCol struct {
		name string
		pos  int
	}
	var pks []pkCol
	for rows.Next() {
		var c string
		var pk int
		if err := rows.Scan(&c, &pk); err != nil {
			rows.Close()
			return err
		}
		t.columns = append(t.columns, c)
		if pk > 0 {
			pks = append(pks, pkCol{c, pk})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	slices.SortFunc(pks, func(a, b pkCol) int { return a.pos - b.pos })
	for _, p := range pks {
		t.pk = append(t.pk, p.name)
	}
	frows, err := tx.QueryContext(ctx, `SELECT "table", "from" FROM pragma_foreign_key_list(?)`, t.name)
	if err != nil {
		return err
	}
	defer frows.Close()
	for frows.Next() {
		var ref, from string
		if err := frows.Scan(&ref, &from); err != nil {
			return err
		}
		switch {
		case strings.EqualFold(ref, t.name):
			t.selfRefs = append(t.selfRefs, from)
		case !slices.Contains(t.refs, ref):
			t.refs = append(t.refs, ref)
		}
	}
	return frows.Err()
}

// describeTarget reads the PostgreSQL types of the table's columns and its
// identity column, and checks that every column of the source has a place.
func (t *copyTableInfo) describeTarget(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT column_name, data_type, is_identity FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = ?`, t.name)
	if err != nil {
		return err
	}
	defer rows.Close()
	t.types = map[string]string{}
	for rows.Next() {
		var c, typ, ident string
		if err := rows.Scan(&c, &typ, &ident); err != nil {
			return err
		}
		t.types[c] = typ
		if ident == "YES" {
			t.identity = c
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(t.types) == 0 {
		return domain.Errorf(domain.EINVALID, "table %s of the SQLite database has no counterpart in the PostgreSQL one", t.name)
	}
	for _, c := range t.columns {
		if _, ok := t.types[c]; !ok {
			return domain.Errorf(domain.EINVALID, "column %s.%s of the SQLite database has no counterpart in the PostgreSQL one", t.name, c)
		}
	}
	return nil
}

// checkEmpty refuses a target with rows in any table but those only
// triggers fill (a counter a migration starts, day lists): a copy adds to
// nothing, or the ids it keeps would collide with rows already there.
func checkEmpty(ctx context.Context, tx *sql.Tx, tables []*copyTableInfo) error {
	for _, t := range tables {
		if t.filled {
			continue
		}
		var any bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+quoteIdent(t.name)+`)`).Scan(&any); err != nil {
			return err
		}
		if any {
			return domain.Errorf(domain.ECONFLICT, "the PostgreSQL database is not empty (table %s has rows): copy fills an empty database only; "+
				"create a new one (CREATE DATABASE), or drop this one's data first", t.name)
		}
	}
	return nil
}

// copyTable copies one table's rows in batches. Rows the target's triggers
// wrote into it while earlier tables were copied go first. Columns that
// refer to the table itself are filled in after all its rows are there,
// since a row may point to one that comes after it.
func copyTable(ctx context.Context, stx, dtx *sql.Tx, t *copyTableInfo, progress CopyProgress) error {
	progress(t.name, 0, t.rows)
	if t.filled {
		if _, err := dtx.ExecContext(ctx, `DELETE FROM `+quoteIdent(t.name)); err != nil {
			return err
		}
	}
	cols := make([]string, len(t.columns))
	for i, c := range t.columns {
		cols[i] = quoteIdent(c)
	}
	rows, err := stx.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+quoteIdent(t.name))
	if err != nil {
		return err
	}
	defer rows.Close()
	perBatch := min(copyBatchRows, maxParams/len(cols))
	insert := func(n int) string { return insertRowsSQL(t.name, cols, n) }
	var full *sql.Stmt // the statement of a whole batch, prepared at the first one
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	selfAt := map[string]int{}
	for _, c := range t.selfRefs {
		selfAt[c] = slices.Index(t.columns, c)
	}
	var later [][]any // self references: the row's key, then each column's value
	args := make([]any, 0, perBatch*len(cols))
	var done int64
	flush := func() error {
		n := len(args) / len(cols)
		if n == 0 {
			return nil
		}
		var err error
		if n == perBatch {
			if full == nil {
				if full, err = dtx.PrepareContext(ctx, insert(perBatch)); err != nil {
					return err
				}
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = dtx.ExecContext(ctx, insert(n), args...)
		}
		if err != nil {
			return err
		}
		done += int64(n)
		progress(t.name, done, t.rows)
		args = args[:0]
		return nil
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if self := takeSelfRefs(t, vals, selfAt); self != nil {
			later = append(later, self)
		}
		for i, c := range t.columns {
			v, err := toPostgres(vals[i], t.types[c])
			if err != nil {
				return fmt.Errorf("column %s: %w", c, err)
			}
			args = append(args, v)
		}
		if len(args) == perBatch*len(cols) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	if err := setSelfRefs(ctx, dtx, t, later); err != nil {
		return err
	}
	if done != t.rows {
		return fmt.Errorf("read %d rows, the snapshot counts %d", done, t.rows)
	}
	return nil
}

// takeSelfRefs moves the values of a row's columns that refer to its own
// table out of vals (they are inserted as NULL) and returns the row's key
// followed by each such column and its value, or nil when it has none.
func takeSelfRefs(t *copyTableInfo, vals []any, selfAt map[string]int) []any {
	var self []any
	for _, c := range t.selfRefs {
		if v := vals[selfAt[c]]; v != nil {
			if self == nil {
				self = keyOf(t, vals)
			}
			self = append(self, c, v)
			vals[selfAt[c]] = nil
		}
	}
	return self
}

// insertRowsSQL is the INSERT of n rows of the named columns into table.
func insertRowsSQL(table string, cols []string, n int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	return `INSERT INTO ` + quoteIdent(table) + ` (` + strings.Join(cols, ", ") + `) VALUES ` +
		strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// setSelfRefs fills in the columns that refer to t itself once all its rows
// are there. Each of later is a row's key, then pairs of column and value.
func setSelfRefs(ctx context.Context, dtx *sql.Tx, t *copyTableInfo, later [][]any) error {
	where := make([]string, len(t.pk))
	for i, c := range t.pk {
		where[i] = quoteIdent(c) + " = ?"
	}
	for _, l := range later {
		key, sets := l[:len(t.pk)], l[len(t.pk):]
		for i := 0; i+1 < len(sets); i += 2 {
			c := sets[i].(string)
			v, err := toPostgres(sets[i+1], t.types[c])
			if err != nil {
				return fmt.Errorf("column %s: %w", c, err)
			}
			if _, err := dtx.ExecContext(ctx, `UPDATE `+quoteIdent(t.name)+` SET `+quoteIdent(c)+` = ? WHERE `+strings.Join(where, " AND "),
				append([]any{v}, key...)...); err != nil {
				return err
			}
		}
	}
	return nil
}

// keyOf returns a row's primary key values, converted for the target.
func keyOf(t *copyTableInfo, vals []any) []any {
	key := make([]any, len(t.pk))
	for i, c := range t.pk {
		key[i], _ = toPostgres(vals[slices.Index(t.columns, c)], t.types[c])
	}
	return key
}

// toPostgres converts a value as SQLite gives it for a column of the
// PostgreSQL type typ: SQLite keeps flags as integers and may hand a blob
// back as text, or an integral real as an integer.
func toPostgres(v any, typ string) (any, error) {
	switch typ {
	case "boolean":
		switch x := v.(type) {
		case int64:
			return x != 0, nil
		case float64:
			return x != 0, nil
		case string:
			switch strings.ToLower(x) {
			case "1", "true", "t":
				return true, nil
			case "0", "false", "f":
				return false, nil
			}
			return nil, fmt.Errorf("%q is not a flag", x)
		}
	case "bytea":
		if s, ok := v.(string); ok {
			return []byte(s), nil
		}
	case "text":
		if b, ok := v.([]byte); ok {
			return string(b), nil
		}
	case "bigint", "integer", "smallint":
		if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			return int64(f), nil
		}
	case "double precision", "real":
		if i, ok := v.(int64); ok {
			return float64(i), nil
		}
	}
	return v, nil
}

// verifyCopy checks, inside the copy's transaction, that every table has
// as many rows on the target as in the source's snapshot and that every
// floating-point column sums the same, within 1e-9 of the sum of the
// magnitudes (the two engines add in different orders).
func verifyCopy(ctx context.Context, stx, dtx *sql.Tx, tables []*copyTableInfo) error {
	for _, t := range tables {
		sel := []string{"COUNT(*)"}
		var floats []string
		for _, c := range t.columns {
			if typ := t.types[c]; typ == "double precision" || typ == "real" {
				floats = append(floats, c)
				sel = append(sel, "COALESCE(SUM("+quoteIdent(c)+"), 0)", "COALESCE(SUM(ABS("+quoteIdent(c)+")), 0)")
			}
		}
		q := `SELECT ` + strings.Join(sel, ", ") + ` FROM ` + quoteIdent(t.name)
		read := func(tx *sql.Tx) (int64, []float64, error) {
			var n int64
			sums := make([]float64, 2*len(floats))
			dst := []any{&n}
			for i := range sums {
				dst = append(dst, &sums[i])
			}
			err := tx.QueryRowContext(ctx, q).Scan(dst...)
			return n, sums, err
		}
		sn, ssums, err := read(stx)
		if err != nil {
			return err
		}
		dn, dsums, err := read(dtx)
		if err != nil {
			return err
		}
		if sn != dn {
			return fmt.Errorf("table %s: %d rows copied, the source has %d", t.name, dn, sn)
		}
		for i, c := range floats {
			s, d := ssums[2*i], dsums[2*i]
			if s != d && !(math.Abs(s-d) <= 1e-9*max(ssums[2*i+1], dsums[2*i+1])) {
				return fmt.Errorf("table %s: column %s sums to %v on the copy, %v in the source", t.name, c, d, s)
			}
		}
	}
	return nil
}

// resetIdentities makes each identity sequence of the target continue
// after the copied ids, and after any id SQLite's AUTOINCREMENT handed out
// (sqlite_sequence), so that no id is given twice.
func resetIdentities(ctx context.Context, stx, dtx *sql.Tx, tables []*copyTableInfo) error {
	used := map[string]int64{}
	var hasSeq bool
	if err := stx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence')`).Scan(&hasSeq); err != nil {
		return err
	}
	if hasSeq {
		rows, err := stx.QueryContext(ctx, `SELECT name, seq FROM sqlite_sequence`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var n string
			var s int64
			if err := rows.Scan(&n, &s); err != nil {
				rows.Close()
				return err
			}
			used[n] = s
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for _, t := range tables {
		if t.identity == "" {
			continue
		}
		var top int64
		if err := dtx.QueryRowContext(ctx, `SELECT COALESCE(MAX(`+quoteIdent(t.identity)+`), 0) FROM `+quoteIdent(t.name)).Scan(&top); err != nil {
			return err
		}
		if _, err := dtx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence(?, ?), ?, false)`,
			quoteIdent(t.name), t.identity, max(top, used[t.name])+1); err != nil {
			return fmt.Errorf("table %s: sequence: %w", t.name, err)
		}
	}
	return nil
}

// quoteIdent quotes a table or column name for either backend.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// quietTriggers turns off, for the copy's transaction, the triggers of the
// target's tables that this role owns, and returns those tables. The
// triggers keep derived rows (stale-day lists, day digests, the alert-day
// counter) in step with a table's changes; the copy brings those rows from
// the source as they are, so firing them adds nothing but work — and in
// one long transaction each row's trigger rewrites the same few day rows,
// whose dead versions pile up: activities went in at about a thousand
// rows a second. ALTER TABLE is transactional: a failed copy leaves them
// on. Tables owned by another role (a target migrated by someone else)
// keep their triggers, which is slower and as correct.
func quietTriggers(ctx context.Context, dtx *sql.Tx) ([]string, error) {
	rows, err := dtx.QueryContext(ctx, `SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
		WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace AND pg_has_role(c.relowner, 'USAGE')
		ORDER BY c.relname`)
	if err != nil {
		return nil, err
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return nil, err
		}
		tables = append(tables, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, t := range tables {
		if _, err := dtx.ExecContext(ctx, `ALTER TABLE `+quoteIdent(t)+` DISABLE TRIGGER USER`); err != nil {
			return nil, err
		}
	}
	return tables, nil
}

// wakeTriggers turns back on what quietTriggers turned off, before the
// copy commits: no one ever sees the tables without them.
func wakeTriggers(ctx context.Context, dtx *sql.Tx, tables []string) error {
	for _, t := range tables {
		if _, err := dtx.ExecContext(ctx, `ALTER TABLE `+quoteIdent(t)+` ENABLE TRIGGER USER`); err != nil {
			return err
		}
	}
	return nil
}
