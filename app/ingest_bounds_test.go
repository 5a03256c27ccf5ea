package app

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestIngestRefusesOverLargeNumbers: one record of int64's maximum used to
// be stored and poison every total covering it; now the batch is refused
// with a 400 naming the record and the field, and nothing of it is kept.
func TestIngestRefusesOverLargeNumbers(t *testing.T) {
	db := datatest.MustOpenDB(t)
	a := newTestApp(t, db)
	secret := newToken(t, db, "gateway", "")
	day := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
	body := ndjson(3, day.Add(9*time.Hour)) +
		`{"time":"2026-05-04T09:30:00Z","consumer":"key-0","endpoint":"/v1/chat","status":200,"bytes":9223372036854775807}` + "\n"
	status, answer := post(t, a, secret, body, nil)
	if status != http.StatusBadRequest || !strings.Contains(answer, "line 4") || !strings.Contains(answer, "bytes 9223372036854775807") {
		t.Errorf("push of int64's maximum: %d %s, want 400 naming line 4 and bytes", status, answer)
	}
	if got := totalCalls(t, db, day); got != 0 {
		t.Errorf("stored %d calls of the refused batch, want none", got)
	}
	kong := fmt.Sprintf(`[{"started_at":%d,"request":{"uri":"/v1/a"},"response":{"status":200,"size":1}},
		{"started_at":%d,"request":{"uri":"/v1/a"},"response":{"status":200},"latencies":{"request":1e12}}]`,
		day.Add(9*time.Hour).UnixMilli(), day.Add(9*time.Hour).UnixMilli())
	status, answer = post(t, a, secret, kong, map[string]string{"Content-Type": "application/json"})
	if status != http.StatusBadRequest || !strings.Contains(answer, "record 1") || !strings.Contains(answer, "latencies.request") {
		t.Errorf("Kong latency of 30 years: %d %s, want 400 naming record 1 and latencies.request", status, answer)
	}
	if got := totalCalls(t, db, day); got != 0 {
		t.Errorf("stored %d calls of the refused batches, want none", got)
	}
}

// TestPoisonedUsageStillServes writes rollups of int64's maximum straight
// into the store (as a database filled before the ingest bounds holds
// them) and checks that every usage page and its JSON answer 200 with the
// saturated number, never "integer overflow" or negative bytes.
func TestPoisonedUsageStillServes(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	ms, err := db.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := &domain.APIConsumer{Key: "poisoned-key", MemberID: ms[0].ID}
	if err := db.UpsertConsumer(ctx, c); err != nil {
		t.Fatal(err)
	}
	at := demoEnd.Add(-36 * time.Hour).Truncate(time.Hour)
	raw := datatest.Raw(t, db)
	for _, q := range []struct {
		table  string
		bucket int64
	}{{"api_usage_hourly", at.Unix()}, {"api_usage_daily", domain.Day(at).Unix()}} {
		if _, err := raw.Exec(`INSERT INTO `+q.table+` (bucket, consumer_id, endpoint, status_class, calls, bytes, latency_ms_sum)
			VALUES (?, ?, '/poison', 2, 1, ?, 0)`, q.bucket, c.ID, int64(math.MaxInt64)); err != nil {
			t.Fatal(err)
		}
	}
	raw.Exec(`INSERT INTO usage_days_stale (day) VALUES (?) ON CONFLICT DO NOTHING`, domain.Day(at).Unix())
	raw.Close()

	a := newTestApp(t, db)
	rng := "from=" + demoEnd.AddDate(0, 0, -6).Format(domain.DateLayout) + "&to=" + demoEnd.Format(domain.DateLayout)
	for _, target := range []string{"/api/v1/api-usage?" + rng, "/api/v1/api-usage?" + rng + "&member=" + ms[0].Slug,
		"/api/v1/api-usage/breakdown?" + rng, "/api-usage?" + rng, "/api/v1/members/" + ms[0].Slug, "/members/" + ms[0].Slug} {
		status, body, _ := get(t, a.Fiber(), target)
		if status != http.StatusOK {
			t.Errorf("GET %s: %d %.200s", target, status, body)
			continue
		}
		if strings.Contains(body, `"bytes":-`) {
			t.Errorf("GET %s shows negative bytes", target)
		}
		if strings.HasPrefix(target, "/api/v1/api-usage") && !strings.Contains(body, `"bytes":9223372036854775807`) {
			t.Errorf("GET %s: want the saturated total bytes 9223372036854775807 in %.300s", target, body)
		}
	}
}
