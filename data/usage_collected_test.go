package data

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// A prepared batch's rows come in their tables' key order once the ids are
// known, whichever order the consumers' ids are in against their keys (a
// day's consumers are sorted by key before the ids are known): writers
// that lock rows in one order never deadlock, and each row lands next to
// the one before. Each daily row sums its hours and each hourly row its
// endpoints.
func TestPreparedRowsComeInKeyOrder(t *testing.T) {
	b := domain.NewUsageBatch("gw")
	t0 := time.Date(2026, 3, 2, 22, 0, 0, 0, time.UTC)
	for i := range 400 {
		b.Add(domain.UsageRecord{
			Time:      t0.Add(time.Duration(i%5) * time.Hour), // two days
			Consumer:  fmt.Sprintf("key-%d", i%4),
			Endpoint:  fmt.Sprintf("/v1/items/%d", i%3),
			Status:    []int{200, 404}[i%2],
			Bytes:     1,
			LatencyMS: -1,
		}, "")
	}
	c := PrepareCollected(b)
	for name, ids := range map[string]map[string]int64{
		"ids in key order":       {"key-0": 1, "key-1": 2, "key-2": 3, "key-3": 4},
		"ids in the other order": {"key-0": 4, "key-1": 3, "key-2": 2, "key-3": 1},
	} {
		hourly, daily := c.rows(ids)
		for table, rows := range map[string][]usageRow{"hourly": hourly, "daily": daily} {
			if !slices.IsSortedFunc(rows, func(a, b usageRow) int { return compareUsageKeys(a.k, b.k) }) {
				t.Errorf("%s: the %s rows are not in key order", name, table)
			}
			var calls int64
			for _, r := range rows {
				calls += r.r.Calls
			}
			if calls != 400 {
				t.Errorf("%s: the %s rows hold %d calls, want 400", name, table, calls)
			}
		}
		// A consumer's status class is one (both follow i's parity): 2
		// days × 4 consumers × 3 endpoints, and 5 hours × 4 consumers.
		if len(daily) != 24 || len(hourly) != 20 {
			t.Errorf("%s: %d daily and %d hourly rows, want 24 and 20", name, len(daily), len(hourly))
		}
	}
}
