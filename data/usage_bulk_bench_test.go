package data_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// sparseBatch returns a collector's batch of n rollup rows, each of its own
// (hour, endpoint): a sparse access log's chunk, hours from t0 on, about
// 100 rows an hour over 60 endpoints and three status classes.
func sparseBatch(t0 time.Time, n int) *domain.UsageBatch {
	b := domain.NewUsageBatch("bench")
	for i := 0; i < n; i++ {
		b.Add(domain.UsageRecord{
			Time:      t0.Add(time.Duration(i/100) * time.Hour),
			Endpoint:  fmt.Sprintf("/presentations/logstash-%d/images/kibana-%d.png", i%60, i%100),
			Status:    200 + 100*(i%3),
			Bytes:     int64(1000 + i%5000),
			LatencyMS: -1,
		}, "")
	}
	return b
}

// BenchmarkCommitUsageSparse stores sparse batches of 65,536 rows (one
// import chunk) one after the other into one database, through CommitUsage
// (push's path) and CommitCollectedUsage (the access-log collector's): the
// store's part of importing a sparse log, µs per rollup row.
func BenchmarkCommitUsageSparse(b *testing.B) {
	for _, bc := range []struct {
		name   string
		commit func(*data.DB) func(context.Context, *domain.UsageBatch) error
	}{
		{"CommitUsage", func(db *data.DB) func(context.Context, *domain.UsageBatch) error { return db.CommitUsage }},
		{"CommitCollectedUsage", func(db *data.DB) func(context.Context, *domain.UsageBatch) error { return db.CommitCollectedUsage }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			const rows = 65536
			db := datatest.MustOpenDB(b)
			commit := bc.commit(db)
			ctx := context.Background()
			t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				batch := sparseBatch(t0.Add(time.Duration(i*rows/100)*time.Hour), rows)
				b.StartTimer()
				if err := commit(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*rows), "µs/row")
		})
	}
}
