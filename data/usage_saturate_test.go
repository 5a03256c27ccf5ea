package data_test

import (
	"context"
	"database/sql"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// poisonUsage writes rollup rows of int64's maximum (and a negative one)
// straight into the tables, as an old or damaged database holds them:
// ingest refuses such records now, but stored data must never break a page.
func poisonUsage(tb testing.TB, db *data.DB, at time.Time, consumer int64) {
	tb.Helper()
	raw := datatest.Raw(tb, db)
	hour, d := at.Truncate(time.Hour).Unix(), domain.Day(at).Unix()
	for _, r := range []struct {
		table    string
		bucket   int64
		endpoint string
		class    int
		calls    int64
		bytes    int64
	}{
		{"api_usage_hourly", hour, "/poison", 2, math.MaxInt64, math.MaxInt64},
		{"api_usage_daily", d, "/poison", 2, math.MaxInt64, math.MaxInt64},
		{"api_usage_hourly", hour, "/poison", 5, 3, -7},
		{"api_usage_daily", d, "/poison", 5, 3, -7},
	} {
		if _, err := raw.Exec(`INSERT INTO `+r.table+` (bucket, consumer_id, endpoint, status_class, calls, bytes, latency_ms_sum, h05)
			VALUES (?, ?, ?, ?, ?, ?, 0, ?)`, r.bucket, consumer, r.endpoint, r.class, r.calls, r.bytes, r.calls); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := raw.Exec(`INSERT INTO usage_days_stale (day) VALUES (?) ON CONFLICT DO NOTHING`, d); err != nil {
		tb.Fatal(err)
	}
}

// TestUsageSumsSaturate: a stored row of int64's maximum made SQL's SUM fail
// with "integer overflow" (every total covering it answered 500) and Go's
// sums wrap to negative numbers. Every reader of the rollups now saturates
// at the maximum and counts a negative stored value as 0.
func TestUsageSumsSaturate(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	m := mustMember(t, db, "alpha")
	c := mustConsumer(t, db, "k1", m.ID)
	stranger := mustConsumer(t, db, "stranger", 0)
	at := day(t, "2026-03-04").Add(9 * time.Hour)
	if err := db.AddUsage(ctx, []domain.UsageRollup{rollup(at, c.ID, 2, 100, 40), rollup(at, stranger.ID, 4, 10, 40)}); err != nil {
		t.Fatal(err)
	}
	poisonUsage(t, db, at, c.ID)
	from, to := day(t, "2026-03-01"), day(t, "2026-03-08")
	const max = math.MaxInt64

	check := func(stage string) {
		t.Helper()
		for _, member := range []int64{0, m.ID} {
			tot, err := db.UsageTotals(ctx, from, to, member)
			if err != nil {
				t.Fatalf("%s: UsageTotals(member %d): %v", stage, member, err)
			}
			if tot.Calls != max || tot.Bytes != max || tot.Errors5xx != 3 || tot.Latency.Count() != max {
				t.Errorf("%s: UsageTotals(member %d) = calls %d bytes %d 5xx %d measured %d, want the maximum (5xx 3)",
					stage, member, tot.Calls, tot.Bytes, tot.Errors5xx, tot.Latency.Count())
			}
		}
		eco, err := db.EcosystemUsage(ctx, from, to)
		if err != nil {
			t.Fatalf("%s: EcosystemUsage: %v", stage, err)
		}
		if eco.Totals.Calls != max || eco.Totals.Bytes != max || eco.Unmapped.Calls != 10 || eco.ByEndpoint[0].Bytes != max {
			t.Errorf("%s: EcosystemUsage totals %+v unmapped %+v", stage, eco.Totals, eco.Unmapped)
		}
		cells, err := db.UsageByHourOfWeek(ctx, from, to)
		if err != nil {
			t.Fatalf("%s: UsageByHourOfWeek: %v", stage, err)
		}
		if len(cells) != 1 || cells[0].Calls != max || cells[0].Bytes != max || cells[0].Errors5xx != 3 {
			t.Errorf("%s: hour-of-week cells %+v", stage, cells)
		}
		b, err := db.MemberUsageBreakdowns(ctx, m.ID, from, to)
		if err != nil {
			t.Fatalf("%s: MemberUsageBreakdowns: %v", stage, err)
		}
		for _, g := range append(append(b.ByDay, b.ByEndpoint...), b.ByConsumer...) {
			if g.Calls < 0 || g.Bytes < 0 {
				t.Errorf("%s: member breakdown group %+v is negative", stage, g)
			}
		}
		byMember, err := db.CallsByMember(ctx, from, to)
		if err != nil {
			t.Fatalf("%s: CallsByMember: %v", stage, err)
		}
		if len(byMember) != 1 || byMember[0].Calls != max || byMember[0].Errors5xx != 3 {
			t.Errorf("%s: CallsByMember = %+v, want the maximum", stage, byMember)
		}
		w, err := db.ScoringWindow(ctx, day(t, "2026-03-07"), 28)
		if err != nil {
			t.Fatalf("%s: ScoringWindow: %v", stage, err)
		}
		for _, mw := range w.Members {
			if mw.ID == m.ID && (mw.Calls != max || mw.Errors5xx != 3) {
				t.Errorf("%s: window calls %d 5xx %d, want the maximum and 3", stage, mw.Calls, mw.Errors5xx)
			}
		}
	}
	check("stale days, read from the rollups")
	if _, err := db.RefreshUsageDays(ctx); err != nil {
		t.Fatalf("refreshing the digests: %v", err)
	}
	check("digests")

	// More traffic on the saturated rows stays at the maximum: SQLite's
	// integer + overflows to a REAL, which no reader could scan as a count.
	if err := db.AddUsage(ctx, []domain.UsageRollup{{Bucket: at, ConsumerID: c.ID, Endpoint: "/poison", StatusClass: 2, Calls: 5, Bytes: 500}}); err != nil {
		t.Fatal(err)
	}
	check("after adding to the saturated rows")
	if _, err := db.RefreshUsageDays(ctx); err != nil {
		t.Fatalf("refreshing the digests: %v", err)
	}
	check("digests after adding")
}

// TestAddUsageRefusesImpossibleRollups: rollups are checked as records are.
func TestAddUsageRefusesImpossibleRollups(t *testing.T) {
	db := datatest.MustOpenDB(t)
	c := mustConsumer(t, db, "k1", 0)
	at := day(t, "2026-03-04")
	for name, r := range map[string]domain.UsageRollup{
		"bytes over 1 TiB a call": {Bucket: at, ConsumerID: c.ID, Endpoint: "/a", StatusClass: 2, Calls: 2, Bytes: math.MaxInt64},
		"bytes without calls":     {Bucket: at, ConsumerID: c.ID, Endpoint: "/a", StatusClass: 2, Bytes: 10},
	} {
		err := db.AddUsage(context.Background(), []domain.UsageRollup{r})
		if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), "bytes") {
			t.Errorf("%s: error %v, want EINVALID naming bytes", name, err)
		}
	}
	tot, err := db.UsageTotals(context.Background(), at, at.AddDate(0, 0, 1), 0)
	if err != nil || tot.Calls != 0 {
		t.Errorf("after refused rollups: %+v %v, want nothing stored", tot, err)
	}
}

