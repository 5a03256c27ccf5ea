package accesslog

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// readBufSize is the read buffer, and the longest line read whole.
const readBufSize = 1 << 20

// maxRejectedKept bounds the rejected lines one chunk keeps (all are counted;
// the store keeps the newest domain.MaxRejectedPerSource of a source anyway).
const maxRejectedKept = 1000

// maxBatchRows ends a chunk early when its rollup rows reach this many, so
// that memory stays bounded however many distinct endpoints and consumers
// the lines have (two batches are alive at once: one stored, one filled).
const maxBatchRows = 65536

// retentionDays is how long a cursor remembers a file no longer found.
const retentionDays = 7

// counts are what a chunk read, stored and rejected.
type counts struct{ read, stored, rejected int64 }

// chunk is a batch on its way to the store.
type chunk struct {
	u    *data.CollectedUsage // prepared by the reading goroutine: the committer's is the busier
	read int64
}

// engine reads files from their positions and commits every chunk of lines
// with the cursor of all files after it. Parsing the next chunk overlaps
// with storing the previous one; chunks are stored in order.
type engine struct {
	db     *data.DB
	source string
	p      *parser
	chunk  int
	log    *slog.Logger
	today  string

	state *cursorState
	saved string          // the cursor as stored
	done  map[string]bool // file keys already read by this run

	cur       *domain.UsageBatch
	curRead   int64
	curLines  int
	buf       []byte
	bar       *progressBar
	linesSeen int64 // lines read by this run, committed or not (progress)

	queue  chan chunk
	wait   chan struct{}
	failed atomic.Bool
	err    error  // first store error (set by the committer)
	stats  counts // what landed (set by the committer)
	last   string // the last cursor committed
	queued string // the cursor of the last batch handed to the committer: the next one moves it from there

	seen *seen // days and consumers of the stored lines (Import only)
}

type target struct {
	path string
	fi   os.FileInfo
	key  string
	dev  uint64
	ino  uint64
}

func newEngine(ctx context.Context, db *data.DB, source string, p *parser, log *slog.Logger, now time.Time) (*engine, error) {
	saved, err := db.Cursor(ctx, source)
	if err != nil {
		return nil, err
	}
	st, err := parseCursor(saved)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	e := &engine{
		db: db, source: source, p: p, chunk: p.cfg.ChunkLines, log: log,
		today: now.UTC().Format(domain.DateLayout),
		state: st, saved: saved, last: saved, queued: saved,
		done:  map[string]bool{},
		buf:   make([]byte, readBufSize),
		queue: make(chan chunk), wait: make(chan struct{}),
	}
	e.newBatch()
	go e.committer(ctx)
	return e, nil
}

func (e *engine) newBatch() {
	e.cur = domain.NewUsageBatch(e.source)
	e.curRead, e.curLines = 0, 0
}

func (e *engine) committer(ctx context.Context) {
	defer close(e.wait)
	for c := range e.queue {
		if e.failed.Load() {
			continue
		}
		if err := e.db.CommitCollected(ctx, c.u); err != nil {
			e.err = err
			e.failed.Store(true)
			continue
		}
		e.stats.read += c.read
		e.stats.stored += c.u.Batch.Accepted
		e.stats.rejected += c.read - c.u.Batch.Accepted
		e.last = c.u.Batch.Cursor
	}
}

// flush hands the current batch, with the cursor of every file as it is
// now, to the committer.
func (e *engine) flush(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if e.failed.Load() {
		return errors.New("store failed")
	}
	// Batches are stored in order, each from the cursor the one before it
	// left: a batch finding another cursor (another run of the source
	// stored past this one's start) is refused whole, and so are the
	// batches after it.
	e.cur.CursorFrom, e.cur.Cursor = e.queued, e.state.encode()
	if e.cur.Cursor != "" {
		e.queued = e.cur.Cursor
	}
	e.queue <- chunk{u: data.PrepareCollected(e.cur), read: e.curRead}
	e.newBatch()
	return nil
}

