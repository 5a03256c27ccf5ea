package app

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func newToken(tb testing.TB, db *data.DB, name, allow string) string {
	tb.Helper()
	prefixes, err := domain.ParseAllowList(allow)
	if err != nil {
		tb.Fatal(err)
	}
	secret, err := db.CreateToken(context.Background(), &domain.Token{Name: name, Scope: domain.ScopeIngest, Allow: prefixes})
	if err != nil {
		tb.Fatal(err)
	}
	return secret
}

func ndjson(n int, at time.Time) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `{"time":%q,"consumer":"key-%d","endpoint":"/v1/chat/completions","status":%d,"bytes":100,"latency_ms":%d}`+"\n",
			at.Add(time.Duration(i)*time.Second).Format(time.RFC3339), i%3, 200+(i%7/6)*300, 20+i%50)
	}
	return b.String()
}

func post(tb testing.TB, a *App, token, body string, hdr map[string]string) (int, string) {
	tb.Helper()
	req := httptest.NewRequest("POST", "/api/v1/ingest/api-calls", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-ndjson")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := a.Fiber().Test(req, -1)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func totalCalls(tb testing.TB, db *data.DB, day time.Time) int64 {
	tb.Helper()
	t, err := db.UsageTotals(context.Background(), day, day.AddDate(0, 0, 1), 0)
	if err != nil {
		tb.Fatal(err)
	}
	return t.Calls
}

func TestIngestStoresWholeBatchesOnly(t *testing.T) {
	db := datatest.MustOpenDB(t)
	a := newTestApp(t, db)
	secret := newToken(t, db, "gateway", "")
	day := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)

	status, body := post(t, a, secret, ndjson(250, day.Add(9*time.Hour)), nil)
	if status != http.StatusAccepted || !strings.Contains(body, `"accepted":250`) {
		t.Fatalf("good batch: %d %s", status, body)
	}
	if got, want := totalCalls(t, db, day), int64(250); got != want {
		t.Errorf("stored calls = %d, want %d", got, want)
	}

	bad := ndjson(5, day.Add(10*time.Hour)) + `{"time":"2026-05-04T10:00:00Z","endpoint":"/x","status":0}` + "\n" + ndjson(5, day.Add(11*time.Hour))
	status, body = post(t, a, secret, bad, nil)
	if status != http.StatusBadRequest || !strings.Contains(body, "line 6") || !strings.Contains(body, "status") {
		t.Errorf("bad batch: %d %s, want 400 naming line 6 and its status", status, body)
	}
	if got, want := totalCalls(t, db, day), int64(250); got != want {
		t.Errorf("after a rejected batch calls = %d, want %d: a batch is stored whole or not at all", got, want)
	}
	if n, _ := db.CountRejected(context.Background(), "push"); n != 1 {
		t.Errorf("quarantine holds %d notes of the rejected batch, want 1", n)
	}

	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	io.WriteString(w, ndjson(40, day.Add(12*time.Hour)))
	w.Close()
	status, body = post(t, a, secret, gz.String(), map[string]string{"Content-Encoding": "gzip"})
	if status != http.StatusAccepted {
		t.Errorf("gzip batch: %d %s", status, body)
	}
	if got, want := totalCalls(t, db, day), int64(290); got != want {
		t.Errorf("after gzip batch calls = %d, want %d", got, want)
	}

	kong := `[{"request":{"method":"POST","uri":"/v1/embeddings?x=1","headers":{}},"response":{"status":200,"size":512},
	  "latencies":{"request":31,"proxy":20,"kong":1},"consumer":{"username":"acme"},"started_at":` +
		fmt.Sprint(day.Add(13*time.Hour).UnixMilli()) + `,"client_ip":"203.0.113.9"}]`
	status, body = post(t, a, secret, kong, map[string]string{"Content-Type": "application/json"})
	if status != http.StatusAccepted {
		t.Errorf("Kong payload: %d %s", status, body)
	}

	if err := a.push.flush(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	runs, err := db.RunsOf(context.Background(), "push", 1)
	if err != nil || len(runs) != 1 {
		t.Fatalf("push run record: %v %v", runs, err)
	}
	if got, want := runs[0].ItemsStored, int64(291); got != want {
		t.Errorf("push run stored = %d, want %d", got, want)
	}
	if got, want := runs[0].ItemsRejected, int64(1); got != want {
		t.Errorf("push run rejected batches = %d, want %d", got, want)
	}
}

func TestIngestNeedsALiveIngestTokenFromAnAllowedAddress(t *testing.T) {
	db := datatest.MustOpenDB(t)
	a := newTestApp(t, db)
	secret := newToken(t, db, "gateway", "")
	fenced := newToken(t, db, "fenced", "192.0.2.0/24")
	body := ndjson(3, time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC))
	for name, tc := range map[string]struct {
		token  string
		status int
	}{
		"no token":      {"", http.StatusUnauthorized},
		"wrong token":   {secret + "x", http.StatusUnauthorized},
		"not a token":   {"hunter2", http.StatusUnauthorized},
		"outside allow": {fenced, http.StatusForbidden},
		"good":          {secret, http.StatusAccepted},
	} {
		if status, resp := post(t, a, tc.token, body, nil); status != tc.status {
			t.Errorf("%s: status %d (%s), want %d", name, status, resp, tc.status)
		}
	}
	if err := db.RevokeToken(context.Background(), "gateway"); err != nil {
		t.Fatal(err)
	}
	if status, _ := post(t, a, secret, body, nil); status != http.StatusUnauthorized {
		t.Errorf("revoked token: status %d, want 401", status)
	}
	if status, _, _ := get(t, a.Fiber(), "/api/v1/ingest/api-calls"); status != http.StatusMethodNotAllowed && status != http.StatusNotFound {
		t.Errorf("GET on the ingest route: %d", status)
	}
}

func TestIngestBodyLimits(t *testing.T) {
	db := datatest.MustOpenDB(t)
	a := newTestApp(t, db)
	secret := newToken(t, db, "gateway", "")
	// Over the 8 MiB request limit, through a real socket: the server reads
	// the Content-Length and answers 413 without taking the body.
	base := serveTestApp(t, a)
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/ingest/api-calls HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/x-ndjson\r\nContent-Length: %d\r\n\r\n", secret, 9<<20)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: status %d, want 413", resp.StatusCode)
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(bytes.Repeat([]byte(" "), 64<<20)) // a small gzip that expands past the decoded limit
	w.Close()
	if status, body := post(t, a, secret, gz.String(), map[string]string{"Content-Encoding": "gzip"}); status != http.StatusRequestEntityTooLarge {
		t.Errorf("gzip bomb: status %d (%s), want 413", status, body)
	}
}
