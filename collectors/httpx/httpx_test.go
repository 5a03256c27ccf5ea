package httpx

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/collectors"
)

var t0 = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

func TestLinks(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	// As recorded by octokit/fixtures (paginate-issues, page 2).
	h.Add("Link", `<https://api.github.com/repositories/1000/issues?per_page=3&page=1>; rel="prev", <https://api.github.com/repositories/1000/issues?per_page=3&page=3>; rel="next", <https://api.github.com/repositories/1000/issues?per_page=3&page=5>; rel="last", <https://api.github.com/repositories/1000/issues?per_page=3&page=1>; rel="first"`)
	got := Links(h)
	for rel, want := range map[string]string{
		"prev":  "https://api.github.com/repositories/1000/issues?per_page=3&page=1",
		"next":  "https://api.github.com/repositories/1000/issues?per_page=3&page=3",
		"last":  "https://api.github.com/repositories/1000/issues?per_page=3&page=5",
		"first": "https://api.github.com/repositories/1000/issues?per_page=3&page=1",
	} {
		if got[rel] != want {
			t.Errorf("rel=%s: %q, want %q", rel, got[rel], want)
		}
	}

	h = http.Header{}
	h.Add("Link", `</items?page=2>; title="more, and more"; REL="Next Last"`)
	h.Add("Link", `</other?page=9>; rel=next`)
	got = Links(h)
	if got["next"] != "/items?page=2" || got["last"] != "/items?page=2" {
		t.Errorf("links %v: want next and last /items?page=2 (first wins)", got)
	}
	if got := Links(http.Header{}); len(got) != 0 {
		t.Errorf("no header: %v", got)
	}
}

func TestNextURL(t *testing.T) {
	t.Parallel()
	const cur = "https://api.example.com/repos/o/r/issues?page=1"
	for _, tc := range []struct {
		link, want string
		err        bool
	}{
		{``, "", false},
		{`<https://api.example.com/repositories/1/issues?page=2>; rel="next"`, "https://api.example.com/repositories/1/issues?page=2", false},
		{`</repos/o/r/issues?page=2>; rel="next"`, "https://api.example.com/repos/o/r/issues?page=2", false},
		{`<https://API.example.com/x>; rel="next"`, "https://API.example.com/x", false},
		{`<https://evil.example/x>; rel="next"`, "", true},
		{`<http://api.example.com/x>; rel="next"`, "", true},
		{`<https://api.example.com:8443/x>; rel="next"`, "", true},
		{`<https://api.example.com/x>; rel="last"`, "", false},
	} {
		h := http.Header{}
		if tc.link != "" {
			h.Set("Link", tc.link)
		}
		got, err := NextURL(h, cur)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("NextURL(%q) = %q, %v; want %q, error %v", tc.link, got, err, tc.want, tc.err)
		}
	}
}

func TestLimiterReserve(t *testing.T) {
	t.Parallel()
	l := PerMinute(60)
	if got, want := l.Interval, time.Second; got != want {
		t.Fatalf("interval %v, want %v", got, want)
	}
	for _, step := range []struct {
		at   time.Duration // since t0
		want time.Duration
	}{
		{0, 0},               // first request at once
		{0, time.Second},     // a burst is spaced
		{0, 2 * time.Second}, // …and queued
		{2500 * time.Millisecond, 500 * time.Millisecond},
		{10 * time.Second, 0}, // idle: no debt, no credit
		{10*time.Second + 250*time.Millisecond, 750 * time.Millisecond},
	} {
		if got := l.Reserve(t0.Add(step.at)); got != step.want {
			t.Errorf("Reserve(t0+%v) = %v, want %v", step.at, got, step.want)
		}
	}
	if PerMinute(0) != nil {
		t.Error("PerMinute(0) should be no limiter")
	}
	var none *Limiter
	if err := none.Wait(context.Background(), time.Now, collectors.Sleep); err != nil {
		t.Errorf("nil limiter: %v", err)
	}
}

// fakeClock moves only when slept on.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return ctx.Err()
}

func newClient(c *fakeClock) *Client {
	return &Client{HTTP: &http.Client{Timeout: 5 * time.Second}, Now: c.Now, Sleep: c.Sleep}
}

func TestGetPacedByLimiter(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("{}")) }))
	defer srv.Close()
	clock := &fakeClock{now: t0}
	c := newClient(clock)
	c.Limiter = PerMinute(20) // every 3 s
	for range 4 {
		if _, err := c.Get(context.Background(), srv.URL, ""); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := clock.sleeps, []time.Duration{3 * time.Second, 3 * time.Second, 3 * time.Second}; !slices.Equal(got, want) {
		t.Errorf("slept %v, want %v", got, want)
	}
}

