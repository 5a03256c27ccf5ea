package app

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
)

func consumerBatch(keys []string, at time.Time) string {
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, `{"time":%q,"consumer":%q,"endpoint":"/v1/chat","status":200}`+"\n", at.Format(time.RFC3339), k)
	}
	return b.String()
}

func keys(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", prefix, i)
	}
	return out
}

func countConsumers(tb testing.TB, db *data.DB) int {
	tb.Helper()
	cs, err := db.Consumers(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return len(cs)
}

// TestIngestBoundsNewConsumersPerToken: a token may create at most
// ingest.max_new_consumers_per_day consumers a day; a batch that would go
// over is refused whole (400 naming the limit), counted as rejected and
// noted in the quarantine, while traffic of known consumers, and another
// token's allowance, go on.
func TestIngestBoundsNewConsumersPerToken(t *testing.T) {
	db := datatest.MustOpenDB(t)
	cfg := config.Default()
	cfg.Ingest.MaxNewConsumersPerDay = 5
	a, err := New(cfg, db, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	a.ready.Store(true)
	withTestAccounts(t, a)
	gw := newToken(t, db, "gateway", "")
	other := newToken(t, db, "other", "")
	at := time.Now().UTC().Truncate(time.Hour)

	if status, body := post(t, a, gw, consumerBatch(keys("a", 4), at), nil); status != http.StatusAccepted {
		t.Fatalf("4 new consumers: %d %s", status, body)
	}
	// 1 more is the fifth; 2 more would be the sixth: refused whole, the
	// known consumers of the same batch included.
	over := consumerBatch(append(keys("a", 4), "b-1", "b-2"), at)
	status, body := post(t, a, gw, over, nil)
	if status != http.StatusBadRequest || !strings.Contains(body, "ingest.max_new_consumers_per_day") || !strings.Contains(body, "at most 5") {
		t.Errorf("over the allowance: %d %s, want 400 naming the limit", status, body)
	}
	if got := countConsumers(t, db); got != 4 {
		t.Errorf("%d consumers stored, want 4: a refused batch creates none", got)
	}
	if got := totalCalls(t, db, at); got != 4 {
		t.Errorf("%d calls stored, want 4: a refused batch is refused whole", got)
	}
	if n, _ := db.CountRejected(context.Background(), "push"); n != 1 {
		t.Errorf("quarantine holds %d notes, want 1 for the refused batch", n)
	}
	_, metrics, _ := get(t, a.Fiber(), "/metrics")
	if got, _ := metric(parseSamples(t, metrics), "ecopulse_ingest_records_rejected_total", map[string]string{"source": "push"}); got != 6 {
		t.Errorf("the 6 refused records are not counted as rejected:\n%s", grepLines(metrics, "ecopulse_ingest_records_rejected_total"))
	}
	// Known consumers still count; the fifth new one fits.
	if status, body := post(t, a, gw, consumerBatch(append(keys("a", 4), "b-1"), at), nil); status != http.StatusAccepted {
		t.Errorf("known consumers and the fifth new one: %d %s", status, body)
	}
	if status, _ := post(t, a, gw, consumerBatch([]string{"c-1"}, at), nil); status != http.StatusBadRequest {
		t.Errorf("a sixth new consumer: %d, want 400", status)
	}
	// Another token has an allowance of its own.
	if status, body := post(t, a, other, consumerBatch(keys("d", 5), at), nil); status != http.StatusAccepted {
		t.Errorf("another token's 5 new consumers: %d %s", status, body)
	}
	if got := countConsumers(t, db); got != 10 {
		t.Errorf("%d consumers stored, want 10", got)
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
