package push

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// The tests of this file pin the edges of what the package documents: each
// value just inside a bound is accepted, each just outside is refused, so a
// bound moved by one (a < that became <=) fails a test.

// ownRecord is an EcoPulse record at a fixed time with one member added
// (member is `"name":value`; status 200 unless member is the status).
func ownRecord(member string) string {
	if strings.HasPrefix(member, `"status":`) {
		return `{"time":"2026-05-01T09:15:00Z","endpoint":"/a",` + member + `}`
	}
	return `{"time":"2026-05-01T09:15:00Z","endpoint":"/a","status":200,` + member + `}`
}

// kongRecord is a Kong log object with extra members appended.
func kongRecord(members string) string {
	return `{"started_at":1777626900000,"request":{"uri":"/a"},"response":{"status":200}` + members + `}`
}

// decodeOne decodes a body of one record and returns it, or the error.
func decodeOne(t *testing.T, body string) (domain.UsageRecord, error) {
	t.Helper()
	var got []domain.UsageRecord
	err := decode(strings.NewReader(body), "application/json", 0, func(r *domain.UsageRecord) { got = append(got, *r) })
	if err != nil {
		return domain.UsageRecord{}, err
	}
	if len(got) != 1 {
		t.Fatalf("%.80s: got %d records, want 1", body, len(got))
	}
	return got[0], nil
}

func mustAccept(t *testing.T, body string) domain.UsageRecord {
	t.Helper()
	r, err := decodeOne(t, body)
	if err != nil {
		t.Fatalf("%.100s: refused (%v), want accepted", body, err)
	}
	return r
}

func mustRefuse(t *testing.T, body, msg string) {
	t.Helper()
	_, err := decodeOne(t, body)
	if err == nil {
		t.Fatalf("%.100s: accepted, want refused with %q", body, msg)
	}
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), msg) {
		t.Errorf("%.100s: error %v, want EINVALID containing %q", body, err, msg)
	}
}

func TestStatusBounds(t *testing.T) {
	for _, s := range []int{100, 499, 500, 599} {
		if r := mustAccept(t, ownRecord(`"status":`+strconv.Itoa(s))); r.Status != s {
			t.Errorf("status %d read as %d", s, r.Status)
		}
		if r := mustAccept(t, `{"started_at":1777626900000,"request":{"uri":"/a"},"response":{"status":`+strconv.Itoa(s)+`}}`); r.Status != s {
			t.Errorf("Kong status %d read as %d", s, r.Status)
		}
	}
	for _, s := range []string{"99", "600"} {
		mustRefuse(t, ownRecord(`"status":`+s), "status "+s+" is not an HTTP status")
		mustRefuse(t, `{"started_at":1777626900000,"request":{"uri":"/a"},"response":{"status":`+s+`}}`,
			"response.status "+s+" is not an HTTP status")
	}
}

