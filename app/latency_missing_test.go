package app

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/views"
)

// TestUnmeasuredLatencyIsMissingNotZero: a log without request times gives
// calls but no latency; p50/p95/p99 are null in the JSON and "—" on the
// pages, with the hint to add $request_time — never 0 ms.
func TestUnmeasuredLatencyIsMissingNotZero(t *testing.T) {
	a := newTestApp(t, historyDB(t))
	const rng = "from=2015-05-17&to=2015-05-20"

	_, body, _ := get(t, a.Fiber(), "/api/v1/api-usage?"+rng)
	var totals struct {
		Totals    struct{ Calls int64 }       `json:"totals"`
		LatencyMS map[string]*json.RawMessage `json:"latency_ms"`
	}
	if err := json.Unmarshal([]byte(body), &totals); err != nil {
		t.Fatal(err)
	}
	if totals.Totals.Calls != 120 {
		t.Fatalf("calls = %d, want 120", totals.Totals.Calls)
	}
	for _, q := range []string{"p50", "p95", "p99"} {
		if v, ok := totals.LatencyMS[q]; !ok || v != nil {
			t.Errorf("/api/v1/api-usage latency_ms.%s = %s, want null", q, body)
		}
	}

	_, body, _ = get(t, a.Fiber(), "/api/v1/api-usage/breakdown?"+rng)
	u := decode[views.APIUsage](t, body)
	if l := u.LatencyMS; l.P50 != nil || l.P95 != nil || l.P99 != nil || u.Totals.Calls == 0 {
		t.Errorf("breakdown latency %+v with %d calls, want null percentiles", l, u.Totals.Calls)
	}
	_, page, _ := get(t, a.Fiber(), "/api-usage?"+rng)
	if !strings.Contains(page, `data-value="latency_ms">—<`) || !strings.Contains(page, views.LatencyHint) {
		t.Error("/api-usage does not show the missing latency as — with the hint")
	}

	_, body, _ = get(t, a.Fiber(), "/api/v1/members/acme?"+rng)
	d := decode[views.MemberDetail](t, body)
	if l := d.Usage.LatencyMS; l.P50 != nil || l.P95 != nil || l.P99 != nil || d.Usage.Totals.Calls != 120 {
		t.Errorf("member latency %+v with %d calls, want null percentiles", l, d.Usage.Totals.Calls)
	}
	for _, day := range d.Usage.Days {
		if day.LatencyMS != nil && day.LatencyMS.Measured() {
			t.Errorf("day %s has a latency: %+v", day.Day, day.LatencyMS)
		}
	}
	for _, e := range d.Usage.Endpoints {
		if e.P95MS != nil {
			t.Errorf("endpoint %s p95 = %v, want null", e.Endpoint, *e.P95MS)
		}
	}
	_, page, _ = get(t, a.Fiber(), "/members/acme?"+rng)
	for _, q := range []string{"p50", "p95", "p99"} {
		if !strings.Contains(page, `data-value="`+q+`">—</span></dd>`) {
			t.Errorf("the member page's %s is not —", q)
		}
	}
	if !strings.Contains(page, views.LatencyHint) {
		t.Error("the member page does not say how to measure latency")
	}
	if strings.Contains(page, `data-value="p50">0`) {
		t.Error("the member page shows an unmeasured latency as 0")
	}
}
