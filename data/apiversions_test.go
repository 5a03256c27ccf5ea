package data_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestEndpointCallsSumsPerDayMemberAndEndpoint: the status classes and the
// hours of a day add up, a member's consumers add up, unmapped consumers
// are Member "", the range is [from, to), a member filter reads that
// member's consumers only, and sums saturate instead of failing.
func TestEndpointCallsSumsPerDayMemberAndEndpoint(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	acme := mustMember(t, db, "acme")
	mustMember(t, db, "bolt")
	consumer := func(key string, member int64) int64 {
		c := &domain.APIConsumer{Key: key, Name: key, MemberID: member}
		if err := db.UpsertConsumer(ctx, c); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	prod, staging, stray := consumer("acme-prod", acme.ID), consumer("acme-staging", acme.ID), consumer("stray", 0)
	d1, d2, d3 := day(t, "2026-05-01"), day(t, "2026-05-02"), day(t, "2026-05-03")
	roll := func(at time.Time, c int64, ep string, class int, n int64) domain.UsageRollup {
		return domain.UsageRollup{Bucket: at, ConsumerID: c, Endpoint: ep, StatusClass: class, Calls: n}
	}
	if err := db.AddUsage(ctx, []domain.UsageRollup{
		roll(d1.Add(9*time.Hour), prod, "/v1/chat", 2, 10), roll(d1.Add(9*time.Hour), prod, "/v1/chat", 5, 3),
		roll(d1.Add(17*time.Hour), staging, "/v1/chat", 4, 2), roll(d1.Add(9*time.Hour), prod, "/v2/chat", 2, 7),
		roll(d1.Add(10*time.Hour), stray, "/v1/chat", 2, 5),
		roll(d2.Add(9*time.Hour), prod, "/v2/chat", 2, 4),
		roll(d3.Add(9*time.Hour), prod, "/v1/chat", 2, 100), // outside [d1, d3)
	}); err != nil {
		t.Fatal(err)
	}
	rows, err := db.EndpointCalls(ctx, "", d1, d3)
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.EndpointCalls{
		{Day: d1, Member: "", Endpoint: "/v1/chat", Calls: 5},
		{Day: d1, Member: "acme", Endpoint: "/v1/chat", Calls: 15},
		{Day: d1, Member: "acme", Endpoint: "/v2/chat", Calls: 7},
		{Day: d2, Member: "acme", Endpoint: "/v2/chat", Calls: 4},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %+v, want %+v", rows, want)
	}
	for i := range want {
		if !rows[i].Day.Equal(want[i].Day) || rows[i].Member != want[i].Member || rows[i].Endpoint != want[i].Endpoint || rows[i].Calls != want[i].Calls {
			t.Errorf("row %d: %+v, want %+v", i, rows[i], want[i])
		}
	}
	mine, err := db.EndpointCalls(ctx, "bolt", d1, d3)
	if err != nil || len(mine) != 0 {
		t.Errorf("bolt has no consumer: %+v, %v", mine, err)
	}
	mine, err = db.EndpointCalls(ctx, "acme", d1, d2)
	if err != nil || len(mine) != 2 || mine[0].Calls != 15 || mine[1].Calls != 7 {
		t.Errorf("acme on %s: %+v, %v", d1.Format(domain.DateLayout), mine, err)
	}

	// Two rows near the maximum: the sum saturates, no overflow error.
	if err := db.AddUsage(ctx, []domain.UsageRollup{
		roll(d3.Add(1*time.Hour), prod, "/v9/big", 2, math.MaxInt64/2+10), roll(d3.Add(1*time.Hour), prod, "/v9/big", 5, math.MaxInt64/2+10),
	}); err != nil {
		t.Fatal(err)
	}
	big, err := db.EndpointCalls(ctx, "acme", d3, d3.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range big {
		if r.Endpoint == "/v9/big" && r.Calls != math.MaxInt64 {
			t.Errorf("saturated sum = %d, want %d", r.Calls, int64(math.MaxInt64))
		}
	}
}