// TestStatusClassesAsStored commits the edge statuses to a real store and
// reads the totals back: 499 is a client error, 500 and 599 are server
// errors, 100 is neither.
func TestStatusClassesAsStored(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	var body strings.Builder
	// Each status a different number of times, so that no wrong class
	// split adds up to the right totals by chance.
	for s, n := range map[int]int{100: 1, 399: 1, 400: 1, 499: 2, 500: 3, 599: 4} {
		for range n {
			fmt.Fprintf(&body, `{"time":"2026-05-01T09:15:00Z","consumer":"k","endpoint":"/a","status":%d}`+"\n", s)
		}
	}
	b, err := Decode(strings.NewReader(body.String()), "application/x-ndjson", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CommitUsage(ctx, b); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	got, err := db.UsageTotals(ctx, day, day.AddDate(0, 0, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	// 4xx: 400 once, 499 twice = 3; 5xx: 500 three times, 599 four = 7;
	// 100 and 399 are neither.
	if got.Calls != 12 || got.Errors4xx != 3 || got.Errors5xx != 7 {
		t.Errorf("totals = %d calls, %d 4xx, %d 5xx; want 12, 3, 7", got.Calls, got.Errors4xx, got.Errors5xx)
	}
}

func TestLatencyBounds(t *testing.T) {
	max := strconv.FormatFloat(maxLatencyMS, 'f', -1, 64)
	above := strconv.FormatFloat(maxLatencyMS+1, 'f', -1, 64)
	t.Run("own", func(t *testing.T) {
		if r := mustAccept(t, ownRecord(`"latency_ms":0`)); r.LatencyMS != 0 {
			t.Errorf("latency 0 read as %v, want 0 (measured, instant)", r.LatencyMS)
		}
		if r := mustAccept(t, ownRecord(`"latency_ms":null`)); r.LatencyMS != -1 {
			t.Errorf("latency null read as %v, want -1 (not measured)", r.LatencyMS)
		}
		if r := mustAccept(t, ownRecord(`"latency_ms":`+max)); r.LatencyMS != maxLatencyMS {
			t.Errorf("latency at the bound read as %v", r.LatencyMS)
		}
		mustRefuse(t, ownRecord(`"latency_ms":`+above), "latency_ms "+above+" is out of range")
		// Only Kong's -1 means "not measured": ours is an error.
		mustRefuse(t, ownRecord(`"latency_ms":-1`), "latency_ms -1 is negative")
	})
	t.Run("kong", func(t *testing.T) {
		if r := mustAccept(t, kongRecord(`,"latencies":{"request":0,"proxy":7}`)); r.LatencyMS != 0 {
			t.Errorf("Kong request latency 0 read as %v, want 0 (not the proxy's 7)", r.LatencyMS)
		}
		if r := mustAccept(t, kongRecord(`,"latencies":{"request":-1,"proxy":-1}`)); r.LatencyMS != -1 {
			t.Errorf("Kong -1 latencies read as %v, want -1 (not measured)", r.LatencyMS)
		}
		if r := mustAccept(t, kongRecord(`,"latencies":{"request":-1,"proxy":7}`)); r.LatencyMS != 7 {
			t.Errorf("Kong request -1, proxy 7 read as %v, want 7", r.LatencyMS)
		}
		if r := mustAccept(t, kongRecord(`,"latencies":{"request":"12"}`)); r.LatencyMS != 12 {
			t.Errorf("Kong latency as a numeric string read as %v, want 12", r.LatencyMS)
		}
		if r := mustAccept(t, kongRecord(`,"latencies":{"request":`+max+`}`)); r.LatencyMS != maxLatencyMS {
			t.Errorf("Kong latency at the bound read as %v", r.LatencyMS)
		}
		mustRefuse(t, kongRecord(`,"latencies":{"request":`+above+`}`), "latencies.request "+above+" is out of range")
		mustRefuse(t, kongRecord(`,"latencies":{"request":-1,"proxy":`+above+`}`), "latencies.proxy "+above+" is out of range")
	})
}

// TestTimeBounds: times are accepted in [2000-01-01, 2200-01-01) UTC, as
// RFC 3339 strings and as epoch milliseconds, in both shapes.
func TestTimeBounds(t *testing.T) {
	first := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
	ms := func(tm time.Time) string { return strconv.FormatInt(tm.UnixMilli(), 10) }
	for _, tc := range []struct {
		name, time string
		want       time.Time // zero: refused
	}{
		{"first instant", `"2000-01-01T00:00:00Z"`, first},
		{"just before", `"1999-12-31T23:59:59.999Z"`, time.Time{}},
		{"last millisecond", `"2199-12-31T23:59:59.999Z"`, end.Add(-time.Millisecond)},
		{"the end", `"2200-01-01T00:00:00Z"`, time.Time{}},
		{"offset inside", `"2000-01-01T01:00:00+01:00"`, first},
		{"offset outside", `"2000-01-01T00:59:59+01:00"`, time.Time{}},
		{"first epoch ms", ms(first), first},
		{"epoch ms just before", ms(first.Add(-time.Millisecond)), time.Time{}},
		{"last epoch ms", ms(end.Add(-time.Millisecond)), end.Add(-time.Millisecond)},
		{"epoch ms at the end", ms(end), time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for shape, body := range map[string]string{
				"own":  `{"time":` + tc.time + `,"endpoint":"/a","status":200}`,
				"kong": `{"started_at":` + tc.time + `,"request":{"uri":"/a"},"response":{"status":200}}`,
			} {
				if shape == "kong" && strings.HasPrefix(tc.time, `"`) {
					continue // Kong's started_at is a number only
				}
				r, err := decodeOne(t, body)
				switch {
				case tc.want.IsZero() && err == nil:
					t.Errorf("%s: %s accepted as %v, want refused", shape, tc.time, r.Time)
				case tc.want.IsZero() && !strings.Contains(domain.ErrorMessage(err), "2000-01-01 and 2200-01-01"):
					t.Errorf("%s: %s refused with %v, want the bounds named", shape, tc.time, err)
				case !tc.want.IsZero() && err != nil:
					t.Errorf("%s: %s refused (%v), want %v", shape, tc.time, err, tc.want)
				case !tc.want.IsZero() && !r.Time.Equal(tc.want):
					t.Errorf("%s: %s read as %v, want %v", shape, tc.time, r.Time, tc.want)
				}
			}
		})
	}
}

// TestConsumerKeyLength: a consumer key of up to 200 bytes is kept whole,
// a longer one refuses the record (never truncated: two keys that share
// their first 200 bytes must not become one consumer).
func TestConsumerKeyLength(t *testing.T) {
	longest, tooLong := strings.Repeat("k", 200), strings.Repeat("k", 201)
	if r := mustAccept(t, ownRecord(`"consumer":"`+longest+`"`)); r.Consumer != longest {
		t.Errorf("a 200-byte consumer became %d bytes", len(r.Consumer))
	}
	mustRefuse(t, ownRecord(`"consumer":"`+tooLong+`"`), "consumer or endpoint is too long")
	if r := mustAccept(t, kongRecord(`,"consumer":{"username":"`+longest+`"}`)); r.Consumer != longest {
		t.Errorf("a 200-byte Kong username became %d bytes", len(r.Consumer))
	}
	mustRefuse(t, kongRecord(`,"consumer":{"username":"`+tooLong+`"}`), "consumer or endpoint is too long")
	mustRefuse(t, kongRecord(`,"consumer":{"id":"`+tooLong+`"}`), "consumer or endpoint is too long")
}

// TestSeveralConsumerHeaders: a Kong object's consumer is its consumer
// object's username, then custom_id, then id (a blank one skipped, an IP
// address never kept); the X-Consumer-* request headers never name it, with
// or without a consumer object, since a client can send them itself.
func TestSeveralConsumerHeaders(t *testing.T) {
	kong := func(headers, extra string) string {
		return `{"started_at":1777626900000,"request":{"uri":"/a","headers":{` + headers + `}},"response":{"status":200}` + extra + `}`
	}
	all := `"X-Consumer-ID":"id-1","X-Consumer-Custom-ID":"custom-1","X-Consumer-Username":"user-1"`
	for _, tc := range []struct {
		name, body, want string
	}{
		{"headers alone are anonymous", kong(all, ""), ""},
		{"lower-case headers alone are anonymous", kong(`"x-consumer-username":["user-1","user-2"],"x-consumer-id":"id-1"`, ""), ""},
		{"other headers are never read", kong(`"apikey":"SECRET","authorization":"Bearer SECRET"`, ""), ""},
		{"the username", kong(all, `,"consumer":{"id":"obj-id","custom_id":"obj-custom","username":"obj-user"}`), "obj-user"},
		{"custom_id without a username", kong(all, `,"consumer":{"id":"obj-id","custom_id":"obj-custom"}`), "obj-custom"},
		{"id last", kong(all, `,"consumer":{"id":"obj-id","custom_id":"  ","username":null}`), "obj-id"},
		{"trimmed", kong(all, `,"consumer":{"username":" obj-user "}`), "obj-user"},
		{"an IP username is anonymous", kong(all, `,"consumer":{"username":"198.51.100.7","id":"obj-id"}`), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := mustAccept(t, tc.body); r.Consumer != tc.want {
				t.Errorf("consumer = %q, want %q", r.Consumer, tc.want)
			}
		})
	}
}

// TestJSONLiterals: a misspelt literal is invalid JSON wherever it is, even
// in a member that is not read; every JSON number form is read.
func TestJSONLiterals(t *testing.T) {
	for _, typo := range []string{"trux", "tru", "fals", "falsy", "nul", "nulll", "True", "NULL"} {
		for _, body := range []string{ownRecord(`"ignored":` + typo), ownRecord(`"latency_ms":` + typo),
			kongRecord(`,"tries":[{"balancer_latency":` + typo + `}]`)} {
			if _, err := decodeOne(t, body); err == nil || !strings.Contains(domain.ErrorMessage(err), "invalid JSON") {
				t.Errorf("%s: error %v, want invalid JSON", body, err)
			}
		}
	}
	for _, ok := range []string{"true", "false", "null"} {
		mustAccept(t, ownRecord(`"ignored":`+ok))
	}
	for lit, want := range map[string]float64{"4.5e-1": 0.45, "4.5E-1": 0.45, "45e-2": 0.45, "0.45": 0.45, "4.5e+1": 45, "45E0": 45, "0": 0} {
		if r := mustAccept(t, ownRecord(`"latency_ms":`+lit)); r.LatencyMS != want {
			t.Errorf("latency %s read as %v, want %v", lit, r.LatencyMS, want)
		}
	}
	for _, bad := range []string{"4.5e", "4.5e-", ".45", "045", "4.", "+45", "-", "0x2d"} {
		if _, err := decodeOne(t, ownRecord(`"latency_ms":`+bad)); err == nil {
			t.Errorf("latency %s accepted, want invalid JSON", bad)
		}
	}
	// An integer status written with an exponent is still that integer.
	if r := mustAccept(t, ownRecord(`"status":2e2`)); r.Status != 200 {
		t.Errorf("status 2e2 read as %d, want 200", r.Status)
	}
}
