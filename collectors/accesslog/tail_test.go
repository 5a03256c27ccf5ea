package accesslog

import (
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/collectors"
	"github.com/ecopulse/ecopulse/data/datatest"
)

var t0 = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

func newSource(tb testing.TB, c Config) *Source {
	tb.Helper()
	s, err := New(c)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func checkStats(tb testing.TB, what string, st collectors.Stats, read, stored, rejected int64) {
	tb.Helper()
	if st.Read != read || st.Stored != stored || st.Rejected != rejected {
		tb.Errorf("%s: read/stored/rejected = %d/%d/%d, want %d/%d/%d", what, st.Read, st.Stored, st.Rejected, read, stored, rejected)
	}
}

func writeGz(tb testing.TB, path, text string) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	if _, err := zw.Write([]byte(text)); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

func TestCollectAppendsAcrossRuns(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	writeFile(t, log, genLines(t0, 0, 5))
	db := datatest.MustOpenDB(t)
	src := newSource(t, Config{Paths: []string{log}})

	checkStats(t, "first run", collect(t, db, src), 5, 5, 0)
	appendFile(t, log, genLines(t0, 5, 3))
	checkStats(t, "after append", collect(t, db, src), 3, 3, 0)
	before, _ := db.Cursor(context.Background(), "gw")
	st := collect(t, db, src)
	checkStats(t, "unchanged file", st, 0, 0, 0)
	after, _ := db.Cursor(context.Background(), "gw")
	if before != after {
		t.Errorf("an idle run moved the cursor:\n%s\n%s", before, after)
	}
	if got, want := totals(t, db).Calls, int64(8); got != want {
		t.Errorf("calls = %d, want %d", got, want)
	}
	fi, _ := os.Stat(log)
	for _, f := range mustCursor(t, db, "gw").Files {
		if f.Off != fi.Size() || f.Line != 8 {
			t.Errorf("cursor = %+v, want offset %d line 8", f, fi.Size())
		}
	}
}

func TestCollectWaitsForPartialLastLine(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	full := genLines(t0, 0, 3)
	cut := strings.LastIndex(full[:len(full)-1], "\n") + 20 // 19 bytes into line 3
	writeFile(t, log, full[:cut])
	db := datatest.MustOpenDB(t)
	src := newSource(t, Config{Paths: []string{log}})
	checkStats(t, "partial", collect(t, db, src), 2, 2, 0)
	appendFile(t, log, full[cut:])
	checkStats(t, "completed", collect(t, db, src), 1, 1, 0)
	if got, want := totals(t, db).Calls, int64(3); got != want {
		t.Errorf("calls = %d, want %d", got, want)
	}
	if n, _ := db.CountRejected(context.Background(), "gw"); n != 0 {
		t.Errorf("%d rejected: the cut line was read before its end", n)
	}
}

func TestCollectFollowsRotation(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	writeFile(t, log, genLines(t0, 0, 5))
	db := datatest.MustOpenDB(t)
	src := newSource(t, Config{Paths: []string{filepath.Join(dir, "access.log*")}})
	checkStats(t, "first", collect(t, db, src), 5, 5, 0)

	// Two more lines land, then logrotate renames the file and nginx opens a new one.
	appendFile(t, log, genLines(t0, 5, 2))
	if err := os.Rename(log, log+".1"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, log, genLines(t0, 7, 3))
	old := time.Now().Add(-time.Minute)
	os.Chtimes(log+".1", old, old)
	checkStats(t, "after rotation", collect(t, db, src), 5, 5, 0)
	checkStats(t, "again", collect(t, db, src), 0, 0, 0)
	if got, want := totals(t, db).Calls, int64(10); got != want {
		t.Errorf("calls = %d, want %d", got, want)
	}

	// Next rotation compresses the old file (delaycompress): access.log.1 →
	// access.log.2.gz, already fully read, is not read again.
	raw := readFile(t, log+".1")
	os.Remove(log + ".1")
	writeGz(t, log+".2.gz", string(raw))
	appendFile(t, log, genLines(t0, 10, 1))
	if err := os.Rename(log, log+".1"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, log, genLines(t0, 11, 2))
	checkStats(t, "second rotation", collect(t, db, src), 3, 3, 0)
	if got, want := totals(t, db).Calls, int64(13); got != want {
		t.Errorf("calls = %d, want %d", got, want)
	}
}

func TestCollectCompressedRotationGoesOnWhereThePlainFileStopped(t *testing.T) {
	// logrotate without delaycompress: access.log → access.log.1.gz at once.
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	writeFile(t, log, genLines(t0, 0, 40)) // > 1 KB: a full head
	db := datatest.MustOpenDB(t)
	src := newSource(t, Config{Paths: []string{filepath.Join(dir, "access.log*")}})
	checkStats(t, "first", collect(t, db, src), 40, 40, 0)
	appendFile(t, log, genLines(t0, 40, 4))
	writeGz(t, log+".1.gz", string(readFile(t, log)))
	os.Remove(log)
	writeFile(t, log, genLines(t0, 44, 1))
	checkStats(t, "after compress", collect(t, db, src), 5, 5, 0)
	if got, want := totals(t, db).Calls, int64(45); got != want {
		t.Errorf("calls = %d, want %d", got, want)
	}
}

func TestCollectReplacedPathWithoutRotatedName(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	writeFile(t, log, genLines(t0, 0, 5))
	db := datatest.MustOpenDB(t)
	src := newSource(t, Config{Paths: []string{log}})
	collect(t, db, src)
	os.Rename(log, filepath.Join(dir, "old.log"))
	writeFile(t, log, genLines(t0, 100, 7)) // longer than the old offset
	checkStats(t, "new file at the path", collect(t, db, src), 7, 7, 0)
}

func TestCollectCopyTruncate(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	writeFile(t, log, genLines(t0, 0, 5))
	db := datatest.MustOpenDB(t)
	src := newSource(t, Config{Paths: []string{log}})
	collect(t, db, src)

	// copytruncate, then fewer bytes than the old offset.
	writeFile(t, log, genLines(t0, 5, 2))
	checkStats(t, "truncated, shorter", collect(t, db, src), 2, 2, 0)

	// copytruncate, then more bytes than the old offset before the next run:
	// the size alone cannot tell, the head hash does.
	writeFile(t, log, genLines(t0, 100, 9))
	checkStats(t, "truncated, longer", collect(t, db, src), 9, 9, 0)
	if got, want := totals(t, db).Calls, int64(16); got != want {
		t.Errorf("calls = %d, want %d", got, want)
	}
}

func TestCollectGzipBackfill(t *testing.T) {
	dir := t.TempDir()
	writeGz(t, filepath.Join(dir, "access.log.3.gz"), genLines(t0, 0, 6)+strings.TrimSuffix(genLines(t0, 6, 1), "\n"))
	writeFile(t, filepath.Join(dir, "access.log"), genLines(t0, 7, 2))
	db := datatest.MustOpenDB(t)
	src := newSource(t, Config{Paths: []string{filepath.Join(dir, "access.log*")}, ChunkLines: 4})
	checkStats(t, "backfill", collect(t, db, src), 9, 9, 0)
	checkStats(t, "again", collect(t, db, src), 0, 0, 0)
	var done int
	for _, f := range mustCursor(t, db, "gw").Files {
		if f.Gz && f.Done {
			done++
		}
	}
	if done != 1 {
		t.Errorf("cursor does not mark the .gz done: %+v", mustCursor(t, db, "gw").Files)
	}
	// A corrupt .gz is quarantined once, not fatal.
	writeFile(t, filepath.Join(dir, "access.log.4.gz"), "not gzip at all\n")
	st := collect(t, db, src)
	checkStats(t, "corrupt gz", st, 1, 0, 1)
	checkStats(t, "corrupt gz again", collect(t, db, src), 0, 0, 0)
}

func TestCollectChunksAndRejects(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	writeFile(t, log, genLines(t0, 0, 4)+"garbage line\n\n"+genLines(t0, 4, 6))
	db := datatest.MustOpenDB(t)
	src := newSource(t, Config{Paths: []string{log}, ChunkLines: 3})
	checkStats(t, "chunked", collect(t, db, src), 11, 10, 1)
	rej, err := db.RejectedRecords(context.Background(), "gw", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rej) != 1 || rej[0].Reason != "line 5: not a combined log line: no [time]" || rej[0].Record != "garbage line" {
		t.Errorf("rejected = %+v", rej)
	}
	if got, want := totals(t, db).Calls, int64(10); got != want {
		t.Errorf("calls = %d, want %d", got, want)
	}
}

func TestCollectStopsOnCancel(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	writeFile(t, log, genLines(t0, 0, 10))
	db := datatest.MustOpenDB(t)
	src := newSource(t, Config{Paths: []string{log}, ChunkLines: 2})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := src.Collect(ctx, collectors.Env{DB: db, Name: "gw"}); err == nil {
		t.Fatal("a cancelled collect returned no error")
	}
	if got := totals(t, db).Calls; got != 0 {
		t.Errorf("calls = %d after a cancelled run, want 0", got)
	}
	checkStats(t, "next run", collect(t, db, src), 10, 10, 0)
}

func TestCollectRejectsBadCursor(t *testing.T) {
	db := datatest.MustOpenDB(t)
	if err := db.SetCursor(context.Background(), "gw", "offset=12"); err != nil {
		t.Fatal(err)
	}
	src := newSource(t, Config{Paths: []string{filepath.Join(t.TempDir(), "*.log")}})
	if _, err := src.Collect(context.Background(), collectors.Env{DB: db, Name: "gw"}); err == nil {
		t.Error("a foreign cursor was silently replaced")
	}
}
