package app

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data/datatest"
)

// BenchmarkIngestLoopback posts NDJSON batches to a real server over
// loopback from one client, one request after the other, and reports
// records/s (goal: ≥ 100k/s with batches of 100 and of 1,000). Each request
// pays the whole round trip: this is the per-request cost.
func BenchmarkIngestLoopback(b *testing.B) {
	for _, size := range []int{100, 1000} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			benchIngest(b, 1, size)
		})
	}
}

// BenchmarkIngestLoopbackConcurrent is BenchmarkIngestLoopback with several
// clients posting at once, as a gateway's workers do. Requests overlap here,
// so it hides part of the per-request cost: report it next to the
// sequential figures, never instead of them.
func BenchmarkIngestLoopbackConcurrent(b *testing.B) {
	for _, clients := range []int{4, 8} {
		for _, size := range []int{100, 1000} {
			b.Run(fmt.Sprintf("clients=%d/batch=%d", clients, size), func(b *testing.B) {
				benchIngest(b, clients, size)
			})
		}
	}
}

// benchIngest posts b.N batches of size records from clients goroutines, each
// batch answered 202 before its client posts the next.
func benchIngest(b *testing.B, clients, size int) {
	cfg := config.Default()
	// The limiter still runs (and names the token) on every request; the
	// default 100 requests/s per token would stop the benchmark.
	cfg.Auth.RateLimits.Ingest.Max = 1 << 30
	db := datatest.MustOpenDB(b)
	a := newConfiguredApp(b, db, cfg)
	secret := newToken(b, db, "bench", "")
	base := serveTestApp(b, a)
	start := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
	bodies := make([]string, 64)
	for i := range bodies {
		bodies[i] = ndjson(size, start.Add(time.Duration(i)*time.Hour))
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: max(8, clients)}}
	defer client.CloseIdleConnections()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	b.ResetTimer()
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				if err := postBench(client, base, secret, bodies[i%int64(len(bodies))]); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "records/s")
}

func postBench(client *http.Client, base, secret, body string) error {
	req, err := http.NewRequest("POST", base+"/api/v1/ingest/api-calls", strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}
