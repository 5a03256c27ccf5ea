package data_test

import (
	"context"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func ecoRollup(at time.Time, consumer int64, endpoint string, class int, calls int64, ms float64) domain.UsageRollup {
	r := domain.UsageRollup{Bucket: at, ConsumerID: consumer, Endpoint: endpoint, StatusClass: class, Calls: calls, Bytes: calls * 10, LatencySumMS: ms * float64(calls)}
	r.Latency.Observe(ms, calls)
	return r
}

// ecoUsageDB holds two members in two segments, two unmapped consumers and
// traffic on 2026-03-02 (a Monday, 10:00) and 2026-03-03 (a Tuesday, 23:00),
// plus some outside the range.
func ecoUsageDB(t *testing.T) *data.DB {
	t.Helper()
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	alpha := mustMember(t, db, "alpha") // NLP
	beta := &domain.Member{Slug: "beta", Name: "Beta", Kind: domain.KindResearch, Segment: "vision", JoinedOn: day(t, "2026-01-01")}
	if err := db.CreateMember(ctx, beta); err != nil {
		t.Fatal(err)
	}
	ca, cb := mustConsumer(t, db, "key-a", alpha.ID), mustConsumer(t, db, "key-b", beta.ID)
	cu, cu2 := mustConsumer(t, db, "stranger", 0), mustConsumer(t, db, "another", 0)
	d1, d2 := at(t, "2026-03-02 10:00"), at(t, "2026-03-03 23:00")
	if err := db.AddUsage(ctx, []domain.UsageRollup{
		ecoRollup(d1, ca.ID, "/v1/chat", 2, 100, 50),
		ecoRollup(d1, ca.ID, "/v1/chat", 5, 5, 2000),
		ecoRollup(d1, cb.ID, "/v1/embed", 4, 10, 20),
		ecoRollup(d1, cu.ID, "/v1/chat", 2, 20, 80),
		ecoRollup(d2, cb.ID, "/v1/embed", 2, 30, 30),
		ecoRollup(d2, cu2.ID, "/v1/chat", 2, 7, 40),
		ecoRollup(at(t, "2026-03-05 12:00"), ca.ID, "/v1/chat", 2, 1000, 10),
		ecoRollup(at(t, "2026-03-01 23:00"), cu.ID, "/v1/chat", 2, 1000, 10),
	}); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestEcosystemUsageBreakdown(t *testing.T) {
	db := ecoUsageDB(t)
	ctx := context.Background()
	from, to := day(t, "2026-03-02"), day(t, "2026-03-04")
	u, err := db.EcosystemUsage(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	want, err := db.UsageTotals(ctx, from, to, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Totals; got.Calls != want.Calls || got.Errors4xx != want.Errors4xx || got.Errors5xx != want.Errors5xx || got.Bytes != want.Bytes || got.Latency != want.Latency {
		t.Errorf("totals %+v, UsageTotals %+v", got, want)
	}
	if got, want := u.Totals.Calls, int64(172); got != want {
		t.Errorf("calls = %d, want %d", got, want)
	}
	if u.Totals.Errors5xx != 5 || u.Totals.Errors4xx != 10 {
		t.Errorf("errors 4xx %d, 5xx %d; want 10, 5", u.Totals.Errors4xx, u.Totals.Errors5xx)
	}
	if got, want := u.Unmapped.Calls, int64(27); got != want {
		t.Errorf("unmapped calls = %d, want %d", got, want)
	}
	if len(u.UnmappedConsumers) != 2 || u.UnmappedConsumers[0].Consumer != "stranger" || u.UnmappedConsumers[0].Calls != 20 ||
		u.UnmappedConsumers[1].Consumer != "another" || !u.UnmappedConsumers[1].LastDay.Equal(day(t, "2026-03-03")) {
		t.Errorf("unmapped consumers %+v", u.UnmappedConsumers)
	}
	type seg struct {
		day, segment string
		calls        int64
	}
	var segs []seg
	for _, s := range u.BySegment {
		segs = append(segs, seg{s.Day.Format(domain.DateLayout), s.Segment, s.Calls})
	}
	if want := []seg{{"2026-03-02", "NLP", 105}, {"2026-03-02", "vision", 10}, {"2026-03-03", "vision", 30}}; !reflect.DeepEqual(segs, want) {
		t.Errorf("by segment %v, want %v", segs, want)
	}
	if len(u.ByEndpoint) != 2 || u.ByEndpoint[0].Endpoint != "/v1/chat" || u.ByEndpoint[0].Calls != 132 || u.ByEndpoint[1].Calls != 40 {
		t.Errorf("by endpoint %+v", u.ByEndpoint)
	}
	if len(u.ByDay) != 2 || u.ByDay[0].Calls != 135 || u.ByDay[1].Calls != 37 {
		t.Errorf("by day %+v", u.ByDay)
	}
	if len(u.UnmappedByDay) != 2 || u.UnmappedByDay[0].Calls != 20 || u.UnmappedByDay[1].Calls != 7 {
		t.Errorf("unmapped by day %+v", u.UnmappedByDay)
	}
	if _, err := db.EcosystemUsage(ctx, to, from); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("reversed range: %v, want invalid", err)
	}
}

func TestCountAboveMatchesQuantile(t *testing.T) {
	var h domain.Histogram
	for i, ms := range []float64{0.4, 3, 12, 45, 45, 120, 800, 2500} {
		h.Observe(ms, int64(10*(i+1)))
	}
	h.Observe(70000, 1) // the open last bucket
	n := float64(h.Count())
	for _, q := range []float64{0.1, 0.5, 0.9, 0.95, 0.99} {
		x := h.Quantile(q)
		if got, want := h.CountAbove(x), (1-q)*n; math.Abs(got-want) > 1e-6*n {
			t.Errorf("CountAbove(p%.0f = %.2f ms) = %.4f, want %.4f", q*100, x, got, want)
		}
	}
	if got := h.CountAbove(0); got != n {
		t.Errorf("CountAbove(0) = %v, want every call (%v)", got, n)
	}
	if got, want := h.CountAbove(1e9), float64(1); got != want {
		t.Errorf("CountAbove(1e9) = %v, want the open last bucket (%v)", got, want)
	}
}
