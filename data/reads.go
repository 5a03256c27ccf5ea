package data

import (
	"context"
	"database/sql"
	"sync/atomic"
)

// reader is the pooled, query-only handle on the database. It counts the
// reads begun on it — a statement run outside a transaction, or a read
// transaction — so that a test can hold a page to the reads it is allowed:
// one question, one read.
type reader struct {
	*sql.DB
	begun atomic.Uint64
}

// querier is what a read runs its queries on: the reader, for a read of
// one statement, or a read transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (r *reader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if tx := snapshotOf(ctx); tx != nil {
		return tx.QueryContext(ctx, query, args...)
	}
	r.begun.Add(1)
	return r.DB.QueryContext(ctx, query, args...)
}

func (r *reader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if tx := snapshotOf(ctx); tx != nil {
		return tx.QueryRowContext(ctx, query, args...)
	}
	r.begun.Add(1)
	return r.DB.QueryRowContext(ctx, query, args...)
}

func (r *reader) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	r.begun.Add(1)
	return r.DB.BeginTx(ctx, opts)
}

// Reads returns how many reads this DB has begun since it was opened: each
// read transaction and each statement read outside one counts once, however
// many queries a transaction runs.
func (db *DB) Reads() uint64 { return db.read.begun.Load() }