// finish commits what is left (when the cursor moved) and waits for the store.
func (e *engine) finish(ctx context.Context, runErr error) (counts, string, error) {
	if runErr == nil {
		if c := e.state.encode(); c != e.saved || e.curRead > 0 {
			runErr = e.flush(ctx)
		}
	}
	close(e.queue)
	<-e.wait
	if e.err != nil {
		return e.stats, e.last, e.err
	}
	return e.stats, e.last, runErr
}

// expand resolves paths and globs to existing regular files, each once.
func expand(patterns []string, mustExist bool) ([]target, error) {
	var out []target
	seen := map[string]bool{}
	for _, pat := range patterns {
		matches, err := filepath.Glob(pat)
		if err != nil {
			return nil, domain.Errorf(domain.EINVALID, "accesslog: path %q is not a valid glob: %v", pat, err)
		}
		if len(matches) == 0 && mustExist {
			return nil, domain.Errorf(domain.EINVALID, "accesslog: no file matches %s", pat)
		}
		sort.Strings(matches)
		for _, m := range matches {
			fi, err := os.Stat(m)
			if errors.Is(err, fs.ErrNotExist) {
				continue // rotated away meanwhile
			} else if err != nil {
				return nil, fmt.Errorf("accesslog: %w", err)
			}
			if !fi.Mode().IsRegular() {
				if mustExist && !strings.ContainsAny(pat, "*?[") {
					return nil, domain.Errorf(domain.EINVALID, "accesslog: %s is not a regular file", m)
				}
				continue
			}
			key, dev, ino := fileKey(m, fi)
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, target{path: m, fi: fi, key: key, dev: dev, ino: ino})
		}
	}
	return out, nil
}

// run reads every target from its position.
func (e *engine) run(ctx context.Context, targets []target) error {
	e.adoptRotated(targets)
	for _, t := range targets {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := e.file(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// file reads one file from its saved position.
func (e *engine) file(ctx context.Context, t target) error {
	if e.done[t.key] {
		return nil
	}
	e.done[t.key] = true
	f, err := os.Open(t.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("accesslog: %w", err)
	}
	defer f.Close()
	if strings.HasSuffix(t.path, ".gz") {
		return e.gzFile(ctx, f, t)
	}
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("accesslog: %w", err)
	}
	head := make([]byte, headBytes)
	n, err := f.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return fmt.Errorf("accesslog: reading %s: %w", t.path, err)
	}
	head = head[:n]
	st := e.state.Files[t.key]
	switch {
	case st == nil:
	case st.Gz || !st.headMatches(head):
		e.log.Info("access log replaced: reading it from the start", "path", t.path)
		st = nil
	case fi.Size() < st.Off:
		e.log.Info("access log truncated: reading it from the start", "path", t.path)
		st = nil
	}
	if st == nil {
		st = &fileState{Dev: t.dev, Ino: t.ino}
		e.state.Files[t.key] = st
	}
	st.Path, st.Seen = t.path, e.today
	st.setHead(head)
	if e.bar != nil {
		e.bar.add(st.Off)
	}
	if fi.Size() == st.Off {
		return nil
	}
	if _, err := f.Seek(st.Off, io.SeekStart); err != nil {
		return fmt.Errorf("accesslog: %w", err)
	}
	var r io.Reader = f
	if e.bar != nil {
		r = &countingReader{r: f, bar: e.bar}
	}
	_, err = e.lines(ctx, r, st, false)
	return err
}

// gzFile reads a compressed file (a backfill or a rotated, compressed log)
// to its end, then marks it done. A compressed copy of a plain file that
// this source read before it was rotated goes on where that file stopped.
func (e *engine) gzFile(ctx context.Context, f *os.File, t target) error {
	var raw io.Reader = f
	if e.bar != nil {
		raw = &countingReader{r: f, bar: e.bar}
	}
	st := e.state.Files[t.key]
	if st != nil && st.Gz && st.Done {
		st.Path, st.Seen = t.path, e.today
		if e.bar != nil {
			e.bar.add(t.fi.Size())
		}
		return nil
	}
	zr, err := gzip.NewReader(raw)
	if err != nil {
		return e.badGz(t, st, err)
	}
	zr.Multistream(true)
	head := make([]byte, headBytes)
	n, err := io.ReadFull(zr, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return e.badGz(t, st, err)
	}
	head = head[:n]
	if st != nil && (!st.Gz || !st.headMatches(head)) {
		st = nil
	}
	if st == nil {
		st = &fileState{Dev: t.dev, Ino: t.ino, Gz: true}
		e.state.Files[t.key] = st
	}
	st.Path, st.Seen = t.path, e.today
	st.setHead(head)
	r := io.MultiReader(bytes.NewReader(head), zr)
	if _, err := io.CopyN(io.Discard, r, st.Off); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
			return nil // still being written: next run
		}
		return e.badGz(t, st, err)
	}
	complete, err := e.lines(ctx, r, st, true)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			e.log.Info("compressed log ends early (still being written?): will go on next run", "path", t.path)
			return nil
		}
		var zerr gzipError
		if errors.As(err, &zerr) {
			return e.badGz(t, st, zerr.err)
		}
		return err
	}
	if complete {
		st.Done = true
	}
	return nil
}

