package app

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/collectors"
	"github.com/ecopulse/ecopulse/collectors/demo"
	"github.com/ecopulse/ecopulse/collectors/github"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// fltGitHub is a GitHub-like server the fault tests control: it lists the
// issues of one repository (since, per_page and page, with Link headers)
// and answers every other listing with []. Its failure mode applies to the
// pages from failFrom on: "ok", "500" (an error body), "hang" (no answer
// until the client gives up) or "slow" (each answer held for hold).
type fltGitHub struct {
	srv  *httptest.Server
	quit chan struct{}

	mu       sync.Mutex
	issues   []fltIssue
	mode     string
	failFrom int           // first page the mode applies to (0 or 1: all)
	failLeft int           // >0: the mode applies to that many more requests, then "ok"
	hold     time.Duration // "slow"
	requests int           // issue listing requests
	served   map[int64]bool
}

type fltIssue struct {
	ID      int64
	Updated time.Time
}

var fltT0 = time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)

func newFltGitHub(tb testing.TB) *fltGitHub {
	tb.Helper()
	g := &fltGitHub{quit: make(chan struct{}), mode: "ok", served: map[int64]bool{}}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	tb.Cleanup(func() {
		close(g.quit) // release held requests before Close waits for them
		g.srv.Close()
	})
	return g
}

// add appends n issues, each updated a minute after the last.
func (g *fltGitHub) add(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i := 0; i < n; i++ {
		id := int64(len(g.issues) + 1)
		g.issues = append(g.issues, fltIssue{ID: id, Updated: fltT0.Add(time.Duration(id) * time.Minute)})
	}
}

func (g *fltGitHub) set(mode string, failFrom, failLeft int, hold time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.mode, g.failFrom, g.failLeft, g.hold = mode, failFrom, failLeft, hold
}

func (g *fltGitHub) counts() (requests, served int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.requests, len(g.served)
}

