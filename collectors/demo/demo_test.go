package demo

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// testEnd is the fixed last day of the test ecosystem: tests never depend on
// the wall clock.
var testEnd = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

var defaultOpt = Options{Seed: 1, Days: 180, End: testEnd, Members: 40}

func seedDB(tb testing.TB, opt Options) (*data.DB, Summary) {
	tb.Helper()
	db := datatest.MustOpenDB(tb)
	sum, err := Seed(context.Background(), db, opt)
	if err != nil {
		tb.Fatalf("seed %+v: %v", opt, err)
	}
	return db, sum
}

// shared is the default demo, seeded once per test binary for the tests that
// only read it.
var shared struct {
	once sync.Once
	dir  string
	drop func() error // drops the PostgreSQL database (datatest.NewTarget)
	db   *data.DB
	sum  Summary
	took time.Duration
	err  error
}

func sharedDB(tb testing.TB) (*data.DB, Summary) {
	tb.Helper()
	shared.once.Do(func() {
		ctx := context.Background()
		if shared.dir, shared.err = os.MkdirTemp("", "ecopulse-demo-test-"); shared.err != nil {
			return
		}
		var target string
		if target, shared.drop, shared.err = datatest.NewTarget(shared.dir); shared.err != nil {
			return
		}
		if shared.db, shared.err = data.Open(ctx, target); shared.err != nil {
			return
		}
		start := time.Now()
		shared.sum, shared.err = Seed(ctx, shared.db, defaultOpt)
		shared.took = time.Since(start)
	})
	if shared.err != nil {
		tb.Fatalf("seed the shared demo: %v", shared.err)
	}
	return shared.db, shared.sum
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.db != nil {
		shared.db.Close()
	}
	if shared.drop != nil {
		if err := shared.drop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

func totals(tb testing.TB, db *data.DB, from, to time.Time, memberID int64) domain.UsageTotals {
	tb.Helper()
	u, err := db.UsageTotals(context.Background(), from, to, memberID)
	if err != nil {
		tb.Fatalf("usage totals: %v", err)
	}
	return u
}

// dailyTotals returns the usage of every day of [from, to).
func dailyTotals(tb testing.TB, db *data.DB, from, to time.Time) []domain.UsageTotals {
	tb.Helper()
	var out []domain.UsageTotals
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		out = append(out, totals(tb, db, d, d.AddDate(0, 0, 1), 0))
	}
	return out
}

func window(tb testing.TB, db *data.DB, day time.Time, days int) *domain.Window {
	tb.Helper()
	w, err := db.ScoringWindow(context.Background(), day, days)
	if err != nil {
		tb.Fatalf("scoring window: %v", err)
	}
	return w
}

func TestSeedIsDeterministic(t *testing.T) {
	ctx := context.Background()
	a, sumA := sharedDB(t)
	b, sumB := seedDB(t, defaultOpt)
	if sumA != sumB {
		t.Fatalf("summaries differ:\n%+v\n%+v", sumA, sumB)
	}
	membersA, err := a.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	membersB, err := b.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(membersA, membersB) {
		t.Error("members differ")
	}
	consumersA, err := a.Consumers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	consumersB, err := b.Consumers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(consumersA, consumersB) {
		t.Error("API consumers differ")
	}
	if got, want := totals(t, b, sumB.From, sumB.To, 0), totals(t, a, sumA.From, sumA.To, 0); got != want {
		t.Errorf("usage totals differ: %+v vs %+v", got, want)
	}
	dayA, dayB := dailyTotals(t, a, sumA.From, sumA.To), dailyTotals(t, b, sumB.From, sumB.To)
	for i := range dayA {
		if dayA[i] != dayB[i] {
			t.Fatalf("usage of day %s differs", sumA.From.AddDate(0, 0, i).Format(domain.DateLayout))
		}
	}
	// Projects, milestones, people, affiliations and activities as scoring
	// sees them, over the last 28 days and over the whole history.
	for _, days := range []int{28, defaultOpt.Days} {
		if wa, wb := window(t, a, testEnd, days), window(t, b, testEnd, days); !reflect.DeepEqual(wa, wb) {
			t.Errorf("the %d-day scoring windows differ", days)
		}
	}
}

func TestSeedDependsOnTheSeed(t *testing.T) {
	opt := Options{Seed: 1, Days: 21, End: testEnd}
	a, sumA := seedDB(t, opt)
	opt.Seed = 2
	b, sumB := seedDB(t, opt)
	if ta, tb := totals(t, a, sumA.From, sumA.To, 0), totals(t, b, sumB.From, sumB.To, 0); ta.Calls == tb.Calls || ta.Bytes == tb.Bytes {
		t.Errorf("seeds 1 and 2 give the same traffic: %+v", ta)
	}
	if sumA.Members != sumB.Members {
		t.Errorf("members: %d and %d, want the same cast whatever the seed", sumA.Members, sumB.Members)
	}
}

func TestSeedRefusesANonEmptyDatabase(t *testing.T) {
	db, _ := sharedDB(t)
	_, err := Seed(context.Background(), db, defaultOpt)
	if got, want := domain.ErrorCode(err), domain.ECONFLICT; got != want {
		t.Errorf("seeding a seeded database: code %q (%v), want %q", got, err, want)
	}
}

func TestSeedRejectsBadOptions(t *testing.T) {
	db := datatest.MustOpenDB(t)
	for _, opt := range []Options{
		{},                              // no End
		{End: testEnd, Days: 3},         // too short
		{End: testEnd, Members: -1},     // negative
		{End: testEnd, Days: 100000000}, // absurd
	} {
		_, err := Seed(context.Background(), db, opt)
		if got, want := domain.ErrorCode(err), domain.EINVALID; got != want {
			t.Errorf("Seed(%+v): code %q (%v), want %q", opt, got, err, want)
		}
	}
	if n, err := db.CountMembers(context.Background()); err != nil || n != 0 {
		t.Errorf("after bad options: %d members (%v), want none", n, err)
	}
}

func TestSeedShape(t *testing.T) {
	ctx := context.Background()
	db, sum := sharedDB(t)
	t.Logf("summary: %+v", sum)

	members, err := db.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(members), 40; got != want {
		t.Errorf("members: %d, want %d", got, want)
	}
	segs, kinds := map[string]int{}, map[domain.MemberKind]int{}
	tiers := map[string]int{}
	joinedDuring := 0
	for _, m := range members {
		segs[m.Segment]++
		kinds[m.Kind]++
		if m.Kind == domain.KindPartner {
			tiers[m.Tier]++
		}
		if !domain.ValidSlug(m.Slug) {
			t.Errorf("bad slug %q", m.Slug)
		}
		if m.JoinedOn.After(sum.From) {
			joinedDuring++
		}
	}
	for _, s := range segments {
		if segs[s] == 0 {
			t.Errorf("no member in segment %q", s)
		}
	}
	for _, k := range []domain.MemberKind{domain.KindPartner, domain.KindDeveloperOrg, domain.KindResearch, domain.KindInternal} {
		if kinds[k] == 0 {
			t.Errorf("no member of kind %q", k)
		}
	}
	for _, tier := range []string{tierStrategic, tierGold, tierSilver} {
		if tiers[tier] == 0 {
			t.Errorf("no %s partner", tier)
		}
	}
	if joinedDuring < 2 {
		t.Errorf("%d members joined during the history, want a few", joinedDuring)
	}

	if n, err := db.CountProjects(ctx); err != nil || n < 15 {
		t.Errorf("projects: %d (%v), want at least 15", n, err)
	}
	if sum.People < 100 || sum.People > 150 {
		t.Errorf("people: %d, want about 120", sum.People)
	}
	if sum.Activities < 10000 || sum.Activities > 30000 {
		t.Errorf("activities: %d, want 10k–30k", sum.Activities)
	}
	if sum.UsageRows > 400000 {
		t.Errorf("usage rows: %d, want at most 400k", sum.UsageRows)
	}

	// API keys: one to three per member, and unmapped ones whose traffic is
	// counted.
	consumers, err := db.Consumers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	perMember := map[int64]int{}
	unmapped := 0
	for _, c := range consumers {
		if strings.HasPrefix(c.Key, devKeyPrefix) {
			continue // trial keys (developers.go), unmapped
		}
		if c.MemberID == 0 {
			unmapped++
		} else {
			perMember[c.MemberID]++
		}
	}
	for _, m := range members {
		if n := perMember[m.ID]; n < 1 || n > 3 {
			t.Errorf("member %s has %d API keys, want 1–3", m.Slug, n)
		}
	}
	if unmapped < 2 {
		t.Errorf("%d unmapped consumers, want 2–3", unmapped)
	}
	all := totals(t, db, sum.From, sum.To, 0)
	if got, want := all.Calls, sum.Calls; got != want {
		t.Errorf("stored calls %d, summary says %d", got, want)
	}
	var ofMembers int64
	for _, m := range members {
		ofMembers += totals(t, db, sum.From, sum.To, m.ID).Calls
	}
	if ofMembers >= all.Calls {
		t.Errorf("members' calls %d, all calls %d: unmapped consumers have no traffic", ofMembers, all.Calls)
	}

	// Milestones: some delivered late, some still open past their due date.
	p := newPlan(defaultOpt)
	var late, overdue int
	for _, pr := range p.projects {
		for _, ms := range pr.milestones {
			switch {
			case !ms.DoneOn.IsZero() && ms.DoneOn.After(ms.DueOn):
				late++
			case ms.DoneOn.IsZero() && ms.DueOn.Before(testEnd) && pr.status != domain.ProjectCancelled:
				overdue++
			}
		}
	}
	if late == 0 || overdue == 0 {
		t.Errorf("%d late and %d overdue milestones, want some of each", late, overdue)
	}

	// People who changed employer: their activity moves with them.
	moved := 0
	for _, pp := range p.people {
		if len(pp.affs) < 2 {
			continue
		}
		moved++
		before := pp.affs[0].to.AddDate(0, 0, -1)
		after := pp.affs[1].from.AddDate(0, 0, 1)
		_, m1, err := db.ResolveActor(ctx, srcGitHub, pp.github, before)
		if err != nil {
			t.Fatal(err)
		}
		_, m2, err := db.ResolveActor(ctx, srcDiscourse, pp.discourse, after)
		if err != nil {
			t.Fatal(err)
		}
		want1, _ := db.MemberBySlug(ctx, p.members[pp.affs[0].member].Slug)
		want2, _ := db.MemberBySlug(ctx, p.members[pp.affs[1].member].Slug)
		if want1 == nil || want2 == nil || m1 != want1.ID || m2 != want2.ID {
			t.Errorf("%s resolves to members %d then %d, want %v then %v", pp.name, m1, m2, want1, want2)
		}
	}
	if moved < 5 {
		t.Errorf("%d people changed affiliation, want about 10", moved)
	}
	for _, bot := range []string{"dependabot[bot]", "ecopulse-ci[bot]"} {
		person, member, err := db.ResolveActor(ctx, srcGitHub, bot, testEnd)
		if err != nil || person == 0 || member != 0 {
			t.Errorf("bot %s resolves to person %d, member %d (%v): want a person and no member", bot, person, member, err)
		}
	}
}

func TestTrafficHasWeeklySeasonalityAndIncidents(t *testing.T) {
	db, sum := sharedDB(t)
	days := dailyTotals(t, db, sum.From, sum.To)
	var weekday, weekend float64
	var nWeekday, nWeekend int
	shares := make([]float64, len(days))
	for i, u := range days {
		d := sum.From.AddDate(0, 0, i)
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			weekend += float64(u.Calls)
			nWeekend++
		} else {
			weekday += float64(u.Calls)
			nWeekday++
		}
		if u.Calls > 0 {
			shares[i] = float64(u.Errors5xx) / float64(u.Calls)
		}
	}
	weekday /= float64(nWeekday)
	weekend /= float64(nWeekend)
	if !(weekday > 1.5*weekend) {
		t.Errorf("mean calls: %.0f on weekdays, %.0f on weekends: want clear weekly seasonality", weekday, weekend)
	}

	sorted := slices.Clone(shares)
	slices.Sort(sorted)
	median, worst := sorted[len(sorted)/2], sorted[len(sorted)-1]
	if !(worst > 10*median) || !(worst > 0.01) {
		t.Errorf("worst day's 5xx share %.4f, median %.5f: want an incident day far above the median", worst, median)
	}
	incidents := 0
	for _, s := range shares {
		if s > 10*median {
			incidents++
		}
	}
	if incidents < 2 || incidents > 6 {
		t.Errorf("%d incident days, want 2–3 incidents", incidents)
	}
	t.Logf("weekday %.0f, weekend %.0f calls/day; 5xx share median %.5f, worst %.4f; %d incident days", weekday, weekend, median, worst, incidents)
}

