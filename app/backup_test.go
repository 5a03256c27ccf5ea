package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestBackupWhileServingAndIngesting takes backups of a database while it
// serves and goroutines push equal batches through the HTTP ingest
// endpoint: with db.Backup in the serving process, with the command's own
// code (app.Backup: a handle of its own on the file) and, unless -short,
// with the `ecopulse backup` binary from another process. Every copy opens
// without migrating, passes integrity_check, and holds a prefix-consistent
// state: its calls are a whole number of batches, at least those
// acknowledged before the backup began and at most those sent before it
// ended. At the end the live database holds exactly what was acknowledged.
func TestBackupWhileServingAndIngesting(t *testing.T) {
	datatest.SkipOnPostgres(t, "backup copies SQLite databases; PostgreSQL is backed up with pg_dump or PITR")
	db := datatest.MustOpenDB(t)
	a := newTestApp(t, db)
	secret := newToken(t, db, "bk", "")
	base := serveTestApp(t, a)
	ctx := context.Background()
	dir := t.TempDir()
	bin, _, binErr := fltBuildBinary()

	const pushers, batches, size = 4, 40, 250
	const total = pushers * batches
	var sent, acked atomic.Int64
	failed := make(chan error, pushers)
	start := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: pushers}}
	var wg sync.WaitGroup
	for p := 0; p < pushers; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			for i := 0; i < batches; i++ {
				body := ndjson(size, start.Add(time.Duration(p*batches+i)*time.Hour))
				req, _ := http.NewRequest("POST", base+"/api/v1/ingest/api-calls", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+secret)
				req.Header.Set("Content-Type", "application/x-ndjson")
				sent.Add(1)
				resp, err := client.Do(req)
				if err != nil {
					failed <- err
					return
				}
				msg, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					failed <- fmt.Errorf("batch %d/%d: status %d: %s", p, i, resp.StatusCode, msg)
					return
				}
				acked.Add(1)
			}
		}(p)
	}

	type backup struct {
		path, how     string
		before, after int64 // batches acknowledged before it began, sent before it ended
	}
	var copies []backup
	env := &Env{Config: config.Default(), Log: quietLogger(), Out: io.Discard, Now: time.Now}
	env.Config.DB = db.Path()
	const backups = 6
	for k := 0; k < backups; k++ {
		// Spread the backups over the ingest (bounded wait).
		for deadline := time.Now().Add(30 * time.Second); acked.Load() < int64(k*total/(backups+1)) && time.Now().Before(deadline); {
			select {
			case err := <-failed:
				t.Fatalf("ingest failed: %v", err)
			default:
			}
			time.Sleep(time.Millisecond) // poll interval, not an assertion
		}
		b := backup{path: filepath.Join(dir, fmt.Sprintf("copy-%d.db", k)), before: acked.Load()}
		var err error
		switch {
		case k%3 == 0:
			b.how = "db.Backup"
			err = db.Backup(ctx, b.path)
		case k%3 == 1 || bin == "" || binErr != nil:
			b.how = "app.Backup"
			err = Backup(ctx, env, b.path)
		default:
			b.how = "ecopulse backup"
			cmd := exec.Command(bin, "backup", "--db", db.Path(), b.path)
			cmd.Env = fltEnv()
			var out []byte
			if out, err = cmd.CombinedOutput(); err != nil {
				err = fmt.Errorf("%v: %s", err, out)
			}
		}
		b.after = sent.Load()
		if err != nil {
			t.Fatalf("backup %d (%s): %v", k, b.how, err)
		}
		copies = append(copies, b)
	}
	wg.Wait()
	close(failed)
	for err := range failed {
		t.Fatalf("ingest failed: %v", err)
	}

	all := func(d *data.DB) domain.UsageTotals {
		tot, err := d.UsageTotals(ctx, start.AddDate(0, 0, -1), start.AddDate(0, 1, 0), 0)
		if err != nil {
			t.Fatal(err)
		}
		return tot
	}
	liveVersion, err := db.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	during := 0
	for k, b := range copies {
		c, err := data.OpenNoMigrate(b.path)
		if err != nil {
			t.Fatalf("copy %d (%s) does not open: %v", k, b.how, err)
		}
		if v, err := c.SchemaVersion(ctx); err != nil || v != liveVersion {
			t.Errorf("copy %d (%s): schema version %d, %v; want %d", k, b.how, v, err, liveVersion)
		}
		if ok, err := c.IntegrityCheck(ctx); err != nil || ok != "ok" {
			t.Errorf("copy %d (%s): integrity check = %q, %v", k, b.how, ok, err)
		}
		calls := all(c).Calls
		c.Close()
		if calls%size != 0 {
			t.Errorf("copy %d (%s): %d calls is not a whole number of batches of %d", k, b.how, calls, size)
		}
		n := calls / size
		if n < b.before || n > b.after {
			t.Errorf("copy %d (%s): %d batches, want between %d (acknowledged before) and %d (sent before its end)", k, b.how, n, b.before, b.after)
		}
		if n > 0 && n < total {
			during++
		}
		t.Logf("copy %d (%-15s): %3d batches (acknowledged before %3d, sent by its end %3d)", k, b.how, n, b.before, b.after)
	}
	if during == 0 {
		t.Errorf("no backup was taken while batches were arriving")
	}
	if got, want := all(db).Calls, int64(total*size); got != want || acked.Load() != total {
		t.Errorf("live database: %d calls, %d batches acknowledged; want %d calls", got, acked.Load(), want)
	}
}