func TestGetClassifiesResponses(t *testing.T) {
	t.Parallel()
	reset := strconv.FormatInt(t0.Add(45*time.Second).Unix(), 10)
	farReset := strconv.FormatInt(t0.Add(2*time.Hour).Unix(), 10)
	for _, tc := range []struct {
		name      string
		status    int
		headers   []string
		body      string
		transient bool
		wait      time.Duration // of the transient error
		code      int           // StatusOf the error
		slept     []time.Duration
		ok        bool // the retry after the wait succeeds
	}{
		{name: "200", status: 200, body: "[]", ok: true},
		{name: "304", status: 304, ok: true},
		{name: "401", status: 401, body: `{"message":"Bad credentials"}`, code: 401},
		{name: "404", status: 404, body: `{"errors":["Not found"],"error_type":"not_found"}`, code: 404},
		{name: "422", status: 422, body: `{"message":"Validation Failed","errors":[{"resource":"Issue","code":"missing_field","field":"title"}]}`, code: 422},
		{name: "500", status: 500, transient: true, code: 500},
		{name: "503 with Retry-After", status: 503, headers: []string{"Retry-After", "30"}, transient: true, wait: 30 * time.Second, code: 503},
		{name: "403 permission", status: 403, body: `{"message":"Must have admin rights to Repository."}`, code: 403},
		{name: "403 primary limit, short", status: 403, headers: []string{"X-RateLimit-Remaining", "0", "X-RateLimit-Reset", reset}, slept: []time.Duration{45 * time.Second}, ok: true},
		{name: "403 primary limit, long", status: 403, headers: []string{"X-RateLimit-Remaining", "0", "X-RateLimit-Reset", farReset}, transient: true, wait: 2 * time.Hour, code: 403},
		{name: "429 Retry-After", status: 429, headers: []string{"Retry-After", "3"}, slept: []time.Duration{3 * time.Second}, ok: true},
		{name: "429 Retry-After date", status: 429, headers: []string{"Retry-After", t0.Add(20 * time.Second).Format(http.TimeFormat)}, slept: []time.Duration{20 * time.Second}, ok: true},
		{name: "429 bare", status: 429, slept: []time.Duration{time.Minute}, ok: true},
		{name: "429 long", status: 429, headers: []string{"Retry-After", "61"}, transient: true, wait: 61 * time.Second, code: 429},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			calls := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				calls++
				n := calls
				mu.Unlock()
				if n > 1 {
					w.Write([]byte("[]"))
					return
				}
				for i := 0; i+1 < len(tc.headers); i += 2 {
					w.Header().Set(tc.headers[i], tc.headers[i+1])
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			clock := &fakeClock{now: t0}
			resp, err := newClient(clock).Get(context.Background(), srv.URL+"/x", "")
			if tc.ok {
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				if got, want := resp.NotModified, tc.status == 304; got != want {
					t.Errorf("NotModified = %v, want %v", got, want)
				}
			} else if err == nil {
				t.Fatal("no error")
			}
			transient, wait := collectors.IsTransient(err)
			if transient != tc.transient || wait != tc.wait {
				t.Errorf("IsTransient = %v, %v; want %v, %v (err %v)", transient, wait, tc.transient, tc.wait, err)
			}
			if got := StatusOf(err); got != tc.code {
				t.Errorf("StatusOf = %d, want %d", got, tc.code)
			}
			if err != nil && !strings.Contains(err.Error(), srv.URL+"/x") {
				t.Errorf("error %q does not name the URL", err)
			}
			if !slices.Equal(clock.sleeps, tc.slept) {
				t.Errorf("slept %v, want %v", clock.sleeps, tc.slept)
			}
		})
	}
}

func TestGetSendsHeadersAndETag(t *testing.T) {
	t.Parallel()
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.Header().Set("ETag", `W/"abc"`)
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	c := newClient(&fakeClock{now: t0})
	c.Header = http.Header{"User-Agent": {"test-agent"}, "Accept": {"application/json"}}
	resp, err := c.Get(context.Background(), srv.URL, `"v1"`)
	if err != nil {
		t.Fatal(err)
	}
	if got.Get("If-None-Match") != `"v1"` || got.Get("User-Agent") != "test-agent" || got.Get("Accept") != "application/json" {
		t.Errorf("request headers %v", got)
	}
	if resp.ETag() != `W/"abc"` {
		t.Errorf("ETag %q", resp.ETag())
	}
	var v struct{ OK bool }
	if err := resp.Decode(&v); err != nil || !v.OK {
		t.Errorf("Decode: %v %v", v, err)
	}
	if err := (&Response{URL: "https://x/y", Body: []byte("{")}).Decode(&v); err == nil || !strings.Contains(err.Error(), "https://x/y") {
		t.Errorf("malformed body: %v", err)
	}
}

func TestGetTooLarge(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 100)))
	}))
	defer srv.Close()
	c := newClient(&fakeClock{now: t0})
	c.MaxBody = 10
	_, err := c.Get(context.Background(), srv.URL, "")
	if err == nil || !strings.Contains(err.Error(), "larger than 10 bytes") {
		t.Errorf("err = %v", err)
	}
	if transient, _ := collectors.IsTransient(err); transient {
		t.Error("an oversized body is not worth retrying")
	}
}

func TestGetCancelled(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newClient(&fakeClock{now: t0}).Get(ctx, srv.URL, "")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if transient, _ := collectors.IsTransient(err); transient {
		t.Error("a cancelled run is not transient")
	}
}

func TestETags(t *testing.T) {
	t.Parallel()
	var e ETags
	if e.Get("u") != "" {
		t.Error("empty cache hit")
	}
	e.Set("u", `"1"`)
	if got := e.Get("u"); got != `"1"` {
		t.Errorf("Get = %q", got)
	}
	e.Set("u", "")
	if got := e.Get("u"); got != "" {
		t.Errorf("after forget: %q", got)
	}
}

func TestAPIMessage(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		`{"message":"Not Found"}`:                        "Not Found",
		`{"errors":["a","b"],"error_type":"x"}`:          "a; b",
		`<html>oops</html>`:                              "",
		`{"message":"` + strings.Repeat("é", 300) + `"}`: strings.Repeat("é", 100) + "…",
	} {
		if got := apiMessage([]byte(body)); got != want {
			t.Errorf("apiMessage(%.30q) = %.30q, want %.30q", body, got, want)
		}
	}
}