// badGz quarantines an unreadable compressed file once and marks it done.
func (e *engine) badGz(t target, st *fileState, err error) error {
	e.log.Warn("unreadable compressed log skipped", "path", t.path, "err", err)
	if st == nil || !st.Gz {
		st = &fileState{Dev: t.dev, Ino: t.ino, Gz: true}
		e.state.Files[t.key] = st
	}
	st.Path, st.Seen, st.Done = t.path, e.today, true
	e.curRead++
	e.cur.Reject(fmt.Sprintf("file %s: not a readable gzip file: %v", filepath.Base(t.path), err), "")
	return nil
}

// adoptRotated gives each new compressed file the position of the plain
// file it is a compressed copy of, when that plain file is gone (logrotate's
// compress, with or without delaycompress): its lines were read already.
// It runs before any file is read, because the inode of the removed plain
// file is often reused at once, by the .gz or by the new log.
func (e *engine) adoptRotated(targets []target) {
	alive := map[string]bool{} // state keys whose file is still here, unchanged
	var gzs []target
	for _, t := range targets {
		st := e.state.Files[t.key]
		if strings.HasSuffix(t.path, ".gz") {
			if st == nil || !st.Gz {
				gzs = append(gzs, t)
			}
			continue
		}
		if st == nil || st.Gz {
			continue
		}
		if head, err := readHead(t.path); err == nil && st.headMatches(head) {
			alive[t.key] = true
		}
	}
	for _, t := range gzs {
		head, err := gzHead(t.path)
		if err != nil || len(head) == 0 {
			continue
		}
		prev, key := e.rotatedFrom(head, alive)
		if prev == nil {
			continue
		}
		delete(e.state.Files, key)
		e.state.Files[t.key] = &fileState{Dev: t.dev, Ino: t.ino, Gz: true, Off: prev.Off, Line: prev.Line, Path: t.path, Head: prev.Head, HeadLen: prev.HeadLen}
		e.log.Info("compressed rotation of a file read before: going on where it stopped", "path", t.path, "was", prev.Path, "offset", prev.Off)
	}
}

func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, headBytes)
	n, err := f.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return nil, err
	}
	return head[:n], nil
}

func gzHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	head := make([]byte, headBytes)
	n, err := io.ReadFull(zr, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	return head[:n], nil
}

// rotatedFrom finds the plain file, no longer here, whose content a
// compressed file begins with.
func (e *engine) rotatedFrom(head []byte, alive map[string]bool) (*fileState, string) {
	var best *fileState
	var bestKey string
	for k, f := range e.state.Files {
		if f.Gz || alive[k] || f.HeadLen == 0 || f.Off == 0 {
			continue
		}
		if f.headMatches(head) && (best == nil || f.HeadLen > best.HeadLen) {
			best, bestKey = f, k
		}
	}
	return best, bestKey
}

type gzipError struct{ err error }

func (g gzipError) Error() string { return g.err.Error() }

