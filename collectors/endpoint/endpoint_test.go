package endpoint

import (
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/v1/chat/completions", "/v1/chat/completions"},
		{"/v1/chat/completions?stream=true", "/v1/chat/completions"},
		{"/v1/users/12345/orders?page=2", "/v1/users/:id/orders"},
		{"/v1/files/123/content#top", "/v1/files/:id/content"},
		{"/v1/models/3f2504e0-4f89-11d3-9a0c-0305e82c3301", "/v1/models/:id"},
		{"/v1/files/8C2F7A1E-0B3D-4E5F-9A6B-7C8D9E0F1A2B", "/v1/files/:id"},
		{"/objects/507f1f77bcf86cd799439011", "/objects/:id"},
		{"/v1/blobs/9f8e7d6c5b4a39281706f5e4d3c2b1a0", "/v1/blobs/:id"},
		{"/v1/blobs/deadbeef", "/v1/blobs/deadbeef"}, // short hex is a word
		{"/customers/cus_J8Hk2Lm9QpXz3R/charges", "/customers/:id/charges"},
		{"/v1/hosts/10.1.2.3/ping", "/v1/hosts/:id/ping"},
		{"/v1/geo/2001:db8::1", "/v1/geo/:id"},
		{"/v2/models/gpt-4o-mini", "/v2/models/gpt-4o-mini"},
		{"/presentations/logstash-monitorama-2013/images/kibana-search.png", "/presentations/logstash-monitorama-2013/images/kibana-search.png"},
		{"/blog/tags/ipv6", "/blog/tags/ipv6"},
		{"https://api.example.com:8443/v1/chat?x=1", "/v1/chat"},
		{"http://api.example.com", "/"},
		{"v1/items", "/v1/items"},
		{"//v1///items//", "/v1/items"},
		{"/v1/items/", "/v1/items"},
		{"", "/"},
		{"?only=query", "/"},
		{"/", "/"},
		{"*", "*"},
		{"/a#frag", "/a"},
	} {
		if got := Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	long := Normalize("/" + strings.Repeat("segment/", 60))
	if len(long) != MaxLen || !strings.HasPrefix(long, "/segment/segment") {
		t.Errorf("a long path gives %d bytes %q…, want %d", len(long), long[:20], MaxLen)
	}
	if got := Normalize("/" + strings.Repeat("é", 150)); len(got) > MaxLen || !strings.HasPrefix(got, "/é") || strings.ContainsRune(got, '\uFFFD') {
		t.Errorf("a long UTF-8 path is cut mid-rune: %q", got)
	}
}

// TestIdempotent: an endpoint normalises to itself, so a source that sends
// endpoints already normalised keeps them as they are.
func TestIdempotent(t *testing.T) {
	for _, in := range []string{"/v1/a/123/", "https://h/x/cus_J8Hk2Lm9QpXz3R?q", "/v1/hosts/10.1.2.3", "/"} {
		once := Normalize(in)
		if twice := Normalize(once); twice != once {
			t.Errorf("Normalize(Normalize(%q)) = %q, want %q", in, twice, once)
		}
	}
}
