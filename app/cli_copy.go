package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// CopyOptions are the flags of `ecopulse copy`.
type CopyOptions struct {
	// To is the PostgreSQL database to fill: a postgres:// URL.
	To string
	// Progress, when not nil, gets a progress bar: the table being copied
	// and its rows done of its total.
	Progress io.Writer
}

// Copy runs `ecopulse copy --to URL`: the SQLite database of the
// configuration (--db) copied into an empty PostgreSQL database, migrated
// first, checked before it is committed (data.Copy).
func Copy(ctx context.Context, env *Env, opt CopyOptions) error {
	if !data.IsPostgresURL(opt.To) {
		return domain.Errorf(domain.EINVALID, "--to must be a postgres:// URL: copy fills a PostgreSQL database")
	}
	if data.IsPostgresURL(env.Config.DB) {
		return domain.Errorf(domain.EINVALID, "copy reads a SQLite database: --db must name its file, not %s", data.RedactURL(env.Config.DB))
	}
	// Opening a missing file would make an empty database, and copy nothing.
	if _, err := os.Stat(env.Config.DB); err != nil {
		return domain.Errorf(domain.EINVALID, "no SQLite database to copy at %s: %v", env.Config.DB, err)
	}
	return env.withDB(ctx, func(src *data.DB) error {
		dst, err := data.Open(ctx, opt.To)
		if err != nil {
			return err
		}
		defer dst.Close()
		var progress data.CopyProgress
		bar := &copyBar{w: opt.Progress}
		if opt.Progress != nil {
			progress = bar.update
		}
		start := env.Now()
		tables, err := data.Copy(ctx, src, dst, progress)
		bar.close()
		if err != nil {
			return err
		}
		var rows int64
		for _, t := range tables {
			rows += t.Rows
		}
		env.Log.Info("copied", "from", src.Path(), "to", dst.Path(), "tables", len(tables), "rows", rows, "took", env.Now().Sub(start).Round(time.Millisecond))
		fmt.Fprintf(env.Out, "copied %d rows in %d tables from %s to %s; checked: rows per table and the sums of every floating-point column\n",
			rows, len(tables), src.Path(), dst.Path())
		return nil
	})
}

// copyBar draws one line per table, "members  [######....]  120/200 rows",
// redrawn at most five times a second while the table is copied.
type copyBar struct {
	w     io.Writer
	table string
	last  time.Time
}

func (b *copyBar) update(table string, done, total int64) {
	if table != b.table {
		if b.table != "" {
			fmt.Fprintln(b.w)
		}
		b.table, b.last = table, time.Time{}
	}
	now := time.Now()
	if done > 0 && done < total && now.Sub(b.last) < 200*time.Millisecond {
		return
	}
	b.last = now
	const width = 30
	filled := width
	if total > 0 {
		filled = int(float64(done) / float64(total) * width)
	}
	fmt.Fprintf(b.w, "\r%-24s [%s%s] %d/%d rows", table, strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total)
}

func (b *copyBar) close() {
	if b.w != nil && b.table != "" {
		fmt.Fprintln(b.w)
	}
}
