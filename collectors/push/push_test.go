package push

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/collectors/endpoint"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// records decodes body and returns the records Decode would fold in.
func records(tb testing.TB, body, contentType string) []domain.UsageRecord {
	tb.Helper()
	var out []domain.UsageRecord
	if err := decode(strings.NewReader(body), contentType, 0, func(r *domain.UsageRecord) { out = append(out, *r) }); err != nil {
		tb.Fatalf("decode %.60q: %v", body, err)
	}
	return out
}

func readFile(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// ownRecords are what testdata/ecopulse.ndjson and ecopulse_array.json hold.
var ownRecords = []domain.UsageRecord{
	{Time: at("2026-05-01T09:15:00Z"), Consumer: "key-a", Endpoint: "/v1/chat/completions", Status: 200, Bytes: 2600, LatencyMS: 431.5},
	{Time: at("2026-05-01T09:16:00Z"), Consumer: "key-a", Endpoint: "/v1/embeddings", Status: 200, Bytes: 22000, LatencyMS: 80},
	{Time: at("2026-05-01T07:17:30.25Z"), Consumer: "key-b", Endpoint: "/v1/files/:id", Status: 404, Bytes: 0, LatencyMS: -1},
	{Time: at("2026-05-01T10:00:00Z"), Consumer: "", Endpoint: "/v1/moderations", Status: 503, Bytes: 0, LatencyMS: 2.25},
}

func sameRecords(tb testing.TB, got, want []domain.UsageRecord) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("got %d records, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.Time.Equal(w.Time) || g.Consumer != w.Consumer || g.Endpoint != w.Endpoint ||
			g.Status != w.Status || g.Bytes != w.Bytes || g.LatencyMS != w.LatencyMS {
			tb.Errorf("record %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestDecodeOwnShapes(t *testing.T) {
	ndjson := readFile(t, "ecopulse.ndjson")
	array := readFile(t, "ecopulse_array.json")
	for _, tc := range []struct {
		name, body, contentType string
	}{
		{"ndjson", ndjson, "application/x-ndjson"},
		{"ndjson as text", ndjson, "text/plain; charset=utf-8"},
		{"ndjson sniffed without a content type", ndjson, ""},
		{"ndjson sent as application/json", ndjson, "application/json"},
		{"ndjson with CRLF", strings.ReplaceAll(ndjson, "\n", "\r\n"), "application/x-ndjson"},
		{"array", array, "application/json"},
		{"array with an NDJSON content type", array, "application/x-ndjson"},
		{"array with a byte-order mark", "\xef\xbb\xbf" + array, "application/json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sameRecords(t, records(t, tc.body, tc.contentType), ownRecords)
		})
	}
	t.Run("single object", func(t *testing.T) {
		body := `{
			"time": "2026-05-01T09:15:00Z",
			"consumer": "key-a",
			"endpoint": "/v1/chat/completions",
			"status": 200, "bytes": 2600, "latency_ms": 431.5
		}`
		sameRecords(t, records(t, body, "application/json"), ownRecords[:1])
	})
}

func TestDecodeKong(t *testing.T) {
	t.Run("single log object", func(t *testing.T) {
		got := records(t, readFile(t, "kong_single.json"), "application/json")
		want := []domain.UsageRecord{{Time: time.UnixMilli(1777626900118).UTC(), Consumer: "acme-prod",
			Endpoint: "/v1/chat/completions", Status: 200, Bytes: 2718, LatencyMS: 415}}
		sameRecords(t, got, want)
	})
	t.Run("batched log objects", func(t *testing.T) {
		got := records(t, readFile(t, "kong_batch.json"), "application/json; charset=utf-8")
		want := []domain.UsageRecord{
			{Time: time.UnixMilli(1777626900118).UTC(), Consumer: "acme-prod", Endpoint: "/v1/chat/completions", Status: 200, Bytes: 2718, LatencyMS: 415},
			// No consumer (rejected by auth): anonymous; size as a string (older Kong); proxy -1.
			{Time: time.UnixMilli(1777626901500).UTC(), Consumer: "", Endpoint: "/v1/embeddings", Status: 401, Bytes: 180, LatencyMS: 1},
			// No consumer object: anonymous, whatever X-Consumer-* header the
			// client sent (kong.go); UUID segment and query normalised.
			{Time: time.UnixMilli(1777626962000).UTC(), Consumer: "", Endpoint: "/v1/files/:id/content", Status: 200, Bytes: 48211, LatencyMS: 97},
			{Time: time.UnixMilli(1777630500000).UTC(), Consumer: "acme-prod", Endpoint: "/v1/chat/completions", Status: 503, Bytes: 512, LatencyMS: 30002},
		}
		sameRecords(t, got, want)
	})
	t.Run("fallbacks", func(t *testing.T) {
		for _, tc := range []struct {
			name, body string
			want       domain.UsageRecord
		}{
			{"custom_id when no username",
				`{"started_at":1777626900000,"request":{"uri":"/a"},"response":{"status":200},"consumer":{"custom_id":"acme","id":"x-1"}}`,
				domain.UsageRecord{Consumer: "acme", Endpoint: "/a", Status: 200, LatencyMS: -1}},
			{"id when no username nor custom_id",
				`{"started_at":1777626900000,"request":{"uri":"/a"},"response":{"status":200},"consumer":{"id":"x-1"}}`,
				domain.UsageRecord{Consumer: "x-1", Endpoint: "/a", Status: 200, LatencyMS: -1}},
			{"url when no uri",
				`{"started_at":1777626900000,"request":{"url":"http://10.0.0.5:8000/v1/items/42?q=1"},"response":{"status":204,"size":0}}`,
				domain.UsageRecord{Endpoint: "/v1/items/:id", Status: 204, LatencyMS: -1}},
			{"route name when no uri nor url",
				`{"started_at":1777626900000,"route":{"name":"chat"},"response":{"status":200}}`,
				domain.UsageRecord{Endpoint: "chat", Status: 200, LatencyMS: -1}},
			{"service name last",
				`{"started_at":1777626900000,"service":{"name":"inference"},"response":{"status":200}}`,
				domain.UsageRecord{Endpoint: "inference", Status: 200, LatencyMS: -1}},
			{"proxy latency when no request latency",
				`{"started_at":1777626900000,"request":{"uri":"/a"},"response":{"status":200},"latencies":{"proxy":12}}`,
				domain.UsageRecord{Endpoint: "/a", Status: 200, LatencyMS: 12}},
			{"a consumer header is not a consumer",
				`{"started_at":1777626900000,"request":{"uri":"/a","headers":{"x-consumer-username":["one","two"]}},"response":{"status":200}}`,
				domain.UsageRecord{Endpoint: "/a", Status: 200, LatencyMS: -1}},
			{"any negative latency is not measured",
				`{"started_at":1777626900000,"request":{"uri":"/a"},"response":{"status":200},"latencies":{"request":-3,"proxy":-1,"kong":4}}`,
				domain.UsageRecord{Endpoint: "/a", Status: 200, LatencyMS: -1}},
			{"fractional started_at",
				`{"started_at":1777626900000.5,"request":{"uri":"/a"},"response":{"status":200}}`,
				domain.UsageRecord{Endpoint: "/a", Status: 200, LatencyMS: -1}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.want.Time = time.UnixMilli(1777626900000).UTC()
				got := records(t, tc.body, "application/json")
				if len(got) != 1 {
					t.Fatalf("got %d records", len(got))
				}
				got[0].Time = got[0].Time.Truncate(time.Millisecond)
				sameRecords(t, got, []domain.UsageRecord{tc.want})
			})
		}
	})
	t.Run("mixed with own records", func(t *testing.T) {
		body := `[{"time":"2026-05-01T09:15:00Z","endpoint":"/a","status":200},
			{"started_at":1777626900000,"request":{"uri":"/b"},"response":{"status":500}}]`
		got := records(t, body, "")
		if len(got) != 2 || got[0].Endpoint != "/a" || got[1].Endpoint != "/b" || got[1].Status != 500 {
			t.Errorf("records = %+v", got)
		}
	})
}

// TestDecodeNeverKeepsIPs: client_ip, tries and IP-like consumers or path
// segments never reach a record.
func TestDecodeNeverKeepsIPs(t *testing.T) {
	bodies := []string{
		readFile(t, "kong_single.json"),
		readFile(t, "kong_batch.json"),
		readFile(t, "ecopulse.ndjson"),
		`{"time":"2026-05-01T09:15:00Z","consumer":"192.0.2.44","endpoint":"/v1/hosts/198.51.100.9/ping","status":200,"ip":"192.0.2.44"}`,
		`{"time":"2026-05-01T09:15:00Z","consumer":"2001:db8::1","endpoint":"/v1/hosts/[2001:db8::2]","status":200}`,
		`{"started_at":1777626900000,"request":{"uri":"/a","headers":{"x-consumer-username":"203.0.113.9"}},"response":{"status":200},"client_ip":"203.0.113.9"}`,
	}
	ips := []string{"203.0.113", "198.51.100", "192.0.2", "10.20.30.40", "2001:db8"}
	for i, body := range bodies {
		for _, r := range records(t, body, "") {
			for _, ip := range ips {
				if strings.Contains(r.Consumer, ip) || strings.Contains(r.Endpoint, ip) {
					t.Errorf("body %d: record %+v keeps an IP address", i, r)
				}
			}
			if strings.Contains(r.Consumer, "SECRET") {
				t.Errorf("body %d: the apikey header became consumer %q", i, r.Consumer)
			}
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	good := `{"time":"2026-05-01T09:15:00Z","endpoint":"/a","status":200}`
	many := make([]string, 18)
	for i := range many {
		many[i] = good
	}
	many[17] = `{"time":"2026-05-01T09:15:00Z","endpoint":"/a","status":0}`
	for _, tc := range []struct {
		name, body, contentType string
		code, msg               string
	}{
		{"bad status in an array", "[" + strings.Join(many, ",") + "]", "application/json",
			domain.EINVALID, "record 17: status 0 is not an HTTP status"},
		{"invalid JSON on an NDJSON line", good + "\n" + good + "\n" + `{"time": "2026-05-01T09:15:00Z", "status": 200,` + "\n" + good, "application/x-ndjson",
			domain.EINVALID, "line 3: invalid JSON: "},
		{"blank lines still count", good + "\n\n\n" + `{"status":200,"endpoint":"/a"}`, "",
			domain.EINVALID, "line 4: missing time"},
		{"missing time", "[" + good + "," + good + `,{"endpoint":"/a","status":200}]`, "",
			domain.EINVALID, "record 2: missing time"},
		{"missing status", `{"time":"2026-05-01T09:15:00Z","endpoint":"/a"}`, "",
			domain.EINVALID, "record 0: missing status"},
		{"missing endpoint", `{"time":"2026-05-01T09:15:00Z","status":200,"endpoint":""}`, "",
			domain.EINVALID, "record 0: missing endpoint"},
		{"status as a string", `[{"time":"2026-05-01T09:15:00Z","endpoint":"/a","status":"200"}]`, "",
			domain.EINVALID, `record 0: status must be a number, got string "200"`},
		{"bytes as a string", `{"time":"2026-05-01T09:15:00Z","endpoint":"/a","status":200,"bytes":"12"}`, "",
			domain.EINVALID, `record 0: bytes must be a number, got string "12"`},
		{"latency NaN as a string", `{"time":"2026-05-01T09:15:00Z","endpoint":"/a","status":200,"latency_ms":"NaN"}`, "",
			domain.EINVALID, `record 0: latency_ms must be a number, got string "NaN"`},
		{"latency NaN as a bare word", `{"time":"2026-05-01T09:15:00Z","endpoint":"/a","status":200,"latency_ms":NaN}`, "",
			domain.EINVALID, "line 1: invalid JSON: "},
		{"broken object over several lines", "{\n\"time\": \"2026-05-01T09:15:00Z\",\n\"status\": 200,\n\"bytes\": 12 13\n}", "application/json",
			domain.EINVALID, "line 4: invalid JSON: "},
		{"latency as a boolean", `{"time":"2026-05-01T09:15:00Z","endpoint":"/a","status":200,"latency_ms":true}`, "",
			domain.EINVALID, "record 0: latency_ms must be a number, got true"},
		{"negative latency", `{"time":"2026-05-01T09:15:00Z","endpoint":"/a","status":200,"latency_ms":-3}`, "",
			domain.EINVALID, "record 0: latency_ms -3 is negative"},
		{"huge latency", `{"time":"2026-05-01T09:15:00Z","endpoint":"/a","status":200,"latency_ms":1e400}`, "",
			domain.EINVALID, "record 0: latency_ms 1e400 is out of range"},
		{"huge status", `{"time":"2026-05-01T09:15:00Z","endpoint":"/a","status":99999999999999999999999}`, "",
			domain.EINVALID, "record 0: status 99999999999999999999999 is not an HTTP status"},
		{"fractional status", `{"time":"2026-05-01T09:15:00Z","endpoint":"/a","status":200.5}`, "",
			domain.EINVALID, "record 0: status 200.5 is not an integer"},
		{"huge bytes", `{"time":"2026-05-01T09:15:00Z","endpoint":"/a","status":200,"bytes":18446744073709551616}`, "",
			domain.EINVALID, "record 0: bytes 18446744073709551616 is out of range"},
		{"negative bytes", `{"time":"2026-05-01T09:15:00Z","endpoint":"/a","status":200,"bytes":-1}`, "",
			domain.EINVALID, "record 0: bytes -1 is negative"},
		// Bounds per record (domain.MaxRecordBytes, domain.MaxRecordLatencyMS):
		// one record of int64's maximum made every total covering it fail.
		{"bytes at int64's maximum", `[` + good + `,{"time":"2026-05-01T09:15:00Z","endpoint":"/a","status":200,"bytes":9223372036854775807}]`, "",
			domain.EINVALID, "record 1: bytes 9223372036854775807 is out of range: over the limit of 1 TiB (1099511627776 bytes) per record"},
		{"bytes just over 1 TiB", `{"time":"2026-05-01T09:15:00Z","endpoint":"/a","status":200,"bytes":1099511627777}`, "",
			domain.EINVALID, "record 0: bytes 1099511627777 is out of range: over the limit of 1 TiB"},
		{"kong size over 1 TiB", `{"started_at":1777626900000,"request":{"uri":"/a"},"response":{"status":200,"size":"9223372036854775807"}}`, "",
			domain.EINVALID, `record 0: response.size string "9223372036854775807" is out of range: over the limit of 1 TiB`},
		{"latency over a day", `{"time":"2026-05-01T09:15:00Z","endpoint":"/a","status":200,"latency_ms":86400001}`, "",
			domain.EINVALID, "record 0: latency_ms 86400001 is out of range: over the limit of 86400000 ms (one day) per record"},
		{"kong latency over a day", `{"started_at":1777626900000,"request":{"uri":"/a"},"response":{"status":200},"latencies":{"request":1e9}}`, "",
			domain.EINVALID, "record 0: latencies.request 1e9 is out of range: over the limit of 86400000 ms"},
		{"huge epoch", `{"time":1e300,"endpoint":"/a","status":200}`, "",
			domain.EINVALID, "record 0: time 1e300 is not a time in milliseconds since 1970"},
		{"epoch in seconds", `{"time":1777626900,"endpoint":"/a","status":200}`, "",
			domain.EINVALID, "record 0: time 1777626900 is not a time in milliseconds since 1970"},
		{"unparseable time", `{"time":"yesterday","endpoint":"/a","status":200}`, "",
			domain.EINVALID, `record 0: time "yesterday" is not an RFC 3339 time`},
		{"time as an object", `{"time":{},"endpoint":"/a","status":200}`, "",
			domain.EINVALID, "record 0: time must be an RFC 3339 string or epoch milliseconds, got an object"},
		{"endpoint as a number", `{"time":"2026-05-01T09:15:00Z","endpoint":5,"status":200}`, "",
			domain.EINVALID, "record 0: endpoint must be a string, got a number"},
		{"consumer as a number", `{"time":"2026-05-01T09:15:00Z","endpoint":"/a","status":200,"consumer":7}`, "",
			domain.EINVALID, "record 0: consumer must be a string or a Kong consumer object, got a number"},
		{"consumer too long", `{"time":"2026-05-01T09:15:00Z","endpoint":"/a","status":200,"consumer":"` + strings.Repeat("k", 201) + `"}`, "",
			domain.EINVALID, "record 0: consumer or endpoint is too long"},
		{"not an object in an array", `[` + good + `, 42]`, "",
			domain.EINVALID, "record 1: want a JSON object, got a number"},
		{"truncated array", `[` + good + `, ` + good, "",
			domain.EINVALID, "record 2: invalid JSON: unexpected end of input"},
		{"broken element", `[` + good + `, {"time": }]`, "",
			domain.EINVALID, "record 1: invalid JSON: "},
		{"data after the array", `[` + good + `] {}`, "",
			domain.EINVALID, "invalid JSON: data after the array"},
		{"not JSON at all", `time=now status=200`, "",
			domain.EINVALID, "record 0: the body must be a JSON object, an array of objects or NDJSON"},
		{"empty body", "", "application/json", domain.EINVALID, "empty body: no records"},
		{"blank body", " \n\t\n", "application/x-ndjson", domain.EINVALID, "empty body: no records"},
		{"empty array", "[ ]", "application/json", domain.EINVALID, "empty array: no records"},
		{"kong without started_at", `{"request":{"uri":"/a"},"response":{"status":200}}`, "",
			domain.EINVALID, "record 0: missing started_at"},
		{"kong started_at as a string", `{"started_at":"1777626900000","request":{"uri":"/a"},"response":{"status":200}}`, "",
			domain.EINVALID, `record 0: started_at must be a number (epoch milliseconds), got string "1777626900000"`},
		{"kong without response status", `{"started_at":1777626900000,"request":{"uri":"/a"},"response":{}}`, "",
			domain.EINVALID, "record 0: missing response.status"},
		{"kong status out of range", `[` + good + `,{"started_at":1777626900000,"request":{"uri":"/a"},"response":{"status":600}}]`, "",
			domain.EINVALID, "record 1: response.status 600 is not an HTTP status"},
		{"kong size not numeric", `{"started_at":1777626900000,"request":{"uri":"/a"},"response":{"status":200,"size":"big"}}`, "",
			domain.EINVALID, `record 0: response.size must be a number, got string "big"`},
		{"kong request as a string", `{"started_at":1777626900000,"request":"GET /a","response":{"status":200}}`, "",
			domain.EINVALID, "record 0: request must be an object, got a string"},
		{"kong without any endpoint", `{"started_at":1777626900000,"request":{},"response":{"status":200}}`, "",
			domain.EINVALID, "record 0: missing request.uri"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Decode(strings.NewReader(tc.body), tc.contentType, 1000)
			if err == nil {
				t.Fatalf("Decode succeeded with %d records, want an error containing %q", b.Accepted, tc.msg)
			}
			if b != nil {
				t.Errorf("Decode returned a batch with its error")
			}
			if got := domain.ErrorCode(err); got != tc.code {
				t.Errorf("code = %q, want %q (%v)", got, tc.code, err)
			}
			if got := domain.ErrorMessage(err); !strings.HasPrefix(got, tc.msg) {
				t.Errorf("message = %q, want it to start with %q", got, tc.msg)
			}
		})
	}
}

func TestDecodeMaxRecords(t *testing.T) {
	rec := `{"time":"2026-05-01T09:15:00Z","endpoint":"/a","status":200}`
	for _, tc := range []struct {
		name, body string
	}{
		{"ndjson", strings.Repeat(rec+"\n", 3)},
		{"array", "[" + rec + "," + rec + "," + rec + "]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Decode(strings.NewReader(tc.body), "", 3); err != nil {
				t.Fatalf("3 records with a limit of 3: %v", err)
			}
			_, err := Decode(strings.NewReader(tc.body), "", 2)
			if got, want := domain.ErrorCode(err), domain.ETOOLARGE; got != want {
				t.Fatalf("3 records with a limit of 2: code %q (%v), want %q", got, err, want)
			}
			if got, want := domain.ErrorMessage(err), "more than 2 records in one request"; got != want {
				t.Errorf("message = %q, want %q", got, want)
			}
		})
	}
}

