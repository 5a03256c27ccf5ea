package data_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func TestCommitUsageAggregatesAndKeepsRejected(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	a := mustMember(t, db, "alpha")
	mustConsumer(t, db, "key-a", a.ID)
	t0 := time.Date(2026, 5, 1, 9, 15, 0, 0, time.UTC)

	b := domain.NewUsageBatch("gateway")
	b.Cursor = "offset=123"
	b.Add(domain.UsageRecord{Time: t0, Consumer: "key-a", Endpoint: "/v1/chat", Status: 200, Bytes: 10, LatencyMS: 40}, "l1")
	b.Add(domain.UsageRecord{Time: t0.Add(time.Minute), Consumer: "key-a", Endpoint: "/v1/chat", Status: 201, Bytes: 5, LatencyMS: 60}, "l2")
	b.Add(domain.UsageRecord{Time: t0, Consumer: "new-key", Endpoint: "/v1/chat", Status: 503, LatencyMS: -1}, "l3")
	b.Add(domain.UsageRecord{Time: t0, Endpoint: "/v1/chat", Status: 404, LatencyMS: -1}, "l4") // anonymous
	b.Add(domain.UsageRecord{Time: t0, Consumer: "key-a", Endpoint: "/v1/chat", Status: 999}, "bad status line")
	b.Reject("unparseable line", "garbage \xff")
	if got, want := b.Read, int64(5); got != want {
		t.Errorf("read = %d, want %d", got, want)
	}
	if err := db.CommitUsage(ctx, b); err != nil {
		t.Fatal(err)
	}
	d := domain.Day(t0)
	mine, err := db.UsageTotals(ctx, d, d.AddDate(0, 0, 1), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := mine.Calls, int64(2); got != want {
		t.Errorf("alpha calls = %d, want %d", got, want)
	}
	if got, want := mine.Bytes, int64(15); got != want {
		t.Errorf("alpha bytes = %d, want %d", got, want)
	}
	all, err := db.UsageTotals(ctx, d, d.AddDate(0, 0, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := all.Calls, int64(4); got != want {
		t.Errorf("all calls = %d, want %d (unknown and anonymous consumers count)", got, want)
	}
	if got, want := all.Errors5xx, int64(1); got != want {
		t.Errorf("5xx = %d, want %d", got, want)
	}
	if got, want := all.Latency.Count(), int64(2); got != want {
		t.Errorf("latency observations = %d, want %d (records without latency are not observed)", got, want)
	}
	rej, err := db.RejectedRecords(ctx, "gateway", 10)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(rej), 2; got != want {
		t.Fatalf("rejected = %d, want %d", got, want)
	}
	if !strings.Contains(rej[1].Reason, "999") || rej[1].Record != "bad status line" {
		t.Errorf("rejected record = %+v, want the bad status with its line", rej[1])
	}
	if cur, _ := db.Cursor(ctx, "gateway"); cur != "offset=123" {
		t.Errorf("cursor = %q", cur)
	}
	cs, err := db.Consumers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]int64{}
	for _, c := range cs {
		keys[c.Key] = c.MemberID
	}
	if _, ok := keys["new-key"]; !ok {
		t.Errorf("unknown consumer was not created: %v", keys)
	}
	if _, ok := keys[domain.AnonymousConsumer]; !ok {
		t.Errorf("anonymous consumer was not created: %v", keys)
	}
	if keys["key-a"] != a.ID {
		t.Errorf("key-a lost its member mapping")
	}
}

func TestRejectedRecordsAreCapped(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	for round := 0; round < 2; round++ {
		b := domain.NewUsageBatch("noisy")
		for i := 0; i < domain.MaxRejectedPerSource*3/4; i++ {
			b.Reject("bad", "x")
		}
		if err := db.CommitUsage(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	n, err := db.CountRejected(ctx, "noisy")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := n, domain.MaxRejectedPerSource; got != want {
		t.Errorf("quarantine holds %d records, want the cap %d", got, want)
	}
}
