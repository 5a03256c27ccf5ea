package app

import (
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
)

// A NUL byte in a request's path or query is refused with a 400 that says
// where, before any handler passes it to the store (PostgreSQL's text
// cannot hold one); the same request without it is answered.
func TestNULBytesInTheURLAreRefused(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	for _, tc := range []struct{ target, where string }{ // where: words of the message (quotes are escaped in JSON and HTML)
		{"/api/v1/members?q=a%00b", "q"},
		{"/api/v1/members?a%00b=1", "a\\\\0b"},
		{"/members?segment=%00", "segment"},
		{"/api/v1/members/a%00b", "the path"},
	} {
		status, body, _ := get(t, a.Fiber(), tc.target)
		if status != 400 || !strings.Contains(body, "holds a NUL byte") || !strings.Contains(body, tc.where) {
			t.Errorf("GET %s = %d %.200s, want 400 saying %s holds a NUL byte", tc.target, status, body, tc.where)
		}
	}
	if status, body, _ := get(t, a.Fiber(), "/api/v1/members?q=ab"); status != 200 {
		t.Errorf("GET /api/v1/members?q=ab = %d %.200s", status, body)
	}
}
