package data

import (
	"context"
	"database/sql"
	"sync"

	"github.com/ecopulse/ecopulse/domain"
)

// Rows per upsert statement at most: 100 with latency histograms (47
// values a row), 500 without (7 values a row). Fewer, longer statements
// cost less per row (each Exec has a fixed cost in database/sql and the
// driver); both stay far under the backends' limits on parameters (SQLite's
// 32,766, PostgreSQL's 65,535).
const (
	usageRowsPerStatement     = 100
	usageRowsPerStatementBare = 500
	usageMaxArgs              = usageRowsPerStatement * (7 + domain.HistBuckets)
)

// usageStmtSizes returns the row counts of the prepared upsert statements:
// a write of n rows runs statements of the largest size and the remainder
// in powers of two, so that a handful of statements serves every batch size.
func usageStmtSizes(hist bool) []int {
	if hist {
		return stmtSizesHist
	}
	return stmtSizesBare
}

var (
	stmtSizesHist = []int{usageRowsPerStatement, 64, 32, 16, 8, 4, 2, 1}
	stmtSizesBare = []int{usageRowsPerStatementBare, 256, 128, 64, 32, 16, 8, 4, 2, 1}
)

// usageStmtKey names a statement of the usage writes: an upsert of rows
// rows into table (lookup zero), or one of usageWrite's lookups.
type usageStmtKey struct {
	table  string
	rows   int
	hist   bool
	lookup usageLookup
}

// usageLookup is a query a usage transaction asks besides its upserts
// (usageWrite): as frequent as the upserts, so kept prepared with them.
type usageLookup int

const (
	upsertRows         usageLookup = iota
	dayHeldCalls                   // whether a day holds calls (note)
	ownedConsumerIn                // whether one of rows consumers is a member's (forMembers)
	consumerByKey                  // a consumer's id (newConsumersOf)
	consumersCreatedBy             // how many consumers a token created since a time (newConsumersOf)
)

// text is the statement's SQL.
func (k usageStmtKey) text() string {
	switch k.lookup {
	case dayHeldCalls:
		return `SELECT EXISTS (SELECT 1 FROM api_usage_daily WHERE bucket = ? AND calls > 0)`
	case ownedConsumerIn:
		return `SELECT EXISTS (SELECT 1 FROM api_consumers WHERE member_id IS NOT NULL AND id IN (` + placeholders(k.rows) + `))`
	case consumerByKey:
		return `SELECT id FROM api_consumers WHERE key = ?`
	case consumersCreatedBy:
		return `SELECT COUNT(*) FROM api_consumers WHERE created_by_token = ? AND created_at >= ?`
	}
	return usageUpsertSQL(k.table, k.rows, k.hist)
}

// usageStmts keeps the rollup upserts (and usageWrite's lookups) prepared
// on the writer for the life of the store. Preparing them per transaction
// (a 100-row, 47-column statement is some 14 kB of SQL) was most of the
// cost of a small push batch. A statement can only be prepared on the
// writer outside a transaction (the writer has one connection), so a
// transaction that needs one not prepared yet prepares it for itself and
// asks for it to be prepared after the commit (usageTx).
type usageStmts struct {
	mu      sync.Mutex
	stmts   map[usageStmtKey]*sql.Stmt
	pending map[usageStmtKey]bool
}

// usageTx is writeTx for the usage writes: fn gets the prepared upserts,
// and the ones it had to prepare for itself are prepared on the writer
// after the commit, for the next transaction. It advances the usage
// version, the members' usage version when it changes what a member's
// page shows, and the others' only when it moves the usage's first or last
// day (versionedTx).
func (db *DB) usageTx(ctx context.Context, fn func(tx *sql.Tx, st *usageWrite) error) error {
	w := newUsageWrite(&db.usage)
	err := db.versionedTx(ctx, w, func(tx *sql.Tx) error { return fn(tx, w) })
	if db.usage.hasPending() {
		db.usage.preparePending(context.WithoutCancel(ctx), db.write)
	}
	return err
}

// stmt returns the upsert of key for tx.
func (u *usageStmts) stmt(ctx context.Context, tx *sql.Tx, key usageStmtKey) (*sql.Stmt, error) {
	if u != nil {
		u.mu.Lock()
		s := u.stmts[key]
		if s == nil {
			if u.pending == nil {
				u.pending = map[usageStmtKey]bool{}
			}
			u.pending[key] = true
		}
		u.mu.Unlock()
		if s != nil {
			return tx.StmtContext(ctx, s), nil
		}
	}
	return tx.PrepareContext(ctx, key.text())
}

// preparePending prepares on w the statements transactions asked for. A
// failure is not an error: those transactions prepare for themselves. The
// lock is not held while preparing: preparing waits for the writer's one
// connection, which a transaction asking for a statement may hold.
func (u *usageStmts) preparePending(ctx context.Context, w *sql.DB) {
	u.mu.Lock()
	var keys []usageStmtKey
	for key := range u.pending {
		keys = append(keys, key)
	}
	u.pending = nil
	u.mu.Unlock()
	for _, key := range keys {
		s, err := w.PrepareContext(ctx, key.text())
		if err != nil {
			continue
		}
		u.mu.Lock()
		if u.stmts == nil {
			u.stmts = map[usageStmtKey]*sql.Stmt{}
		}
		if old := u.stmts[key]; old != nil {
			old.Close()
		}
		u.stmts[key] = s
		u.mu.Unlock()
	}
}

func (u *usageStmts) hasPending() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.pending) > 0
}

func (u *usageStmts) close() {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, s := range u.stmts {
		s.Close()
	}
	u.stmts = nil
}