func (g *fltGitHub) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if !strings.HasSuffix(r.URL.Path, "/issues") {
		fmt.Fprint(w, `[]`)
		return
	}
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	perPage, _ := strconv.Atoi(q.Get("per_page"))
	if perPage <= 0 {
		perPage = 30
	}
	var since time.Time
	if s := q.Get("since"); s != "" {
		since, _ = time.Parse(time.RFC3339, s)
	}

	g.mu.Lock()
	g.requests++
	mode, hold := "ok", g.hold
	if page >= g.failFrom && g.mode != "ok" {
		mode = g.mode
		if g.failLeft > 0 {
			if g.failLeft--; g.failLeft == 0 {
				g.mode = "ok"
			}
		}
	}
	var list []fltIssue
	for _, it := range g.issues {
		if !it.Updated.Before(since) { // GitHub's since: updated at or after
			list = append(list, it)
		}
	}
	g.mu.Unlock()

	switch mode {
	case "500":
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"message":"Server Error: boom"}`)
		return
	case "hang":
		select {
		case <-r.Context().Done():
		case <-g.quit:
		}
		return
	case "slow":
		select {
		case <-time.After(hold):
		case <-r.Context().Done():
			return
		case <-g.quit:
			return
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Updated.Before(list[j].Updated) })
	from := min((page-1)*perPage, len(list))
	to := min(from+perPage, len(list))
	if to < len(list) {
		next := *r.URL
		nq := next.Query()
		nq.Set("page", strconv.Itoa(page+1))
		next.RawQuery = nq.Encode()
		w.Header().Set("Link", fmt.Sprintf(`<%s%s>; rel="next"`, g.srv.URL, next.RequestURI()))
	}
	var b strings.Builder
	b.WriteString("[")
	for i, it := range list[from:to] {
		if i > 0 {
			b.WriteString(",")
		}
		ts := it.Updated.Format(time.RFC3339)
		fmt.Fprintf(&b, `{"id":%d,"number":%d,"title":"Issue %d","state":"open","user":{"login":"dev%d","type":"User"},"created_at":%q,"updated_at":%q,"closed_at":null,"comments":0}`,
			it.ID, it.ID, it.ID, it.ID%7, ts, ts)
	}
	b.WriteString("]")
	// The answer is written before it counts as served: a client that gave up
	// meanwhile gets an error here, and the issues were not served.
	if _, err := w.Write([]byte(b.String())); err == nil && r.Context().Err() == nil {
		g.mu.Lock()
		for _, it := range list[from:to] {
			g.served[it.ID] = true
		}
		g.mu.Unlock()
	}
}

// fltSleeps records the runner's backoff waits instead of sleeping.
type fltSleeps struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *fltSleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *fltSleeps) take() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.waits
	s.waits = nil
	return w
}

// fltReader is a connection of its own on a store (a database file, read
// only, or a PostgreSQL URL): another process's view of it.
func fltReader(tb testing.TB, target string) *sql.DB {
	tb.Helper()
	var db *sql.DB
	var err error
	if data.IsPostgresURL(target) {
		db, err = data.OpenSQL(target) // the store's "?" placeholders
	} else {
		db, err = sql.Open("sqlite", "file:"+target+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// fltCount runs a COUNT query.
func fltCount(tb testing.TB, db *sql.DB, q string, args ...any) int64 {
	tb.Helper()
	var n int64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	return n
}

func fltSourceRow(tb testing.TB, a *App, name string) views.SourceRow {
	tb.Helper()
	status, body, _ := get(tb, a.Fiber(), "/api/v1/sources")
	if status != 200 {
		tb.Fatalf("/api/v1/sources = %d %s", status, body)
	}
	for _, s := range decode[views.Sources](tb, body).Sources {
		if s.Name == name {
			return s
		}
	}
	tb.Fatalf("/api/v1/sources does not list %s: %s", name, body)
	return views.SourceRow{}
}

// fltCheckBackoff holds recorded waits to the runner's schedule: wait n is
// backoff·2^(n-1) with ±25% jitter.
func fltCheckBackoff(tb testing.TB, what string, waits []time.Duration, retries int, backoff time.Duration) {
	tb.Helper()
	if len(waits) != retries {
		tb.Fatalf("%s: %d backoff waits %v, want %d", what, len(waits), waits, retries)
	}
	for i, w := range waits {
		base := backoff << i
		if lo, hi := base*3/4, base*5/4; w < lo || w > hi {
			tb.Errorf("%s: wait %d = %v, want %v ±25%%", what, i+1, w, base)
		}
	}
}

// TestFaultSourceDownRetriesThenCatchesUp: a GitHub source that answers
// 500s, then stops answering (the client times out), then comes back.
// Every failed run is recorded with its error after retries with backoff;
// /api/v1/sources says failed (and stale once its last success is old);
// the run that succeeds again catches up, and the activities stored are
// exactly the issues the server served: no gap, no duplicate.
func TestFaultSourceDownRetriesThenCatchesUp(t *testing.T) {
	gh := newFltGitHub(t)
	gh.add(12)
	db := datatest.MustOpenDB(t)
	a, err := New(configWithGitHub(t, gh.srv.URL), db, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	withTestAccounts(t, a)
	ctx := context.Background()
	// The configured source, with a short client timeout and small pages.
	src, err := github.New(github.Config{Repos: []string{"acme/sdk"}, BaseURL: gh.srv.URL, TokenEnv: "ECOPULSE_TEST_NO_TOKEN", PerPage: 5},
		&http.Client{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	a.sources[0].src = src
	sleeps := &fltSleeps{}
	const attempts, backoff = 3, time.Second
	runner := &collectors.Runner{DB: db, Log: quietLogger(), Attempts: attempts, Backoff: backoff, Sleep: sleeps.sleep}
	reader := fltReader(t, db.Path())
	activities := func() int64 {
		return fltCount(t, reader, `SELECT COUNT(*) FROM activities WHERE source = ?`, github.SourceName)
	}

	// 1. Up: the twelve issues, in three pages.
	run, err := runner.Run(ctx, "sdk", src)
	if err != nil || run.Status != domain.RunSucceeded || run.ItemsStored != 12 {
		t.Fatalf("first run = %+v, %v", run, err)
	}
	lastOK := time.Unix(run.EndedAt.Unix(), 0).UTC().Format(time.RFC3339) // as the sources API shows it
	if w := sleeps.take(); len(w) != 0 {
		t.Errorf("a good run waited %v", w)
	}
	if row := fltSourceRow(t, a, "sdk"); row.Status != "ok" || row.Stored != 12 {
		t.Fatalf("source after a good run = %+v", row)
	}

	// 2. Down with 500s while new issues pile up: failed after retries.
	gh.add(8)
	gh.set("500", 1, 0, 0)
	before, _ := gh.counts()
	run, err = runner.Run(ctx, "sdk", src)
	if err == nil || run == nil || run.Status != domain.RunFailed || !strings.Contains(run.Error, "500") {
		t.Fatalf("run against 500s = %+v, %v", run, err)
	}
	after, _ := gh.counts()
	if got := after - before; got != attempts {
		t.Errorf("requests during the 500s = %d, want one per attempt (%d)", got, attempts)
	}
	fltCheckBackoff(t, "500s", sleeps.take(), attempts-1, backoff)
	row := fltSourceRow(t, a, "sdk")
	if row.Status != "failed" || !strings.Contains(row.LastError, "500") || row.LastSuccess != lastOK {
		t.Errorf("source while answering 500s = %+v", row)
	}
	if !strings.HasPrefix(row.LastErrorText, "GitHub had an error of its own (500)") {
		t.Errorf("the error as a sentence: %q", row.LastErrorText)
	}

	// 3. Down without an answer: the client times out, the run fails.
	gh.set("hang", 1, 0, 0)
	run, err = runner.Run(ctx, "sdk", src)
	if err == nil || run == nil || run.Status != domain.RunFailed || !strings.Contains(strings.ToLower(run.Error), "timeout") {
		t.Fatalf("run against a silent server = %+v, %v", run, err)
	}
	fltCheckBackoff(t, "timeouts", sleeps.take(), attempts-1, backoff)
	row = fltSourceRow(t, a, "sdk")
	if row.Status != "failed" || !strings.Contains(strings.ToLower(row.LastError), "timeout") || row.LastSuccess != lastOK {
		t.Errorf("source while timing out = %+v", row)
	}
	if !strings.HasPrefix(row.LastErrorText, "GitHub did not answer in time") {
		t.Errorf("the error as a sentence: %q", row.LastErrorText)
	}
	if got := activities(); got != 12 {
		t.Errorf("activities while down = %d, want the 12 of the good run", got)
	}
	// Seen an hour later with no success since: still failed, and its lag
	// is the hour; a source whose last run succeeded that long ago is stale.
	later := time.Now().Add(time.Hour)
	s, err := views.BuildSources(ctx, db, a.sourceInfos(later), later)
	if err != nil {
		t.Fatal(err)
	}
	if r := s.Sources[0]; r.Status != "failed" || r.LagSeconds < 3600 {
		t.Errorf("source an hour into the outage = %+v", r)
	}

	// 4. Back, with one more 500 on the second page of the catch-up: the
	// first page commits, the retry goes on from its cursor.
	gh.set("500", 2, 1, 0)
	run, err = runner.Run(ctx, "sdk", src)
	if err != nil || run.Status != domain.RunSucceeded {
		t.Fatalf("catch-up run = %+v, %v", run, err)
	}
	fltCheckBackoff(t, "catch-up", sleeps.take(), 1, backoff)
	_, served := gh.counts()
	if got := activities(); got != int64(served) || served != 20 {
		t.Errorf("activities after the catch-up = %d, issues served = %d, want both 20", got, served)
	}

	// 5. The app's own path (run-now's runSource, then rescoring): nothing
	// new, succeeded, and the sources API says ok again.
	run, err = a.runSource(ctx, a.sources[0])
	if err != nil || run.Status != domain.RunSucceeded {
		t.Fatalf("runSource after recovery = %+v, %v", run, err)
	}
	if got := activities(); got != 20 {
		t.Errorf("activities after a run with nothing new = %d, want 20", got)
	}
	if row := fltSourceRow(t, a, "sdk"); row.Status != "ok" || row.LastError != "" {
		t.Errorf("source after recovery = %+v", row)
	}
	stale := time.Now().Add(time.Hour) // > 3 intervals of "@every 10m" with no run
	if s, err := views.BuildSources(ctx, db, a.sourceInfos(stale), stale); err != nil || s.Sources[0].Status != "stale" {
		t.Errorf("a source an hour after its last success = %+v, %v; want stale", s, err)
	}
	runs, err := db.RunsOf(ctx, "sdk", 10)
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for _, r := range runs {
		statuses = append(statuses, r.Status)
	}
	if got, want := strings.Join(statuses, ","), "succeeded,succeeded,failed,failed,succeeded"; got != want {
		t.Errorf("run records, newest first = %s, want %s", got, want)
	}
}

// The SIGTERM tests run the real binary, built once per test binary.
var fltBin struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// fltBinary returns the built binary, or skips the test when it cannot be
// built here (short mode, no go tool).
func fltBinary(t *testing.T) string {
	t.Helper()
	path, skip, err := fltBuildBinary()
	if skip != "" {
		t.Skip(skip)
	}
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// fltBuildBinary builds ./ecopulse once per test binary (go build, to a
// temporary directory); skip says why it is not built.
func fltBuildBinary() (path, skip string, err error) {
	if testing.Short() {
		return "", "builds and runs the ecopulse binary", nil
	}
	// go test puts its own GOROOT/bin first on the PATH: this is the
	// toolchain that built the test.
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", "no go tool to build the binary", nil
	}
	fltBin.once.Do(func() {
		// Beside the test binary when `go test` built it in its work
		// directory, which it removes at exit; else in a temporary
		// directory of our own (without a TestMain nothing removes it at
		// exit, so old ones are removed here).
		if dir := filepath.Dir(os.Args[0]); strings.Contains(dir, "go-build") {
			fltBin.dir = dir
		} else {
			if old, _ := filepath.Glob(filepath.Join(os.TempDir(), "ecopulse-fault-bin*")); len(old) > 0 {
				for _, d := range old {
					if fi, err := os.Stat(d); err == nil && time.Since(fi.ModTime()) > 2*time.Hour {
						os.RemoveAll(d)
					}
				}
			}
			if fltBin.dir, fltBin.err = os.MkdirTemp("", "ecopulse-fault-bin"); fltBin.err != nil {
				return
			}
		}
		fltBin.path = filepath.Join(fltBin.dir, "ecopulse")
		cmd := exec.Command(goTool, "build", "-o", fltBin.path, ".")
		cmd.Dir = ".." // the module root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			fltBin.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	return fltBin.path, "", fltBin.err
}

// fltServe is a running `ecopulse serve`.
type fltServe struct {
	cmd    *exec.Cmd
	out    *fltBuffer
	exited chan error
}

// fltBuffer is a bytes.Buffer safe to read while the process writes.
type fltBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (f *fltBuffer) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.b.Write(p)
}

func (f *fltBuffer) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.b.String()
}

// fltEnv is the environment of the binary: without the variables that
// would override its configuration file.
func fltEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ECOPULSE_DB=") && !strings.HasPrefix(kv, "ECOPULSE_ADDR=") {
			env = append(env, kv)
		}
	}
	return env
}

func fltStartServe(t *testing.T, bin, config string) *fltServe {
	t.Helper()
	s := &fltServe{cmd: exec.Command(bin, "serve", "--config", config, "--addr", "127.0.0.1:0"), out: &fltBuffer{}, exited: make(chan error, 1)}
	s.cmd.Env = fltEnv()
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
			<-s.exited
		}
	})
	return s
}

// waitFor polls cond every poll (bounded) while the server runs.
func (s *fltServe) waitFor(t *testing.T, what string, bound, poll time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.exited:
			s.exited <- err
			t.Fatalf("serve exited (%v) before %s:\n%s", err, what, s.out.String())
		default:
		}
		if cond() {
			return
		}
		time.Sleep(poll) // poll interval, not an assertion
	}
	t.Fatalf("no %s within %v:\n%s", what, bound, s.out.String())
}

// terminate sends SIGTERM and returns how long the process took to exit,
// failing if it outlives bound or exits non-zero.
func (s *fltServe) terminate(t *testing.T, bound time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.exited:
		took := time.Since(start)
		if err != nil {
			t.Fatalf("serve exited with %v after SIGTERM:\n%s", err, s.out.String())
		}
		return took
	case <-time.After(bound):
		s.cmd.Process.Kill()
		t.Fatalf("serve still running %v after SIGTERM:\n%s", bound, s.out.String())
	}
	return 0
}

func fltWriteConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ecopulse.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestFaultSIGTERMDuringCollection runs `ecopulse serve` whose source is a
// slow GitHub-like server (each page held), sends SIGTERM in the middle of
// a collection, and checks: the process exits within the bound, every page
// committed before the signal is still there (whole pages only), the run
// is recorded as failed (not left running), the database passes
// integrity_check, and a later `ecopulse collect` finishes the job with
// exactly the issues served.
func TestFaultSIGTERMDuringCollection(t *testing.T) {
	bin := fltBinary(t)
	gh := newFltGitHub(t)
	const issues, perPage = 400, 5
	gh.add(issues)
	gh.set("slow", 1, 0, 120*time.Millisecond)
	target := datatest.Target(t)
	config := fltWriteConfig(t, fmt.Sprintf(`db: %q
