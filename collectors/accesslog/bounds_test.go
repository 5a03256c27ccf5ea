package accesslog

import (
	"strings"
	"testing"
)

// TestRecordBoundsAreTheIngestBounds: a size over 1 TiB or a request time
// over a day is refused with the reason push ingest gives for the same
// record (domain.UsageRecord.Validate holds the bounds for both paths), and
// the lines around it are kept.
func TestRecordBoundsAreTheIngestBounds(t *testing.T) {
	lines := strings.Join([]string{
		`192.0.2.1 - key-a [01/May/2026:09:15:02 +0000] "GET /v1/a HTTP/1.1" 200 1099511627776 "-" "-" 0.5`,
		`192.0.2.1 - key-a [01/May/2026:09:15:03 +0000] "GET /v1/a HTTP/1.1" 200 999999999999999999 "-" "-" 0.5`,
		`192.0.2.1 - key-a [01/May/2026:09:15:04 +0000] "GET /v1/a HTTP/1.1" 200 12 "-" "-" 86400.001`,
		`192.0.2.1 - key-a [01/May/2026:09:15:05 +0000] "GET /v1/a HTTP/1.1" 200 12 "-" "-" 86400`,
	}, "\n")
	res := parseLines(t, Config{LatencyUnit: "s"}, []byte(lines))
	want := []string{
		"line 2: bytes 999999999999999999 is out of range: over the limit of 1 TiB (1099511627776 bytes) per record",
		"line 3: latency 8.6400001e+07 ms is out of range: over the limit of 86400000 ms (one day) per record",
	}
	if strings.Join(res.rejects, "\n") != strings.Join(want, "\n") {
		t.Errorf("rejects = %q, want %q", res.rejects, want)
	}
	if len(res.recs) != 2 || res.recs[0].Bytes != 1<<40 || res.recs[1].LatencyMS != 86_400_000 {
		t.Errorf("records at the bounds = %+v, want 2 (1 TiB, one day)", res.recs)
	}

	js := `{"time":"2026-05-01T09:15:00Z","path":"/v1/a","status":200,"bytes":9223372036854775807}` + "\n" +
		`{"time":"2026-05-01T09:15:00Z","path":"/v1/a","status":200,"bytes":2199023255552}` + "\n" +
		`{"time":"2026-05-01T09:15:01Z","path":"/v1/a","status":200,"bytes":12}`
	res = parseLines(t, Config{Format: FormatJSON, FieldMap: FieldMap{Time: "time", Path: "path", Status: "status", Bytes: "bytes"}}, []byte(js))
	want = []string{
		"line 1: size 9.223372036854776e+18 is out of range",
		"line 2: bytes 2199023255552 is out of range: over the limit of 1 TiB (1099511627776 bytes) per record",
	}
	if len(res.recs) != 1 || strings.Join(res.rejects, "\n") != strings.Join(want, "\n") {
		t.Errorf("JSON log: records %+v, rejects %q: want %q and the last line kept", res.recs, res.rejects, want)
	}
}
