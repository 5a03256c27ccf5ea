// Package httpx is the HTTP client logic EcoPulse's API collectors share:
// request pacing, rate-limit waits (Retry-After, X-RateLimit-Remaining and
// X-RateLimit-Reset), the split between transient failures (5xx, timeouts,
// rate limits: collectors.Transient, the Runner retries) and permanent ones
// (401, 404…: a *StatusError), Link-header pagination pinned to one host, and
// ETag conditional requests.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ecopulse/ecopulse/collectors"
)

// SleepFunc waits d or until ctx is done (collectors.Runner.Sleep has the
// same shape); tests replace it to record waits instead of sleeping.
type SleepFunc func(ctx context.Context, d time.Duration) error

// Defaults of Client.
const (
	DefaultMaxWait    = 60 * time.Second
	DefaultMaxRetries = 3
	DefaultMaxBody    = 64 << 20
	// DefaultLimitWait is how long to wait on a rate limit that names no
	// wait (GitHub's advice for secondary limits: at least a minute).
	DefaultLimitWait = time.Minute
)

// Client sends GET requests to one API. Its zero value works (with
// http.DefaultClient); it is safe for concurrent use once configured.
type Client struct {
	HTTP   *http.Client
	Header http.Header // sent with every request (Accept, User-Agent, auth)

	// MaxWait is the longest rate-limit wait done in process; a longer
	// one returns a collectors.Transient error carrying the wait.
	MaxWait time.Duration
	// MaxRetries bounds the in-process retries after rate-limit waits.
	MaxRetries int
	MaxBody    int64 // responses larger than this are an error

	Limiter *Limiter         // optional pacing of every request
	Sleep   SleepFunc        // default Sleep
	Now     func() time.Time // default time.Now

	mu      sync.Mutex
	resetAt time.Time // the primary rate limit is exhausted until then
}

// Response is a read response.
type Response struct {
	URL         string
	Status      int
	Header      http.Header
	Body        []byte
	NotModified bool // 304: the ETag sent still matches
}

// ETag returns the response's entity tag, "" if none.
func (r *Response) ETag() string { return r.Header.Get("ETag") }

// Decode unmarshals the JSON body into v; a malformed body gives a
// *MalformedError naming the URL.
func (r *Response) Decode(v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return &MalformedError{URL: r.URL, Err: err}
	}
	return nil
}

// MalformedError is a response body that is not the JSON expected.
type MalformedError struct {
	URL string
	Err error
}

func (e *MalformedError) Error() string {
	return fmt.Sprintf("malformed JSON from GET %s: %v", e.URL, e.Err)
}
func (e *MalformedError) Unwrap() error { return e.Err }

// StatusError is an unexpected HTTP status. Those the client cannot expect
// to pass by waiting (401, 403, 404, 422…) are returned as is: permanent.
type StatusError struct {
	URL     string
	Status  int
	Message string // the API's own message, if the body had one
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("GET %s: %d %s", e.URL, e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// StatusOf returns the HTTP status of a *StatusError in err's chain, or 0.
func StatusOf(err error) int {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status
	}
	return 0
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	return collectors.Sleep(ctx, d)
}

func (c *Client) maxWait() time.Duration {
	if c.MaxWait > 0 {
		return c.MaxWait
	}
	return DefaultMaxWait
}

func (c *Client) maxRetries() int {
	if c.MaxRetries > 0 {
		return c.MaxRetries
	}
	return DefaultMaxRetries
}

// Get fetches rawURL. A non-empty etag is sent as If-None-Match; a 304
// answer comes back with NotModified set. Rate limits are waited out in
// process when the wait is at most MaxWait, else returned as
// collectors.Transient with the wait; 5xx, 408 and network failures
// (timeouts included) are collectors.Transient; other non-2xx statuses are a
// permanent *StatusError. A cancelled ctx returns ctx's error.
func (c *Client) Get(ctx context.Context, rawURL, etag string) (*Response, error) {
	for attempt := 0; ; attempt++ {
		if err := c.waitReset(ctx); err != nil {
			return nil, err
		}
		if c.Limiter != nil {
			if err := c.Limiter.Wait(ctx, c.now, c.sleep); err != nil {
				return nil, err
			}
		}
		resp, err := c.do(ctx, rawURL, etag)
		if err != nil {
			return nil, err
		}
		switch {
		case resp.Status == http.StatusNotModified:
			c.noteRemaining(resp.Header)
			resp.NotModified = true
			return resp, nil
		case resp.Status >= 200 && resp.Status < 300:
			c.noteRemaining(resp.Header)
			return resp, nil
		}
		serr := &StatusError{URL: rawURL, Status: resp.Status, Message: apiMessage(resp.Body)}
		if wait, limited := c.limitWait(resp); limited {
			if wait <= c.maxWait() && attempt < c.maxRetries() {
				if err := c.sleep(ctx, wait); err != nil {
					return nil, err
				}
				continue
			}
			return nil, collectors.Transient(fmt.Errorf("rate limited: %w", serr), wait)
		}
		if resp.Status >= 500 || resp.Status == http.StatusRequestTimeout {
			wait, _ := retryAfter(resp.Header, c.now())
			return nil, collectors.Transient(serr, wait)
		}
		return nil, serr
	}
}

func (c *Client) do(ctx context.Context, rawURL, etag string) (*Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", rawURL, err)
	}
	for k, v := range c.Header {
		req.Header[k] = slices.Clone(v)
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// Timeouts, resets, refused connections: worth another try.
		return nil, collectors.Transient(err, 0)
	}
	defer res.Body.Close()
	max := c.MaxBody
	if max <= 0 {
		max = DefaultMaxBody
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, max+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, collectors.Transient(fmt.Errorf("GET %s: reading the body: %w", rawURL, err), 0)
	}
	if int64(len(body)) > max {
		return nil, fmt.Errorf("GET %s: response larger than %d bytes", rawURL, max)
	}
	return &Response{URL: rawURL, Status: res.StatusCode, Header: maps.Clone(res.Header), Body: body}, nil
}