shutdown_timeout: 5s
backfill_days: 0
sources:
  - name: slow
    type: github
    schedule: "@every 1s"
    options:
      repos: [acme/slow]
      base_url: %s
      token_env: ECOPULSE_TEST_NO_TOKEN
      per_page: %d
`, target, gh.srv.URL, perPage))
	s := fltStartServe(t, bin, config)
	s.waitFor(t, "serving", 30*time.Second, 20*time.Millisecond, func() bool { return strings.Contains(s.out.String(), "is serving on") })
	reader := fltReader(t, target)
	count := func() int64 { return fltCount(t, reader, `SELECT COUNT(*) FROM activities`) }
	s.waitFor(t, "three pages committed", 30*time.Second, 5*time.Millisecond, func() bool { return count() >= 3*perPage })
	acknowledged := count() // committed before the signal
	took := s.terminate(t, 20*time.Second)
	t.Logf("SIGTERM with %d activities committed; exited in %v", acknowledged, took.Round(time.Millisecond))

	ctx := context.Background()
	db, err := data.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := db.IntegrityCheck(ctx); err != nil || ok != "ok" {
		t.Errorf("integrity check after SIGTERM = %q, %v", ok, err)
	}
	stored := count()
	if stored < acknowledged || stored%perPage != 0 || stored >= issues {
		t.Errorf("activities after SIGTERM = %d: want ≥ %d committed before it, whole pages of %d, and the run cut short", stored, acknowledged, perPage)
	}
	runs, err := db.RunsOf(ctx, "slow", 10)
	if err != nil || len(runs) == 0 {
		t.Fatalf("runs = %v, %v", runs, err)
	}
	for _, r := range runs {
		if r.Status == domain.RunRunning || r.EndedAt.IsZero() {
			t.Errorf("a run was left running after SIGTERM: %+v", r)
		}
	}
	if r := runs[0]; r.Status != domain.RunFailed || !strings.Contains(r.Error, "context canceled") || r.ItemsStored != stored {
		t.Errorf("interrupted run = %+v, want failed with context canceled and %d stored", r, stored)
	}
	db.Close()

	// Start again (fast now): the next collection resumes from the cursor.
	gh.set("ok", 0, 0, 0)
	out, err := exec.Command(bin, "collect", "slow", "--config", config).CombinedOutput()
	if err != nil {
		t.Fatalf("collect after the restart: %v\n%s", err, out)
	}
	_, served := gh.counts()
	if got := count(); got != issues || served != issues {
		t.Errorf("after the restart: %d activities, %d issues served; want %d of each", got, served, issues)
	}
}

// TestFaultSIGTERMDuringSnapshot runs `ecopulse serve` on a demo history
// that has no scores yet: at start the scoring job fills in the history
// and then catches up on the missed weekly snapshots, one transaction
// each. SIGTERM arrives as soon as the first snapshot is there, most often
// in the middle of the catch-up: the process exits within the bound, the
// database passes integrity_check, every snapshot stored is whole (as many
// member rows as it says) and none seen before the signal is lost. The
// next start completes the catch-up: every closed week with activity has
// its snapshot.
func TestFaultSIGTERMDuringSnapshot(t *testing.T) {
	bin := fltBinary(t)
	target := datatest.Target(t)
	ctx := context.Background()
	db, err := data.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	end := domain.Day(time.Now()).AddDate(0, 0, -1)
	if _, err := demo.Seed(ctx, db, demo.Options{Seed: 3, Members: 24, Days: 126, End: end}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	cfgFile := fltWriteConfig(t, fmt.Sprintf("db: %q\nshutdown_timeout: 5s\nbackfill_days: 130\n", target))
	reader := fltReader(t, target)
	snapshots := func() int64 { return fltCount(t, reader, `SELECT COUNT(*) FROM snapshots`) }

	s := fltStartServe(t, bin, cfgFile)
	s.waitFor(t, "a first snapshot", 60*time.Second, time.Millisecond, func() bool { return snapshots() > 0 }) // after the signal handler is set
	seen := snapshots()
	took := s.terminate(t, 20*time.Second)
	afterSignal := snapshots()

	db, err = data.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if ok, err := db.IntegrityCheck(ctx); err != nil || ok != "ok" {
		t.Errorf("integrity check after SIGTERM = %q, %v", ok, err)
	}
	if afterSignal < seen {
		t.Errorf("%d snapshots after SIGTERM, %d seen before it", afterSignal, seen)
	}
	checkWhole := func() int {
		list, err := db.Snapshots(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, sn := range list {
			ms, err := db.SnapshotMembers(ctx, sn.Week)
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) != sn.Members || sn.Members == 0 {
				t.Errorf("snapshot %s holds %d member rows, says %d", sn.Week, len(ms), sn.Members)
			}
		}
		return len(list)
	}
	checkWhole()

	// The weeks the catch-up owes: closed weeks (within catch_up_weeks)
	// whose Sunday was scored with active members.
	var want []string
	last := data.LastClosedWeekSunday(time.Now())
	for i := 0; i < config.DefaultSnapshotConfig().CatchUpWeeks; i++ {
		sunday := last.AddDate(0, 0, -7*i)
		if eco, err := db.EcosystemScoreOn(ctx, sunday); err == nil && eco.Members > 0 {
			want = append(want, domain.ISOWeek(sunday))
		}
	}
	t.Logf("SIGTERM after %d snapshot(s), %d stored at exit of %d owed; exited in %v", seen, afterSignal, len(want), took.Round(time.Millisecond))

	// Start again: the catch-up completes.
	s = fltStartServe(t, bin, cfgFile)
	// Its start-up scoring run ends with "scores computed", then catches up
	// (and the signal handler is in place long before).
	s.waitFor(t, "the start-up scoring run", 60*time.Second, 20*time.Millisecond, func() bool { return strings.Contains(s.out.String(), "scores computed") })
	s.waitFor(t, "every owed snapshot", 60*time.Second, 20*time.Millisecond, func() bool { return snapshots() >= int64(len(want)) })
	s.terminate(t, 20*time.Second)
	if got := checkWhole(); got != len(want) {
		t.Errorf("%d snapshots after the restart, want %d", got, len(want))
	}
	for _, w := range want {
		if _, err := db.SnapshotOf(ctx, w); err != nil {
			t.Errorf("snapshot of %s missing after the restart: %v", w, err)
		}
	}
}