func TestScoringWindowAtEnd(t *testing.T) {
	db, _ := sharedDB(t)
	w := window(t, db, testEnd, 28)
	var withCalls, withContributions, withProjects int
	var churned, sloppy, slipping, quiet bool
	for _, m := range w.Members {
		if m.Calls > 0 {
			withCalls++
		}
		if m.Contributions > 0 {
			withContributions++
		}
		if m.ActiveProjects > 0 {
			withProjects++
		}
		churned = churned || m.Calls == 0 && m.PrevCalls > 0
		sloppy = sloppy || m.Calls > 0 && float64(m.Errors4xx) > 0.2*float64(m.Calls)
		slipping = slipping || m.MilestonesOverdue >= 2
		quiet = quiet || m.Contributions == 0
	}
	if len(w.Members) != 40 || withCalls < 30 || withContributions < 30 || withProjects < 15 {
		t.Errorf("%d members: %d with calls, %d with contributions, %d with active projects",
			len(w.Members), withCalls, withContributions, withProjects)
	}
	// Members at risk have visible reasons.
	if !churned || !sloppy || !slipping || !quiet {
		t.Errorf("reasons to be at risk: churned %v, many client errors %v, overdue milestones %v, no community activity %v; want each",
			churned, sloppy, slipping, quiet)
	}
	var threads, projects int
	for _, p := range w.Pairs {
		if p.SharedThreads > 0 {
			threads++
		}
		if p.SharedProjects > 0 {
			projects++
		}
	}
	if len(w.Pairs) == 0 || threads == 0 || projects == 0 {
		t.Errorf("%d pairs: %d share threads, %d share projects", len(w.Pairs), threads, projects)
	}
}

