// Package data is the SQLite implementation of EcoPulse's store: it keeps the
// domain package's types in one database file, with embedded numbered
// migrations, and answers the questions the scoring job, the collectors and
// the pages ask of it, each in one transaction.
//
// data imports domain and none of EcoPulse's other packages.
package data

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ecopulse/ecopulse/domain"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// DB is EcoPulse's store. Following PocketBase, it holds two handles on the
// same SQLite file: a one-connection writer, so writers queue in Go instead of
// failing with "database is locked", and a pooled, query-only reader, so a
// page never waits for a job that writes (WAL lets readers run beside it).
//
// On PostgreSQL (a postgres:// URL, postgres.go) both handles are pools on
// the server; dialect holds what differs (dialect.go).
type DB struct {
	path    string
	dialect dialect
	write   *sql.DB
	read    *reader // counts the reads begun (reads.go)
	// version counts committed data writes of this process (housekeeping
	// such as sessions and the audit log excluded), per kind of data
	// (dataKinds); cluster follows the data versions all processes on the
	// database advance (cluster_version.go). Caches of what pages show key
	// on Version, which combines them.
	version [len(dataKinds)]atomic.Uint64
	usage   usageStmts // prepared rollup upserts (usage_stmts.go)

	cluster clusterVersion
	// revocations counts the calls of RevokeToken through this DB: token
	// cache entries made before the latest one are not trusted.
	revocations atomic.Uint64
}

// dsn builds a modernc DSN. Pragmas go in the DSN so that every pooled
// connection gets them (an Exec would reach one connection only).
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
		// 8 MiB per reader (SQLite's default is 2): a scoring window or a
		// cold page build re-reads index pages a 2 MiB cache has evicted,
		// and each miss is a pread system call.
		q.Add("_pragma", "cache_size(-8192)")
	} else {
		// IMMEDIATE takes the write lock at BEGIN, so a transaction that
		// reads then writes cannot fail half-way with "database is locked"
		// (a DEFERRED one does, busy timeout or not).
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path — a SQLite file, or
// a postgres:// URL — and applies pending migrations.
func Open(ctx context.Context, path string) (*DB, error) {
	db, err := OpenNoMigrate(path)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	// The shared data versions, read now rather than by the first page
	// request: found then, what was written before this process opened
	// would move Version under the requests already keyed (the page cache
	// would build one page twice).
	db.cluster.refresh(db, time.Now(), true)
	return db, nil
}

// OpenNoMigrate opens the database without touching its schema.
func OpenNoMigrate(path string) (*DB, error) {
	if path == "" {
		return nil, domain.Errorf(domain.EINVALID, "database path is empty")
	}
	if IsPostgresURL(path) {
		return openPostgres(path)
	}
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("store: unable to open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	if err := pingSQLite(w); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: unable to open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: unable to open %s for reading: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	return &DB{path: path, dialect: sqliteDialect, write: w, read: &reader{DB: r}}, nil
}

// sqliteOpenWait bounds how long opening a SQLite file tries again while
// another process holds it to itself (see pingSQLite): the busy timeout
// of the DSN's pragmas.
const sqliteOpenWait = 10 * time.Second

// pingSQLite makes the first connection of a SQLite handle, running the
// DSN's pragmas. Turning a new file to WAL needs the file to itself for a
// moment, and a process opening the same new file meanwhile (replicas, or
// a serve and a cron'd import, starting together) gets SQLITE_BUSY at
// once, without the busy timeout's wait; it tries again, waiting a little
// longer each time, for at most sqliteOpenWait.
func pingSQLite(db *sql.DB) error {
	deadline := time.Now().Add(sqliteOpenWait)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		err := db.Ping()
		if err == nil || !isSQLiteBusy(err) || time.Now().Add(wait).After(deadline) {
			return err
		}
		t := time.NewTimer(wait)
		<-t.C
	}
}

// OpenSQL opens the database at target (a SQLite file or a postgres://
// URL) as a plain database/sql handle, outside the store's methods and its
// writer: its queries are written as the store's are, with "?"
// placeholders on both backends. It stands for another process or a fault
// that reaches the rows directly, in tests and tools.
func OpenSQL(target string) (*sql.DB, error) {
	if IsPostgresURL(target) {
		return openPostgresPool(target, false)
	}
	db, err := sql.Open("sqlite", dsn(target, false))
	if err != nil {
		return nil, fmt.Errorf("store: unable to open %s: %w", target, err)
	}
	if err := pingSQLite(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: unable to open %s: %w", target, err)
	}
	return db, nil
}

// Backend is "sqlite" or "postgres".
func (db *DB) Backend() string { return db.dialect.Name() }

// Path returns the database file path, or its URL without the password.
func (db *DB) Path() string { return db.path }

// Close closes both handles.
func (db *DB) Close() error {
	db.usage.close()
	rerr := db.read.Close()
	if err := db.write.Close(); err != nil {
		return fmt.Errorf("store: unable to close: %w", err)
	}
	return rerr
}

// Migration is one embedded, numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// migrated reports whether every migration is recorded as applied, from a
// read (false when it cannot tell: the write path then checks each one).
func (db *DB) migrated(ctx context.Context, migs []Migration) bool {
	rows, err := db.read.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return false // no table yet
	}
	defer rows.Close()
	have := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return false
		}
		have[v] = true
	}
	if rows.Err() != nil {
		return false
	}
	for _, m := range migs {
		if !have[m.Version] {
			return false
		}
	}
	return true
}

