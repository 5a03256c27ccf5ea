package data

import (
	"context"
	"database/sql"
)

// snapshotKey carries a read transaction in a context (Snapshot).
type snapshotKey struct{}

// Snapshot runs fn with a context in which every read of this store — each
// store method's read transaction and each single-statement read — runs in
// one read transaction: a page that asks several questions sees one
// consistent state of the database and begins one read, however many store
// methods its builder calls. A Snapshot inside a Snapshot joins the outer
// one. Writes are not affected (they go through the writer).
//
// The transaction is one connection, and on PostgreSQL a connection
// answers one statement at a time: a builder's reads in a Snapshot run one
// after another, never side by side from several goroutines (SQLite would
// allow it, pgx fails the second with "bad connection").
func (db *DB) Snapshot(ctx context.Context, fn func(ctx context.Context) error) error {
	if snapshotOf(ctx) != nil {
		return fn(ctx)
	}
	tx, err := db.read.BeginTx(ctx, db.dialect.readTxOptions())
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(context.WithValue(ctx, snapshotKey{}, tx))
}

// snapshotOf returns the read transaction a context carries, or nil.
func snapshotOf(ctx context.Context) *sql.Tx {
	tx, _ := ctx.Value(snapshotKey{}).(*sql.Tx)
	return tx
}
