package data_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// usageTables renders the usage an import stores, in key order, every value
// with its Go type as the driver returns it: equal renderings are equal
// contents.
func usageTables(tb testing.TB, raw *sql.DB) string {
	tb.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT id, key, name, member_id, created_by_token FROM api_consumers ORDER BY id`,
		`SELECT * FROM api_usage_hourly ORDER BY bucket, consumer_id, endpoint, status_class`,
		`SELECT * FROM api_usage_daily ORDER BY bucket, consumer_id, endpoint, status_class`,
		`SELECT day FROM usage_days_stale ORDER BY day`,
		`SELECT source, reason, record FROM rejected_records ORDER BY id`,
		`SELECT source, cursor FROM collector_cursors ORDER BY source`,
	} {
		rows, err := raw.Query(q)
		if err != nil {
			tb.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatal(err)
			}
			for _, v := range vals {
				switch v := v.(type) {
				case float64:
					b.WriteString("|f" + strconv.FormatFloat(v, 'g', -1, 64))
				case []byte:
					b.WriteString("|s" + strconv.Quote(string(v)))
				default:
					fmt.Fprintf(&b, "|%T:%v", v, v)
				}
			}
			b.WriteByte('\n')
		}
		if err := rows.Err(); err != nil {
			tb.Fatal(err)
		}
		rows.Close()
	}
	return b.String()
}

// randomBatches returns batches of records drawn from a small set of
// hours, consumers and endpoints, so that keys repeat within a batch, across
// batches and across the hours of a day; some records have a latency, some
// not, some are rejected.
func randomBatches(seed uint64, n int) []*domain.UsageBatch {
	r := rand.New(rand.NewPCG(seed, 1))
	t0 := time.Date(2026, 2, 27, 20, 0, 0, 0, time.UTC)
	var out []*domain.UsageBatch
	for i := 0; i < n; i++ {
		b := domain.NewUsageBatch("gw")
		b.Cursor = fmt.Sprintf(`{"n":%d}`, i)
		if i > 0 {
			b.CursorFrom = fmt.Sprintf(`{"n":%d}`, i-1) // each batch continues from the one before
		}
		for j := r.IntN(400); j > 0; j-- {
			rec := domain.UsageRecord{
				Time:      t0.Add(time.Duration(r.IntN(80*60)) * time.Minute),
				Endpoint:  fmt.Sprintf("/v1/items/%d", r.IntN(5)),
				Status:    []int{200, 201, 404, 500, 503}[r.IntN(5)],
				Bytes:     int64(r.IntN(5000)),
				LatencyMS: -1,
			}
			if c := r.IntN(6); c > 0 {
				rec.Consumer = fmt.Sprintf("key-%d", c)
			}
			if r.IntN(3) == 0 {
				// Quarter milliseconds: their sums are exact in any
				// order (CommitUsage merges a day's hours in map order).
				rec.LatencyMS = float64(r.IntN(3600)) / 4
			}
			if r.IntN(50) == 0 {
				rec.Status = 42 // rejected
			}
			b.Add(rec, "raw line")
		}
		out = append(out, b)
	}
	return out
}

// A collector's batches stored by CommitCollectedUsage leave the same rows,
// value for value, as stored by CommitUsage (the path every batch took
// before): hourly and daily rows, consumers, stale days, the quarantine
// and the cursor.
func TestCommitCollectedUsageStoresWhatCommitUsageStores(t *testing.T) {
	ctx := context.Background()
	for _, seed := range []uint64{1, 2, 3} {
		var got, want string
		for _, collected := range []bool{false, true} {
			db := datatest.MustOpenDB(t)
			for _, b := range randomBatches(seed, 12) {
				commit := db.CommitUsage
				if collected {
					commit = db.CommitCollectedUsage
				}
				if err := commit(ctx, b); err != nil {
					t.Fatal(err)
				}
			}
			dump := usageTables(t, datatest.Raw(t, db))
			if collected {
				got = dump
			} else {
				want = dump
			}
		}
		if got != want {
			t.Errorf("seed %d: CommitCollectedUsage stored\n%s\nCommitUsage stored\n%s", seed, firstDiffLines(got, want), firstDiffLines(want, got))
		}
		if !strings.Contains(want, "|f") || strings.Count(want, "\n") < 100 {
			t.Fatalf("seed %d: the batches store too little to compare:\n%s", seed, want)
		}
	}
}

// firstDiffLines returns the lines of a from the first that b does not have.
func firstDiffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range al {
		if i >= len(bl) || al[i] != bl[i] {
			return strings.Join(al[i:min(len(al), i+5)], "\n")
		}
	}
	return ""
}

// A collector's batch moves the cursor by compare-and-set as CommitUsage
// does: a second run that read the same cursor stores nothing.
func TestCommitCollectedUsageRefusesAMovedCursor(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	batches := randomBatches(7, 2)
	batches[1].CursorFrom = "" // read before the first batch committed
	if err := db.CommitCollectedUsage(ctx, batches[0]); err != nil {
		t.Fatal(err)
	}
	before := usageTables(t, datatest.Raw(t, db))
	err := db.CommitCollectedUsage(ctx, batches[1])
	if domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("a batch from a cursor that moved: %v, want a conflict", err)
	}
	if after := usageTables(t, datatest.Raw(t, db)); after != before {
		t.Errorf("the refused batch stored something:\n%s", firstDiffLines(after, before))
	}
}
