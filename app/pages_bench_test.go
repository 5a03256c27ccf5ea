package app

import (
	"context"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/collectors/demo"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
)

// pbBenchDBEnv names a prepared database for BenchmarkPageLatency (a copy
// is used; scripts/bench.sh passes its year of data for 500 members). Unset,
// the benchmark seeds its own: pbMembers members over pbDays days.
const pbBenchDBEnv = "ECOPULSE_BENCH_DB"

const (
	pbMembers = 150
	pbDays    = 365
)

var (
	pbOnce sync.Once
	pbPath string
	pbErr  error
)

// pbLargeDB returns a private copy of a larger demo database than
// seededDB's: a year of data, scored over its last five weeks.
func pbLargeDB(b *testing.B) *data.DB {
	b.Helper()
	pbOnce.Do(func() {
		if p := os.Getenv(pbBenchDBEnv); p != "" {
			pbPath = p
			return
		}
		dir, err := os.MkdirTemp("", "ecopulse-pages-bench")
		if err != nil {
			pbErr = err
			return
		}
		pbPath = filepath.Join(dir, "large.db")
		ctx := context.Background()
		db, err := data.Open(ctx, pbPath)
		if err != nil {
			pbErr = err
			return
		}
		defer db.Close()
		if _, err := demo.Seed(ctx, db, demo.Options{Seed: 1, Days: pbDays, End: demoEnd, Members: pbMembers}); err != nil {
			pbErr = err
			return
		}
		_, pbErr = NewScorer(db, config.Default().Scoring, quietLogger()).ScoreRange(ctx, demoEnd.AddDate(0, 0, -35), demoEnd)
	})
	if pbErr != nil {
		b.Fatalf("large benchmark database: %v", pbErr)
	}
	ctx := context.Background()
	src, err := data.Open(ctx, pbPath)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "ecopulse.db")
	err = src.Backup(ctx, path)
	src.Close()
	if err != nil {
		b.Fatal(err)
	}
	db, err := data.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkPageLatency times each request of the pages the wrk run of
// scripts/bench.sh loads, through the handler stack (session check,
// queries, templates; no network), on a year of demo data, and reports the
// median and 99th percentile per request. The 20 ms p99 goal is checked in
// BENCHMARKS.md, not asserted here.
func BenchmarkPageLatency(b *testing.B) {
	db := pbLargeDB(b)
	a := newTestApp(b, db)
	ms, err := db.Members(context.Background())
	if err != nil || len(ms) == 0 {
		b.Fatalf("members: %d, %v", len(ms), err)
	}
	var slugs []string
	for i := 0; i < len(ms); i += max(1, len(ms)/16) {
		slugs = append(slugs, ms[i].Slug)
	}
	pages := []struct {
		name    string
		targets []string
	}{
		{"overview", []string{"/"}},
		{"member", nil}, // the member pages of 16 members in turn
		{"members", []string{"/members"}},
		{"api-overview", []string{"/api/v1/overview"}},
		{"api-scores", []string{"/api/v1/scores"}},
	}
	for _, s := range slugs {
		pages[1].targets = append(pages[1].targets, "/members/"+s)
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			for _, t := range p.targets { // each once, untimed: it answers 200
				if status, body, _ := get(b, a.Fiber(), t); status != 200 {
					b.Fatalf("GET %s = %d: %.200s", t, status, body)
				}
			}
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				target := p.targets[i%len(p.targets)]
				start := time.Now()
				resp := do(b, a.Fiber(), httptest.NewRequest("GET", target, nil))
				_, err := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat = append(lat, time.Since(start))
				if err != nil || resp.StatusCode != 200 {
					b.Fatalf("GET %s = %d, %v", target, resp.StatusCode, err)
				}
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(pbMillis(pbQuantile(lat, 0.50)), "p50-ms")
			b.ReportMetric(pbMillis(pbQuantile(lat, 0.99)), "p99-ms")
			b.ReportMetric(float64(len(ms)), "members")
		})
	}
}

// pbQuantile returns the q-quantile of sorted durations (nearest rank).
func pbQuantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func pbMillis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
