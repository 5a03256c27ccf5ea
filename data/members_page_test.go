package data_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

func mpStr(s string) *string { return &s }

func TestFilterMembersBindsEveryValue(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	for _, m := range []domain.Member{
		{Slug: "acme", Name: "Acme AI", Kind: domain.KindPartner, Tier: "gold", Segment: "NLP"},
		{Slug: "percent", Name: "100% Vision", Kind: domain.KindPartner, Tier: "silver", Segment: "vision"},
		{Slug: "under", Name: "under_score labs", Kind: domain.KindDeveloperOrg, Segment: "NLP"},
		{Slug: "quote", Name: `O'Brien "Research"`, Kind: domain.KindResearch, Segment: "speech"},
		{Slug: "eclair", Name: "Éclair Santé", Kind: domain.KindPartner, Tier: "gold", Segment: "healthcare"},
	} {
		m.JoinedOn = day(t, "2026-01-01")
		if err := db.CreateMember(ctx, &m); err != nil {
			t.Fatal(err)
		}
	}
	slugs := func(f data.MemberFilter) []string {
		t.Helper()
		ms, err := db.FilterMembers(ctx, f)
		if err != nil {
			t.Fatalf("FilterMembers(%+v): %v", f, err)
		}
		out := []string{}
		for _, m := range ms {
			out = append(out, m.Slug)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    data.MemberFilter
		want []string
	}{
		{"all", data.MemberFilter{}, []string{"percent", "acme", "quote", "under", "eclair"}},
		{"segment", data.MemberFilter{Segment: mpStr("NLP")}, []string{"acme", "under"}},
		{"tier", data.MemberFilter{Tier: mpStr("gold")}, []string{"acme", "eclair"}},
		{"no tier", data.MemberFilter{Tier: mpStr("")}, []string{"quote", "under"}},
		{"kind", data.MemberFilter{Kind: mpStr("research")}, []string{"quote"}},
		{"segment and kind", data.MemberFilter{Segment: mpStr("NLP"), Kind: mpStr("partner")}, []string{"acme"}},
		{"text, any case", data.MemberFilter{Query: "acme ai"}, []string{"acme"}},
		{"text in slug", data.MemberFilter{Query: "UNDER"}, []string{"under"}},
		{"percent is literal", data.MemberFilter{Query: "%"}, []string{"percent"}},
		{"underscore is literal", data.MemberFilter{Query: "_"}, []string{"under"}},
		{"both wildcards", data.MemberFilter{Query: "%_"}, []string{}},
		{"quote", data.MemberFilter{Query: `O'Brien`}, []string{"quote"}},
		{"injection", data.MemberFilter{Query: `' OR 1=1 --`}, []string{}},
		{"injection in a filter", data.MemberFilter{Segment: mpStr(`NLP' OR '1'='1`)}, []string{}},
		{"backslash", data.MemberFilter{Query: `\`}, []string{}},
		{"non-ASCII as stored", data.MemberFilter{Query: "Éclair"}, []string{"eclair"}},
		{"unknown segment", data.MemberFilter{Segment: mpStr("robotics")}, []string{}},
	} {
		got := slugs(tc.f)
		if len(got) != len(tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
				break
			}
		}
	}
}

func TestMemberScoresOnDays(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	a := mustMember(t, db, "alpha")
	b := mustMember(t, db, "beta")
	for i, d := range []string{"2026-03-01", "2026-03-08", "2026-03-10"} {
		s := &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: day(t, d), Health: 50}, Members: []domain.MemberScore{
			{MemberID: a.ID, T: 0.5, I: 0.5, M: 0.5, C: 0.125, Health: 60 + float64(i), Status: domain.StatusWatch,
				Dimensions: [4]float64{70, math.NaN(), 50, 40}},
			{MemberID: b.ID, Health: 30, Status: domain.StatusAtRisk, Dimensions: [4]float64{math.NaN(), math.NaN(), math.NaN(), math.NaN()}},
		}}
		if err := db.SaveDayScores(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	days := []domain.MemberScore{}
	got, err := db.MemberScoresOn(ctx, []time.Time{day(t, "2026-03-01"), day(t, "2026-03-02"), day(t, "2026-03-10")}, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	days = append(days, got...)
	if got, want := len(days), 2; got != want {
		t.Fatalf("scores = %d, want %d (a day without scores is absent)", got, want)
	}
	if got, want := days[1].Day.Format(domain.DateLayout), "2026-03-10"; got != want {
		t.Errorf("last day = %s, want %s", got, want)
	}
	if got, want := days[1].Health, 62.0; got != want {
		t.Errorf("health = %v, want %v", got, want)
	}
	if !math.IsNaN(days[0].Dimensions[1]) || days[0].Dimensions[0] != 70 {
		t.Errorf("dimensions = %v, want [70 NaN 50 40]", days[0].Dimensions)
	}
	all, err := db.MemberScoresOn(ctx, []time.Time{day(t, "2026-03-08")}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(all), 2; got != want {
		t.Errorf("scores of every member = %d, want %d", got, want)
	}
	if none, err := db.MemberScoresOn(ctx, nil, 0); err != nil || len(none) != 0 {
		t.Errorf("no days: %v, %v", none, err)
	}
}

func TestMemberUsageBreakdowns(t *testing.T) {
	db := openDB(t)
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

func TestProjectsOfMember(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	a := mustMember(t, db, "alpha")
	b := mustMember(t, db, "beta")
	c := mustMember(t, db, "gamma")
	p := &domain.Project{Slug: "p", Name: "P", Status: domain.ProjectActive, StartOn: day(t, "2026-02-01"),
		Parties: []domain.ProjectParty{{MemberID: a.ID, Role: "lead"}, {MemberID: b.ID, Role: "partner"}}}
	q := &domain.Project{Slug: "q", Name: "Q", Status: domain.ProjectPlanned, StartOn: day(t, "2026-05-01"),
		Parties: []domain.ProjectParty{{MemberID: a.ID, Role: "partner"}}}
	other := &domain.Project{Slug: "r", Name: "R", Status: domain.ProjectActive, StartOn: day(t, "2026-01-01"),
		Parties: []domain.ProjectParty{{MemberID: b.ID, Role: "lead"}, {MemberID: c.ID, Role: "partner"}}}
	for _, pr := range []*domain.Project{p, q, other} {
		if err := db.CreateProject(ctx, pr); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AddMilestones(ctx, []domain.Milestone{
		{ProjectID: p.ID, Title: "second", DueOn: day(t, "2026-04-01")},
		{ProjectID: p.ID, Title: "first", DueOn: day(t, "2026-03-01"), DoneOn: day(t, "2026-03-02")},
		{ProjectID: other.ID, Title: "not ours", DueOn: day(t, "2026-03-01")},
	}); err != nil {
		t.Fatal(err)
	}
	ps, err := db.ProjectsOfMember(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(ps), 2; got != want {
		t.Fatalf("projects = %d, want %d", got, want)
	}
	if ps[0].Slug != "q" || ps[1].Slug != "p" {
		t.Errorf("projects = %s, %s; want the newest first (q, p)", ps[0].Slug, ps[1].Slug)
	}
	if got, want := ps[1].Role, "lead"; got != want {
		t.Errorf("role = %q, want %q", got, want)
	}
	if got, want := len(ps[1].Members), 2; got != want {
		t.Errorf("parties of p = %d, want %d", got, want)
	}
	if ms := ps[1].Milestones; len(ms) != 2 || ms[0].Title != "first" || ms[0].DoneOn.IsZero() || !ms[1].DoneOn.IsZero() {
		t.Errorf("milestones of p = %+v, want first (done) then second (open)", ms)
	}
	if got := len(ps[0].Milestones); got != 0 {
		t.Errorf("milestones of q = %d, want 0", got)
	}
	none, err := db.ProjectsOfMember(ctx, c.ID+100)
	if err != nil || len(none) != 0 {
		t.Errorf("unknown member: %v, %v", none, err)
	}
}

func TestMemberCommunityWeeks(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	a := mustMember(t, db, "alpha")
	b := mustMember(t, db, "beta")
	ann := &domain.Person{Name: "Ann"}
	bob := &domain.Person{Name: "Bob"}
	cat := &domain.Person{Name: "Cat"}
	for _, p := range []struct {
		p     *domain.Person
		login string
		m     int64
	}{{ann, "ann", a.ID}, {bob, "bob", b.ID}, {cat, "cat", a.ID}} {
		if err := db.CreatePerson(ctx, p.p, domain.Identity{Source: "github", Login: p.login}); err != nil {
			t.Fatal(err)
		}
		if err := db.AddAffiliation(ctx, &domain.Affiliation{PersonID: p.p.ID, MemberID: p.m, From: day(t, "2026-01-01")}); err != nil {
			t.Fatal(err)
		}
	}
	// Weeks from Monday 2026-03-02: [03-02, 03-09), [03-09, 03-16).
	acts := []domain.Activity{
		{ExternalID: "0", Kind: domain.ActReply, At: at(t, "2026-02-20 10:00"), Actor: "ann", Thread: "t0"}, // before: ann is not new
		{ExternalID: "1", Kind: domain.ActThreadOpened, At: at(t, "2026-03-02 10:00"), Actor: "ann", Thread: "t1"},
		{ExternalID: "2", Kind: domain.ActReply, At: at(t, "2026-03-02 11:00"), Actor: "bot", Thread: "t1", Bot: true},
		{ExternalID: "3", Kind: domain.ActReply, At: at(t, "2026-03-02 14:00"), Actor: "bob", Thread: "t1"}, // 4 h
		{ExternalID: "4", Kind: domain.ActThreadOpened, At: at(t, "2026-03-03 10:00"), Actor: "ann", Thread: "t2"},
		{ExternalID: "5", Kind: domain.ActReply, At: at(t, "2026-03-03 12:00"), Actor: "bob", Thread: "t2"}, // 2 h
		{ExternalID: "6", Kind: domain.ActThreadOpened, At: at(t, "2026-03-10 10:00"), Actor: "cat", Thread: "t3"},
		{ExternalID: "7", Kind: domain.ActReply, At: at(t, "2026-03-10 11:00"), Actor: "ann", Thread: "t3"},
		{ExternalID: "8", Kind: domain.ActReply, At: at(t, "2026-03-20 11:00"), Actor: "ann", Thread: "t3"}, // after the range
	}
	for i := range acts {
		acts[i].Source = "github"
	}
	if _, err := db.AddActivities(ctx, acts); err != nil {
		t.Fatal(err)
	}
	weeks, err := db.MemberCommunityWeeks(ctx, a.ID, day(t, "2026-03-02"), day(t, "2026-03-16"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(weeks), 2; got != want {
		t.Fatalf("weeks = %d, want %d", got, want)
	}
	w0, w1 := weeks[0], weeks[1]
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"week 0 start", w0.Start.Format(domain.DateLayout), "2026-03-02"},
		{"week 0 contributions", w0.Contributions, 2},
		{"week 0 active", w0.ActiveContributors, 1},
		{"week 0 new", w0.NewContributors, 0},
		{"week 0 threads", w0.Threads, 2},
		{"week 0 responded", w0.Responded, 2},
		{"week 0 median first response", w0.FirstResponseHours, 3.0},
		{"week 1 contributions", w1.Contributions, 2},
		{"week 1 active", w1.ActiveContributors, 2},
		{"week 1 new", w1.NewContributors, 1},
		{"week 1 threads", w1.Threads, 1},
		{"week 1 responded", w1.Responded, 1},
		{"week 1 median first response", w1.FirstResponseHours, 1.0},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// A partial last week, and a week without threads.
	weeks, err = db.MemberCommunityWeeks(ctx, b.ID, day(t, "2026-03-02"), day(t, "2026-03-11"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(weeks), 2; got != want {
		t.Fatalf("weeks with a partial one = %d, want %d", got, want)
	}
	if !math.IsNaN(weeks[0].FirstResponseHours) || weeks[0].Contributions != 2 {
		t.Errorf("beta's first week = %+v, want 2 contributions and no response time", weeks[0])
	}
	if _, err := db.MemberCommunityWeeks(ctx, a.ID, day(t, "2026-03-02"), day(t, "2026-03-02")); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("empty range: %v, want EINVALID", err)
	}
}