// Migrations returns the embedded migrations of a backend ("sqlite" or
// "postgres") in order.
func Migrations(backend string) ([]Migration, error) {
	dir := "migrations/" + backend
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("store: migration %q is not named NNNN_name.sql", name)
		}
		body, err := fs.ReadFile(migrationFS, dir+"/"+name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: strings.TrimSuffix(name, ".sql"), SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("store: two migrations numbered %d", out[i].Version)
		}
	}
	return out, nil
}

// Migrate applies the migrations not yet recorded in schema_migrations, each
// in its own transaction, and returns the names of those it applied. On
// PostgreSQL each transaction first takes the migration lock (an advisory
// lock), so that replicas starting together migrate once: the second waits,
// then finds the version recorded.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	migs, err := Migrations(db.dialect.Name())
	if err != nil {
		return nil, err
	}
	// Most opens find the schema current: a read says so without the write
	// lock, so a CLI command (a backup, an export) does not queue behind a
	// running import or server just to learn there is nothing to do.
	if db.migrated(ctx, migs) {
		return nil, nil
	}
	if err := db.housekeepingTx(ctx, func(tx *sql.Tx) error {
		if err := db.dialect.lockMigrations(ctx, tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at BIGINT NOT NULL)`)
		return err
	}); err != nil {
		return nil, fmt.Errorf("store: unable to create schema_migrations: %w", err)
	}
	var applied []string
	for _, m := range migs {
		err := db.migrationTx(ctx, func(tx *sql.Tx) error {
			if err := db.dialect.lockMigrations(ctx, tx); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, time.Now().Unix()); err != nil {
				return err
			}
			applied = append(applied, m.Name)
			return nil
		})
		if err != nil {
			return applied, fmt.Errorf("store: unable to migrate: %w", err)
		}
	}
	return applied, nil
}

// SchemaVersion returns the highest applied migration version (0 if none).
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: unable to read schema version: %w", err)
	}
	return int(v.Int64), nil
}

// SchemaCurrent reports whether the database has every migration this
// build knows: its schema version is at least the newest embedded one
// (a newer schema, from a newer build that migrated first, counts as
// current: migrations only add). A database without schema_migrations is
// an error, as for SchemaVersion.
func (db *DB) SchemaCurrent(ctx context.Context) (bool, error) {
	migs, err := Migrations(db.dialect.Name())
	if err != nil {
		return false, err
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return false, err
	}
	return len(migs) == 0 || v >= migs[len(migs)-1].Version, nil
}

// writeTx runs fn in one write transaction: committed if fn returns nil,
// rolled back otherwise. Every store method that writes data goes through
// here (the usage writes through usageTx): it moves Version, and advances
// the data version the processes on the database share
// (dialect.advanceDataVersion: in the transaction on SQLite, right after
// its commit on PostgreSQL).
func (db *DB) writeTx(ctx context.Context, fn func(*sql.Tx) error) error {
	return db.versionedTx(ctx, nil, fn)
}

// versionedTx is writeTx. A usage write (w not nil) advances the usage
// version (UsageData); the members' usage version (MemberUsageData) when
// it changed what a member's page shows (usageWrite.forMembers); and the
// other one (OtherData) only when it moved the first or last day of usage,
// which pages that show no usage still say (usageWrite.movesSpan).
func (db *DB) versionedTx(ctx context.Context, w *usageWrite, fn func(*sql.Tx) error) error {
	var advance [len(dataKinds)]bool // in dataKinds' order
	advance[kindOther] = w == nil
	var inTx, afterCommit string
	var v [len(dataKinds)]int64
	err := db.housekeepingTx(ctx, func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if w != nil {
			advance[kindOther] = w.movesSpan()
			advance[kindUsage] = true
			var err error
			if advance[kindMemberUsage], err = w.forMembers(ctx, tx); err != nil {
				return err
			}
		}
		inTx, afterCommit = db.dialect.advanceDataVersion(advance)
		if inTx == "" {
			return nil
		}
		return tx.QueryRowContext(ctx, inTx).Scan(&v[0], &v[1], &v[2])
	})
	if err != nil {
		return err
	}
	if afterCommit != "" {
		// The write is committed whatever happens here: should the version
		// not advance (a lost connection, a crash in between), the other
		// replicas see the write when their cached pages expire
		// (app/pagecache.go's TTL), as before there was a shared version.
		if db.write.QueryRowContext(context.WithoutCancel(ctx), afterCommit).Scan(&v[0], &v[1], &v[2]) != nil {
			v = [len(dataKinds)]int64{}
		}
	}
	for i, advanced := range advance {
		if !advanced {
			continue // the value read back is not this write's: not seen here
		}
		if v[i] > 0 {
			db.cluster.see(i, uint64(v[i])) // this process's own write: counted below, once
		}
		db.version[i].Add(1)
	}
	return nil
}

// usageSpan is the first and last day of usage (api_usage_daily's buckets),
// nulls when there is none.
type usageSpan struct{ first, last sql.NullInt64 }

// readUsageSpan reads the usage's day range in tx: two seeks of the daily
// table's leading index column, as DataRange's (TestDataRangeSeeks).
func readUsageSpan(ctx context.Context, tx *sql.Tx) (usageSpan, error) {
	var s usageSpan
	err := tx.QueryRowContext(ctx, `SELECT (SELECT MIN(bucket) FROM api_usage_daily), (SELECT MAX(bucket) FROM api_usage_daily)`).Scan(&s.first, &s.last)
	return s, err
}

// migrationTx is writeTx for a migration: the shared data version may not
// exist yet (migration 0025 makes it), so only this process's moves.
func (db *DB) migrationTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if err := db.housekeepingTx(ctx, fn); err != nil {
		return err
	}
	for i := range db.version {
		db.version[i].Add(1)
	}
	return nil
}

// housekeepingTx is writeTx for writes no page shows (sessions, the audit
// log, token use): they leave Version alone, so caches stay warm.
func (db *DB) housekeepingTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return classify(err)
	}
	return classify(tx.Commit())
}

// readTx runs fn in one read transaction, so that the several queries of one
// question see one consistent snapshot of the database.
func (db *DB) readTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if tx := snapshotOf(ctx); tx != nil { // inside a Snapshot: its transaction
		return fn(tx)
	}
	tx, err := db.read.BeginTx(ctx, db.dialect.readTxOptions())
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

// IntegrityCheck runs PRAGMA integrity_check and returns its first line ("ok").
//
// PostgreSQL has no equivalent short of the amcheck extension (which a
// superuser installs): the server guards its own pages (its write-ahead
// log; checksums when the cluster was made with them). There the check
// says "ok" when the server answers and no index of the database is left
// invalid (by a failed concurrent build), and names those that are.
func (db *DB) IntegrityCheck(ctx context.Context) (string, error) {
	q := `PRAGMA integrity_check`
	if db.dialect.postgres {
		q = `SELECT COALESCE('invalid indexes: ' || string_agg(indexrelid::regclass::text, ', ' ORDER BY indexrelid::regclass::text), 'ok')
			FROM pg_index WHERE NOT indisvalid`
	}
	var s string
	if err := db.read.QueryRowContext(ctx, q).Scan(&s); err != nil {
		return "", fmt.Errorf("store: unable to check integrity: %w", err)
	}
	return s, nil
}

// Backup writes a consistent copy of the database to path (VACUUM INTO).
// A PostgreSQL database is refused, saying what backs it up instead: its
// server's tools do it better than a copy through this process could
// (they keep roles, sequences and a running archive).
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect.postgres {
		return domain.Errorf(domain.EINVALID, "backup copies SQLite databases only: back up PostgreSQL with its own tools, "+
			"pg_dump for a copy (pg_dump --format=custom --file=FILE 'postgres://…'; restore with pg_restore) "+
			"or continuous archiving for point-in-time recovery (PITR) of a running server")
	}
	if _, err := db.write.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("store: unable to back up to %s: %w", path, err)
	}
	return nil
}

func dateStr(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(domain.DateLayout)
}

func nullDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(domain.DateLayout)
}

func parseDate(s sql.NullString) time.Time {
	if !s.Valid || s.String == "" {
		return time.Time{}
	}
	t, _ := time.Parse(domain.DateLayout, s.String)
	return t
}

func nullInt(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// insertRow runs an INSERT of one row and returns the id the database gave
// it (RETURNING id, which both backends accept; database/sql's
// LastInsertId is SQLite's alone).
func insertRow(ctx context.Context, tx *sql.Tx, query string, args ...any) (int64, error) {
	var id int64
	if err := tx.QueryRowContext(ctx, query+" RETURNING id", args...).Scan(&id); err != nil {
		return 0, err
	}
	return id, nil
}
