package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// logWatch is a slog handler that tells when a message was logged.
type logWatch struct {
	mu   sync.Mutex
	seen map[string]chan struct{}
}

func newLogWatch(msgs ...string) *logWatch {
	w := &logWatch{seen: map[string]chan struct{}{}}
	for _, m := range msgs {
		w.seen[m] = make(chan struct{})
	}
	return w
}

// logged is closed once msg was logged.
func (w *logWatch) logged(msg string) <-chan struct{} { return w.seen[msg] }

func (w *logWatch) Enabled(context.Context, slog.Level) bool { return true }
func (w *logWatch) Handle(_ context.Context, r slog.Record) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if c, ok := w.seen[r.Message]; ok {
		select {
		case <-c:
		default:
			close(c)
		}
	}
	return nil
}
func (w *logWatch) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *logWatch) WithGroup(string) slog.Handler      { return w }

// heldOps holds each collection's report until released: a run that is
// still finishing when shutdown starts.
type heldOps struct {
	opsHooks
	ran     chan *domain.CollectorRun
	release chan struct{}
}

func (h *heldOps) collectorRan(source string, took time.Duration, run *domain.CollectorRun, err error) {
	h.ran <- run
	<-h.release
	h.opsHooks.collectorRan(source, took, run, err)
}

// TestShutdownWaitsForARunStartedByHand: a "Run now" of a source whose
// server answers only when the request is cancelled is cancelled by
// shutdown, and Serve returns only once that run has finished — its run
// record written while the store is still open — not as soon as the HTTP
// server stopped.
func TestShutdownWaitsForARunStartedByHand(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/issues") {
			once.Do(func() { close(started) })
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		fmt.Fprint(w, `[]`)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first: no handler outlives the test

	const serving, waiting, timedOut = "serving", "waiting for background jobs", "jobs still running after the shutdown timeout"
	logs := newLogWatch(serving, waiting, timedOut)
	cfg := configWithGitHub(t, srv.URL)
	cfg.ShutdownTimeout = time.Minute
	db := datatest.MustOpenDB(t)
	a, err := New(cfg, db, slog.New(logs))
	if err != nil {
		t.Fatal(err)
	}
	ops := &heldOps{opsHooks: a.ops, ran: make(chan *domain.CollectorRun, 1), release: make(chan struct{})}
	a.ops = ops
	withTestAccounts(t, a)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	// "Run now" is asked of a server that serves, as a browser would: a
	// cancel before that tests the start-up, not the shutdown.
	select {
	case <-logs.logged(serving):
	case err := <-done:
		t.Fatalf("Serve returned %v before serving", err)
	}

	if resp := do(t, a.Fiber(), httptest.NewRequest("POST", "/api/v1/sources/sdk/run", nil)); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("run now = %d", resp.StatusCode)
	}
	select {
	case <-started:
	case <-time.After(30 * time.Second):
		t.Fatal("the run never asked the source")
	}
	cancel()
	select {
	case run := <-ops.ran:
		if run == nil || run.Status != domain.RunFailed || !strings.Contains(run.Error, "context canceled") {
			t.Errorf("the run ended as %+v, want failed by its cancelled context", run)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("shutdown did not cancel the run")
	}
	select {
	case err := <-done:
		t.Fatalf("Serve returned (%v) while the run was still finishing", err)
	case <-logs.logged(waiting):
	}
	close(ops.release)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve returned %v", err)
		}
	case <-time.After(cfg.ShutdownTimeout):
		t.Fatal("Serve did not return once the run had finished")
	}
	select {
	case <-logs.logged(timedOut):
		t.Error("shutdown gave up waiting instead of seeing the run finish")
	default:
	}
	if a.sources[0].running.Load() {
		t.Error("the source still runs after Serve returned")
	}
	runs, err := db.RunsOf(context.Background(), "sdk", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Status != domain.RunFailed || runs[0].EndedAt.IsZero() {
		t.Errorf("the run's record after Serve returned = %+v, want it finished, failed", runs)
	}
	if err := a.triggerSource("sdk"); err != errShuttingDown {
		t.Errorf("run now after shutdown = %v, want %v", err, errShuttingDown)
	}
}

// TestServeEndingEarlyStopsTheJobs: a run started by hand before Serve got
// as far as serving is still cancelled and waited for when Serve ends at
// start-up (here: its context is already cancelled), not left writing to a
// store the caller is about to close.
func TestServeEndingEarlyStopsTheJobs(t *testing.T) {
	started := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/issues") {
			once.Do(func() { close(started) })
			<-r.Context().Done()
			return
		}
		fmt.Fprint(w, `[]`)
	}))
	t.Cleanup(srv.Close)
	cfg := configWithGitHub(t, srv.URL)
	cfg.ShutdownTimeout = time.Minute
	a, err := New(cfg, datatest.MustOpenDB(t), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	withTestAccounts(t, a)
	if resp := do(t, a.Fiber(), httptest.NewRequest("POST", "/api/v1/sources/sdk/run", nil)); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("run now = %d", resp.StatusCode)
	}
	<-started
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := a.Serve(ctx, ln); err == nil {
		t.Fatal("Serve with a cancelled context returned nil, want its start-up error")
	}
	if a.sources[0].running.Load() {
		t.Error("the run started by hand still runs after Serve returned")
	}
}
