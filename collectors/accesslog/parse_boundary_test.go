package accesslog

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// The tests of this file pin the edges of what a line may hold: each value
// just inside a bound is accepted, each just outside is rejected with a
// reason, so a bound moved by one fails a test.

// clfLine is a combined log line with the given status, size and
// request time (in seconds; "" for none).
func clfLine(status, size, reqTime string) string {
	line := `10.0.0.1 - - [01/May/2026:09:15:02 +0000] "GET /v1/x HTTP/1.1" ` + status + ` ` + size + ` "-" "ua"`
	if reqTime != "" {
		line += " " + reqTime
	}
	return line
}

// kongLine is a Kong file-log line with the given members added.
func kongLine(members string) string {
	return `{"started_at":1777626902537,"request":{"uri":"/v1/x","headers":{"x-consumer-username":"hdr-user","x-consumer-custom-id":"hdr-custom","x-consumer-id":"hdr-id"}},"response":{"status":200,"size":10}` + members + `}`
}

// one parses a single line and returns its record, or the reason it was
// rejected.
func one(t *testing.T, c Config, line string) (domain.UsageRecord, string) {
	t.Helper()
	res := parseLines(t, c, []byte(line))
	switch {
	case len(res.rejects) == 1 && len(res.recs) == 0:
		return domain.UsageRecord{}, res.rejects[0]
	case len(res.recs) == 1 && len(res.rejects) == 0:
		return res.recs[0], ""
	}
	t.Fatalf("%.80s: %d records, %d rejects", line, len(res.recs), len(res.rejects))
	return domain.UsageRecord{}, ""
}

func accepted(t *testing.T, c Config, line string) domain.UsageRecord {
	t.Helper()
	r, why := one(t, c, line)
	if why != "" {
		t.Fatalf("%.100s: rejected (%s), want accepted", line, why)
	}
	return r
}

func rejected(t *testing.T, c Config, line, reason string) {
	t.Helper()
	r, why := one(t, c, line)
	if why == "" {
		t.Fatalf("%.100s: accepted as %+v, want rejected with %q", line, r, reason)
	}
	if !strings.Contains(why, reason) {
		t.Errorf("%.100s: rejected with %q, want %q", line, why, reason)
	}
}

func TestStatusBoundsInEveryFormat(t *testing.T) {
	kong := Config{Format: FormatKong}
	for _, s := range []int{100, 499, 500, 599} {
		st := strconv.Itoa(s)
		if r := accepted(t, Config{}, clfLine(st, "5", "")); r.Status != s {
			t.Errorf("combined status %d read as %d", s, r.Status)
		}
		if r := accepted(t, kong, `{"started_at":1777626902537,"request":{"uri":"/x"},"response":{"status":`+st+`}}`); r.Status != s {
			t.Errorf("Kong status %d read as %d", s, r.Status)
		}
	}
	for _, s := range []string{"099", "600", "999"} {
		rejected(t, Config{}, clfLine(s, "5", ""), "is not an HTTP status")
	}
	for _, s := range []string{"99", "600", "1000", "1001", "-200"} {
		rejected(t, kong, `{"started_at":1777626902537,"request":{"uri":"/x"},"response":{"status":`+s+`}}`, "is not an HTTP status")
	}
	// Kong's mapping (push.KongFields) names a fraction for what it is.
	rejected(t, kong, `{"started_at":1777626902537,"request":{"uri":"/x"},"response":{"status":599.5}}`, "response.status 599.5 is not an integer")
}

