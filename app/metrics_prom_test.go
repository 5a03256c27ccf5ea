package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/collectors"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// fakeSource is a collector that reports fixed counts, or fails.
type fakeSource struct {
	stats collectors.Stats
	err   error
}

func (f fakeSource) Collect(ctx context.Context, env collectors.Env) (collectors.Stats, error) {
	return f.stats, f.err
}

// addFakeSource configures a source on a built app, as New would.
func addFakeSource(a *App, name string, src collectors.Source) *scheduledSource {
	s := &scheduledSource{cfg: config.SourceConfig{Name: name, Type: "fake", Schedule: "@every 1h"}, src: src}
	a.sources = append(a.sources, s)
	a.prom.declareSources(name)
	return s
}

// scrape fetches /metrics without a session, as Prometheus does.
func scrape(tb testing.TB, a *App) string {
	tb.Helper()
	resp, err := a.Fiber().Test(httptest.NewRequest("GET", "/metrics", nil), -1)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET /metrics = %d %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		tb.Errorf("GET /metrics Content-Type = %q, want the text format", ct)
	}
	return string(body)
}

// sample is one line of the text format: name{labels} value.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

func parseSamples(tb testing.TB, body string) []sample {
	tb.Helper()
	var out []sample
	for _, line := range strings.Split(body, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			tb.Fatalf("metrics line %q: %v", line, err)
		}
		s := sample{labels: map[string]string{}, value: v}
		head := line[:i]
		name, rest, hasLabels := strings.Cut(head, "{")
		s.name = name
		if hasLabels {
			for _, kv := range strings.Split(strings.TrimSuffix(rest, "}"), `",`) {
				k, val, _ := strings.Cut(kv, "=")
				s.labels[k] = strings.Trim(val, `"`)
			}
		}
		out = append(out, s)
	}
	return out
}

// metric returns the sum of the samples of name whose labels include want,
// and how many samples matched.
func metric(samples []sample, name string, want map[string]string) (float64, int) {
	var sum float64
	n := 0
next:
	for _, s := range samples {
		if s.name != name {
			continue
		}
		for k, v := range want {
			if s.labels[k] != v {
				continue next
			}
		}
		sum += s.value
		n++
	}
	return sum, n
}

