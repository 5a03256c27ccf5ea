package accesslog

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

func TestParseRealApacheSample(t *testing.T) {
	raw := readFile(t, "testdata/apache_sample.log")
	res := parseLines(t, Config{}, raw)
	if got, want := len(res.recs), 302; got != want {
		t.Errorf("accepted = %d, want %d (rejects: %v)", got, want, res.rejects)
	}
	if got, want := len(res.rejects), 0; got != want {
		t.Errorf("rejected = %d, want %d: %v", got, want, res.rejects)
	}
	// Line 1: 83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 …
	r := res.recs[0]
	if got, want := r.Time, time.Date(2015, 5, 17, 10, 5, 3, 0, time.UTC); !got.Equal(want) {
		t.Errorf("time = %v, want %v", got, want)
	}
	if got, want := r.Endpoint, "/presentations/logstash-monitorama-2013/images/kibana-search.png"; got != want {
		t.Errorf("endpoint = %q, want %q", got, want)
	}
	if got, want := r.Status, 200; got != want {
		t.Errorf("status = %d, want %d", got, want)
	}
	if got, want := r.Bytes, int64(203023); got != want {
		t.Errorf("bytes = %d, want %d", got, want)
	}
	if got, want := r.LatencyMS, -1.0; got != want {
		t.Errorf("latency = %v, want %v (combined has none)", got, want)
	}
	if got, want := r.Consumer, ""; got != want {
		t.Errorf("consumer = %q, want anonymous", got)
	}
	// Every record against its raw line: status and size fields agree.
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	var dash, head int
	for i, l := range lines {
		f := strings.Fields(l[strings.Index(l, "\" ")+2:])
		if got, want := itoa(res.recs[i].Status), f[0]; got != want {
			t.Errorf("line %d: status %s, raw %s", i+1, got, want)
		}
		if f[1] == "-" {
			dash++
			if res.recs[i].Bytes != 0 {
				t.Errorf("line %d: size - parsed as %d, want 0", i+1, res.recs[i].Bytes)
			}
		} else if got, want := itoa(int(res.recs[i].Bytes)), f[1]; got != want {
			t.Errorf("line %d: bytes %s, raw %s", i+1, got, want)
		}
		if strings.Contains(l, "\"HEAD ") {
			head++
		}
	}
	if got, want := dash, 52; got != want {
		t.Errorf("lines with size - = %d, want %d", got, want)
	}
	if head == 0 {
		t.Error("sample has no HEAD request")
	}
}

func TestParseRealApacheLogWhole(t *testing.T) {
	raw := readFile(t, realApacheLog)
	res := parseLines(t, Config{}, raw)
	if got, want := len(res.recs), 10000; got != want {
		t.Errorf("accepted = %d, want %d", got, want)
	}
	if got, want := len(res.rejects), 0; got != want {
		t.Errorf("rejected = %d, want %d: %v", got, want, res.rejects[:min(5, len(res.rejects))])
	}
	// Spot checks against raw lines.
	for _, c := range []struct {
		line     int
		time     time.Time
		endpoint string
		status   int
		bytes    int64
	}{
		// 83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023
		{1, time.Date(2015, 5, 17, 10, 5, 3, 0, time.UTC), "/presentations/logstash-monitorama-2013/images/kibana-search.png", 200, 203023},
		// 46.118.127.106 - - [20/May/2015:12:05:17 +0000] "GET /scripts/grok-py-test/configlib.py HTTP/1.1" 200 235 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html  (no closing quote)
		{8899, time.Date(2015, 5, 20, 12, 5, 17, 0, time.UTC), "/scripts/grok-py-test/configlib.py", 200, 235},
	} {
		r := res.recs[c.line-1]
		if !r.Time.Equal(c.time) || r.Endpoint != c.endpoint || r.Status != c.status || r.Bytes != c.bytes {
			t.Errorf("line %d = %+v, want time %v endpoint %s status %d bytes %d", c.line, r, c.time, c.endpoint, c.status, c.bytes)
		}
	}
	var s5, s4 int
	for _, r := range res.recs {
		switch r.Status / 100 {
		case 5:
			s5++
		case 4:
			s4++
		}
	}
	if got, want := s5, 3; got != want {
		t.Errorf("5xx = %d, want %d", got, want)
	}
	if got, want := s4, 217; got != want { // 2×403 + 213×404 + 2×416
		t.Errorf("4xx = %d, want %d", got, want)
	}
}

