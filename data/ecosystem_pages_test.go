package data_test

import (
	"context"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
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
	db := openDB(t)
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

func TestUsageByHourOfWeek(t *testing.T) {
	db := ecoUsageDB(t)
	cells, err := db.UsageByHourOfWeek(context.Background(), day(t, "2026-03-02"), day(t, "2026-03-04"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) != 2 {
		t.Fatalf("cells %+v, want two", cells)
	}
	mon, tue := cells[0], cells[1]
	if mon.Weekday != time.Monday || mon.Hour != 10 || mon.Calls != 135 || mon.Errors5xx != 5 || mon.Latency.Count() != 135 {
		t.Errorf("Monday cell %+v", mon)
	}
	if tue.Weekday != time.Tuesday || tue.Hour != 23 || tue.Calls != 37 {
		t.Errorf("Tuesday cell %+v", tue)
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

// TestEcosystemCommunityOnPaper checks the weekly community counts of a
// hand-made fortnight against values worked out by hand.
func TestEcosystemCommunityOnPaper(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	act := func(id, kind, when, actor, thread string, bot bool) domain.Activity {
		return domain.Activity{Source: "github", ExternalID: id, Kind: kind, At: at(t, when), Actor: actor, Thread: thread, Bot: bot}
	}
	if _, err := db.AddActivities(ctx, []domain.Activity{
		act("0", domain.ActReply, "2026-02-20 10:00", "ann", "T0", false),
		act("1", domain.ActThreadOpened, "2026-03-02 09:00", "ann", "T1", false),
		act("2", domain.ActReply, "2026-03-02 11:00", "bob", "T1", false),
		act("3", domain.ActPROpened, "2026-03-03 10:00", "ann", "PR1", false),
		act("4", domain.ActReview, "2026-03-03 14:00", "bob", "PR1", false),
		act("5", domain.ActPRMerged, "2026-03-04 10:00", "carl", "PR1", false),
		act("6", domain.ActThreadOpened, "2026-03-10 08:00", "dave", "T2", false),
		act("7", domain.ActReply, "2026-03-10 08:30", "helper[bot]", "T2", true),
		act("8", domain.ActReply, "2026-03-11 08:00", "ann", "T2", false),
		act("9", domain.ActPROpened, "2026-03-12 12:00", "eve", "PR2", false),
		act("10", domain.ActReview, "2026-03-16 12:00", "frank", "PR2", false),
	}); err != nil {
		t.Fatal(err)
	}
	c, err := db.EcosystemCommunity(ctx, day(t, "2026-03-02"), day(t, "2026-03-16"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Weeks) != 2 {
		t.Fatalf("%d weeks, want 2", len(c.Weeks))
	}
	w0, w1 := c.Weeks[0], c.Weeks[1]
	if !w0.Start.Equal(day(t, "2026-03-02")) || !w1.Start.Equal(day(t, "2026-03-09")) {
		t.Errorf("weeks start %s, %s", w0.Start, w1.Start)
	}
	for _, tc := range []struct {
		name      string
		got, want int
	}{
		{"week 1 contributions", w0.Contributions, 5}, {"week 1 active", w0.ActiveContributors, 3}, {"week 1 new", w0.NewContributors, 2},
		{"week 1 PRs opened", w0.PROpened, 1}, {"week 1 PRs merged", w0.PRMerged, 1}, {"week 1 threads", w0.Threads, 2}, {"week 1 responded", w0.Responded, 2},
		{"week 2 contributions", w1.Contributions, 3}, {"week 2 active", w1.ActiveContributors, 3}, {"week 2 new", w1.NewContributors, 2},
		{"week 2 PRs opened", w1.PROpened, 1}, {"week 2 PRs merged", w1.PRMerged, 0}, {"week 2 threads", w1.Threads, 2}, {"week 2 responded", w1.Responded, 1},
		{"contributions", c.Contributions, 8}, {"active", c.ActiveContributors, 5}, {"new", c.NewContributors, 4},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %d, want %d", tc.name, tc.got, tc.want)
		}
	}
	if want := []float64{2, 4}; !reflect.DeepEqual(w0.ResponseHours, want) {
		t.Errorf("week 1 response hours %v, want %v", w0.ResponseHours, want)
	}
	if want := []float64{24}; !reflect.DeepEqual(w1.ResponseHours, want) {
		t.Errorf("week 2 response hours %v, want %v", w1.ResponseHours, want)
	}
	if want := []int{3, 2, 1, 1, 1}; !reflect.DeepEqual(c.PerPerson, want) {
		t.Errorf("contributions per person %v, want %v", c.PerPerson, want)
	}
	// A range starting mid-week: the first week is partial.
	c, err = db.EcosystemCommunity(ctx, day(t, "2026-03-04"), day(t, "2026-03-11"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Weeks) != 2 || c.Weeks[0].Contributions != 1 || c.Weeks[1].Contributions != 1 || c.Contributions != 2 {
		t.Errorf("partial weeks %+v", c.Weeks)
	}
}