// TestMetricsCountIngestAndCollectorRuns pushes a good and a bad batch,
// runs a collector that stores and rejects and one that fails, and reads
// the counters back from /metrics.
func TestMetricsCountIngestAndCollectorRuns(t *testing.T) {
	t.Setenv("ECOPULSE_REPLICA", "replica-a")
	a := newTestApp(t, datatest.MustOpenDB(t))
	token := newToken(t, a.db, "gateway", "")
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	if status, body := post(t, a, token, ndjson(5, at), nil); status != http.StatusAccepted {
		t.Fatalf("good batch: %d %s", status, body)
	}
	if status, body := post(t, a, token, `{"time":"not a time","endpoint":"/v1/x","status":200}`+"\n", nil); status != http.StatusBadRequest {
		t.Fatalf("bad batch: %d %s", status, body)
	}

	ctx := context.Background()
	good := addFakeSource(a, "fake-ok", fakeSource{stats: collectors.Stats{Read: 5, Stored: 3, Rejected: 2}})
	bad := addFakeSource(a, "fake-broken", fakeSource{err: errors.New("the source is down")})
	if _, err := a.runSource(ctx, good); err != nil {
		t.Fatalf("run fake-ok: %v", err)
	}
	if _, err := a.runSource(ctx, bad); err == nil {
		t.Fatal("run fake-broken succeeded")
	}

	m := parseSamples(t, scrape(t, a))
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"ecopulse_ingest_records_accepted_total", map[string]string{"source": "push"}, 5},
		{"ecopulse_ingest_batches_rejected_total", map[string]string{"source": "push"}, 1},
		{"ecopulse_ingest_records_rejected_total", map[string]string{"source": "push"}, 0},
		{"ecopulse_ingest_records_accepted_total", map[string]string{"source": "fake-ok"}, 3},
		{"ecopulse_ingest_records_rejected_total", map[string]string{"source": "fake-ok"}, 2},
		{"ecopulse_collector_failures_total", map[string]string{"source": "fake-ok"}, 0},
		{"ecopulse_collector_failures_total", map[string]string{"source": "fake-broken"}, 1},
		{"ecopulse_ingest_records_accepted_total", map[string]string{"source": "fake-broken"}, 0},
		{"ecopulse_collector_run_duration_seconds_count", map[string]string{"source": "fake-ok"}, 1},
		{"ecopulse_collector_run_duration_seconds_count", map[string]string{"source": "fake-broken"}, 1},
		// Both pushes went through one route pattern; 2xx and 4xx apart.
		{"ecopulse_http_request_duration_seconds_count", map[string]string{"method": "POST", "route": "/api/v1/ingest/api-calls", "status": "2xx"}, 1},
		{"ecopulse_http_request_duration_seconds_count", map[string]string{"method": "POST", "route": "/api/v1/ingest/api-calls", "status": "4xx"}, 1},
	} {
		got, n := metric(m, c.name, c.labels)
		if n == 0 {
			t.Errorf("%s%v: no such series", c.name, c.labels)
			continue
		}
		if got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if size, n := metric(m, "ecopulse_database_size_bytes", nil); n != 1 || size <= 0 {
		t.Errorf("ecopulse_database_size_bytes = %v (%d series), want the file's size", size, n)
	}
	for _, name := range []string{"go_goroutines", "go_memstats_alloc_bytes", "process_resident_memory_bytes", "go_build_info"} {
		if _, n := metric(m, name, nil); n == 0 {
			t.Errorf("%s is missing: the go and process collectors are not registered", name)
		}
	}
	// The push batch this replica committed, and which replica it is:
	// every series says so, and the info metric states it.
	if got, n := metric(m, "ecopulse_ingest_batches_committed_total", map[string]string{"source": "push"}); n != 1 || got != 1 {
		t.Errorf("ecopulse_ingest_batches_committed_total{source=push} = %v (%d series), want 1", got, n)
	}
	if got, n := metric(m, "ecopulse_replica_info", map[string]string{"replica": "replica-a"}); n != 1 || got != 1 {
		t.Errorf("ecopulse_replica_info{replica=replica-a} = %v (%d series), want 1", got, n)
	}
	for _, s := range m {
		if s.labels["replica"] != "replica-a" {
			t.Errorf("%s%v does not name the replica", s.name, s.labels)
		}
	}
}