// lines consumes the complete lines of r, committing every chunk. With
// final (a compressed file), a last line without a newline counts too; it
// reports whether r was read to its end.
func (e *engine) lines(ctx context.Context, r io.Reader, st *fileState, final bool) (bool, error) {
	buf := e.buf
	start, end := 0, 0
	eof := false
	var readErr error
	skipping := false // inside a line longer than the buffer
	var longHead []byte
	var longLen int64
	for {
		i := bytes.IndexByte(buf[start:end], '\n')
		if i < 0 {
			if eof {
				break
			}
			if start > 0 {
				copy(buf, buf[start:end])
				end -= start
				start = 0
			}
			if end == len(buf) { // a line longer than the buffer
				if !skipping {
					skipping = true
					longHead = append(longHead[:0], buf[:min(end, 4096)]...)
				}
				longLen += int64(end)
				end = 0
			}
			n, err := r.Read(buf[end:])
			end += n
			if err != nil {
				eof = true
				if err != io.EOF {
					if final && !errors.Is(err, io.ErrUnexpectedEOF) {
						readErr = gzipError{err}
					} else {
						readErr = err
					}
				}
			}
			continue
		}
		line := buf[start : start+i]
		start += i + 1
		if skipping {
			st.Off += longLen + int64(i) + 1
			e.longLine(st, longHead, longLen+int64(i))
			skipping, longLen = false, 0
		} else {
			st.Off += int64(i) + 1
			e.line(st, line)
		}
		if e.curLines >= e.chunk || e.cur.Len() >= maxBatchRows {
			if err := e.flush(ctx); err != nil {
				return false, err
			}
		}
	}
	if readErr != nil {
		return false, readErr
	}
	switch {
	case final && skipping:
		st.Off += longLen + int64(end-start)
		e.longLine(st, longHead, longLen+int64(end-start))
	case final && end > start:
		st.Off += int64(end - start)
		e.line(st, buf[start:end])
	}
	return true, nil
}

// line parses one line into the current batch.
func (e *engine) line(st *fileState, line []byte) {
	st.Line++
	e.curLines++
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if len(bytes.TrimSpace(line)) == 0 {
		return // blank lines are not records
	}
	e.curRead++
	e.linesSeen++
	var rec domain.UsageRecord
	if err := e.p.parseRecord(line, &rec); err != nil {
		if len(e.cur.Rejected) < maxRejectedKept {
			why, text := e.p.maskSecrets(fmt.Sprintf("line %d: %v", st.Line, err)), e.p.maskSecrets(string(line))
			e.cur.Reject(redactPersonal(why), redactPersonal(text))
		}
		return
	}
	e.cur.Add(rec, "")
	if e.seen != nil {
		e.seen.add(&rec)
	}
	if e.p.secret && rec.Consumer != "" {
		// A hashed secret's consumer is created with its recognisable name.
		if e.cur.ConsumerNames == nil {
			e.cur.ConsumerNames = map[string]string{}
		}
		if _, ok := e.cur.ConsumerNames[rec.Consumer]; !ok {
			e.cur.ConsumerNames[rec.Consumer] = e.p.names[rec.Consumer]
		}
	}
}

func (e *engine) longLine(st *fileState, head []byte, n int64) {
	st.Line++
	e.curLines++
	e.curRead++
	if len(e.cur.Rejected) < maxRejectedKept {
		e.p.rejectedSecret = nil // not parsed: only the generic masks apply
		e.cur.Reject(fmt.Sprintf("line %d: %d bytes long, more than the %d a line may have", st.Line, n, readBufSize), redactPersonal(e.p.maskSecrets(string(head))))
	}
}

// forget drops what the cursor remembers of files gone for a while.
func (e *engine) forget() {
	cutoff := time.Now().UTC()
	if t, err := time.Parse(domain.DateLayout, e.today); err == nil {
		cutoff = t
	}
	e.state.prune(cutoff.AddDate(0, 0, -retentionDays).Format(domain.DateLayout))
}

// countingReader reports bytes read to a progress bar.
type countingReader struct {
	r   io.Reader
	bar *progressBar
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.bar.add(int64(n))
	return n, err
}
