package data_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func at(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// TestScoringWindowScenario builds a small ecosystem by hand and checks every
// count the scoring window reports against what was worked out on paper.
func TestScoringWindowScenario(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	alpha := mustMember(t, db, "alpha")
	beta := mustMember(t, db, "beta")
	late := &domain.Member{Slug: "late", Name: "Late", Kind: domain.KindResearch, JoinedOn: day(t, "2026-04-01")}
	if err := db.CreateMember(ctx, late); err != nil {
		t.Fatal(err)
	}

	p := &domain.Project{Slug: "p", Name: "P", Status: domain.ProjectActive, StartOn: day(t, "2026-02-01"),
		Parties: []domain.ProjectParty{{MemberID: alpha.ID, Role: "lead"}, {MemberID: beta.ID, Role: "partner"}}}
	if err := db.CreateProject(ctx, p); err != nil {
		t.Fatal(err)
	}
	ms := []domain.Milestone{
		{ProjectID: p.ID, Title: "on time", DueOn: day(t, "2026-03-10"), DoneOn: day(t, "2026-03-09")},
		{ProjectID: p.ID, Title: "late", DueOn: day(t, "2026-03-15"), DoneOn: day(t, "2026-03-20")},
		{ProjectID: p.ID, Title: "open overdue", DueOn: day(t, "2026-03-20")},
		{ProjectID: p.ID, Title: "done after the day", DueOn: day(t, "2026-03-25"), DoneOn: day(t, "2026-04-02")},
		{ProjectID: p.ID, Title: "not due", DueOn: day(t, "2026-04-10")},
	}
	if err := db.AddMilestones(ctx, ms); err != nil {
		t.Fatal(err)
	}

	ann := &domain.Person{Name: "Ann"}
	bob := &domain.Person{Name: "Bob"}
	if err := db.CreatePerson(ctx, ann, domain.Identity{Source: "github", Login: "Ann"}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreatePerson(ctx, bob, domain.Identity{Source: "github", Login: "bob"}); err != nil {
		t.Fatal(err)
	}
	for _, a := range []domain.Affiliation{
		{PersonID: ann.ID, MemberID: alpha.ID, From: day(t, "2026-01-01"), To: day(t, "2026-03-15")},
		{PersonID: ann.ID, MemberID: beta.ID, From: day(t, "2026-03-15")},
		{PersonID: bob.ID, MemberID: beta.ID, From: day(t, "2026-01-01")},
	} {
		if err := db.AddAffiliation(ctx, &a); err != nil {
			t.Fatal(err)
		}
	}
	acts := []domain.Activity{
		{ExternalID: "1", Kind: domain.ActThreadOpened, At: at(t, "2026-03-10 10:00"), Actor: "ann", Thread: "t1"},
		{ExternalID: "2", Kind: domain.ActReply, At: at(t, "2026-03-10 10:05"), Actor: "helper[bot]", Thread: "t1", Bot: true},
		{ExternalID: "3", Kind: domain.ActReply, At: at(t, "2026-03-10 12:00"), Actor: "bob", Thread: "t1"},
		{ExternalID: "4", Kind: domain.ActReply, At: at(t, "2026-03-11 09:00"), Actor: "carl", Thread: "t1"},
		{ExternalID: "5", Kind: domain.ActThreadOpened, At: at(t, "2026-03-20 10:00"), Actor: "ann", Thread: "t2"}, // ann is with beta now
		{ExternalID: "6", Kind: domain.ActReply, At: at(t, "2026-03-27 10:00"), Actor: "carl", Thread: "t2"},
	}
	for i := range acts {
		acts[i].Source = "github"
	}
	n, err := db.AddActivities(ctx, acts)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(acts) {
		t.Fatalf("stored %d activities, want %d", n, len(acts))
	}
	if n, _ := db.AddActivities(ctx, acts); n != 0 {
		t.Errorf("re-adding the same activities stored %d, want 0", n)
	}

	ca := mustConsumer(t, db, "a1", alpha.ID)
	ca2 := mustConsumer(t, db, "a2", alpha.ID)
	if err := db.AddUsage(ctx, []domain.UsageRollup{
		rollup(at(t, "2026-03-05 10:00"), ca.ID, 2, 100, 40),
		rollup(at(t, "2026-03-05 11:00"), ca2.ID, 4, 5, 40),
		rollup(at(t, "2026-03-06 11:00"), ca2.ID, 5, 2, 40),
		rollup(at(t, "2026-02-20 11:00"), ca.ID, 2, 30, 40), // previous window
	}); err != nil {
		t.Fatal(err)
	}

	w, err := db.ScoringWindow(ctx, day(t, "2026-03-28"), 28)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := w.From.Format(domain.DateLayout), "2026-03-01"; got != want {
		t.Errorf("window starts %s, want %s", got, want)
	}
	if got, want := len(w.Members), 2; got != want {
		t.Fatalf("members in window = %d, want %d (a member that joins later is left out)", got, want)
	}
	byID := map[int64]domain.MemberWindow{}
	for _, m := range w.Members {
		byID[m.ID] = m
	}
	a, b := byID[alpha.ID], byID[beta.ID]

	check := func(name string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("alpha calls", a.Calls, int64(107))
	check("alpha 4xx", a.Errors4xx, int64(5))
	check("alpha 5xx", a.Errors5xx, int64(2))
	check("alpha consumers", a.Consumers, 2)
	check("alpha previous calls", a.PrevCalls, int64(30))
	check("alpha active projects", a.ActiveProjects, 1)
	check("alpha milestones due", a.MilestonesDue, 4)
	check("alpha milestones on time", a.MilestonesOnTime, 1)
	check("alpha milestones delivered", a.MilestonesDelivered, 2)
	check("alpha milestones overdue", a.MilestonesOverdue, 2) // the open one and the one done after the day
	check("alpha contributions", a.Contributions, 1)
	check("alpha threads", a.Threads, 1)
	check("alpha responded", a.Responded, 1)
	check("alpha engaged", a.Engaged, 2) // bob and carl; the bot does not count
	if math.Abs(a.FirstResponseHours-2) > 1e-9 {
		t.Errorf("alpha first response = %v h, want 2 (the bot's reply does not count)", a.FirstResponseHours)
	}
	check("beta contributions", b.Contributions, 2) // bob's reply and ann's thread after she moved
	check("beta active contributors", b.ActiveContributors, 2)
	check("beta threads", b.Threads, 1)
	check("beta responded", b.Responded, 1)
	check("beta first response", b.FirstResponseHours, 168.0)
	check("beta calls", b.Calls, int64(0))

	if got, want := len(w.Pairs), 1; got != want {
		t.Fatalf("pairs = %+v, want one", w.Pairs)
	}
	pair := w.Pairs[0]
	check("pair", [2]int64{pair.A, pair.B}, [2]int64{alpha.ID, beta.ID})
	check("shared projects", pair.SharedProjects, 1)
	check("shared milestones", pair.SharedMilestones, 2)
	check("shared threads", pair.SharedThreads, 1)
	check("ecosystem contributors (7 days)", w.ActiveContributors, 1) // carl on 03-27
	check("ecosystem consumers (7 days)", w.ActiveConsumers, 0)

	// The window measured as of an earlier day does not see later events.
	early, err := db.ScoringWindow(ctx, day(t, "2026-03-12"), 28)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range early.Members {
		if m.ID == alpha.ID {
			check("alpha milestones due as of 03-12", m.MilestonesDue, 1)
			check("alpha overdue as of 03-12", m.MilestonesOverdue, 0)
		}
	}
}

func TestDayScoresRoundTripWithMissingDimensions(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	a := mustMember(t, db, "alpha")
	d := day(t, "2026-03-28")
	ds := &domain.DayScores{
		Ecosystem: domain.EcosystemScore{Day: d, R: 1.5, Health: 66, Members: 1},
		Members: []domain.MemberScore{{Day: d, MemberID: a.ID, T: 0.5, I: 0.4, M: 0.3, C: 0.06, Health: 55, Status: domain.StatusWatch,
			Dimensions: [4]float64{80, math.NaN(), 40, math.NaN()}}},
	}
	for i := 0; i < 2; i++ { // saving twice replaces, never duplicates
		if err := db.SaveDayScores(ctx, ds); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.ScoresOn(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("scores = %d rows, want 1", len(got))
	}
	dims := got[0].Score.Dimensions
	if dims[0] != 80 || !math.IsNaN(dims[1]) || dims[2] != 40 || !math.IsNaN(dims[3]) {
		t.Errorf("dimensions = %v, want [80 NaN 40 NaN]", dims)
	}
	latest, err := db.LatestScoreDay(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !latest.Equal(d) {
		t.Errorf("latest score day = %v, want %v", latest, d)
	}
}

func TestDayEdgesRoundTripAndReplaceOlderRows(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	a, b, c := mustMember(t, db, "alpha"), mustMember(t, db, "beta"), mustMember(t, db, "gamma")
	d := day(t, "2026-03-28")
	scores := func(edges ...domain.Edge) *domain.DayScores {
		ds := &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: d, Members: 3}, Edges: edges}
		for _, m := range []*domain.Member{a, b, c} {
			ds.Members = append(ds.Members, domain.MemberScore{Day: d, MemberID: m.ID, Status: domain.StatusWatch})
		}
		return ds
	}
	edgesOn := func() []domain.Edge {
		t.Helper()
		got, err := db.EdgesOn(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	// A day scored before edges became one blob per day, still as rows.
	raw := datatest.Raw(t, db)
	if _, err := raw.Exec(`INSERT INTO score_edges (day, a, b, k) VALUES (?, ?, ?, 0.25), (?, ?, ?, 0.5)`,
		"2026-03-28", b.ID, c.ID, "2026-03-28", a.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(edgesOn()), fmt.Sprint([]domain.Edge{{A: a.ID, B: b.ID, K: 0.5}, {A: b.ID, B: c.ID, K: 0.25}}); got != want {
		t.Errorf("edges of a day stored as rows = %s, want %s", got, want)
	}

	// Scoring the day again replaces them, and saving twice never duplicates.
	want := []domain.Edge{{A: a.ID, B: c.ID, K: 1.0 / 3}, {A: b.ID, B: c.ID, K: 2e-7}}
	for i := 0; i < 2; i++ {
		if err := db.SaveDayScores(ctx, scores(want[1], want[0])); err != nil {
			t.Fatal(err)
		}
	}
	if got := edgesOn(); fmt.Sprint(got) != fmt.Sprint(want) || got[0].K != want[0].K {
		t.Errorf("edges = %v, want %v (K exact)", got, want)
	}
	var rows int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM score_edges`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 0 {
		t.Errorf("%d old edge rows left after the day was scored again", rows)
	}

	// An edge to a member not scored that day is refused, and nothing changes.
	err := db.SaveDayScores(ctx, scores(domain.Edge{A: a.ID, B: c.ID + 100, K: 1}))
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("edge to an unscored member: err = %v, want EINVALID", err)
	}
	if got := edgesOn(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after a refused save, edges = %v, want %v", got, want)
	}
}