// TestStatusClassesOfAnImport imports edge statuses into a real store: 499
// is a client error, 500 and 599 server errors, 100 and 399 neither.
func TestStatusClassesOfAnImport(t *testing.T) {
	db := datatest.MustOpenDB(t)
	var lines []string
	// Each status a different number of times, so that no wrong class
	// split adds up to the right totals by chance.
	for s, n := range map[string]int{"100": 1, "399": 1, "400": 1, "499": 2, "500": 3, "599": 4} {
		for range n {
			lines = append(lines, clfLine(s, "5", ""))
		}
	}
	path := writeLog(t, strings.Join(lines, "\n")+"\n")
	if _, err := Import(context.Background(), db, Config{}, []string{path}, nil); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	got, err := db.UsageTotals(context.Background(), day, day.AddDate(0, 0, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	// 4xx: 400 once, 499 twice = 3; 5xx: 500 three times, 599 four = 7.
	if got.Calls != 12 || got.Errors4xx != 3 || got.Errors5xx != 7 || got.Bytes != 60 {
		t.Errorf("totals = %d calls, %d 4xx, %d 5xx, %d bytes; want 12, 3, 7, 60", got.Calls, got.Errors4xx, got.Errors5xx, got.Bytes)
	}
}

func TestLatencyBoundsInEveryFormat(t *testing.T) {
	kong := Config{Format: FormatKong}
	t.Run("combined", func(t *testing.T) {
		if r := accepted(t, Config{}, clfLine("200", "5", "0.000")); r.LatencyMS != 0 {
			t.Errorf("request time 0.000 read as %v ms, want 0 (measured, instant)", r.LatencyMS)
		}
		if r := accepted(t, Config{}, clfLine("200", "5", "-")); r.LatencyMS != -1 {
			t.Errorf("request time - read as %v, want -1 (not measured)", r.LatencyMS)
		}
		if r := accepted(t, Config{}, clfLine("200", "5", "")); r.LatencyMS != -1 {
			t.Errorf("no request time read as %v, want -1 (not measured)", r.LatencyMS)
		}
		// A day is a plausible (if sad) request time; a billion seconds
		// (31 years) is not. Another change sets the exact upper bound;
		// this test holds whatever it becomes in between.
		if r := accepted(t, Config{}, clfLine("200", "5", "86400")); !near(r.LatencyMS, 86400e3) {
			t.Errorf("request time 86400 s read as %v ms", r.LatencyMS)
		}
		rejected(t, Config{}, clfLine("200", "5", "1000000000000"), "request time")
		rejected(t, Config{}, clfLine("200", "5", "-0.5"), "request time")
	})
	t.Run("kong", func(t *testing.T) {
		if r := accepted(t, kong, kongLine(`,"latencies":{"request":0,"proxy":7}`)); r.LatencyMS != 0 {
			t.Errorf("Kong request latency 0 read as %v, want 0", r.LatencyMS)
		}
		if r := accepted(t, kong, kongLine(``)); r.LatencyMS != -1 {
			t.Errorf("Kong line without latencies read as %v, want -1 (not measured)", r.LatencyMS)
		}
		if r := accepted(t, kong, kongLine(`,"latencies":{"request":86400000}`)); r.LatencyMS != 86400e3 {
			t.Errorf("Kong latency of a day read as %v", r.LatencyMS)
		}
		// Kong's mapping (push.KongFields) bounds a latency at a day, as
		// push ingest does.
		rejected(t, kong, kongLine(`,"latencies":{"request":86400001}`), "latencies.request 86400001 is out of range")
		rejected(t, kong, kongLine(`,"latencies":{"request":1e15}`), "latencies.request 1e15 is out of range")
	})
	t.Run("kong -1 is not measured", func(t *testing.T) {
		// Kong logs -1 for a latency it did not measure; push ingest reads it
		// as "not measured" and keeps the call, and so does the file
		// collector: the request latency, else the proxy latency, and any
		// negative one is not a measurement (never a lost call).
		for members, want := range map[string]float64{
			`,"latencies":{"request":-1,"proxy":-1}`:         -1,
			`,"latencies":{"request":-3}`:                    -1,
			`,"latencies":{"request":-1.5,"kong":2}`:         -1,
			`,"latencies":{"request":-1,"proxy":7,"kong":2}`: 7,
			`,"latencies":{"proxy":12}`:                      12,
		} {
			if r := accepted(t, kong, kongLine(members)); r.LatencyMS != want {
				t.Errorf("%s read as %v, want %v", members, r.LatencyMS, want)
			}
		}
		// Generic JSON has no such convention: -1 is a negative latency.
		rejected(t, Config{Format: FormatJSON, FieldMap: FieldMap{Time: "ts", Path: "path", Status: "status", LatencyMS: "ms"}},
			`{"ts":"2026-05-01T09:15:02Z","path":"/x","status":200,"ms":-1}`, "is negative")
	})
}

// TestKongUnmeasuredLatencyIsImported imports Kong lines, one of them with
// latency -1, into a real store: every call counts, and only the measured
// latencies make the histogram (an unmeasured one is not a 0 ms call).
func TestKongUnmeasuredLatencyIsImported(t *testing.T) {
	db := datatest.MustOpenDB(t)
	path := writeLog(t, strings.Join([]string{
		kongLine(`,"latencies":{"request":-1,"proxy":-1}`),
		kongLine(`,"latencies":{"request":40}`),
		kongLine(`,"latencies":{"request":40}`),
	}, "\n")+"\n")
	sum, err := Import(context.Background(), db, Config{Format: FormatKong}, []string{path}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Stored != 3 || sum.Rejected != 0 {
		t.Fatalf("summary %+v, want 3 stored, none rejected", sum)
	}
	got := totals(t, db)
	if got.Calls != 3 || got.Latency.Count() != 2 {
		t.Errorf("%d calls with %d latencies, want 3 calls with 2 latencies", got.Calls, got.Latency.Count())
	}
	if p50 := got.Latency.Quantile(0.5); p50 < 30 {
		t.Errorf("p50 = %v ms: the unmeasured call counted as a fast one", p50)
	}
}

// TestTimeBoundsOfALine: a line's time must fall in the years 1 to 9999,
// after its offset is applied.
func TestTimeBoundsOfALine(t *testing.T) {
	at := func(ts string) string {
		return `10.0.0.1 - - [` + ts + `] "GET /v1/x HTTP/1.1" 200 5 "-" "ua"`
	}
	// 0001-01-01T00:00:00Z is Go's zero time, which no record may have
	// ("record has no time"): the first usable second is the next one.
	first := time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC)
	last := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	if r := accepted(t, Config{}, at("01/Jan/0001:00:00:01 +0000")); !r.Time.Equal(first) {
		t.Errorf("first second read as %v", r.Time)
	}
	if r := accepted(t, Config{}, at("31/Dec/9999:23:59:59 +0000")); !r.Time.Equal(last) {
		t.Errorf("last second read as %v", r.Time)
	}
	// The same wall times, one hour on the wrong side of UTC.
	rejected(t, Config{}, at("01/Jan/0001:00:00:01 +0100"), "time is out of range")
	rejected(t, Config{}, at("31/Dec/9999:23:59:59 -0100"), "time is out of range")
	rejected(t, Config{}, at("01/Jan/0000:00:00:00 +0000"), "is not dd/Mon/yyyy")
	rejected(t, Config{}, at("32/Jan/2026:00:00:00 +0000"), "is not dd/Mon/yyyy")
	rejected(t, Config{}, at("29/Feb/2026:24:00:00 +0000"), "is not dd/Mon/yyyy")
	// Kong's started_at (epoch milliseconds) falls in 2000..2200, as push
	// ingest reads it (push.KongFields): an epoch in seconds is refused.
	kong := Config{Format: FormatKong}
	kongAt := func(ms string) string {
		return `{"started_at":` + ms + `,"request":{"uri":"/x"},"response":{"status":200}}`
	}
	from, until := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
	if r := accepted(t, kong, kongAt(strconv.FormatInt(from.UnixMilli(), 10))); !r.Time.Equal(from) {
		t.Errorf("started_at at the first millisecond read as %v", r.Time)
	}
	if r := accepted(t, kong, kongAt(strconv.FormatInt(until.UnixMilli()-1, 10))); !r.Time.Equal(until.Add(-time.Millisecond)) {
		t.Errorf("started_at at the last millisecond read as %v", r.Time)
	}
	for _, ms := range []string{strconv.FormatInt(from.UnixMilli()-1, 10), strconv.FormatInt(until.UnixMilli(), 10), "0", "-1", "1777626902"} {
		rejected(t, kong, kongAt(ms), "is not a time in milliseconds since 1970 between 2000-01-01 and 2200-01-01")
	}
	rejected(t, kong, kongAt(`"1777626902537"`), "started_at must be a number")
}

// TestConsumerKeyIsTruncated: a consumer key longer than 200 bytes is cut to
// 200 bytes (never in the middle of a UTF-8 character) and the call kept.
func TestConsumerKeyIsTruncated(t *testing.T) {
	// secret: false — a key stored as it is logged (a hashed one is short).
	cfg := Config{Format: FormatLogFormat, LogFormat: `[$time_local] "$request" $status "$http_x_api_key"`,
		Consumer: ConsumerConfig{From: ConsumerHeader, Name: "X-Api-Key", Secret: new(false)}}
	line := func(key string) string {
		return `[01/May/2026:09:15:02 +0000] "GET /v1/x HTTP/1.1" 200 "` + key + `"`
	}
	for _, tc := range []struct{ key, want string }{
		{strings.Repeat("k", 200), strings.Repeat("k", 200)},
		{strings.Repeat("k", 201), strings.Repeat("k", 200)},
		{strings.Repeat("k", 5000), strings.Repeat("k", 200)},
		// é is two bytes: 199 + 2 = 201, and half an é is not kept.
		{strings.Repeat("k", 199) + "é", strings.Repeat("k", 199)},
		{strings.Repeat("k", 198) + "é", strings.Repeat("k", 198) + "é"},
	} {
		if r := accepted(t, cfg, line(tc.key)); r.Consumer != tc.want {
			t.Errorf("a %d-byte key became %d bytes (%q…)", len(tc.key), len(r.Consumer), r.Consumer[max(0, len(r.Consumer)-4):])
		}
	}
}

// TestWhichFieldWins: with both $request_time and $upstream_response_time
// the request time counts (the whole request, as the client saw it), the
// upstream time only when the request time is "-"; with both
// $body_bytes_sent and $bytes_sent the body counts.
func TestWhichFieldWins(t *testing.T) {
	for _, tc := range []struct {
		format, line string
		latency      float64
		bytes        int64
	}{
		{`[$time_local] "$request" $status $bytes_sent $body_bytes_sent $upstream_response_time $request_time`,
			`[01/May/2026:09:15:02 +0000] "GET /x HTTP/1.1" 200 700 500 0.100 0.250`, 250, 500},
		{`[$time_local] "$request" $status $body_bytes_sent $bytes_sent $request_time $upstream_response_time`,
			`[01/May/2026:09:15:02 +0000] "GET /x HTTP/1.1" 200 500 700 0.250 0.100`, 250, 500},
		{`[$time_local] "$request" $status $body_bytes_sent $bytes_sent $request_time $upstream_response_time`,
			`[01/May/2026:09:15:02 +0000] "GET /x HTTP/1.1" 200 500 700 - 0.100`, 100, 500},
		{`[$time_local] "$request" $status $bytes_sent $upstream_response_time`,
			`[01/May/2026:09:15:02 +0000] "GET /x HTTP/1.1" 200 700 0.100`, 100, 700},
		// Several upstreams tried: their times add up.
		{`[$time_local] "$request" $status $bytes_sent "$upstream_response_time"`,
			`[01/May/2026:09:15:02 +0000] "GET /x HTTP/1.1" 200 700 "0.100, 0.050 : 0.025"`, 175, 700},
	} {
		r := accepted(t, Config{Format: FormatLogFormat, LogFormat: tc.format}, tc.line)
		if !near(r.LatencyMS, tc.latency) || r.Bytes != tc.bytes {
			t.Errorf("%s\n%s:\nlatency %v ms, bytes %d; want %v, %d", tc.format, tc.line, r.LatencyMS, r.Bytes, tc.latency, tc.bytes)
		}
	}
}

// TestSeveralConsumerHeaders: a Kong line carries all of Kong's
// X-Consumer-* headers and a consumer object; each configuration reads its
// own one, and the default is the consumer object's username, then
// custom_id, then id.
func TestSeveralConsumerHeaders(t *testing.T) {
	obj := `,"consumer":{"id":"obj-id","custom_id":"obj-custom","username":"obj-user"}`
	for _, tc := range []struct {
		name string
		cfg  ConsumerConfig
		line string
		want string
	}{
		{"default: the username", ConsumerConfig{}, kongLine(obj), "obj-user"},
		{"default: custom_id without a username", ConsumerConfig{}, kongLine(`,"consumer":{"id":"obj-id","custom_id":"obj-custom"}`), "obj-custom"},
		{"default: id last", ConsumerConfig{}, kongLine(`,"consumer":{"id":"obj-id","username":""}`), "obj-id"},
		{"default: the headers are not the consumer", ConsumerConfig{}, kongLine(``), ""},
		{"the username header", ConsumerConfig{From: ConsumerHeader, Name: "X-Consumer-Username"}, kongLine(obj), "hdr-user"},
		{"the custom id header", ConsumerConfig{From: ConsumerHeader, Name: "X-Consumer-Custom-ID"}, kongLine(obj), "hdr-custom"},
		{"the id header", ConsumerConfig{From: ConsumerHeader, Name: " x-consumer-id "}, kongLine(obj), "hdr-id"},
		{"a header sent twice: the first", ConsumerConfig{From: ConsumerHeader, Name: "X-Api-Key", Secret: new(false)},
			`{"started_at":1777626902537,"request":{"uri":"/x","headers":{"x-api-key":["first","second"]}},"response":{"status":200}}`, "first"},
		{"a field", ConsumerConfig{From: ConsumerField, Name: "consumer.custom_id"}, kongLine(obj), "obj-custom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := accepted(t, Config{Format: FormatKong, Consumer: tc.cfg}, tc.line); r.Consumer != tc.want {
				t.Errorf("consumer = %q, want %q", r.Consumer, tc.want)
			}
		})
	}
}