// TestHTTPMetricsUseRoutePatterns checks the latency histogram is labelled
// by route pattern, never by raw path (bounded cardinality), and that
// refusals and unknown paths are counted under bounded labels too.
func TestHTTPMetricsUseRoutePatterns(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	for _, p := range []string{"/api/v1/members/alpha-one", "/api/v1/members/bravo-two", "/api/v1/members/charlie?at=2026-06-30", "/api/v1/scores?at=2026-06-30"} {
		get(t, a.Fiber(), p)
	}
	// Anonymous: refused by the gate before any handler; then paths with no rule.
	for _, p := range []string{"/api/v1/scores", "/.env", "/wp-admin/setup.php", "/static/app.css"} {
		resp, err := a.Fiber().Test(httptest.NewRequest("GET", p, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	body := scrape(t, a)
	for _, raw := range []string{"alpha-one", "bravo-two", "charlie", "2026-06-30", ".env", "wp-admin", "app.css"} {
		if strings.Contains(body, raw) {
			t.Errorf("/metrics contains the raw path part %q: labels must be route patterns", raw)
		}
	}
	m := parseSamples(t, body)
	const h = "ecopulse_http_request_duration_seconds_count"
	if got, _ := metric(m, h, map[string]string{"method": "GET", "route": "/api/v1/members/:slug"}); got != 3 {
		t.Errorf("%s{route=/api/v1/members/:slug} = %v, want 3", h, got)
	}
	if got, _ := metric(m, h, map[string]string{"route": "/api/v1/scores", "status": "2xx"}); got != 1 {
		t.Errorf("%s{route=/api/v1/scores,status=2xx} = %v, want 1", h, got)
	}
	if got, _ := metric(m, h, map[string]string{"route": "/api/v1/scores", "status": "4xx"}); got != 1 {
		t.Errorf("%s{route=/api/v1/scores,status=4xx} (anonymous, refused) = %v, want 1", h, got)
	}
	if got, _ := metric(m, h, map[string]string{"route": "unmatched", "status": "4xx"}); got != 2 {
		t.Errorf("%s{route=unmatched} = %v, want 2", h, got)
	}
	if got, _ := metric(m, h, map[string]string{"route": "/static/*", "status": "2xx"}); got != 1 {
		t.Errorf("%s{route=/static/*} = %v, want 1", h, got)
	}
	// Every route label is a registered pattern, a policy pattern or "unmatched".
	known := map[string]bool{"unmatched": true}
	for _, r := range a.Fiber().GetRoutes(true) {
		known[r.Path] = true
	}
	for _, r := range a.routes() {
		known[r.pattern] = true
	}
	for _, s := range m {
		if s.name == h && !known[s.labels["route"]] {
			t.Errorf("route label %q is not a route pattern", s.labels["route"])
		}
	}
}

// TestMetricsReportTheDatabaseSize: /metrics gives the store's size on
// either backend (the SQLite files, PostgreSQL's pg_database_size), at
// least what its biggest write since the last scrape added.
func TestMetricsReportTheDatabaseSize(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	before, n := metric(parseSamples(t, scrape(t, a)), "ecopulse_database_size_bytes", nil)
	if n != 1 || !(before > 0) {
		t.Fatalf("ecopulse_database_size_bytes = %v (%d series), want the store's size", before, n)
	}
	rs := make([]domain.Rejected, 500) // 2 MB of random hex: text no compression shrinks
	buf := make([]byte, domain.MaxRejectedRecordBytes/2)
	for i := range rs {
		rand.Read(buf)
		rs[i] = domain.Rejected{Reason: "test", Record: hex.EncodeToString(buf)}
	}
	if err := a.db.ReplaceRejectedRecords(context.Background(), "registry", rs); err != nil {
		t.Fatal(err)
	}
	if after, _ := metric(parseSamples(t, scrape(t, a)), "ecopulse_database_size_bytes", nil); !(after > before) {
		t.Errorf("ecopulse_database_size_bytes went from %v to %v after a write of 2 MB", before, after)
	}
}

// TestMetricsAreNotShared checks each app has its own registry: two apps
// in one process count apart (and building the second did not panic on a
// duplicate registration).
func TestMetricsAreNotShared(t *testing.T) {
	a, b := newTestApp(t, datatest.MustOpenDB(t)), newTestApp(t, datatest.MustOpenDB(t))
	get(t, a.Fiber(), "/api/v1/me")
	get(t, a.Fiber(), "/api/v1/me")
	get(t, b.Fiber(), "/api/v1/me")
	const h = "ecopulse_http_request_duration_seconds_count"
	if got, _ := metric(parseSamples(t, scrape(t, a)), h, map[string]string{"route": "/api/v1/me"}); got != 2 {
		t.Errorf("app a counted %v requests to /api/v1/me, want 2", got)
	}
	if got, _ := metric(parseSamples(t, scrape(t, b)), h, map[string]string{"route": "/api/v1/me"}); got != 1 {
		t.Errorf("app b counted %v requests to /api/v1/me, want 1", got)
	}
}

// TestRequestLogIsDebugAndLeavesOutQueries checks the request log line:
// at Debug, with method, route pattern, status and duration, and never the
// query string (which may carry a token) or the raw path.
func TestRequestLogIsDebugAndLeavesOutQueries(t *testing.T) {
	var logs bytes.Buffer
	a := newTestApp(t, datatest.MustOpenDB(t))
	a.log = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	get(t, a.Fiber(), "/api/v1/members/some-member?token=SECRET-IN-QUERY")
	out := logs.String()
	if !strings.Contains(out, `"msg":"request"`) || !strings.Contains(out, `"level":"DEBUG"`) {
		t.Fatalf("no debug request line in %q", out)
	}
	for _, want := range []string{`"method":"GET"`, `"route":"/api/v1/members/:slug"`, `"status":404`, `"duration":`} {
		if !strings.Contains(out, want) {
			t.Errorf("request log lacks %s: %q", want, out)
		}
	}
	for _, leak := range []string{"SECRET-IN-QUERY", "some-member"} {
		if strings.Contains(out, leak) {
			t.Errorf("request log contains %q: %q", leak, out)
		}
	}
	// At Info (the default), no request lines.
	logs.Reset()
	a.log = slog.New(slog.NewJSONHandler(&logs, nil))
	get(t, a.Fiber(), "/api/v1/me")
	if strings.Contains(logs.String(), `"msg":"request"`) {
		t.Errorf("request logged at Info level: %q", logs.String())
	}
}
