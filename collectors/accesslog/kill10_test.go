package accesslog

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
)

// TestImportSurvivesTenKills imports one log into one database through a
// child process (TestHelperImportChild) that is SIGKILLed ten times at
// moments spread over the file, each kill point found by polling the
// committed cursor and each kill landing a little later (mid-chunk,
// mid-commit), and restarted after each. After every kill the database
// opens, passes integrity_check, and holds exactly the lines its cursor
// covers; once the import is finished the totals equal one clean import.
func TestImportSurvivesTenKills(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns import processes")
	}
	const lines, chunk, kills = 200_000, 2_000, 10
	dir := t.TempDir()
	logPath := filepath.Join(dir, "access.log")
	crashLog(t, logPath, lines)
	ctx := context.Background()

	clean := datatest.MustOpenDB(t)
	if sum, err := Import(ctx, clean, Config{ChunkLines: chunk}, []string{logPath}, nil); err != nil || sum.Stored != lines {
		t.Fatalf("clean import: %+v, %v", sum, err)
	}
	want := totals(t, clean)

	dbPath := datatest.Target(t)
	db, err := data.Open(ctx, dbPath) // migrated before any child starts
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	var committed int64
	for k := 0; k < kills; k++ {
		// Kill points: the first commit, then evenly up to 5/6 of the file,
		// each at least two chunks past where the last kill left off.
		target := max(int64(1)+int64(k)*lines*5/6/(kills-1), committed+2*chunk)
		if k == 0 {
			target = 1
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperImportChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnvDB+"="+dbPath, crashEnvLog+"="+logPath, crashEnvChunk+"="+strconv.Itoa(chunk))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()

		seen, finished := k10WaitForCursor(t, dbPath, target, exited)
		if finished {
			t.Fatalf("kill %d: the import finished before the kill point %d (seen %d)\n%s", k+1, target, seen, out.String())
		}
		// Land the kill at a different moment after the observed commit:
		// right away, or a fraction of a chunk later.
		if d := time.Duration(k%4) * 250 * time.Microsecond; d > 0 {
			time.Sleep(d)
		}
		if err := cmd.Process.Kill(); err != nil { // SIGKILL
			t.Fatal(err)
		}
		<-exited

		// Restart: the database opens, is intact and consistent with its cursor.
		db, err := data.Open(ctx, dbPath)
		if err != nil {
			t.Fatalf("kill %d: reopen: %v", k+1, err)
		}
		if ok, err := db.IntegrityCheck(ctx); err != nil || ok != "ok" {
			db.Close()
			t.Fatalf("kill %d: integrity check = %q, %v", k+1, ok, err)
		}
		cur := mustCursor(t, db, ImportSource)
		var line int64
		for _, f := range cur.Files {
			line = f.Line
		}
		got := totals(t, db)
		db.Close()
		if line < committed {
			t.Fatalf("kill %d: the cursor went back from line %d to %d", k+1, committed, line)
		}
		if got.Calls != line { // every line of crashLog is accepted
			t.Fatalf("kill %d: %d calls stored but the cursor covers %d lines: rows and cursor did not commit together", k+1, got.Calls, line)
		}
		t.Logf("kill %2d: aimed at line %6d, cursor seen at %6d, committed %6d after the kill", k+1, target, seen, line)
		committed = line
	}
	if committed >= lines {
		t.Fatalf("the import had finished (%d lines) before the last kill", committed)
	}

	// The last restart imports the rest.
	db, err = data.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sum, err := Import(ctx, db, Config{ChunkLines: chunk}, []string{logPath}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := committed + sum.Lines; got != lines {
		t.Errorf("lines before the last kill (%d) + after (%d) = %d, want %d", committed, sum.Lines, got, lines)
	}
	got := totals(t, db)
	if got.Calls != want.Calls || got.Bytes != want.Bytes || got.Errors4xx != want.Errors4xx || got.Errors5xx != want.Errors5xx {
		t.Errorf("totals after 10 kills and restarts = %+v, want the clean import's %+v", got, want)
	}
	if n, err := db.CountRejected(ctx, ImportSource); err != nil || n != 0 {
		t.Errorf("rejected after the kills = %d, %v; want 0", n, err)
	}
	if ok, err := db.IntegrityCheck(ctx); err != nil || ok != "ok" {
		t.Errorf("integrity check = %q, %v", ok, err)
	}
}

// k10WaitForCursor polls the import cursor of the database at path (opened
// read-side by this process) until it covers at least n lines, and returns
// what it covers; finished is true when the child exited first. The poll is
// bounded: no progress within two minutes fails the test.
func k10WaitForCursor(t *testing.T, path string, n int64, exited <-chan error) (seen int64, finished bool) {
	t.Helper()
	db, err := data.OpenNoMigrate(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("the import child failed: %v", err)
			}
			return seen, true
		default:
		}
		if s, err := db.Cursor(context.Background(), ImportSource); err == nil && s != "" {
			if c, err := parseCursor(s); err == nil {
				for _, f := range c.Files {
					seen = f.Line
				}
				if seen >= n {
					return seen, false
				}
			}
		}
		time.Sleep(200 * time.Microsecond) // poll interval, not an assertion
	}
	t.Fatalf("no %d lines committed within the bound (seen %d)", n, seen)
	return seen, false
}
