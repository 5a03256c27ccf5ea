package data

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// openPostgres opens the store on the PostgreSQL database the URL names
// (pgx through database/sql). Like the SQLite side it holds a writer pool
// and a reader pool; the reader's sessions are read-only by default, as
// SQLite's reader is query_only. Unlike SQLite, several writers run at
// once, so every write that can meet another is an upsert or is classified
// (ECONFLICT), never a check then an insert.
func openPostgres(target string) (*DB, error) {
	w, err := openPostgresPool(target, false)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(8)
	r, err := openPostgresPool(target, true)
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	return &DB{path: RedactURL(target), dialect: postgresDialect, write: w, read: &reader{DB: r}}, nil
}

func openPostgresPool(target string, readOnly bool) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(target)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the PostgreSQL URL %s: %w", RedactURL(target), err)
	}
	if readOnly {
		cfg.RuntimeParams["default_transaction_read_only"] = "on"
	}
	db := sql.OpenDB(rebindConnector{stdlib.GetConnector(*cfg)})
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: unable to open %s: %w", RedactURL(target), err)
	}
	return db, nil
}

// RedactURL returns a database URL with its password replaced by "xxxxx",
// for logs and `ecopulse config`; anything else is returned as it is.
func RedactURL(target string) string {
	if !IsPostgresURL(target) {
		return target
	}
	u, err := url.Parse(target)
	if err != nil {
		return "postgres://(unreadable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// rebindConnector hands out pgx connections whose queries are rebound from
// the store's "?" placeholders to PostgreSQL's "$N" (rebind.go).
type rebindConnector struct{ driver.Connector }

func (c rebindConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return rebindConn{conn.(*stdlib.Conn)}, nil
}

// rebindConn is a pgx connection that rebinds each query's placeholders;
// everything else is pgx's own (embedded).
type rebindConn struct{ *stdlib.Conn }

func (c rebindConn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.Prepare(rebind(query))
}

func (c rebindConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebind(query))
}

func (c rebindConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebind(query), args)
}

func (c rebindConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rebind(query), args)
}
