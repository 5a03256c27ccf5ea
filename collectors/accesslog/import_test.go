package accesslog

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func TestImportTotalsEqualAcceptedLines(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	t.Setenv("ECOPULSE_HASH_KEY", "import-test-key-0123456789")
	cfg := Config{Consumer: ConsumerConfig{From: ConsumerIP}, ChunkLines: 50}
	files := []string{"testdata/apache_sample.log", "testdata/malformed.log"}
	var bar bytes.Buffer
	sum, err := Import(ctx, db, cfg, files, &bar)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Files != 2 || sum.Lines != 311 || sum.Stored != 302 || sum.Rejected != 9 {
		t.Errorf("summary = %+v, want 2 files, 311 lines, 302 stored, 9 rejected", sum)
	}
	tot := totals(t, db)
	if got, want := tot.Calls, sum.Stored; got != want {
		t.Errorf("calls = %d, want %d (accepted lines)", got, want)
	}
	if got, want := tot.Errors5xx, int64(4); got != want { // three 500s, the OPTIONS one listed twice
		t.Errorf("5xx = %d, want %d", got, want)
	}
	// Unknown consumers are counted, not dropped: one per client address.
	raw := readFile(t, "testdata/apache_sample.log")
	ips := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		ips[l[:strings.IndexByte(l, ' ')]] = true
	}
	cons, err := db.Consumers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(cons), len(ips); got != want {
		t.Errorf("consumers = %d, want %d (one per address)", got, want)
	}
	for _, c := range cons {
		if !strings.HasPrefix(c.Key, "ip:") {
			t.Errorf("consumer key %q is not a hashed address", c.Key)
		}
	}
	if n, _ := db.CountRejected(ctx, ImportSource); n != 9 {
		t.Errorf("quarantined = %d, want 9", n)
	}
	if !strings.Contains(bar.String(), "100%") || !strings.Contains(bar.String(), "lines/s") {
		t.Errorf("progress = %q", bar.String())
	}
	// Importing the same files again counts nothing twice.
	again, err := Import(ctx, db, cfg, files, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Lines != 0 || totals(t, db).Calls != 302 {
		t.Errorf("second import = %+v, calls %d", again, totals(t, db).Calls)
	}
}

func TestImportRealApacheLog(t *testing.T) {
	db := datatest.MustOpenDB(t)
	sum, err := Import(context.Background(), db, Config{}, []string{realApacheLog}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Lines != 10000 || sum.Stored != 10000 {
		t.Errorf("summary = %+v", sum)
	}
	d := time.Date(2015, 5, 17, 0, 0, 0, 0, time.UTC)
	tot, err := db.UsageTotals(context.Background(), d, d.AddDate(0, 0, 4), 0)
	if err != nil {
		t.Fatal(err)
	}
	if tot.Calls != 10000 || tot.Errors4xx != 217 || tot.Errors5xx != 3 {
		t.Errorf("totals = %+v", tot)
	}
}

func TestImportErrors(t *testing.T) {
	db := datatest.MustOpenDB(t)
	if _, err := Import(context.Background(), db, Config{}, nil, nil); err == nil {
		t.Error("no files: no error")
	}
	if _, err := Import(context.Background(), db, Config{}, []string{filepath.Join(t.TempDir(), "missing.log")}, nil); err == nil {
		t.Error("missing file: no error")
	}
	if _, err := Import(context.Background(), db, Config{Format: "xml"}, []string{"testdata/apache_sample.log"}, nil); err == nil {
		t.Error("bad config: no error")
	}
}

// crashEnv names the environment of the import child process.
const (
	crashEnvDB    = "ACCESSLOG_CRASH_CHILD_DB"
	crashEnvLog   = "ACCESSLOG_CRASH_CHILD_LOG"
	crashEnvChunk = "ACCESSLOG_CRASH_CHILD_CHUNK"
)

// TestHelperImportChild is the child process of TestImportSurvivesKill: it
// runs only with the child's environment.
func TestHelperImportChild(t *testing.T) {
	dbPath := os.Getenv(crashEnvDB)
	if dbPath == "" {
		t.Skip("helper process of TestImportSurvivesKill")
	}
	chunk, _ := strconv.Atoi(os.Getenv(crashEnvChunk))
	db, err := data.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := Import(context.Background(), db, Config{ChunkLines: chunk}, []string{os.Getenv(crashEnvLog)}, nil); err != nil {
		t.Fatal(err)
	}
}

// crashLog writes a log of n lines spread over many hours and endpoints.
func crashLog(tb testing.TB, path string, n int) {
	tb.Helper()
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		ts := t0.Add(time.Duration(i) * 7 * time.Second)
		b.WriteString(combinedLine(ts, fmt.Sprintf("/v1/items/%d/part%d", i, i%13), []int{200, 201, 404, 500, 302}[i%5], i%4096))
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func TestImportSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns import processes")
	}
	const lines, chunk = 200_000, 2_000
	dir := t.TempDir()
	logPath := filepath.Join(dir, "access.log")
	crashLog(t, logPath, lines)
	ctx := context.Background()

	clean := datatest.MustOpenDB(t)
	if sum, err := Import(ctx, clean, Config{ChunkLines: chunk}, []string{logPath}, nil); err != nil || sum.Stored != lines {
		t.Fatalf("clean import: %+v, %v", sum, err)
	}
	want := totals(t, clean)

	for _, killAt := range []int64{1, 45_000, 120_000, 190_000} { // committed lines seen before the kill
		t.Run(fmt.Sprintf("kill_after_%d", killAt), func(t *testing.T) {
			dbPath := datatest.Target(t)
			db, err := data.Open(ctx, dbPath)
			if err != nil {
				t.Fatal(err)
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
			committed := waitForCommitted(t, db, killAt, exited)
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			<-exited
			db.Close()
			if committed >= lines {
				t.Fatalf("the child finished before the kill point (%d lines)", committed)
			}

			// Restart: open again and import the same file to its end.
			db, err = data.Open(ctx, dbPath)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			before := mustCursor(t, db, ImportSource)
			var done int64
			for _, f := range before.Files {
				done = f.Line
			}
			sum, err := Import(ctx, db, Config{ChunkLines: chunk}, []string{logPath}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := done+sum.Lines, int64(lines); got != want {
				t.Errorf("lines before the kill (%d) + after (%d) = %d, want %d", done, sum.Lines, got, want)
			}
			got := totals(t, db)
			if got.Calls != want.Calls || got.Bytes != want.Bytes || got.Errors4xx != want.Errors4xx || got.Errors5xx != want.Errors5xx {
				t.Errorf("totals after kill and resume = %+v, want %+v", got, want)
			}
			if ok, err := db.IntegrityCheck(ctx); err != nil || ok != "ok" {
				t.Errorf("integrity check = %q, %v", ok, err)
			}
			t.Logf("killed with %d lines committed; the resumed import read %d", done, sum.Lines)
		})
	}
}

// waitForCommitted polls the import cursor until it covers at least n lines
// and returns what it covers; it fails if the child exits first or no
// progress comes within a generous bound.
func waitForCommitted(t *testing.T, db *data.DB, n int64, exited <-chan error) int64 {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			t.Fatalf("the import child exited before the kill point: %v", err)
		default:
		}
		s, err := db.Cursor(context.Background(), ImportSource)
		if err == nil && s != "" {
			if c, err := parseCursor(s); err == nil {
				for _, f := range c.Files {
					if f.Line >= n {
						return f.Line
					}
				}
			}
		}
		time.Sleep(time.Millisecond) // poll interval, not an assertion
	}
	t.Fatalf("no %d lines committed within the bound", n)
	return 0
}