func TestTick(t *testing.T) {
	ctx := context.Background()
	opt := Options{Seed: 1, Days: 14, End: testEnd}
	db, sum := seedDB(t, opt)
	if cur, err := db.Cursor(ctx, Source); err != nil || cur != sum.To.Format(time.RFC3339) {
		t.Errorf("cursor after seeding %q (%v), want %q", cur, err, sum.To.Format(time.RFC3339))
	}
	from, to := sum.To.Add(9*time.Hour), sum.To.Add(15*time.Hour+30*time.Minute) // office hours in Europe
	span := [2]time.Time{sum.From, to.AddDate(0, 0, 2)}
	before := totals(t, db, span[0], span[1], 0)
	seeded := sum.To.Format(time.RFC3339)
	n, err := Tick(ctx, db, opt, seeded, from, to)
	if err != nil {
		t.Fatal(err)
	}
	after := totals(t, db, span[0], span[1], 0)
	if n <= 0 {
		t.Errorf("tick added %d calls", n)
	}
	if got, want := after.Calls-before.Calls, n; got != want {
		t.Errorf("usage grew by %d calls, tick says %d", got, want)
	}
	if cur, err := db.Cursor(ctx, Source); err != nil || cur != to.Format(time.RFC3339) {
		t.Errorf("cursor after the tick %q (%v), want %q", cur, err, to.Format(time.RFC3339))
	}
	// A second tick from the cursor the first one read (another replica's)
	// stores nothing: the interval is counted once.
	if _, err := Tick(ctx, db, opt, seeded, from, to); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("a second tick from the same cursor: %v, want %s", err, domain.ECONFLICT)
	}
	if got := totals(t, db, span[0], span[1], 0); got != after {
		t.Errorf("a refused tick changed the totals: %+v, want %+v", got, after)
	}

	// The same interval on the same ecosystem gives the same data.
	db2, _ := seedDB(t, opt)
	n2, err := Tick(ctx, db2, opt, seeded, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if n2 != n {
		t.Errorf("ticks of the same interval added %d and %d calls", n, n2)
	}
	if got, want := totals(t, db2, span[0], span[1], 0), after; got != want {
		t.Errorf("ticks of the same interval: totals %+v and %+v", got, want)
	}

	// Community events do not depend on how the interval is cut.
	db3, _ := seedDB(t, opt)
	prev := seeded
	for t0 := from; t0.Before(to); t0 = t0.Add(10 * time.Minute) {
		if _, err := Tick(ctx, db3, opt, prev, t0, t0.Add(10*time.Minute)); err != nil {
			t.Fatal(err)
		}
		prev = t0.Add(10 * time.Minute).Format(time.RFC3339)
	}
	wa, wc := window(t, db, from, 1), window(t, db3, from, 1)
	var events int
	for i := range wa.Members {
		events += wa.Members[i].Contributions
		if got, want := wc.Members[i].Contributions, wa.Members[i].Contributions; got != want {
			t.Errorf("member %d: %d contributions ticking by 10 minutes, %d in one tick", wa.Members[i].ID, got, want)
		}
	}
	if events == 0 {
		t.Error("no community event in a 6½-hour tick")
	}
	if calls := totals(t, db3, span[0], span[1], 0).Calls - before.Calls; calls < n/2 || calls > 2*n {
		t.Errorf("ticking by 10 minutes added %d calls, one tick %d: want about the same", calls, n)
	}
}

