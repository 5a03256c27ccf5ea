package data_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// BenchmarkAddActivities stores batches of 1,000 new activities spread over
// 30 days, as a collector does, with the triggers that keep the activity
// day digests honest and, for comparison, with those triggers dropped.
func BenchmarkAddActivities(b *testing.B) {
	for _, triggers := range []bool{true, false} {
		b.Run(fmt.Sprint("digest-triggers=", triggers), func(b *testing.B) {
			db := datatest.MustOpenDB(b)
			ctx := context.Background()
			m := mustMember(b, db, "m")
			if !triggers {
				raw := datatest.Raw(b, db)
				on := "" // SQLite's trigger names are the database's; PostgreSQL's the table's
				if datatest.Postgres() {
					on = " ON activities"
				}
				for _, t := range []string{"activities_insert_stale", "activities_update_stale", "activities_delete_stale"} {
					if _, err := raw.Exec(`DROP TRIGGER ` + t + on); err != nil {
						b.Fatal(err)
					}
				}
			}
			start := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
			batch := make([]domain.Activity, 1000)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for j := range batch {
					k := i*len(batch) + j
					batch[j] = domain.Activity{Source: "github", ExternalID: fmt.Sprint(k), Kind: domain.ActReply,
						At: start.Add(time.Duration(k%(30*24*60)) * time.Minute), Actor: fmt.Sprint("dev", k%50),
						MemberID: m.ID, Thread: fmt.Sprint("t", k%300)}
				}
				if _, err := db.AddActivities(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "activities/s")
		})
	}
}