// TestMigrationRepairsOverflowedCounts: an older EcoPulse let an integer +
// overflow into a REAL count (no reader can scan it) and wrapped sums into
// negative ones; migration 0016 repairs both and marks their days stale.
func TestMigrationRepairsOverflowedCounts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ecopulse.db")
	ctx := context.Background()
	db, err := data.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	c := mustConsumer(t, db, "k1", 0)
	at := day(t, "2026-03-04").Add(9 * time.Hour)
	if err := db.AddUsage(ctx, []domain.UsageRollup{rollup(at, c.ID, 2, 100, 40)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RefreshUsageDays(ctx); err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		// What the old upsert left: 2^63 as a REAL; and a wrapped sum.
		`UPDATE api_usage_daily SET calls = 9223372036854775807.0 + 1000.0, bytes = -2, h05 = -1`,
		`UPDATE api_usage_hourly SET bytes = 1e30`,
		// Back to before 0016, so that opening applies it again.
		`DROP INDEX api_consumers_by_token`,
		`ALTER TABLE api_consumers DROP COLUMN created_by_token`,
		`ALTER TABLE api_consumers DROP COLUMN created_at`,
		`DELETE FROM schema_migrations WHERE version = 16`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()

	db, err = data.Open(ctx, path) // applies 0016 again
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tot, err := db.UsageTotals(ctx, domain.Day(at), domain.Day(at).AddDate(0, 0, 1), 0)
	if err != nil {
		t.Fatalf("totals after the repair: %v", err)
	}
	if tot.Calls != math.MaxInt64 || tot.Bytes != 0 || tot.Latency.Count() != 100 {
		t.Errorf("repaired totals: calls %d bytes %d measured %d, want the maximum, 0, 100", tot.Calls, tot.Bytes, tot.Latency.Count())
	}
	cells, err := db.UsageByHourOfWeek(ctx, domain.Day(at), domain.Day(at).AddDate(0, 0, 1))
	if err != nil || len(cells) != 1 || cells[0].Bytes != math.MaxInt64 {
		t.Errorf("hour-of-week after the repair: %+v %v, want the hourly bytes saturated (read as stale)", cells, err)
	}
}
