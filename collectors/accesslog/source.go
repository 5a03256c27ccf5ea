// Package accesslog collects API usage from API-gateway access logs: nginx
// and Apache combined logs (optionally with a request time), any nginx
// log_format, Kong's JSON log plugins and generic JSON lines.
//
// A Source tails its files: every chunk of lines is stored with
// data.DB.CommitUsage together with the cursor of all files after it (device
// and inode, a hash of the first kilobyte, the offset of the last complete
// line), so a crash at any moment neither loses nor double-counts a line.
// Rotation, copytruncate, partial last lines and compressed (.gz) files are
// handled. Import reads large backfills with the same machinery.
package accesslog

import (
	"context"
	"time"

	"github.com/ecopulse/ecopulse/collectors"
	"github.com/ecopulse/ecopulse/domain"
)

// Source is an access-log collector source.
type Source struct {
	cfg Config
}

var _ collectors.Source = (*Source)(nil)

// New validates c and returns a source reading c.Paths.
func New(c Config) (*Source, error) {
	if len(c.Paths) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "accesslog: paths is empty: name the access log files (globs allowed)")
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &Source{cfg: c.withDefaults()}, nil
}

// Collect reads every file matching the configured paths from its saved
// position and stores what is new, one chunk (ChunkLines lines) per
// transaction, each with the cursor of all files after it. Files gone for a
// week are forgotten. It checks ctx between chunks; what was committed
// before an error stays committed.
func (s *Source) Collect(ctx context.Context, env collectors.Env) (collectors.Stats, error) {
	p, err := s.cfg.compile()
	if err != nil {
		return collectors.Stats{}, err
	}
	now := time.Now
	if env.Now != nil {
		now = env.Now
	}
	targets, err := expand(s.cfg.Paths, false)
	if err != nil {
		return collectors.Stats{}, err
	}
	// Oldest first: a rotated file's rest comes before the new file's lines.
	sortByModTime(targets)
	e, err := newEngine(ctx, env.DB, env.Name, p, env.Log, now())
	if err != nil {
		return collectors.Stats{}, err
	}
	runErr := e.run(ctx, targets)
	if runErr == nil {
		e.forget()
	}
	c, cursor, err := e.finish(ctx, runErr)
	st := collectors.Stats{Read: c.read, Stored: c.stored, Rejected: c.rejected, Cursor: cursor}
	return st, err
}

func sortByModTime(ts []target) {
	for i := 1; i < len(ts); i++ { // insertion sort: stable, few files
		for j := i; j > 0 && before(ts[j], ts[j-1]); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

func before(a, b target) bool {
	ma, mb := a.fi.ModTime(), b.fi.ModTime()
	if !ma.Equal(mb) {
		return ma.Before(mb)
	}
	return a.path > b.path // access.log.2 before access.log.1 before access.log
}
