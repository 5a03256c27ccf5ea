package accesslog

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/collectors/push"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// goldenRollup is one rollup row the Kong lines of testdata/kong_golden.jsonl
// must make, whichever way they arrive.
type goldenRollup struct {
	hour       string // UTC, "2006-01-02T15"
	consumer   string
	endpoint   string
	class      int
	calls      int64
	bytes      int64
	latencies  int64 // measured latencies
	latencySum float64
}

// kongGolden are the rollups of testdata/kong_golden.jsonl under the one
// Kong mapping (push.KongFields): the consumer object's username, custom_id,
// then id, never a header nor an address; request.uri, request.url, then
// route or service name; latencies.request, then proxy, negative = not
// measured; sizes as numbers or numeric strings.
var kongGolden = []goldenRollup{ // by hour, then bytes, as goldenRows sorts
	{"2026-05-01T09", "acme-analytics", "/v1/chat/completions", 2, 2, 9982 + 10240, 2, 173 + 415},
	{"2026-05-01T09", "tinystudio", "/v1/embeddings", 2, 1, 1200, 1, 12},                                   // no request latency: proxy
	{"2026-05-01T09", "tinystudio", "/v1/embeddings", 4, 1, 412, 1, 2},                                     // no username: custom_id; proxy -1, request 2
	{"2026-05-01T10", "9e8d7c6b-5a49-4838-a726-150f4e3d2c1b", "/v1/files/:id/content", 2, 1, 48211, 1, 97}, // blank uri: the url; blank names: the id
	{"2026-05-01T10", domain.AnonymousConsumer, "/v1/models/:id", 4, 1, 96, 0, 0},                          // a header is not a consumer; -1 is not measured
	{"2026-05-01T11", domain.AnonymousConsumer, "/v1/chat/completions", 5, 1, 700, 1, 30002},               // an address as username: anonymous
	{"2026-05-01T11", "partner-7", "/get", 5, 1, 434, 1, 1921},                                             // Kong 0.x: sizes as strings
	{"2026-05-01T11", domain.AnonymousConsumer, "[email]", 5, 1, 321, 0, 0},                                // nor uri, url, route: the service name, redacted
	{"2026-05-01T11", domain.AnonymousConsumer, "healthz", 2, 1, 0, 1, 0},                                  // no uri nor url: the route name
}

// TestKongMappingIsOne: the same Kong log objects, pushed to the ingest API
// (push.Decode) and tailed from a Kong file log (format kong), make the
// same rollups — consumer, endpoint, status class, calls, bytes, latencies
// — and the same totals once committed to real stores.
func TestKongMappingIsOne(t *testing.T) {
	raw := readFile(t, "testdata/kong_golden.jsonl")

	pushed, err := push.Decode(bytes.NewReader(raw), "application/x-ndjson", 0)
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	logged := domain.NewUsageBatch("access-log")
	p := mustParser(t, Config{Format: FormatKong})
	for i, line := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
		var rec domain.UsageRecord
		if err := p.parseRecord(line, &rec); err != nil {
			t.Fatalf("file log line %d: %v", i+1, err)
		}
		logged.Add(rec, "")
	}
	for _, b := range []struct {
		name  string
		batch *domain.UsageBatch
	}{{"push", pushed}, {"file log", logged}} {
		if got := goldenRows(b.batch); !reflect.DeepEqual(got, kongGolden) {
			t.Errorf("%s rollups:\n%s\nwant\n%s", b.name, showGolden(got), showGolden(kongGolden))
		}
	}
	// The histograms agree bucket by bucket, not only in count and sum.
	for k, r := range pushed.Rows() {
		if l := logged.Rows()[k]; l == nil || !reflect.DeepEqual(r.Hist, l.Hist) {
			t.Errorf("%+v: the latency histograms differ", k)
		}
	}

	// Committed to real stores, one pushed and one imported from the file.
	ctx := context.Background()
	pushDB, fileDB := datatest.MustOpenDB(t), datatest.MustOpenDB(t)
	if err := pushDB.CommitUsage(ctx, pushed); err != nil {
		t.Fatal(err)
	}
	sum, err := Import(ctx, fileDB, Config{Format: FormatKong}, []string{writeLog(t, string(raw))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Stored != 10 || sum.Rejected != 0 {
		t.Fatalf("import summary %+v, want 10 stored, none rejected", sum)
	}
	pt, ft := totals(t, pushDB), totals(t, fileDB)
	if pt.Calls != 10 || pt.Errors4xx != 2 || pt.Errors5xx != 3 || pt.Bytes != 9982+10240+412+1200+96+48211+434+0+321+700 {
		t.Errorf("pushed totals %+v", pt)
	}
	if pt.Calls != ft.Calls || pt.Errors4xx != ft.Errors4xx || pt.Errors5xx != ft.Errors5xx || pt.Bytes != ft.Bytes ||
		pt.Latency.Count() != ft.Latency.Count() || pt.Latency.Quantile(0.5) != ft.Latency.Quantile(0.5) || pt.Latency.Quantile(0.95) != ft.Latency.Quantile(0.95) {
		t.Errorf("totals differ: pushed %+v, imported %+v", pt, ft)
	}
	if pc, fc := consumerKeys(t, pushDB), consumerKeys(t, fileDB); pc != fc || strings.Contains(pc, "spoofed") || strings.Contains(pc, "203.0.113") {
		t.Errorf("consumers: pushed %s, imported %s", pc, fc)
	}
}

// goldenRows lists a batch's rollups in a stable order.
func goldenRows(b *domain.UsageBatch) []goldenRollup {
	var out []goldenRollup
	for k, r := range b.Rows() {
		g := goldenRollup{hour: time.Unix(k.Hour, 0).UTC().Format("2006-01-02T15"), consumer: k.Consumer, endpoint: k.Endpoint,
			class: k.Class, calls: r.Calls, bytes: r.Bytes, latencySum: r.LatencySum}
		if r.Hist != nil {
			g.latencies = r.Hist.Count()
		}
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.hour != b.hour {
			return a.hour < b.hour
		}
		return a.bytes > b.bytes
	})
	return out
}

func showGolden(rows []goldenRollup) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%s %s %s %dxx: %d calls, %d bytes, %d latencies summing %g\n",
			r.hour, r.consumer, r.endpoint, r.class, r.calls, r.bytes, r.latencies, r.latencySum)
	}
	return b.String()
}

// consumerKeys lists the keys of a store's API consumers, sorted.
func consumerKeys(t *testing.T, db *data.DB) string {
	t.Helper()
	cs, err := db.Consumers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, c := range cs {
		keys = append(keys, c.Key)
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}
