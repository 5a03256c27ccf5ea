package data_test

import (
	"context"
	"testing"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func TestMemberUsageBreakdowns(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	a := mustMember(t, db, "alpha")
	b := mustMember(t, db, "beta")
	prod := &domain.APIConsumer{Key: "key-prod", Name: "Alpha production", MemberID: a.ID}
	if err := db.UpsertConsumer(ctx, prod); err != nil {
		t.Fatal(err)
	}
	batch := mustConsumer(t, db, "key-batch", a.ID)
	other := mustConsumer(t, db, "key-beta", b.ID)
	r := func(s string, c int64, ep string, class int, calls int64, ms float64) domain.UsageRollup {
		u := rollup(at(t, s), c, class, calls, ms)
		u.Endpoint = ep
		return u
	}
	if err := db.AddUsage(ctx, []domain.UsageRollup{
		r("2026-03-01 10:00", prod.ID, "/v1/chat", 2, 100, 40),
		r("2026-03-01 11:00", prod.ID, "/v1/chat", 5, 10, 900),
		r("2026-03-02 10:00", prod.ID, "/v1/embed", 2, 50, 10),
		r("2026-03-02 12:00", batch.ID, "/v1/embed", 4, 20, 10),
		r("2026-03-03 12:00", batch.ID, "/v1/embed", 2, 5, 10), // outside [03-01, 03-03)
		r("2026-03-01 12:00", other.ID, "/v1/chat", 2, 999, 10),
	}); err != nil {
		t.Fatal(err)
	}
	from, to := day(t, "2026-03-01"), day(t, "2026-03-03")
	byDay, err := db.MemberUsage(ctx, a.ID, from, to, data.UsageByDay)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(byDay), 2; got != want {
		t.Fatalf("days = %d, want %d", got, want)
	}
	if got, want := byDay[0].Calls, int64(110); got != want {
		t.Errorf("calls on 03-01 = %d, want %d (another member's calls must not count)", got, want)
	}
	if got, want := byDay[0].Errors5xx, int64(10); got != want {
		t.Errorf("5xx on 03-01 = %d, want %d", got, want)
	}
	if got, want := byDay[1].Errors4xx, int64(20); got != want {
		t.Errorf("4xx on 03-02 = %d, want %d", got, want)
	}
	if p99 := byDay[0].Latency.Quantile(0.99); p99 < 500 {
		t.Errorf("p99 on 03-01 = %.0f ms, want the slow errors to show", p99)
	}
	byEP, err := db.MemberUsage(ctx, a.ID, from, to, data.UsageByEndpoint)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(byEP), 2; got != want {
		t.Fatalf("endpoints = %d, want %d", got, want)
	}
	if byEP[0].Endpoint != "/v1/chat" || byEP[0].Calls != 110 || byEP[1].Endpoint != "/v1/embed" || byEP[1].Calls != 70 {
		t.Errorf("endpoints = %+v", byEP)
	}
	byC, err := db.MemberUsage(ctx, a.ID, from, to, data.UsageByConsumer)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(byC), 2; got != want {
		t.Fatalf("consumers = %d, want %d", got, want)
	}
	if byC[0].Consumer != "Alpha production" || byC[0].Calls != 160 {
		t.Errorf("first consumer = %q with %d calls, want the named production key with 160", byC[0].Consumer, byC[0].Calls)
	}
	if byC[1].Consumer != "key-batch" {
		t.Errorf("an unnamed consumer is shown as %q, want its key", byC[1].Consumer)
	}
	if got, want := byC[0].LastDay.Format(domain.DateLayout), "2026-03-02"; got != want {
		t.Errorf("last day of the production key = %s, want %s", got, want)
	}
	var sum int64
	for _, g := range byDay {
		sum += g.Calls
	}
	tot, err := db.UsageTotals(ctx, from, to, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sum != tot.Calls {
		t.Errorf("calls by day sum to %d, totals say %d", sum, tot.Calls)
	}
	if _, err := db.MemberUsage(ctx, a.ID, from, to, data.UsageBreakdown(42)); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("unknown breakdown: %v, want EINVALID", err)
	}
}
