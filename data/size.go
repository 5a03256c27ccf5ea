package data

import (
	"context"
	"fmt"
	"os"
)

// Size is how many bytes the database takes, for /metrics: on SQLite its
// file plus its write-ahead log (which holds recent writes until a
// checkpoint, and can outgrow the file for a while); on PostgreSQL the
// server's own count of the database's files, pg_database_size.
func (db *DB) Size(ctx context.Context) (int64, error) {
	if db.dialect.postgres {
		var n int64
		if err := db.read.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&n); err != nil {
			return 0, fmt.Errorf("store: unable to read the database size: %w", err)
		}
		return n, nil
	}
	var n int64
	for _, p := range []string{db.path, db.path + "-wal"} {
		fi, err := os.Stat(p)
		switch {
		case err == nil:
			n += fi.Size()
		case !os.IsNotExist(err): // no -wal file: nothing written since the last checkpoint
			return 0, fmt.Errorf("store: unable to read the database size: %w", err)
		}
	}
	return n, nil
}