// noteRemaining remembers an exhausted primary rate limit announced on a
// successful response, so that the next request waits for the reset
// instead of spending a round trip on a 403.
func (c *Client) noteRemaining(h http.Header) {
	if h.Get("X-RateLimit-Remaining") != "0" {
		return
	}
	reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
	if err != nil {
		return
	}
	c.mu.Lock()
	c.resetAt = time.Unix(reset, 0)
	c.mu.Unlock()
}

// waitReset waits for an exhausted primary rate limit to reset, or returns
// a transient error when the reset is further than MaxWait.
func (c *Client) waitReset(ctx context.Context) error {
	c.mu.Lock()
	at := c.resetAt
	c.mu.Unlock()
	if at.IsZero() {
		return nil
	}
	d := at.Sub(c.now())
	if d > c.maxWait() {
		return collectors.Transient(fmt.Errorf("rate limit exhausted until %s", at.UTC().Format(time.RFC3339)), d)
	}
	if d > 0 {
		if err := c.sleep(ctx, d); err != nil {
			return err
		}
	}
	c.mu.Lock()
	if c.resetAt.Equal(at) {
		c.resetAt = time.Time{}
	}
	c.mu.Unlock()
	return nil
}

// limitWait says whether a 403 or 429 is a rate limit and how long to wait:
// Retry-After first (secondary limits, Discourse), then X-RateLimit-Remaining
// 0 with X-RateLimit-Reset (GitHub's primary limit), then Discourse's
// extras.wait_seconds, then a minute for a 429 or a body that speaks of a
// rate limit. Any other 403 is a permission problem.
func (c *Client) limitWait(resp *Response) (time.Duration, bool) {
	if resp.Status != http.StatusForbidden && resp.Status != http.StatusTooManyRequests {
		return 0, false
	}
	now := c.now()
	if d, ok := retryAfter(resp.Header, now); ok {
		return d, true
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return max(time.Unix(reset, 0).Sub(now), time.Second), true
		}
	}
	var extras struct {
		Extras struct {
			WaitSeconds *float64 `json:"wait_seconds"`
		} `json:"extras"`
	}
	if json.Unmarshal(resp.Body, &extras) == nil && extras.Extras.WaitSeconds != nil && *extras.Extras.WaitSeconds >= 0 {
		return time.Duration(*extras.Extras.WaitSeconds * float64(time.Second)), true
	}
	if resp.Status == http.StatusTooManyRequests || bytes.Contains(bytes.ToLower(resp.Body), []byte("rate limit")) {
		return DefaultLimitWait, true
	}
	return 0, false
}

// retryAfter parses a Retry-After header: delay seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// apiMessage extracts an API's error message from a JSON body: GitHub's
// "message", Discourse's "errors". It is cut short: it lands in run records.
func apiMessage(body []byte) string {
	var m struct {
		Message string   `json:"message"`
		Errors  []string `json:"errors"`
	}
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	msg := m.Message
	if msg == "" {
		msg = strings.Join(m.Errors, "; ")
	}
	return truncate(strings.Join(strings.Fields(msg), " "), 200)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
