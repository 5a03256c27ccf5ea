package github

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/collectors"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/internal/fakeapi"
)

// t0 is the tests' fixed clock: nothing depends on the wall clock.
var t0 = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

const testRepo = "ecopulse-test/widgets"

// fakeAPI is the fake GitHub. Unrouted repository listings answer an
// empty JSON array, as GitHub does for a repository with nothing to list.
type fakeAPI struct{ *fakeapi.Server }

func newFakeAPI(tb testing.TB) *fakeAPI {
	tb.Helper()
	return &fakeAPI{fakeapi.New(tb, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/repos/") {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Write([]byte("[]"))
			return
		}
		http.NotFound(w, r)
	})}
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
	h := &harness{db: datatest.MustOpenDB(tb), api: newFakeAPI(tb)}
	h.env = collectors.Env{DB: h.db, Name: "github", Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return t0 }}
	h.src = h.newSource(tb, cfg, nil)
	return h
}

// newSource builds another Source on the same server and database (a
// restart: nothing in memory survives).
func (h *harness) newSource(tb testing.TB, cfg Config, client *http.Client) *Source {
	tb.Helper()
	if cfg.BaseURL == "" {
		cfg.BaseURL = h.api.URL
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
