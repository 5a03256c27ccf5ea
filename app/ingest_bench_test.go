package app

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// BenchmarkIngestLoopback posts NDJSON batches to a real server over
// loopback and reports records/s (goal: ≥ 100k/s with batches of 1,000).
func BenchmarkIngestLoopback(b *testing.B) {
	for _, size := range []int{100, 1000} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			db := emptyDB(b)
			a := newTestApp(b, db)
			secret := newToken(b, db, "bench", "")
			base := serveTestApp(b, a)
			start := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
			bodies := make([]string, 64)
			for i := range bodies {
				bodies[i] = ndjson(size, start.Add(time.Duration(i)*time.Hour))
			}
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				req, _ := http.NewRequest("POST", base+"/api/v1/ingest/api-calls", strings.NewReader(bodies[i%len(bodies)]))
				req.Header.Set("Authorization", "Bearer "+secret)
				req.Header.Set("Content-Type", "application/x-ndjson")
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
			b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
