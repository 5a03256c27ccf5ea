package app

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/internal/fakeapi"
	"github.com/ecopulse/ecopulse/views"
)

// fakeGitHub answers the GitHub REST listings of acme/sdk (the repository
// of configWithGitHub) with one issue and nothing else.
func fakeGitHub(tb testing.TB) *fakeapi.Server {
	tb.Helper()
	srv := fakeapi.New(tb, fakeapi.JSON([]byte(`[]`)))
	srv.Handle("/repos/acme/sdk/issues", fakeapi.JSON([]byte(`[{"id":11,"number":1,"title":"Crash on <b>start</b>","state":"open","user":{"login":"octo","type":"User"},
				"created_at":"2026-06-01T10:00:00Z","updated_at":"2026-06-01T10:00:00Z","closed_at":null,"comments":0}]`)))
	return srv
}

func configWithGitHub(tb testing.TB, url string) config.Config {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "c.yaml")
	body := fmt.Sprintf("sources:\n  - name: sdk\n    type: github\n    schedule: \"@every 10m\"\n    options:\n      repos: [acme/sdk]\n      base_url: %s\n      token_env: ECOPULSE_TEST_NO_TOKEN\n", url)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		tb.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

func TestSourceConfigErrorsAreClear(t *testing.T) {
	for name, tc := range map[string]struct{ body, want string }{
		"unknown type":   {"sources:\n  - {name: a, type: carrier-pigeon}\n", "unknown type"},
		"bad schedule":   {"sources:\n  - {name: a, type: github, schedule: \"every day\", options: {repos: [a/b]}}\n", "bad schedule"},
		"duplicate":      {"sources:\n  - {name: a, type: github, options: {repos: [a/b]}}\n  - {name: a, type: github, options: {repos: [a/b]}}\n", "two sources"},
		"unknown option": {"sources:\n  - {name: a, type: github, options: {repos: [a/b], colour: red}}\n", "colour"},
		"bad name":       {"sources:\n  - {name: \"A B\", type: github, options: {repos: [a/b]}}\n", "name must be"},
		"bad mapping":    {"consumers:\n  - {key: k}\n", "consumers[0]"},
	} {
		path := filepath.Join(t.TempDir(), "c.yaml")
		if err := os.WriteFile(path, []byte(tc.body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := config.Load(path)
		if err == nil || !strings.Contains(err.Error()+domain.ErrorMessage(err), tc.want) {
			t.Errorf("%s: err = %v, want it to mention %q", name, err, tc.want)
		}
	}
}

func TestSourcesPageRunNowAndCollect(t *testing.T) {
	srv := fakeGitHub(t)
	db := datatest.MustOpenDB(t)
	a, err := New(configWithGitHub(t, srv.URL), db, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	withTestAccounts(t, a)
	status, body, _ := get(t, a.Fiber(), "/api/v1/sources")
	if status != 200 {
		t.Fatalf("/api/v1/sources = %d %s", status, body)
	}
	s := decode[views.Sources](t, body)
	if len(s.Sources) != 1 || s.Sources[0].Name != "sdk" || s.Sources[0].Status != "never" || s.Sources[0].NextRun == "" {
		t.Fatalf("sources before any run = %+v", s.Sources)
	}

	resp := do(t, a.Fiber(), httptest.NewRequest("POST", "/api/v1/sources/sdk/run", nil))
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("run now = %d", resp.StatusCode)
	}
	var runs []domain.CollectorRun
	for i := 0; i < 200; i++ { // bounded wait for the background run to finish
		runs, err = db.RunsOf(context.Background(), "sdk", 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) == 1 && runs[0].Status != domain.RunRunning && !a.sources[0].running.Load() {
			break // the run and the rescoring after it are done
		}
		time.Sleep(25 * time.Millisecond)
	}
	if len(runs) != 1 || runs[0].Status != domain.RunSucceeded || runs[0].ItemsStored != 1 {
		t.Fatalf("run after run-now = %+v", runs)
	}
	_, body, _ = get(t, a.Fiber(), "/api/v1/sources")
	s = decode[views.Sources](t, body)
	if got := s.Sources[0]; got.Status != "ok" || got.Stored != 1 || got.LagSeconds < 0 {
		t.Errorf("source after its run = %+v", got)
	}
	_, page, _ := get(t, a.Fiber(), "/sources")
	if !strings.Contains(page, `data-source="sdk"`) || !strings.Contains(page, "Run now") {
		t.Errorf("/sources does not show the source with a run button")
	}
	if resp := do(t, a.Fiber(), httptest.NewRequest("POST", "/api/v1/sources/nope/run", nil)); resp.StatusCode != 404 {
		t.Errorf("run of an unknown source = %d, want 404", resp.StatusCode)
	}

	// `ecopulse collect` runs it again: nothing new (dedup), a second run record.
	var out strings.Builder
	env := &Env{Config: configWithGitHub(t, srv.URL), Log: quietLogger(), Out: &out, Now: time.Now}
	env.Config.DB = db.Path()
	if err := Collect(context.Background(), env, []string{"sdk"}); err != nil {
		t.Fatalf("collect: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "sdk") || !strings.Contains(out.String(), "succeeded") {
		t.Errorf("collect printed %q", out.String())
	}
	if err := Collect(context.Background(), env, []string{"missing"}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("collect of an unknown source: %v", err)
	}
}