func TestParseCombinedWithRequestTime(t *testing.T) {
	res := parseLines(t, Config{LatencyUnit: "s"}, readFile(t, "testdata/nginx_reqtime.log"))
	if len(res.rejects) > 0 {
		t.Fatalf("rejects: %v", res.rejects)
	}
	want := []domain.UsageRecord{
		{Time: time.Date(2026, 5, 1, 9, 15, 2, 0, time.UTC), Endpoint: "/v1/chat/completions", Status: 200, Bytes: 1834, LatencyMS: 412},
		{Time: time.Date(2026, 5, 1, 9, 15, 3, 0, time.UTC), Endpoint: "/v1/chat/completions", Status: 200, Bytes: 2210, LatencyMS: 1250},
		{Time: time.Date(2026, 5, 1, 9, 16, 40, 0, time.UTC), Endpoint: "/v1/models/:id", Status: 404, Bytes: 96, LatencyMS: 3},
		{Time: time.Date(2026, 5, 1, 7, 17, 0, 0, time.UTC), Endpoint: "/v1/files/:id/content", Status: 200, Bytes: 0, LatencyMS: -1},
		{Time: time.Date(2026, 5, 1, 10, 1, 59, 0, time.UTC), Endpoint: "/v1/embeddings", Status: 503, Bytes: 154, LatencyMS: 30001},
	}
	if got, want := len(res.recs), len(want); got != want {
		t.Fatalf("records = %d, want %d", got, want)
	}
	for i := range want {
		g := res.recs[i]
		if !g.Time.Equal(want[i].Time) || g.Endpoint != want[i].Endpoint || g.Status != want[i].Status || g.Bytes != want[i].Bytes || !near(g.LatencyMS, want[i].LatencyMS) {
			t.Errorf("line %d = %+v, want %+v", i+1, g, want[i])
		}
	}
	// Apache %D: microseconds.
	line := `10.0.0.1 - - [01/May/2026:09:15:02 +0000] "GET /x HTTP/1.1" 200 5 "-" "ua" 2500`
	res = parseLines(t, Config{LatencyUnit: "us"}, []byte(line))
	if got, want := res.recs[0].LatencyMS, 2.5; !near(got, want) {
		t.Errorf("%%D latency = %v ms, want %v", got, want)
	}
}

func near(a, b float64) bool { d := a - b; return d < 1e-6 && d > -1e-6 }

