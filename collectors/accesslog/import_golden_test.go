package accesslog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
)

// sparseLog renders copies of the real Apache log, copy k moved forward by
// k × 4 days (the log's span), as scripts/bench-accesslog.sh makes its
// sparse log: nearly every line is a rollup row of its own.
func sparseLog(tb testing.TB, from, copies int) []byte {
	tb.Helper()
	const layout = "02/Jan/2006:15:04:05 -0700"
	src := readFile(tb, realApacheLog)
	var out bytes.Buffer
	for k := from; k < from+copies; k++ {
		for _, l := range bytes.Split(src, []byte("\n")) {
			i, j := bytes.IndexByte(l, '['), bytes.IndexByte(l, ']')
			if i < 0 || j < i {
				continue
			}
			ts, err := time.Parse(layout, string(l[i+1:j]))
			if err != nil {
				tb.Fatal(err)
			}
			out.Write(l[:i+1])
			out.WriteString(ts.Add(time.Duration(k) * 96 * time.Hour).Format(layout))
			out.Write(l[j:])
			out.WriteByte('\n')
		}
	}
	return out.Bytes()
}

// usageDump renders what an import stores, in key order, every value with
// its Go type as the driver returns it: the usage tables whole, the
// consumers (without their creation time), the stale days and the
// quarantine (without its time). Equal dumps are equal contents.
func usageDump(tb testing.TB, raw *sql.DB) (dump string, rows map[string]int) {
	tb.Helper()
	var b strings.Builder
	rows = map[string]int{}
	for _, q := range []struct{ name, sql string }{
		{"api_consumers", `SELECT id, key, name, member_id, created_by_token FROM api_consumers ORDER BY id`},
		{"api_usage_hourly", hourlySums},
		{"api_usage_daily", `SELECT * FROM api_usage_daily ORDER BY bucket, consumer_id, endpoint, status_class`},
		{"usage_days_stale", `SELECT day FROM usage_days_stale ORDER BY day`},
		{"rejected_records", `SELECT source, reason, record FROM rejected_records ORDER BY id`},
	} {
		r, err := raw.Query(q.sql)
		if err != nil {
			tb.Fatal(err)
		}
		cols, _ := r.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for r.Next() {
			if err := r.Scan(ptrs...); err != nil {
				tb.Fatal(err)
			}
			b.WriteString(q.name)
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
			rows[q.name]++
		}
		if err := r.Err(); err != nil {
			tb.Fatal(err)
		}
		r.Close()
	}
	return b.String(), rows
}

// hourlySums is the hourly usage per hour, consumer and status class, as
// every reader sums it. The hourly rows now hold those sums (allEndpoints
// in data/usage.go), where they held a row per endpoint before; both give
// the digest below. The latency sums are rounded to 6 decimals, as
// floating-point sums of the same values in another order may differ in
// their last bits.
var hourlySums = func() string {
	cols := "CAST(SUM(calls) AS BIGINT), CAST(SUM(bytes) AS BIGINT), CAST(ROUND(CAST(SUM(latency_ms_sum) AS NUMERIC), 6) AS DOUBLE PRECISION)"
	for i := range 40 {
		cols += fmt.Sprintf(", CAST(SUM(h%02d) AS BIGINT)", i)
	}
	return "SELECT bucket, consumer_id, status_class, " + cols + " FROM api_usage_hourly GROUP BY bucket, consumer_id, status_class ORDER BY bucket, consumer_id, status_class"
}()

// The usage an import stores, byte for byte: the golden digest was taken
// from the per-chunk path every batch went through before the import wrote
// its rows in bulk (commit 2094452), on SQLite, and again with the hourly
// rows read as sums per hour, consumer and status class (hourlySums) from
// the code before and after the hourly rows stopped keeping the endpoint:
// the same digest. PostgreSQL stores the same.
// The log is sparse (the worst case of the import, where nearly every line
// is a row), mixes rows with and without latency, comes in chunks smaller
// than the log (several transactions, rows of one hour and day in two of
// them) and is followed by a file adding to rows already stored.
func TestImportStoresTheSameUsage(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	t.Setenv("ECOPULSE_HASH_KEY", "import-test-key-0123456789")
	dir := t.TempDir()
	sparse := filepath.Join(dir, "sparse.log")
	if err := os.WriteFile(sparse, sparseLog(t, 0, 3), 0o644); err != nil {
		t.Fatal(err)
	}
	again := filepath.Join(dir, "again.log")
	if err := os.WriteFile(again, sparseLog(t, 2, 2), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := Config{Consumer: ConsumerConfig{From: ConsumerIP}, ChunkLines: 7000}
	files := []string{sparse, "testdata/nginx_reqtime.log", "testdata/malformed.log"}
	if _, err := Import(ctx, db, cfg, files, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Import(ctx, db, cfg, []string{again}, nil); err != nil {
		t.Fatal(err)
	}
	dump, rows := usageDump(t, datatest.Raw(t, db))
	sum := sha256.Sum256([]byte(dump))
	got := fmt.Sprintf("%s %v", hex.EncodeToString(sum[:]), rows)
	const want = "cfeca2038de1919b3e234725d8add6175f04d55084b11e58b57ddb0b7a7a37fe map[api_consumers:1756 api_usage_daily:33240 api_usage_hourly:12916 rejected_records:9 usage_days_stale:17]"
	if got != want {
		t.Errorf("usage stored =\n%s\nwant\n%s", got, want)
	}
}
