package github

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/collectors"
	"github.com/ecopulse/ecopulse/data"
)

// t0 is the tests' fixed clock: nothing depends on the wall clock.
var t0 = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

const testRepo = "ecopulse-test/widgets"

// fakeAPI is an httptest server with handlers by URL path. Unrouted
// repository listings answer an empty JSON array, as GitHub does for a
// repository with nothing to list.
type fakeAPI struct {
	srv *httptest.Server

	mu     sync.Mutex
	routes map[string]http.HandlerFunc
	reqs   []*http.Request
}

func newFakeAPI(tb testing.TB) *fakeAPI {
	tb.Helper()
	f := &fakeAPI{routes: map[string]http.HandlerFunc{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.reqs = append(f.reqs, r.Clone(context.Background()))
	h := f.routes[r.URL.Path]
	f.mu.Unlock()
	if h != nil {
		h(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/repos/") {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write([]byte("[]"))
		return
	}
	http.NotFound(w, r)
}

func (f *fakeAPI) handle(path string, h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[path] = h
}

// requests returns the requests received for a path, in order.
func (f *fakeAPI) requests(path string) []*http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*http.Request
	for _, r := range f.reqs {
		if r.URL.Path == path {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeAPI) allRequests() []*http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*http.Request(nil), f.reqs...)
}

// sequence answers the n-th request with the n-th handler, the last one
// again for any further request.
func sequence(hs ...http.HandlerFunc) http.HandlerFunc {
	var mu sync.Mutex
	n := 0
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := hs[min(n, len(hs)-1)]
		n++
		mu.Unlock()
		h(w, r)
	}
}

// jsonBody answers 200 with body and the given header pairs.
func jsonBody(body []byte, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Add(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(body)
	}
}

// status answers code with body and header pairs.
func status(code int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(code)
		w.Write([]byte(body))
	}
}

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// issueJSON is a minimal issue (or pull request) item of the issues listing.
func issueJSON(id int64, number int, login, created, updated string, pr bool) string {
	s := fmt.Sprintf(`{"id":%d,"number":%d,"title":"Item %d","user":{"login":%q,"type":"User"},"state":"open",`+
		`"created_at":%q,"updated_at":%q,"closed_at":null`, id, number, number, login, created, updated)
	if pr {
		s += fmt.Sprintf(`,"pull_request":{"url":"https://api.github.com/repos/%s/pulls/%d","merged_at":null}`, testRepo, number)
	}
	return s + "}"
}

func jsonArray(items ...string) []byte { return []byte("[" + strings.Join(items, ",") + "]") }

func openDB(tb testing.TB) *data.DB {
	tb.Helper()
	db, err := data.Open(context.Background(), filepath.Join(tb.TempDir(), "ecopulse.db"))
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// harness is a Source against a fakeAPI and a fresh database, with a fixed
// clock and a sleep that records instead of waiting.
type harness struct {
	db  *data.DB
	api *fakeAPI
	src *Source
	env collectors.Env

	mu     sync.Mutex
	sleeps []time.Duration
}

func newHarness(tb testing.TB, cfg Config) *harness {
	tb.Helper()
	h := &harness{db: openDB(tb), api: newFakeAPI(tb)}
	h.env = collectors.Env{DB: h.db, Name: "github", Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return t0 }}
	h.src = h.newSource(tb, cfg, nil)
	return h
}

// newSource builds another Source on the same server and database (a
// restart: nothing in memory survives).
func (h *harness) newSource(tb testing.TB, cfg Config, client *http.Client) *Source {
	tb.Helper()
	if cfg.BaseURL == "" {
		cfg.BaseURL = h.api.srv.URL
	}
	if len(cfg.Repos) == 0 {
		cfg.Repos = []string{testRepo}
	}
	if cfg.TokenEnv == "" {
		cfg.TokenEnv = "ECOPULSE_TEST_UNSET_GITHUB_TOKEN"
	}
	if client == nil && cfg.Timeout == 0 {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	src, err := New(cfg, client)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	src.Sleep = h.sleep
	src.Now = func() time.Time { return t0 }
	return src
}

func (h *harness) sleep(ctx context.Context, d time.Duration) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sleeps = append(h.sleeps, d)
	return ctx.Err()
}

func (h *harness) slept() []time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]time.Duration(nil), h.sleeps...)
}

func (h *harness) collect(tb testing.TB) (collectors.Stats, error) {
	tb.Helper()
	return h.src.Collect(context.Background(), h.env)
}

func (h *harness) mustCollect(tb testing.TB) collectors.Stats {
	tb.Helper()
	st, err := h.collect(tb)
	if err != nil {
		tb.Fatalf("Collect: %v", err)
	}
	return st
}

func (h *harness) cursor(tb testing.TB) *cursor {
	tb.Helper()
	raw, err := h.db.Cursor(context.Background(), h.env.Name)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := parseCursor(raw)
	if err != nil {
		tb.Fatalf("cursor %q: %v", raw, err)
	}
	return c
}

func mustTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}