// TestDecodeCommit stores a decoded body and reads the totals back.
func TestDecodeCommit(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	b, err := Decode(strings.NewReader(readFile(t, "kong_batch.json")), "application/json", 100)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := b.Accepted, int64(4); got != want {
		t.Fatalf("accepted = %d, want %d", got, want)
	}
	if err := db.CommitUsage(ctx, b); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	tot, err := db.UsageTotals(ctx, day, day.AddDate(0, 0, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tot.Calls, int64(4); got != want {
		t.Errorf("calls = %d, want %d", got, want)
	}
	if got, want := tot.Errors4xx, int64(1); got != want {
		t.Errorf("4xx = %d, want %d", got, want)
	}
	if got, want := tot.Errors5xx, int64(1); got != want {
		t.Errorf("5xx = %d, want %d", got, want)
	}
	if got, want := tot.Bytes, int64(2718+180+48211+512); got != want {
		t.Errorf("bytes = %d, want %d", got, want)
	}
	cs, err := db.Consumers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, c := range cs {
		keys = append(keys, c.Key)
	}
	if got, want := strings.Join(keys, ","), "(anonymous),acme-prod"; !sameSet(got, want) {
		t.Errorf("consumers = %s, want %s", got, want)
	}
}

func sameSet(a, b string) bool {
	as, bs := strings.Split(a, ","), strings.Split(b, ",")
	if len(as) != len(bs) {
		return false
	}
	seen := map[string]int{}
	for _, s := range as {
		seen[s]++
	}
	for _, s := range bs {
		seen[s]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

func gzipped(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := zw.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestBody(t *testing.T) {
	plain := readFile(t, "kong_batch.json")
	var deflated bytes.Buffer
	zw := zlib.NewWriter(&deflated)
	zw.Write([]byte(plain))
	zw.Close()
	for _, tc := range []struct {
		name, encoding string
		body           []byte
	}{
		{"identity", "", []byte(plain)},
		{"identity named", "identity", []byte(plain)},
		{"gzip", "gzip", gzipped(t, []byte(plain))},
		{"x-gzip", "X-Gzip", gzipped(t, []byte(plain))},
		{"deflate", "deflate", deflated.Bytes()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Body(bytes.NewReader(tc.body), tc.encoding, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Decode(r, "application/json", 100)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := b.Accepted, int64(4); got != want {
				t.Errorf("accepted = %d, want %d", got, want)
			}
		})
	}
	t.Run("unsupported encoding", func(t *testing.T) {
		_, err := Body(strings.NewReader(plain), "br", 1<<20)
		if got, want := domain.ErrorCode(err), domain.EINVALID; got != want {
			t.Errorf("code = %q (%v), want %q", got, err, want)
		}
	})
	t.Run("not gzip", func(t *testing.T) {
		_, err := Body(strings.NewReader(plain), "gzip", 1<<20)
		if got, want := domain.ErrorCode(err), domain.EINVALID; got != want {
			t.Errorf("code = %q (%v), want %q", got, err, want)
		}
	})
	t.Run("corrupt gzip", func(t *testing.T) {
		z := gzipped(t, []byte(plain))
		z[len(z)-6] ^= 0xff // the CRC
		r, err := Body(bytes.NewReader(z), "gzip", 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Decode(r, "application/json", 100)
		if got, want := domain.ErrorCode(err), domain.EINVALID; got != want {
			t.Errorf("code = %q (%v), want %q", got, err, want)
		}
	})
	t.Run("plain body over the limit", func(t *testing.T) {
		r, _ := Body(strings.NewReader(plain), "", int64(len(plain)-1))
		_, err := Decode(r, "application/json", 100)
		if got, want := domain.ErrorCode(err), domain.ETOOLARGE; got != want {
			t.Errorf("code = %q (%v), want %q", got, err, want)
		}
		r, _ = Body(strings.NewReader(plain), "", int64(len(plain)))
		if _, err := Decode(r, "application/json", 100); err != nil {
			t.Errorf("a body of exactly the limit: %v", err)
		}
	})
}

// TestBodyZipBomb: 64 MiB of zeros compress to ~64 KB; reading stops at
// the limit instead of inflating it all.
func TestBodyZipBomb(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	chunk := make([]byte, 1<<20)
	for range 64 {
		zw.Write(chunk)
	}
	zw.Close()
	bomb := buf.Bytes()
	src := &countingReader{r: bytes.NewReader(bomb)}
	r, err := Body(src, "gzip", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Decode(r, "application/json", 100)
	if got, want := domain.ErrorCode(err), domain.ETOOLARGE; got != want {
		t.Fatalf("code = %q (%v), want %q", got, err, want)
	}
	if got, want := domain.ErrorMessage(err), "body is larger than 1048576 bytes once decompressed"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	t.Logf("read %d of %d compressed bytes", src.n, len(bomb))
	// Decompression stopped near the limit: 1/64 of the output needs about
	// 1/64 of the input (plus read-ahead).
	if src.n > int64(len(bomb))/8 {
		t.Errorf("read %d of %d compressed bytes: decompression did not stop at the limit", src.n, len(bomb))
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestNormalizePath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/v1/chat/completions", "/v1/chat/completions"},
		{"/v1/chat/completions?stream=true", "/v1/chat/completions"},
		{"/v1/files/123", "/v1/files/:id"},
		{"/v1/files/123/content#top", "/v1/files/:id/content"},
		{"/v1/files/8C2F7A1E-0B3D-4E5F-9A6B-7C8D9E0F1A2B", "/v1/files/:id"},
		{"/v1/blobs/9f8e7d6c5b4a39281706f5e4d3c2b1a0", "/v1/blobs/:id"},
		{"/v1/blobs/deadbeef", "/v1/blobs/deadbeef"}, // short hex is a word
		{"/v1/hosts/10.1.2.3/ping", "/v1/hosts/:id/ping"},
		{"/v2/models/gpt-4o-mini", "/v2/models/gpt-4o-mini"},
		{"https://api.example.com:443/v1/items/42?x=1", "/v1/items/:id"},
		{"http://api.example.com", "/"},
		{"v1/items", "/v1/items"},
		{"//v1///items//", "/v1/items"},
		{"/v1/items/", "/v1/items"},
		{"", "/"},
		{"?only=query", "/"},
		{"/", "/"},
	} {
		if got := NormalizePath(tc.in); got != tc.want {
			t.Errorf("NormalizePath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzDecode: Decode never panics, and what it accepts is valid.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"ecopulse.ndjson", "ecopulse_array.json", "kong_single.json", "kong_batch.json"} {
		f.Add([]byte(readFile(f, name)), "application/json")
	}
	f.Add([]byte(`{"time":1777626900000,"endpoint":"/a/1","status":200,"bytes":1,"latency_ms":0.5}`), "application/x-ndjson")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		var recs []domain.UsageRecord
		err := decode(bytes.NewReader(body), contentType, 1000, func(r *domain.UsageRecord) { recs = append(recs, *r) })
		b, berr := Decode(bytes.NewReader(body), contentType, 1000)
		if (err == nil) != (berr == nil) {
			t.Fatalf("decode and Decode disagree: %v / %v", err, berr)
		}
		trimmed := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
		if err != nil {
			if code := domain.ErrorCode(err); code != domain.EINVALID && code != domain.ETOOLARGE {
				t.Fatalf("error code %q: %v", code, err)
			}
			// The scanner agrees with encoding/json about what is JSON.
			if strings.Contains(err.Error(), "invalid JSON") && !isNDJSON(contentType) && json.Valid(trimmed) &&
				!strings.Contains(err.Error(), "max depth") {
				t.Fatalf("valid JSON refused as invalid: %v", err)
			}
			return
		}
		// What was accepted is JSON: the whole body, or each of its lines.
		if !json.Valid(trimmed) {
			for l := range bytes.SplitSeq(trimmed, []byte("\n")) {
				if l = bytes.TrimSpace(l); len(l) > 0 && !json.Valid(l) {
					t.Fatalf("accepted line %q that is not JSON", l)
				}
			}
		}
		if len(recs) == 0 {
			t.Fatal("success without records")
		}
		for i := range recs {
			if err := recs[i].Validate(); err != nil {
				t.Fatalf("record %d %+v does not validate: %v", i, recs[i], err)
			}
			if endpoint.IsIP(recs[i].Consumer) {
				t.Fatalf("record %d keeps IP consumer %q", i, recs[i].Consumer)
			}
		}
		if b.Accepted != int64(len(recs)) || len(b.Rejected) != 0 {
			t.Fatalf("batch accepted %d, rejected %d, want %d and 0", b.Accepted, len(b.Rejected), len(recs))
		}
	})
}

func benchBody(kong bool, n int) []byte {
	var buf bytes.Buffer
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC).UnixMilli()
	eps := []string{"/v1/chat/completions", "/v1/embeddings", "/v1/files/12345/content?x=1", "/v1/moderations"}
	for i := range n {
		ms := t0 + int64(i)*37
		ep := eps[i%len(eps)]
		if kong {
			if i == 0 {
				buf.WriteByte('[')
			} else {
				buf.WriteByte(',')
			}
			fmt.Fprintf(&buf, `{"response":{"size":%d,"headers":{"content-type":"application/json","via":"kong/3.8.0"},"status":%d},`+
				`"route":{"name":"r%d","paths":["/v1"],"protocols":["http","https"]},"client_ip":"203.0.113.%d",`+
				`"request":{"headers":{"host":"api.example.com","user-agent":"sdk/1.0","accept":"*/*"},"uri":%q,"size":512,"method":"POST","querystring":{},"url":"https://api.example.com%s"},`+
				`"started_at":%d,"latencies":{"kong":1,"proxy":%d,"request":%d},"service":{"name":"inference","host":"inference.internal","port":8080},`+
				`"consumer":{"username":"key-%d","custom_id":"m%d","id":"2c1b0a9f-8e7d-4c6b-a5f4-e3d2c1b0a9f8"}}`,
				1000+i, status(i), i%4, i%250, ep, ep, ms, 40+i%300, 41+i%300, i%20, i%20)
		} else {
			fmt.Fprintf(&buf, `{"time":%d,"consumer":"key-%d","method":"POST","endpoint":%q,"status":%d,"bytes":%d,"latency_ms":%d.5}`+"\n",
				ms, i%20, ep, status(i), 1000+i, 40+i%300)
		}
	}
	if kong {
		buf.WriteByte(']')
	}
	return buf.Bytes()
}

// status gives every seventh record a 500.
func status(i int) int {
	if i%7 == 0 {
		return 500
	}
	return 200
}

func BenchmarkDecode(b *testing.B) {
	const n = 1000
	for _, bc := range []struct {
		name        string
		body        []byte
		contentType string
		gzip        bool
	}{
		{"ndjson", benchBody(false, n), "application/x-ndjson", false},
		{"ndjson-gzip", benchBody(false, n), "application/x-ndjson", true},
		{"kong-array", benchBody(true, n), "application/json", false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			body := bc.body
			enc := ""
			if bc.gzip {
				body, enc = gzipped(b, body), "gzip"
			}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				r, err := Body(bytes.NewReader(body), enc, 64<<20)
				if err != nil {
					b.Fatal(err)
				}
				batch, err := Decode(r, bc.contentType, n)
				if err != nil {
					b.Fatal(err)
				}
				if batch.Accepted != n {
					b.Fatalf("accepted %d", batch.Accepted)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

func TestDecodeStrings(t *testing.T) {
	got := records(t, `[{"time":"2026-05-01T09:15:00Z","consum\u0065r":" k\u00e9y\n","endpoint":"\/v1\/caf\u00e9\/7","status":200},
		{"time":"2026-05-01T09:15:00Z","consumer":"bad `+"\xff"+`","endpoint":"/v1/x","status":200}]`, "")
	if got, want := got[0].Consumer, "kéy"; got != want {
		t.Errorf("escaped consumer = %q, want %q", got, want)
	}
	if got, want := got[0].Endpoint, "/v1/café/:id"; got != want {
		t.Errorf("escaped endpoint = %q, want %q", got, want)
	}
	if got, want := got[1].Consumer, "bad \uFFFD"; got != want {
		t.Errorf("invalid UTF-8 consumer = %q, want %q", got, want)
	}
	deep := `{"time":"2026-05-01T09:15:00Z","endpoint":"/a","status":200,"x":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`
	_, err := Decode(strings.NewReader(deep), "", 10)
	if got, want := domain.ErrorMessage(err), "line 1: invalid JSON: exceeded max depth of 512"; got != want {
		t.Errorf("deep nesting: %q, want %q", got, want)
	}
}