// addresses are client addresses as they appear in consumer fields.
var addresses = []string{"203.0.113.9", "2001:db8::7", "[2001:db8::7]", "::ffff:198.51.100.4", "fe80::1%eth0",
	// with a port, as a gateway may log the peer
	"203.0.113.9:443", "[2001:db8::7]:8443", "[::ffff:198.51.100.4]:80", " 203.0.113.9:443 ", "::ffff:198.51.100.4:80",
	// a list, as X-Forwarded-For logs it
	"203.0.113.9, 198.51.100.4"}

// TestAnAddressIsNeverAConsumer: an IP address in the consumer field or
// header of any format is anonymous, never stored.
func TestAnAddressIsNeverAConsumer(t *testing.T) {
	t.Setenv(DefaultHashKeyEnv, testHashKey) // X-Api-Key carries a secret: hashed, unless an address
	for _, ip := range addresses {
		for _, tc := range []struct {
			name string
			cfg  Config
			line string
		}{
			// (A bracketed address cannot be a combined line's user: the
			// bracket opens the time.)
			{"combined remote_user", Config{Consumer: ConsumerConfig{From: ConsumerField, Name: "remote_user"}},
				`10.0.0.1 - ` + ip + ` [01/May/2026:09:15:02 +0000] "GET /x HTTP/1.1" 200 5 "-" "ua"`},
			{"log_format header", Config{Format: FormatLogFormat, LogFormat: `[$time_local] "$request" $status "$http_x_api_key"`,
				Consumer: ConsumerConfig{From: ConsumerHeader, Name: "X-Api-Key"}},
				`[01/May/2026:09:15:02 +0000] "GET /x HTTP/1.1" 200 "` + ip + `"`},
			{"log_format $consumer", Config{Format: FormatLogFormat, LogFormat: `[$time_local] "$request" $status $consumer`},
				`[01/May/2026:09:15:02 +0000] "GET /x HTTP/1.1" 200  ` + ip + ` `},
			{"Kong consumer", Config{Format: FormatKong},
				`{"started_at":1777626902537,"request":{"uri":"/x"},"response":{"status":200},"consumer":{"username":"` + ip + `"}}`},
			{"Kong header", Config{Format: FormatKong, Consumer: ConsumerConfig{From: ConsumerHeader, Name: "X-Consumer-Username"}},
				`{"started_at":1777626902537,"request":{"uri":"/x","headers":{"x-consumer-username":["` + ip + `","other"]}},"response":{"status":200}}`},
			{"JSON field", Config{Format: FormatJSON, FieldMap: FieldMap{Time: "ts", Path: "path", Status: "status", Consumer: "who"}},
				`{"ts":"2026-05-01T09:15:02Z","path":"/x","status":200,"who":"` + ip + `"}`},
		} {
			if tc.name == "combined remote_user" && strings.HasPrefix(ip, "[") {
				continue
			}
			r := accepted(t, tc.cfg, tc.line)
			if r.Consumer != "" {
				t.Errorf("%s with %s: consumer %q, want anonymous", tc.name, ip, r.Consumer)
			}
		}
	}
}

