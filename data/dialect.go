package data

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ecopulse/ecopulse/domain"
)

// dialect is what differs between the store's two backends, and nothing
// else: the store's methods and their SQL are one set. Queries are written
// once with "?" placeholders (rewritten for PostgreSQL by its driver
// wrapper, rebind.go) and in the SQL both accept: RETURNING instead of
// LastInsertId, ON CONFLICT upserts, TRUE and FALSE; where the two differ,
// through the helpers below.
type dialect struct {
	postgres bool
}

var (
	sqliteDialect   = dialect{}
	postgresDialect = dialect{postgres: true}
)

// Name is "sqlite" or "postgres", as the migrations' folders are named.
func (d dialect) Name() string {
	if d.postgres {
		return "postgres"
	}
	return "sqlite"
}

// IsPostgresURL reports whether a --db value names a PostgreSQL database
// rather than a SQLite file.
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// readTxOptions: a read transaction sees one snapshot of the database. On
// SQLite every transaction does (WAL); on PostgreSQL that takes REPEATABLE
// READ — READ COMMITTED takes a new snapshot per statement.
func (d dialect) readTxOptions() *sql.TxOptions {
	if d.postgres {
		return &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	return &sql.TxOptions{ReadOnly: true}
}

// sumCount sums an integer column as a count that saturates at int64's
// maximum, 0 over no rows: SQLite's SUM fails with "integer overflow" on a
// damaged or hostile row, so it takes TOTAL (a float) brought back under
// the maximum; PostgreSQL's SUM of a BIGINT is NUMERIC and never
// overflows, LEAST brings it under the maximum before the cast.
func (d dialect) sumCount(x string) string {
	if d.postgres {
		return "CAST(LEAST(COALESCE(SUM(" + x + "), 0), " + maxInt64SQL + ") AS BIGINT)"
	}
	return "CAST(MIN(TOTAL(" + x + "), " + maxInt64SQL + ") AS INTEGER)"
}

// idList returns a subquery of the ids and its one argument, for
// "x IN (subquery)" over any number of ids (an IN list of placeholders meets
// the backends' limits on parameters): SQLite reads them from a JSON array
// (json_each), PostgreSQL from an array literal (unnest).
func (d dialect) idList(ids []int64) (subquery string, arg string) {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	if d.postgres {
		return "SELECT unnest(CAST(CAST(? AS TEXT) AS BIGINT[]))", "{" + b.String() + "}"
	}
	return "SELECT value FROM json_each(?)", "[" + b.String() + "]"
}

// healthList aggregates a group of score rows into one text of "member_id
// health" pairs separated by spaces, in any order, each health as the text
// that reads back as the same float (both backends' own REAL-to-text does;
// SQLite's printf would cut it to 16 digits: TestMemberHealthOnDays).
func (d dialect) healthList() string {
	if d.postgres {
		return "string_agg(CAST(member_id AS TEXT) || ' ' || CAST(health AS TEXT), ' ')"
	}
	return "group_concat(member_id || ' ' || health, ' ')"
}

// forUpdate ends a SELECT that locks the rows it reads until the
// transaction ends, on PostgreSQL, where writers run at once; SQLite's
// write transactions already exclude each other (BEGIN IMMEDIATE). The
// lock is the one an UPDATE that leaves the row's keys alone takes (FOR NO
// KEY UPDATE): two lockers, or a locker and such an UPDATE, wait for each
// other, but an insert whose foreign key names the row does not wait for
// it, as it does not for that UPDATE (FOR UPDATE would make it wait, and
// could make a writer already holding other locks deadlock with it).
func (d dialect) forUpdate() string {
	if d.postgres {
		return " FOR NO KEY UPDATE"
	}
	return ""
}

// lockKey serialises, on PostgreSQL, the transactions that lock the same
// key: an advisory lock on the key's hash, held until tx ends (two keys
// with one hash wait for each other needlessly, never wrongly). SQLite's
// write transactions already exclude each other.
func (d dialect) lockKey(ctx context.Context, tx *sql.Tx, key string) error {
	if !d.postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext(?))`, key)
	return err
}

// The cluster's data versions (cluster_version.go) are sequences on
// PostgreSQL and the columns of a one-row table on SQLite (migrations 0025
// and 0038): data_version for every write but the usage writes that leave
// the usage's day range as it was, usage_version for the usage writes.
//
// advanceDataVersion returns the statement that advances the versions a
// write moves (advance, in dataKinds' order: data_version, usage_version,
// member_usage_version), returning the three new values (0 for one it
// leaves): inTx runs as the last statement of a write transaction (SQLite:
// the row's new values show when the write commits, and the file's one
// writer means no writer waits on the row), afterCommit right after the
// commit (PostgreSQL: nextval never waits for another transaction, but its
// value shows at once, before the write commits — a replica reading it
// then would cache pages of the data before the write under the new
// version). Each backend has one of the two.
func (d dialect) advanceDataVersion(advance [len(dataKinds)]bool) (inTx, afterCommit string) {
	if d.postgres {
		vals := make([]string, len(dataKinds))
		for i, name := range versionNames {
			vals[i] = "0"
			if advance[i] {
				vals[i] = "nextval('" + name + "')"
			}
		}
		return "", "SELECT " + strings.Join(vals, ", ")
	}
	var set []string
	for i, name := range versionColumns {
		if advance[i] {
			set = append(set, name+" = "+name+" + 1")
		}
	}
	if len(set) == 0 {
		return "", ""
	}
	return `UPDATE data_version SET ` + strings.Join(set, ", ") + ` WHERE id = 1 RETURNING ` + strings.Join(versionColumns[:], ", "), ""
}

// versionNames are the shared versions in dataKinds' order: PostgreSQL's
// sequences; versionColumns the columns of SQLite's data_version row.
var (
	versionNames   = [len(dataKinds)]string{"data_version", "usage_version", "member_usage_version"}
	versionColumns = [len(dataKinds)]string{"version", "usage_version", "member_usage_version"}
)

// readDataVersion returns the query of the cluster's data versions, in
// dataKinds' order: a sequence's last_value is read without a lock and
// without a transaction (0 before the first nextval, which returns the
// last_value a new sequence already shows).
func (d dialect) readDataVersion() string {
	if d.postgres {
		vals := make([]string, len(dataKinds))
		for i, name := range versionNames {
			vals[i] = "(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM " + name + ")"
		}
		return "SELECT " + strings.Join(vals, ", ")
	}
	return `SELECT ` + strings.Join(versionColumns[:], ", ") + ` FROM data_version WHERE id = 1`
}

// relaxCommit lets tx commit without waiting for its log to reach the disk,
// on PostgreSQL, for a counter whose loss in a crash costs nothing (a rate
// budget's count): the row lock it holds is released as soon as it commits,
// not one disk flush later, so requests counted on one key do not queue
// behind each other's flushes. SQLite's writes already commit without a
// sync (synchronous=NORMAL in WAL).
func (d dialect) relaxCommit(ctx context.Context, tx *sql.Tx) error {
	if !d.postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit = off`)
	return err
}

