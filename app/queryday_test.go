package app

import (
	"net/http"
	"strings"
	"testing"
)

// A date that does not parse or is out of range is a 400 naming the
// parameter; an absent one is "not given". 0001-01-01 (Go's zero time)
// used to be read as "not given" and answered today's numbers.
func TestQueryDaysOutOfRangeAre400(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	for _, tc := range []struct {
		target string
		status int
	}{
		{"/api/v1/scores", http.StatusOK},
		{"/api/v1/scores?at=", http.StatusOK},
		{"/api/v1/scores?at=2026-06-30", http.StatusOK},
		{"/api/v1/scores?at=2000-01-01", http.StatusOK}, // in range, not scored: snapped to the first scored day
		{"/api/v1/scores?at=0001-01-01", http.StatusBadRequest},
		{"/api/v1/scores?at=1999-12-31", http.StatusBadRequest},
		{"/api/v1/scores?at=2200-01-02", http.StatusBadRequest},
		{"/api/v1/scores?at=9999-12-31", http.StatusBadRequest},
		{"/api/v1/scores?at=yesterday", http.StatusBadRequest},
		{"/api/v1/overview?at=0001-01-01", http.StatusBadRequest},
		{"/api/v1/api-usage?from=0001-01-01&to=2026-06-30", http.StatusBadRequest},
		{"/api/v1/api-usage?from=2026-06-01&to=0001-01-01", http.StatusBadRequest},
		{"/api/v1/api-usage?from=2026-06-01&to=2026-06-30", http.StatusOK},
	} {
		status, body, _ := get(t, a.Fiber(), tc.target)
		if status != tc.status {
			t.Errorf("GET %s = %d, want %d: %s", tc.target, status, tc.status, body)
		}
		if status == http.StatusBadRequest && !strings.Contains(body, "at:") && !strings.Contains(body, "from:") && !strings.Contains(body, "to:") {
			t.Errorf("GET %s: %s does not name the parameter", tc.target, body)
		}
	}
}
