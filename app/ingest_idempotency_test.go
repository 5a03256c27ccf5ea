package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
)

// namedReplicas builds two Apps, replicas r1 and r2, each with its own store
// on one database (as two processes) and test accounts.
func namedReplicas(t *testing.T) (*App, *App) {
	t.Helper()
	target := datatest.Target(t)
	replica := func(name string) *App {
		db, err := data.Open(context.Background(), target)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		t.Setenv("ECOPULSE_REPLICA", name)
		return newTestApp(t, db)
	}
	return replica("r1"), replica("r2")
}

type pushAnswer struct {
	status   int
	accepted int64
	replayed bool   // the body's field
	header   string // Idempotency-Replayed
	body     string
}

// pushKeyed posts body with an Idempotency-Key (none when key is "").
func pushKeyed(t *testing.T, a *App, token, key, body string) pushAnswer {
	t.Helper()
	req := httptest.NewRequest("POST", "/api/v1/ingest/api-calls", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+token)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := a.Fiber().Test(req, -1)
	if err != nil {
		t.Error(err)
		return pushAnswer{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	ans := pushAnswer{status: resp.StatusCode, header: resp.Header.Get("Idempotency-Replayed"), body: string(b)}
	var v struct {
		Accepted int64 `json:"accepted"`
		Replayed bool  `json:"replayed"`
	}
	if resp.StatusCode == http.StatusAccepted {
		if err := json.Unmarshal(b, &v); err != nil {
			t.Errorf("answer %s: %v", b, err)
		}
	}
	ans.accepted, ans.replayed = v.Accepted, v.Replayed
	return ans
}

// TestIngestIdempotencyKeyAcrossReplicas: a batch retried with its key —
// to the same replica, to another, or to both at once — is stored once
// and answered as the first; another key stores again; no key behaves as
// without keys; a key out of bounds is refused with 400.
func TestIngestIdempotencyKeyAcrossReplicas(t *testing.T) {
	r1, r2 := namedReplicas(t)
	token := newToken(t, r1.db, "gateway", "")
	day := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
	batch := ndjson(40, day.Add(9*time.Hour))

	first := pushKeyed(t, r1, token, "batch-1", batch)
	if first.status != http.StatusAccepted || first.accepted != 40 || first.replayed || first.header != "" {
		t.Fatalf("first push: %+v", first)
	}
	for _, r := range []*App{r1, r2} { // again here, then to the other replica
		again := pushKeyed(t, r, token, "batch-1", batch)
		if again.status != first.status || again.accepted != first.accepted || !again.replayed || again.header != "true" {
			t.Errorf("retry to %s: %+v; want %d, %d accepted, marked a replay", r.replica, again, first.status, first.accepted)
		}
	}
	if got := totalCalls(t, r2.db, day); got != 40 {
		t.Fatalf("calls = %d after a batch and two retries, want 40", got)
	}

	// Both replicas at once, several times over: one stores it.
	var wg sync.WaitGroup
	answers := make(chan pushAnswer, 6)
	for i := range 6 {
		r := []*App{r1, r2}[i%2]
		wg.Add(1)
		go func() { defer wg.Done(); answers <- pushKeyed(t, r, token, "batch-2", batch) }()
	}
	wg.Wait()
	close(answers)
	stored := 0
	for a := range answers {
		if a.status != http.StatusAccepted || a.accepted != 40 {
			t.Errorf("concurrent copy: %+v", a)
		}
		if !a.replayed {
			stored++
		}
	}
	if stored != 1 {
		t.Errorf("%d concurrent copies were stored, want 1", stored)
	}
	if got := totalCalls(t, r1.db, day); got != 80 {
		t.Fatalf("calls = %d, want 80", got)
	}

	// Another key stores again; no key stores every time, unmarked.
	if a := pushKeyed(t, r2, token, "batch-3", batch); a.replayed {
		t.Errorf("another key: %+v", a)
	}
	for range 2 {
		if a := pushKeyed(t, r1, token, "", batch); a.status != http.StatusAccepted || a.replayed || a.header != "" {
			t.Errorf("no key: %+v", a)
		}
	}
	if got := totalCalls(t, r1.db, day); got != 40*5 {
		t.Fatalf("calls = %d, want %d", got, 40*5)
	}

	// Keys out of bounds are refused before anything is stored; a key
	// reused for another batch is a conflict.
	for _, key := range []string{strings.Repeat("k", 129), "two words", "caf\u00e9"} {
		if a := pushKeyed(t, r1, token, key, batch); a.status != http.StatusBadRequest || !strings.Contains(a.body, "Idempotency-Key") {
			t.Errorf("key %.20q: %d %s, want 400 naming the header", key, a.status, a.body)
		}
	}
	if a := pushKeyed(t, r1, token, strings.Repeat("k", 128), batch); a.status != http.StatusAccepted {
		t.Errorf("a key of 128 characters: %+v", a)
	}
	if a := pushKeyed(t, r2, token, "batch-1", ndjson(3, day.Add(10*time.Hour))); a.status != http.StatusConflict {
		t.Errorf("a key reused for another batch: %+v, want 409", a)
	}
	if got := totalCalls(t, r1.db, day); got != 40*6 {
		t.Errorf("calls = %d, want %d", got, 40*6)
	}

	// Each replica's counters are its own: what it committed, what it
	// answered from a key, under its name.
	committed, replayed := 0.0, 0.0
	for _, r := range []*App{r1, r2} {
		m := parseSamples(t, scrape(t, r))
		c, n := metric(m, "ecopulse_ingest_batches_committed_total", map[string]string{"source": "push", "replica": r.replica})
		p, _ := metric(m, "ecopulse_ingest_batches_replayed_total", map[string]string{"source": "push", "replica": r.replica})
		if n != 1 {
			t.Errorf("%s: %d committed series labelled with its name", r.replica, n)
		}
		committed, replayed = committed+c, replayed+p
	}
	// batch-1, batch-2, batch-3, two without a key, the 128-character key;
	// batch-1 twice and batch-2 five times.
	if committed != 6 || replayed != 7 {
		t.Errorf("committed %v and replayed %v batches across the replicas, want 6 and 7", committed, replayed)
	}
}
