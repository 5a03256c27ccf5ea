package endpoint

import (
	"strings"
	"testing"
)

var testKey = []byte("a-test-key-that-is-long-enough")

// TestPersonalDataLeavesPaths: an address or e-mail address anywhere in a
// segment makes it ":id", not only a segment that is one whole.
func TestPersonalDataLeavesPaths(t *testing.T) {
	for in, want := range map[string]string{
		"/geo/1.2.3.4.json":                   "/geo/:id",
		"/v1/hosts/x-10.0.0.1-y/ping":         "/v1/hosts/:id/ping",
		"/v1/peers/1.2.3.4:8080":              "/v1/peers/:id",
		"/v1/peers/[2001:db8::1]:443/status":  "/v1/peers/:id/status",
		"/v1/geo/2001:db8::beef:1.json":       "/v1/geo/:id",
		"/v1/users/alice@example.com/keys":    "/v1/users/:id/keys",
		"/v1/users/alice%40example.com/keys":  "/v1/users/:id/keys",
		"/v1/users/Alice%40Example.COM":       "/v1/users/:id",
		"/v1.2/models/gpt-4.1":                "/v1.2/models/gpt-4.1",
		"/v1/files/report-2026.05.01.pdf":     "/v1/files/report-2026.05.01.pdf",
		"/v1/time/10:00:05":                   "/v1/time/10:00:05",
		"https://api.example.com/v1/chat?x=1": "/v1/chat",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestConsumerNamesAreRedacted: a consumer that is an address is anonymous
// (with or without port or brackets); one that holds an address or e-mail
// address keeps its other words and gets a keyed token, the same for the
// same address, so distinct consumers stay distinct.
func TestConsumerNamesAreRedacted(t *testing.T) {
	ip := HashedToken(testKey, "ip", "10.0.0.1")
	alice := HashedToken(testKey, "email", "alice@example.com")
	for in, want := range map[string]string{
		"1.2.3.4":                 "",
		"1.2.3.4:8080":            "",
		"[2001:db8::1]:443":       "",
		"2001:db8::1":             "",
		"[fe80::1%eth0]:443":      "",
		"::ffff:198.51.100.4:80":  "",
		"203.0.113.9, 10.0.0.2":   "",
		" 10.0.0.1,10.0.0.2:8080": "",
		"10.0.0.1, gw-west":       ip + ", gw-west",
		"alice@example.com":       alice,
		"ALICE%40example.com":     alice,
		"team alice@example.com":  "team " + alice,
		"x-10.0.0.1-y":            "x-" + ip + "-y",
		"gw 10.0.0.1:8080 west":   "gw " + ip + " west",
		"acme-prod":               "acme-prod",
		"sdk/1.2.3 (python 3.12)": "sdk/1.2.3 (python 3.12)",
	} {
		if got := Consumer(in, testKey); got != want {
			t.Errorf("Consumer(%q) = %q, want %q", in, got, want)
		}
	}
	if a, b := Consumer("bob@example.com", testKey), Consumer("carol@example.com", testKey); a == b || !strings.HasPrefix(a, "email:") {
		t.Errorf("two addresses give %q and %q: want distinct tokens", a, b)
	}
	if got := Consumer("alice@example.com", nil); got != "[email]" {
		t.Errorf("without a key: %q, want the placeholder (never an unkeyed hash)", got)
	}
	for _, in := range []string{"x-10.0.0.1-y", "alice@example.com", "[2001:db8::1]:443 edge"} {
		got := Redact(in, testKey)
		if HasPersonal(got) || strings.Contains(got, "10.0.0.1") || strings.Contains(got, "example.com") || strings.Contains(got, "db8") {
			t.Errorf("Redact(%q) = %q still holds the datum", in, got)
		}
	}
}