// skipLocked ends a sub-SELECT of rows to delete on the way (a bounded
// purge) on PostgreSQL: the rows another transaction holds are skipped,
// left to a later purge, so that two purges never wait for each other
// (nor deadlock over rows each has written). SQLite's one writer holds
// them all.
func (d dialect) skipLocked() string {
	if d.postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// classify turns a backend's constraint errors into the store's error
// codes: a unique violation is ECONFLICT on both backends, however the
// racing write reached it.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*domain.Error](err); ok {
		return err
	}
	if isUniqueViolation(err) {
		return domain.Errorf(domain.ECONFLICT, "already exists: %v", err)
	}
	return err
}

// isUniqueViolation reports whether err is a unique (or primary key)
// constraint failure of either backend.
func isUniqueViolation(err error) bool {
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pe.Code == "23505"
	}
	if se, ok := errors.AsType[*sqlite.Error](err); ok {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// migrationLock is the advisory lock key under which PostgreSQL migrations
// run (an arbitrary constant: "ecopulse" in ASCII, folded to 63 bits).
const migrationLock = 0x65636f70756c7365 & (1<<63 - 1)

// lockMigrations serialises migrations across processes: on PostgreSQL an
// advisory lock held until tx ends; SQLite's write transactions already
// exclude each other (BEGIN IMMEDIATE).
func (d dialect) lockMigrations(ctx context.Context, tx *sql.Tx) error {
	if !d.postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(migrationLock))
	return err
}

// isSQLiteBusy reports whether err is SQLite's "database is locked"
// (SQLITE_BUSY, or one of its extended codes).
func isSQLiteBusy(err error) bool {
	se, ok := errors.AsType[*sqlite.Error](err)
	return ok && se.Code()&0xff == sqlite3.SQLITE_BUSY
}
