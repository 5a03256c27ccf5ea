package data

import (
	"database/sql"
	"fmt"
)

// OpenSQL opens a database/sql handle of its own on the store at target (a
// SQLite file or a postgres:// URL) with the store's connection settings,
// its queries written with "?" placeholders on both backends as the
// store's are. It is for tests that must write what no store method
// writes (a damaged digest, hostile text in every column) or act as
// another process would; the caller closes it.
func OpenSQL(target string) (*sql.DB, error) {
	if IsPostgresURL(target) {
		return openPostgresPool(target, false)
	}
	db, err := sql.Open("sqlite", dsn(target, false))
	if err != nil {
		return nil, fmt.Errorf("store: unable to open %s: %w", target, err)
	}
	return db, nil
}