func TestTickErrors(t *testing.T) {
	ctx := context.Background()
	opt := Options{Days: 7, End: testEnd}
	if _, err := Tick(ctx, datatest.MustOpenDB(t), opt, "", testEnd, testEnd.Add(time.Hour)); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("tick on an empty database: %v, want %s", err, domain.ENOTFOUND)
	}
	db, sum := seedDB(t, opt)
	if _, err := Tick(ctx, db, opt, sum.To.Format(time.RFC3339), sum.To, sum.To); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("empty interval: %v, want %s", err, domain.EINVALID)
	}
}

func TestSeedOtherSizes(t *testing.T) {
	for _, opt := range []Options{
		{Members: 3, Days: 10, End: testEnd},
		{Members: 60, Days: 7, End: testEnd.Add(15*time.Hour + 42*time.Minute + 7*time.Second)},
	} {
		db, sum := seedDB(t, opt)
		if got, want := sum.Members, opt.Members; got != want {
			t.Errorf("%+v: %d members, want %d", opt, got, want)
		}
		if sum.Calls == 0 || sum.Projects == 0 {
			t.Errorf("%+v: %+v", opt, sum)
		}
		wantTo := testEnd.AddDate(0, 0, 1)
		if h := opt.End.Sub(testEnd); h > 0 {
			wantTo = opt.End.Truncate(time.Minute)
		}
		if !sum.To.Equal(wantTo) || !sum.From.Equal(testEnd.AddDate(0, 0, -(opt.Days-1))) {
			t.Errorf("%+v: history [%v, %v), want [%v, %v)", opt, sum.From, sum.To, testEnd.AddDate(0, 0, -(opt.Days-1)), wantTo)
		}
		if got := totals(t, db, sum.From, sum.To.AddDate(0, 0, 1), 0).Calls; got != sum.Calls {
			t.Errorf("%+v: %d calls stored, summary says %d", opt, got, sum.Calls)
		}
	}
}

// TestSeedTiming logs how long the default seed took (not an assertion: run
// it with -v).
func TestSeedTiming(t *testing.T) {
	_, sum := sharedDB(t)
	t.Logf("seeded %d days: %d members, %d people, %d consumers, %d projects, %d milestones, %d activities, %d usage rows, %d calls in %v",
		defaultOpt.Days, sum.Members, sum.People, sum.Consumers, sum.Projects, sum.Milestones, sum.Activities, sum.UsageRows, sum.Calls,
		shared.took.Round(time.Millisecond))
}

func BenchmarkSeed(b *testing.B) {
	ctx := context.Background()
	var sum Summary
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, err := data.Open(ctx, datatest.Target(b))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if sum, err = Seed(ctx, db, defaultOpt); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(sum.UsageRows), "rows/op")
	b.ReportMetric(float64(sum.Activities), "activities/op")
}
