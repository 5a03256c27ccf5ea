package accesslog

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// ImportSource is the cursor and quarantine name of imports.
const ImportSource = "import"

// Summary is what an import read, stored and rejected, the days it covered
// and the consumers it saw.
type Summary struct {
	Files    int     `json:"files"`
	Lines    int64   `json:"lines"`    // lines read by this import (records, not blank lines)
	Stored   int64   `json:"stored"`   // lines stored as usage
	Rejected int64   `json:"rejected"` // lines rejected (kept with their reason under source "import")
	Seconds  float64 `json:"seconds"`
	// FirstDay and LastDay (YYYY-MM-DD, UTC) are the days of the first
	// and last stored lines of this run; "" when it stored none.
	FirstDay string `json:"first_day,omitempty"`
	LastDay  string `json:"last_day,omitempty"`
	// Consumers are the distinct consumers of the stored lines (the
	// anonymous one not counted), Mapped of them mapped to a member when
	// the import ended, Unmapped the others.
	Consumers int `json:"consumers"`
	Mapped    int `json:"mapped"`
	Unmapped  int `json:"unmapped"`
}

// Import reads files (paths or globs) into db as a backfill, with the
// cursor machinery of Collect under the source "import": an interrupted
// import, run again, goes on where it stopped, and a file imported before
// is not counted twice (only what was appended since is read). It streams
// with a fixed 1 MiB buffer and aggregates per chunk, so memory stays
// bounded whatever the file size. progress, when not nil, gets a text
// progress bar refreshed at most five times a second.
func Import(ctx context.Context, db *data.DB, cfg Config, files []string, progress io.Writer) (Summary, error) {
	start := time.Now()
	var sum Summary
	if len(files) == 0 {
		return sum, domain.Errorf(domain.EINVALID, "accesslog: no file to import")
	}
	p, err := cfg.compile()
	if err != nil {
		return sum, err
	}
	targets, err := expand(files, true)
	if err != nil {
		return sum, err
	}
	e, err := newEngine(ctx, db, ImportSource, p, nil, start)
	if err != nil {
		return sum, err
	}
	e.seen = newSeen()
	if progress != nil {
		var total int64
		for _, t := range targets {
			total += t.fi.Size()
		}
		e.bar = newProgressBar(progress, total, start, &e.linesSeen)
	}
	runErr := e.run(ctx, targets)
	c, _, err := e.finish(ctx, runErr)
	if e.bar != nil {
		e.bar.close(e.linesSeen)
	}
	sum = Summary{Files: len(targets), Lines: c.read, Stored: c.stored, Rejected: c.rejected}
	if err == nil {
		err = e.seen.summarise(ctx, db, &sum)
	}
	sum.Seconds = time.Since(start).Seconds()
	return sum, err
}

// progressBar draws "[#####.....]  52%  140.2/270.0 MB  812k lines/s".
type progressBar struct {
	w     io.Writer
	total int64
	done  int64
	start time.Time
	last  time.Time
	lines *int64 // lines read so far
}

func newProgressBar(w io.Writer, total int64, start time.Time, lines *int64) *progressBar {
	return &progressBar{w: w, total: total, start: start, lines: lines}
}

func (b *progressBar) add(n int64) {
	b.done += n
	if now := time.Now(); now.Sub(b.last) >= 200*time.Millisecond {
		b.last = now
		b.draw(now, *b.lines)
	}
}

func (b *progressBar) draw(now time.Time, lines int64) {
	const width = 30
	frac := 1.0
	if b.total > 0 {
		frac = min(float64(b.done)/float64(b.total), 1)
	}
	filled := int(frac * width)
	bar := make([]byte, width)
	for i := range bar {
		if i < filled {
			bar[i] = '#'
		} else {
			bar[i] = '.'
		}
	}
	secs := now.Sub(b.start).Seconds()
	rate := ""
	if secs > 0 {
		rate = fmt.Sprintf("  %.0f lines/s", float64(lines)/secs)
	}
	fmt.Fprintf(b.w, "\r[%s] %3.0f%%  %.1f/%.1f MB%s   ", bar, frac*100, float64(b.done)/1e6, float64(b.total)/1e6, rate)
}

func (b *progressBar) close(lines int64) {
	b.draw(time.Now(), lines)
	fmt.Fprintln(b.w)
}
