package app

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data/datatest"
)

func TestForwardedChainClient(t *testing.T) {
	trusted, err := parseTrustedProxies([]string{"10.0.0.0/24", "192.0.2.1", "2001:db8::/64"})
	if err != nil {
		t.Fatal(err)
	}
	pt := proxyTrust{header: "X-Forwarded-For", trusted: trusted}
	proxy := netip.MustParseAddr("192.0.2.1")
	for _, tc := range []struct {
		name  string
		lines []string
		want  string
	}{
		{"the client the proxy saw", []string{"203.0.113.9"}, "203.0.113.9"},
		{"what the client wrote is ignored", []string{"evil, 10.0.0.5"}, "10.0.0.5"},
		{"the right-most untrusted", []string{"1.1.1.1, 203.0.113.9, 10.0.0.7"}, "203.0.113.9"},
		{"a spoofed left part", []string{"127.0.0.1, 198.51.100.4"}, "198.51.100.4"},
		{"spaces and ports", []string{" 198.51.100.4:5555 ,10.0.0.7"}, "198.51.100.4"},
		{"IPv6 with a port", []string{"[2001:db8:1::5]:443"}, "2001:db8:1::5"},
		{"IPv4-mapped", []string{"::ffff:198.51.100.4"}, "198.51.100.4"},
		{"several header lines", []string{"6.6.6.6", "198.51.100.4, 10.0.0.7"}, "198.51.100.4"},
		{"all trusted: the left-most", []string{"10.0.0.9, 10.0.0.7"}, "10.0.0.9"},
		{"garbage next to our proxy: the hop that passed it", []string{"10.0.0.8, garbage, 10.0.0.7"}, "10.0.0.7"},
		{"garbage only: the peer", []string{"not-an-address"}, "192.0.2.1"},
		{"no header: the peer", nil, "192.0.2.1"},
	} {
		var lines [][]byte
		for _, l := range tc.lines {
			lines = append(lines, []byte(l))
		}
		if got := pt.client(proxy, lines); got.String() != tc.want {
			t.Errorf("%s: %q gives %s, want %s", tc.name, tc.lines, got, tc.want)
		}
	}
	if _, err := parseTrustedProxies([]string{"10.0.0.1, 10.0.0.2"}); err == nil {
		t.Error("a comma list in one entry was accepted")
	}
	if _, err := parseTrustedProxies([]string{"proxy.local"}); err == nil {
		t.Error("a host name was accepted")
	}
}

// forwardedPost posts with an X-Forwarded-For header from client.
func forwardedPost(tb testing.TB, c *http.Client, target, xff string, hdr map[string]string, body string) int {
	tb.Helper()
	req, _ := http.NewRequest("POST", target, strings.NewReader(body))
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// End to end, over real connections from distinct loopback addresses: the
// peer 127.0.0.5 is the trusted proxy, 127.0.0.2 a client that connects
// directly. Rotating X-Forwarded-For gets around no login limit, and a
// token's allow list sees the address the proxy saw.
func TestForwardedForCannotBeChosenByTheClient(t *testing.T) {
	cfg := config.Default()
	cfg.Auth.ProxyHeader = "X-Forwarded-For"
	cfg.Auth.TrustedProxies = []string{"127.0.0.5"}
	cfg.Auth.RateLimits.Login = config.Limit{Max: 3, Window: time.Hour}
	db := datatest.MustOpenDB(t)
	a := newConfiguredApp(t, db, cfg)
	base := serveTestApp(t, a)
	proxy, direct := clientFrom(t, "127.0.0.5"), clientFrom(t, "127.0.0.2")
	login := func(c *http.Client, xff string, i int) int {
		return wrongLoginAt(t, c, base, "/login", xff, fmt.Sprint("nobody-", i))
	}
	// A client connecting directly rotates the header: it is ignored, so
	// its failures count against its own address.
	for i := range 3 {
		if status := login(direct, fmt.Sprintf("203.0.113.%d", i), i); status == http.StatusTooManyRequests {
			t.Fatalf("direct attempt %d already limited", i+1)
		}
	}
	if status := login(direct, "203.0.113.99", 99); status != http.StatusTooManyRequests {
		t.Errorf("direct client rotating X-Forwarded-For: %d after the limit, want 429", status)
	}
	// Through the trusted proxy, the left part of the chain is the
	// client's to write: rotating it changes nothing.
	for i := range 3 {
		if status := login(proxy, fmt.Sprintf("198.51.100.%d, 10.9.9.9", i), i); status == http.StatusTooManyRequests {
			t.Fatalf("proxied attempt %d already limited", i+1)
		}
	}
	if status := login(proxy, "198.51.100.99, 10.9.9.9", 99); status != http.StatusTooManyRequests {
		t.Errorf("proxied client rotating the left of the chain: %d after the limit, want 429", status)
	}
	// Another client behind the same proxy has its own count.
	if status := login(proxy, "10.8.8.8", 100); status == http.StatusTooManyRequests {
		t.Error("another client behind the proxy was limited")
	}

	// A token allowed only from 10.0.0.5.
	secret := newToken(t, db, "fenced", "10.0.0.5")
	ingest := func(c *http.Client, xff string) int {
		return forwardedPost(t, c, base+"/api/v1/ingest/api-calls", xff,
			map[string]string{"Authorization": "Bearer " + secret, "Content-Type": "application/x-ndjson"},
			ndjson(1, time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)))
	}
	for _, tc := range []struct {
		name   string
		c      *http.Client
		xff    string
		status int
	}{
		{"proxied from 10.0.0.5, spoofed left part", proxy, "evil, 10.0.0.5", http.StatusAccepted},
		{"proxied from elsewhere, claiming 10.0.0.5", proxy, "10.0.0.5, 198.51.100.7", http.StatusForbidden},
		{"direct, claiming 10.0.0.5", direct, "10.0.0.5", http.StatusForbidden},
	} {
		if status := ingest(tc.c, tc.xff); status != tc.status {
			t.Errorf("%s: %d, want %d", tc.name, status, tc.status)
		}
	}
}