// TestAnAddressConsumerIsNotStored imports lines whose consumer header is
// an address and reads the store's consumers back: none holds it.
func TestAnAddressConsumerIsNotStored(t *testing.T) {
	db := datatest.MustOpenDB(t)
	cfg := Config{Format: FormatLogFormat, LogFormat: `[$time_local] "$request" $status "$http_x_api_key"`,
		Consumer: ConsumerConfig{From: ConsumerHeader, Name: "X-Api-Key", Secret: new(false)}}
	var lines []string
	for _, ip := range addresses {
		lines = append(lines, `[01/May/2026:09:15:02 +0000] "GET /x HTTP/1.1" 200 "`+ip+`"`)
	}
	lines = append(lines, `[01/May/2026:09:15:02 +0000] "GET /x HTTP/1.1" 200 "key-1"`)
	path := writeLog(t, strings.Join(lines, "\n")+"\n")
	if _, err := Import(context.Background(), db, cfg, []string{path}, nil); err != nil {
		t.Fatal(err)
	}
	consumers, err := db.Consumers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, c := range consumers {
		keys = append(keys, c.Key)
	}
	if len(keys) != 2 || !strings.Contains(strings.Join(keys, " "), "key-1") {
		t.Errorf("stored consumers %q, want key-1 and the anonymous consumer only", keys)
	}
	for _, k := range keys {
		for _, ip := range []string{"203.0.113", "2001:db8", "198.51.100", "fe80"} {
			if strings.Contains(k, ip) {
				t.Errorf("stored consumer %q holds an address", k)
			}
		}
	}
}

