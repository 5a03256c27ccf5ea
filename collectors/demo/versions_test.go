package demo

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// TestDemoVersionsMigrateWithTwoLaggards: the demo's v2 has no call before
// its release; v1 is deprecated mid-history; members leave v1 in different
// weeks; at End exactly the two laggards still call v1 within the 30-day
// sunset warning, and they are what /api-versions lists at risk.
func TestDemoVersionsMigrateWithTwoLaggards(t *testing.T) {
	db, _ := sharedDB(t)
	opt := defaultOpt
	vs := APIVersions(opt)
	v1, v2 := vs.List[0], vs.List[1]
	start, _ := historyRange(opt)
	end := domain.Day(opt.End)
	if !v1.Deprecated.After(start.AddDate(0, 0, opt.Days/3)) || !v1.Deprecated.Before(end.AddDate(0, 0, -opt.Days/3)) {
		t.Errorf("v1 deprecated %s: not mid-history (%s to %s)", v1.Deprecated.Format(domain.DateLayout), start.Format(domain.DateLayout), end.Format(domain.DateLayout))
	}
	if !metrics.InSunsetWarning(v1, end, 30) || !v1.Sunset.After(end) {
		t.Errorf("v1's sunset %s: End %s should be within its 30-day warning, before it", v1.Sunset.Format(domain.DateLayout), end.Format(domain.DateLayout))
	}
	rows, err := db.EndpointCalls(context.Background(), "", start, end.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if vs.Classify(r.Endpoint) < 0 {
			t.Fatalf("endpoint %s belongs to no demo version", r.Endpoint)
		}
		if vs.Classify(r.Endpoint) == 1 && r.Day.Before(v2.Released) {
			t.Fatalf("%s called v2 on %s, before its release", r.Member, r.Day.Format(domain.DateLayout))
		}
	}
	rep := metrics.VersionAdoption(metrics.VersionInput{Versions: vs, Rows: rows, From: start, At: end, WindowDays: 28, SunsetDays: 30})
	var atRisk []string
	for _, r := range rep.Risks {
		atRisk = append(atRisk, r.Member)
	}
	laggards := Laggards(opt)
	if len(laggards) != 2 || !slices.Equal(atRisk, laggards) {
		t.Errorf("at risk at End: %v, want the two laggards %v", atRisk, laggards)
	}
	// Different speeds: the weeks of the members' last v1 calls.
	lastV1 := map[string]time.Time{}
	for _, r := range rows {
		if r.Member != "" && vs.Classify(r.Endpoint) == 0 && r.Day.After(lastV1[r.Member]) {
			lastV1[r.Member] = r.Day
		}
	}
	weeks := map[int]int{}
	for slug, d := range lastV1 {
		if !slices.Contains(laggards, slug) {
			weeks[int(d.Sub(start).Hours()/24)/7]++
		}
	}
	if len(weeks) < 4 {
		t.Errorf("members leave v1 in only %d different weeks (%v): not at different speeds", len(weeks), weeks)
	}
}