const testLogFormat = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time "$http_x_api_key"`

func TestParseLogFormatHeaderConsumer(t *testing.T) {
	// secret: false — the fixture's keys are names, compared as logged
	// (secret_test.go covers the hashed default).
	cfg := Config{Format: FormatLogFormat, LogFormat: testLogFormat, Consumer: ConsumerConfig{From: ConsumerHeader, Name: "X-Api-Key", Secret: new(false)}}
	res := parseLines(t, cfg, readFile(t, "testdata/logformat.log"))
	if len(res.rejects) > 0 {
		t.Fatalf("rejects: %v", res.rejects)
	}
	want := []domain.UsageRecord{
		{Time: time.Date(2026, 5, 1, 9, 15, 2, 0, time.UTC), Consumer: "key-alpha", Endpoint: "/v1/chat/completions", Status: 200, Bytes: 1834, LatencyMS: 412},
		{Time: time.Date(2026, 5, 1, 9, 15, 4, 0, time.UTC), Consumer: "key-beta", Endpoint: "/v1/models", Status: 200, Bytes: 5120, LatencyMS: 20},
		{Time: time.Date(2026, 5, 1, 9, 59, 59, 0, time.UTC), Consumer: "", Endpoint: "/v1/files/:id", Status: 204, Bytes: 0, LatencyMS: 87},
	}
	if got, want := len(res.recs), len(want); got != want {
		t.Fatalf("records = %d, want %d", got, want)
	}
	for i := range want {
		if g := res.recs[i]; !g.Time.Equal(want[i].Time) || g.Consumer != want[i].Consumer || g.Endpoint != want[i].Endpoint || g.Status != want[i].Status || g.Bytes != want[i].Bytes || !near(g.LatencyMS, want[i].LatencyMS) {
			t.Errorf("line %d = %+v, want %+v", i+1, g, want[i])
		}
	}
	// The same lines, consumer from $remote_user.
	cfg.Consumer = ConsumerConfig{From: ConsumerField, Name: "$remote_user"}
	res = parseLines(t, cfg, readFile(t, "testdata/logformat.log"))
	if got, want := res.recs[2].Consumer, "bob"; got != want {
		t.Errorf("remote_user consumer = %q, want %q", got, want)
	}
	// The unknown variable is skipped; a $consumer is the default consumer.
	cfg = Config{Format: FormatLogFormat, LogFormat: `$time_iso8601 $host "$request_method $request_uri" $status $bytes_sent "$upstream_response_time" $consumer`}
	res = parseLines(t, cfg, []byte(`2026-05-01T09:15:02+02:00 api.example.com "GET /v1/a/550e8400-e29b-41d4-a716-446655440000?x=1" 200 512 "0.010, 0.032" acme`))
	if len(res.rejects) > 0 {
		t.Fatalf("rejects: %v", res.rejects)
	}
	r := res.recs[0]
	if !r.Time.Equal(time.Date(2026, 5, 1, 7, 15, 2, 0, time.UTC)) || r.Endpoint != "/v1/a/:id" || r.Consumer != "acme" || r.Bytes != 512 || !near(r.LatencyMS, 42) {
		t.Errorf("record = %+v", r)
	}
}

func TestLogFormatConfigErrors(t *testing.T) {
	for _, c := range []struct {
		format, from, name, want string
	}{
		{`$remote_addr$remote_user [$time_local] "$request" $status`, "", "", "need text between them"},
		{`$remote_addr [$time_local] $status`, "", "", "needs the path"},
		{`$remote_addr "$request" $status`, "", "", "needs a time"},
		{`[$time_local] "$request"`, "", "", "needs $status"},
		{`[$time_local] "$request" $status`, ConsumerHeader, "X-Api-Key", "$http_x_api_key"},
		{`[$time_local] "$request" $status`, ConsumerIP, "", "$remote_addr"},
	} {
		t.Setenv("ECOPULSE_HASH_KEY", "0123456789abcdef0123")
		err := Config{Format: FormatLogFormat, LogFormat: c.format, Consumer: ConsumerConfig{From: c.from, Name: c.name}}.Validate()
		if err == nil || !strings.Contains(domain.ErrorMessage(err), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.format, err, c.want)
		}
	}
}

func TestParseKong(t *testing.T) {
	raw := readFile(t, "testdata/kong.jsonl")
	res := parseLines(t, Config{Format: FormatKong}, raw)
	if len(res.rejects) > 0 {
		t.Fatalf("rejects: %v", res.rejects)
	}
	want := []domain.UsageRecord{
		{Time: time.UnixMilli(1777626902537).UTC(), Consumer: "acme-analytics", Endpoint: "/v1/chat/completions", Status: 200, Bytes: 9982, LatencyMS: 173},
		{Time: time.UnixMilli(1777627501020).UTC(), Consumer: "tinystudio", Endpoint: "/v1/embeddings", Status: 429, Bytes: 412, LatencyMS: 2},
		{Time: time.UnixMilli(1777630000999).UTC(), Consumer: "", Endpoint: "/v1/models/:id", Status: 401, Bytes: 96, LatencyMS: 0},
		{Time: time.UnixMilli(1777633200000).UTC(), Consumer: "partner-7", Endpoint: "/get", Status: 502, Bytes: 434, LatencyMS: 1921},
	}
	if got, want := len(res.recs), len(want); got != want {
		t.Fatalf("records = %d, want %d", got, want)
	}
	for i := range want {
		g := res.recs[i]
		if d := g.Time.Sub(want[i].Time); d > time.Millisecond || d < -time.Millisecond {
			t.Errorf("record %d time = %v, want %v", i+1, g.Time, want[i].Time)
		}
		if g.Consumer != want[i].Consumer || g.Endpoint != want[i].Endpoint || g.Status != want[i].Status || g.Bytes != want[i].Bytes || !near(g.LatencyMS, want[i].LatencyMS) {
			t.Errorf("record %d = %+v, want %+v", i+1, g, want[i])
		}
	}
	// Consumer from a request header (a repeated header is an array: the first counts).
	res = parseLines(t, Config{Format: FormatKong, Consumer: ConsumerConfig{From: ConsumerHeader, Name: "X-Api-Key", Secret: new(false)}}, raw)
	for i, want := range []string{"key-alpha", "key-beta", "", ""} {
		if got := res.recs[i].Consumer; got != want {
			t.Errorf("record %d header consumer = %q, want %q", i+1, got, want)
		}
	}
	// Consumer from the client address, hashed with the key.
	t.Setenv("ECOPULSE_HASH_KEY", "test-key-0123456789")
	res = parseLines(t, Config{Format: FormatKong, Consumer: ConsumerConfig{From: ConsumerIP}}, raw)
	if got, want := res.recs[0].Consumer, HashIP([]byte("test-key-0123456789"), "192.168.65.1"); got != want {
		t.Errorf("ip consumer = %q, want %q", got, want)
	}
	// Not JSON, or missing fields: rejected with a reason.
	bad := parseLines(t, Config{Format: FormatKong}, []byte("{\"request\":{\"uri\":\"/x\"}\n{\"started_at\":1777626902537,\"request\":{\"uri\":\"/x\"},\"response\":{\"status\":\"OK\"}}\n{not json}\n"))
	wantReasons := []string{"line 1: not valid JSON", "line 2: response.status must be a number, got string \"OK\"", "line 3: not valid JSON"}
	if got, want := len(bad.rejects), len(wantReasons); got != want {
		t.Fatalf("rejects = %v, want %d", bad.rejects, want)
	}
	for i, w := range wantReasons {
		if !strings.HasPrefix(bad.rejects[i], w) {
			t.Errorf("reject %d = %q, want prefix %q", i+1, bad.rejects[i], w)
		}
	}
}

func TestParseGenericJSON(t *testing.T) {
	fm := FieldMap{Time: "ts", Method: "http.method", Path: "http.path", Status: "http.status", Bytes: "http.bytes", LatencyMS: "duration_ms", Consumer: "auth.key_id", ClientIP: "client.ip"}
	res := parseLines(t, Config{Format: FormatJSON, FieldMap: fm}, readFile(t, "testdata/generic.jsonl"))
	if len(res.rejects) > 0 {
		t.Fatalf("rejects: %v", res.rejects)
	}
	want := []domain.UsageRecord{
		{Time: time.Date(2026, 5, 1, 9, 15, 2, 120e6, time.UTC), Consumer: "key-alpha", Endpoint: "/v1/chat/completions", Status: 200, Bytes: 1834, LatencyMS: 412.5},
		{Time: time.Date(2026, 5, 1, 9, 15, 2, 0, time.UTC), Consumer: "", Endpoint: "/v1/users/:id/keys", Status: 404, Bytes: 0, LatencyMS: 3},
		{Time: time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC), Consumer: "key-été", Endpoint: "/v1/models", Status: 200, Bytes: 0, LatencyMS: -1},
	}
	if got, want := len(res.recs), len(want); got != want {
		t.Fatalf("records = %d, want %d", got, want)
	}
	for i := range want {
		if g := res.recs[i]; !g.Time.Equal(want[i].Time) || g.Consumer != want[i].Consumer || g.Endpoint != want[i].Endpoint || g.Status != want[i].Status || g.Bytes != want[i].Bytes || !near(g.LatencyMS, want[i].LatencyMS) {
			t.Errorf("record %d = %+v, want %+v", i+1, g, want[i])
		}
	}
	// Epoch seconds, latency in seconds.
	res = parseLines(t, Config{Format: FormatJSON, LatencyUnit: "s", FieldMap: FieldMap{Time: "t", TimeFormat: "s", Path: "p", Status: "s", LatencyMS: "d"}},
		[]byte(`{"t":1777626902.5,"p":"/a/b","s":201,"d":0.25}`))
	if len(res.rejects) > 0 {
		t.Fatalf("rejects: %v", res.rejects)
	}
	if r := res.recs[0]; !r.Time.Equal(time.Date(2026, 5, 1, 9, 15, 2, 5e8, time.UTC)) || r.Status != 201 || !near(r.LatencyMS, 250) {
		t.Errorf("epoch record = %+v", r)
	}
	if err := (Config{Format: FormatJSON, FieldMap: FieldMap{Time: "t"}}).Validate(); err == nil || !strings.Contains(domain.ErrorMessage(err), "field_map.path") {
		t.Errorf("missing path: error %v", err)
	}
}

func TestMalformedLinesHaveReasons(t *testing.T) {
	res := parseLines(t, Config{}, readFile(t, "testdata/malformed.log"))
	if got, want := len(res.recs), 0; got != want {
		t.Errorf("accepted = %d, want %d", got, want)
	}
	want := []string{
		`line 1: status "abc" is not a number`,
		`line 2: size "12kb" is not a number`,
		`line 3: time "31/Foo/2026:09:15:02 +0000" is not dd/Mon/yyyy:hh:mm:ss ±hhmm`,
		`line 4: request is empty`,
		`line 5: request "\\x16\\x03\\x01\\x00\\xA5\\x01" is not METHOD PATH`,
		`line 6: status 700 is not an HTTP status`,
		`line 7: not a combined log line: no [time]`,
		`line 8: request time "fast" is not a number`,
		`line 9: not a combined log line: [time] is not closed`,
	}
	if len(res.rejects) != len(want) {
		t.Fatalf("rejects = %q, want %d", res.rejects, len(want))
	}
	for i := range want {
		if res.rejects[i] != want[i] {
			t.Errorf("reject %d = %s, want %s", i+1, res.rejects[i], want[i])
		}
	}
}

func TestNormalizeEndpoint(t *testing.T) {
	p := mustParser(t, Config{})
	for _, c := range []struct{ in, want string }{
		{"/v1/users/12345/orders?page=2", "/v1/users/:id/orders"},
		{"/v1/models/3f2504e0-4f89-11d3-9a0c-0305e82c3301", "/v1/models/:id"},
		{"/objects/507f1f77bcf86cd799439011", "/objects/:id"},
		{"/customers/cus_J8Hk2Lm9QpXz3R/charges", "/customers/:id/charges"},
		{"/presentations/logstash-monitorama-2013/images/kibana-search.png", "/presentations/logstash-monitorama-2013/images/kibana-search.png"},
		{"/blog/tags/ipv6", "/blog/tags/ipv6"},
		{"/v2/checkout", "/v2/checkout"},
		{"https://api.example.com:8443/v1/chat?x=1", "/v1/chat"},
		{"/", "/"},
		{"/a#frag", "/a"},
		{"*", "*"},
		{"/" + strings.Repeat("segment/", 60), "/" + strings.Repeat("segment/", 60)[:maxEndpointLen-1]},
	} {
		got, err := p.endpoint([]byte(c.in))
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("endpoint(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestConsumerFromIPIsHashed(t *testing.T) {
	t.Setenv("TEST_ACCESSLOG_KEY", "")
	cfg := Config{Consumer: ConsumerConfig{From: ConsumerIP}, HashKeyEnv: "TEST_ACCESSLOG_KEY"}
	if err := cfg.Validate(); err == nil || !strings.Contains(domain.ErrorMessage(err), "TEST_ACCESSLOG_KEY") {
		t.Fatalf("no key: error %v, want one naming the variable", err)
	}
	t.Setenv("TEST_ACCESSLOG_KEY", "short")
	if err := cfg.Validate(); err == nil {
		t.Fatal("a 5-character key was accepted")
	}
	t.Setenv("TEST_ACCESSLOG_KEY", "a-long-enough-secret-key")
	res := parseLines(t, cfg, readFile(t, "testdata/apache_sample.log"))
	c := res.recs[0].Consumer
	if !strings.HasPrefix(c, "ip:") || len(c) != 3+16 {
		t.Fatalf("consumer = %q, want ip: and 16 hex digits", c)
	}
	if strings.Contains(c, "83.149") {
		t.Errorf("consumer %q holds the raw address", c)
	}
	if got, want := c, HashIP([]byte("a-long-enough-secret-key"), "83.149.9.216"); got != want {
		t.Errorf("consumer = %q, want %q", got, want)
	}
	if other := HashIP([]byte("another-secret-key-000"), "83.149.9.216"); other == c {
		t.Error("the hash does not depend on the key")
	}
}

func TestConsumerFromPathPrefix(t *testing.T) {
	cfg := Config{Consumer: ConsumerConfig{From: ConsumerPathPrefix, Prefixes: map[string]string{
		"/presentations/":                          "presentations",
		"/presentations/logstash-monitorama-2013/": "monitorama",
		"/blog/": "blog",
	}}}
	res := parseLines(t, cfg, readFile(t, "testdata/apache_sample.log"))
	counts := map[string]int{}
	for _, r := range res.recs {
		counts[r.Consumer]++
	}
	if counts["monitorama"] == 0 || counts[""] == 0 {
		t.Errorf("consumers = %v, want the longest prefix to win and the rest anonymous", counts)
	}
	if got := counts["presentations"]; got >= counts["monitorama"] {
		t.Errorf("presentations = %d, monitorama = %d: the longer prefix should take most", got, counts["monitorama"])
	}
	if err := (Config{Consumer: ConsumerConfig{From: ConsumerPathPrefix}}).Validate(); err == nil {
		t.Error("path_prefix without prefixes was accepted")
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Format: "apache"}, "format must be"},
		{Config{LatencyUnit: "min"}, "latency_unit"},
		{Config{ChunkLines: -1}, "chunk_lines"},
		{Config{Consumer: ConsumerConfig{From: "cookie"}}, "consumer.from"},
		{Config{Consumer: ConsumerConfig{From: ConsumerHeader, Name: "X-Key"}}, "log_format"},
		{Config{Format: FormatLogFormat}, "log_format"},
		{Config{Paths: []string{"/var/log/[x"}}, "glob"},
	} {
		err := c.cfg.Validate()
		if err == nil || !strings.Contains(domain.ErrorMessage(err), c.want) {
			t.Errorf("%+v: error %v, want one mentioning %q", c.cfg, err, c.want)
		}
	}
	if err := (Config{}).Validate(); err != nil {
		t.Errorf("zero config: %v", err)
	}
	if _, err := New(Config{}); err == nil {
		t.Error("New without paths was accepted")
	}
}

func TestJSONScannerSkipsWhatItDoesNotNeed(t *testing.T) {
	p := &parser{}
	a := p.addPath("a.b")
	c := p.addPath("c")
	in := []byte(` {"x":[1,{"a":{"b":"no"}},"]}"],"a":{"z":null,"b":"yes \"q\""},"c":-1.5e3, "d":{"e":[[[]]]}} `)
	if err := p.scanLine(in); err != nil {
		t.Fatal(err)
	}
	if got, _ := jsonText(p.val(a)); !bytes.Equal(got, []byte(`yes "q"`)) {
		t.Errorf("a.b = %q", got)
	}
	if got, _, _ := jsonNumber(p.val(c)); got != -1500 {
		t.Errorf("c = %v", got)
	}
	for _, bad := range []string{`{"a":`, `{"a":1,}`, `[1]`, `{"a":{"b":1}`, `{"a":"x}`, `{"a":tru}`, `{"a":1} x`, `{"a":[1,2}`} {
		if err := p.scanLine([]byte(bad)); err == nil || !strings.Contains(err.Error(), "not valid JSON at byte") {
			t.Errorf("%s: error %v, want not valid JSON", bad, err)
		}
	}
}