// TestJSONLiteralsAndNumbers: a misspelt literal makes a line invalid JSON
// wherever it is; exponents are numbers.
func TestJSONLiteralsAndNumbers(t *testing.T) {
	kong := Config{Format: FormatKong}
	for _, typo := range []string{"trux", "tru", "fals", "nul", "True", "NULL"} {
		for _, line := range []string{kongLine(`,"ignored":` + typo), kongLine(`,"latencies":{"request":` + typo + `}`)} {
			if _, why := one(t, kong, line); !strings.Contains(why, "not valid JSON") && !strings.Contains(why, "not a number") {
				t.Errorf("%s: %q, want rejected as invalid", line, why)
			}
		}
	}
	for _, lit := range []string{"true", "false", "null"} {
		accepted(t, kong, kongLine(`,"ignored":`+lit))
	}
	t.Run("inside a skipped container", func(t *testing.T) {
		// A container nobody reads is checked all the same: a typo
		// anywhere in the line makes it invalid JSON.
		for _, bad := range []string{
			`"tries":[{"x":trux}]`, `"tries":[1 2]`, `"tries":[1,]`, `"tries":[,1]`, `"tries":{"a" 1}`,
			`"tries":{"a":1,}`, `"tries":{1:2}`, `"tries":[{"a":1]}`, `"tries":[01]`, `"tries":[1.]`,
			`"tries":[-]`, `"tries":[1e]`, `"tries":[.5]`, `"tries":["\x"]`, `"tries":["\u12"]`,
			`"tries":[[[]]`, `"tries":[nul]`, `"tries":{"a":{"b":[true false]}}`,
		} {
			if _, why := one(t, kong, kongLine(`,`+bad)); !strings.Contains(why, "not valid JSON") {
				t.Errorf("%s: %q, want rejected as not valid JSON", bad, why)
			}
		}
		for _, good := range []string{
			`"tries":[]`, `"tries":{}`, `"tries":[ ]`, `"tries":[[],{}]`, `"tries":[{"x":true,"y":[null,false]}]`,
			`"tries":[0,-0,1.5e+3,-2E-2,10]`, `"tries":["\u00e9\n\"",{"k\/":"v"}]`, `"tries" : [ 1 , { "a" : 2 } ]`,
		} {
			accepted(t, kong, kongLine(`,`+good))
		}
	})
	for lit, want := range map[string]float64{"4.5e-1": 0.45, "4.5E-1": 0.45, "45e-2": 0.45, "4.5e+1": 45, "0.45": 0.45, `"4.5e-1"`: 0.45} {
		if r := accepted(t, kong, kongLine(`,"latencies":{"request":`+lit+`}`)); !near(r.LatencyMS, want) {
			t.Errorf("latency %s read as %v, want %v", lit, r.LatencyMS, want)
		}
	}
	for _, bad := range []string{"4.5e", "4.5e-", "1-2", "--1", ".45"} {
		if _, why := one(t, kong, kongLine(`,"latencies":{"request":`+bad+`}`)); why == "" {
			t.Errorf("latency %s accepted, want rejected", bad)
		}
	}
	if r := accepted(t, kong, `{"started_at":1.7776269025e12,"request":{"uri":"/x"},"response":{"status":2e2,"size":1e3}}`); r.Status != 200 || r.Bytes != 1000 ||
		!r.Time.Equal(time.UnixMilli(1777626902500).UTC()) {
		t.Errorf("exponents read as status %d, size %d, time %v", r.Status, r.Bytes, r.Time)
	}
}

// writeLog writes an access log into a temporary directory.
func writeLog(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "access.log")
	writeFile(t, path, text)
	return path
}