// benchLog builds a log of n lines by shifting copies of the real Apache
// log (or the sample) forward in time, copy k by k times its span.
func benchLog(tb testing.TB, n int) string {
	tb.Helper()
	src := realApacheLog
	var lines [][]byte
	var times []time.Time
	var lo, hi time.Time
	for _, l := range bytes.Split(readFile(tb, src), []byte("\n")) {
		i, j := bytes.IndexByte(l, '['), bytes.IndexByte(l, ']')
		if i < 0 || j < i {
			continue
		}
		ts, err := time.Parse("02/Jan/2006:15:04:05 -0700", string(l[i+1:j]))
		if err != nil {
			continue
		}
		lines, times = append(lines, l), append(times, ts)
		if lo.IsZero() || ts.Before(lo) {
			lo = ts
		}
		if ts.After(hi) {
			hi = ts
		}
	}
	shift := (hi.Sub(lo)/(24*time.Hour) + 1) * 24 * time.Hour
	path := filepath.Join(tb.TempDir(), "bench.log")
	var b bytes.Buffer
	for k := 0; n > 0; k++ {
		for i, l := range lines {
			if n == 0 {
				break
			}
			at := bytes.IndexByte(l, '[')
			b.Write(l[:at+1])
			b.WriteString(times[i].Add(time.Duration(k) * shift).Format("02/Jan/2006:15:04:05 -0700"))
			b.Write(l[bytes.IndexByte(l, ']'):])
			b.WriteByte('\n')
			n--
		}
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

func benchLines() int {
	if n, err := strconv.Atoi(os.Getenv("ACCESSLOG_BENCH_LINES")); err == nil && n > 0 {
		return n
	}
	return 200_000
}

// BenchmarkImport1M imports ACCESSLOG_BENCH_LINES lines (default 200,000;
// set 1000000 for the full size) of time-shifted real log into a fresh
// database per iteration and reports lines/s end to end.
func BenchmarkImport1M(b *testing.B) {
	n := benchLines()
	path := benchLog(b, n)
	b.ResetTimer()
	var secs float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := datatest.MustOpenDB(b)
		b.StartTimer()
		start := time.Now()
		sum, err := Import(context.Background(), db, Config{}, []string{path}, nil)
		secs += time.Since(start).Seconds()
		if err != nil || sum.Stored != int64(n) {
			b.Fatalf("import: %+v, %v", sum, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/secs, "lines/s")
}

// BenchmarkParseCombined measures the parser and the in-memory aggregation
// alone (no store): the part of the import that is this package's.
func BenchmarkParseCombined(b *testing.B) {
	raw := readFile(b, benchLog(b, 100_000))
	p := mustParser(b, Config{})
	lines := bytes.Split(bytes.TrimSuffix(raw, []byte("\n")), []byte("\n"))
	b.SetBytes(int64(len(raw)) / int64(len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	batch := domain.NewUsageBatch("bench")
	for i := 0; i < b.N; i++ {
		if i%50_000 == 0 {
			batch = domain.NewUsageBatch("bench")
		}
		var rec domain.UsageRecord
		line := lines[i%len(lines)]
		if err := p.parseRecord(line, &rec); err != nil {
			b.Fatal(err)
		}
		batch.Add(rec, "")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
