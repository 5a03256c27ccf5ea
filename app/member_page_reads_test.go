package app

import (
	"context"
	"testing"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/metrics"
	"github.com/ecopulse/ecopulse/views"
)

// memberPageSlugs returns every eighth member's slug of db.
func memberPageSlugs(tb testing.TB, db *data.DB) []string {
	tb.Helper()
	ms, err := db.Members(context.Background())
	if err != nil || len(ms) == 0 {
		tb.Fatalf("members: %d, %v", len(ms), err)
	}
	var slugs []string
	for i := 0; i < len(ms); i += 8 {
		slugs = append(slugs, ms[i].Slug)
	}
	return slugs
}

// TestMemberPageIsOneRead holds the member page to one question of the
// store: one read transaction, one snapshot of the database, whether the
// day is scored or not, for a range of usage of its own or not.
func TestMemberPageIsOneRead(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	slug := memberPageSlugs(t, db)[1]
	for _, p := range []views.MemberParams{
		{Slug: slug},
		{Slug: slug, At: demoEnd.AddDate(0, 0, -10)},
		{Slug: slug, From: demoEnd.AddDate(0, 0, -90), To: demoEnd.AddDate(0, 0, -30)},
		{Slug: slug, At: demoEnd.AddDate(0, 0, -100)}, // before the first scored day: snaps to it
	} {
		before := db.Reads()
		d, err := views.BuildMember(ctx, db, metrics.DefaultConfig(), p)
		if err != nil {
			t.Fatalf("%+v: %v", p, err)
		}
		if d.Score == nil || d.Usage.Totals.Calls == 0 {
			t.Fatalf("%+v: the page shows no score or no usage: the count proves nothing", p)
		}
		if n := db.Reads() - before; n != 1 {
			t.Errorf("%+v: the member page took %d reads of the store, want 1", p, n)
		}
	}
}

// BenchmarkBuildMember builds the member pages of every eighth member of the
// demo ecosystem (40 members, 180 days, the last five weeks scored) in turn.
func BenchmarkBuildMember(b *testing.B) {
	db := seededDB(b)
	ctx := context.Background()
	slugs := memberPageSlugs(b, db)
	b.ReportAllocs()
	b.ResetTimer()
	before := db.Reads()
	for i := 0; i < b.N; i++ {
		if _, err := views.BuildMember(ctx, db, metrics.DefaultConfig(), views.MemberParams{Slug: slugs[i%len(slugs)]}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(db.Reads()-before)/float64(b.N), "reads/op")
}

// TestEveryPageIsOneRead holds the other pages to one read of the store
// each: their builders run in one snapshot (data.DB.Snapshot), so a page
// never mixes two states of the database, however many questions it asks.
func TestEveryPageIsOneRead(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	cfg := metrics.DefaultConfig()
	membersQuery, err := views.ParseMembersQuery(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	ags, err := db.Agreements(ctx)
	if err != nil || len(ags) == 0 {
		t.Fatalf("agreements: %d, %v", len(ags), err)
	}
	agreement := ags[0].Slug
	pages := map[string]func() (any, error){
		"overview":    func() (any, error) { return views.BuildOverviewFor(ctx, db, cfg, views.OverviewQuery{}) },
		"members":     func() (any, error) { return views.BuildMembers(ctx, db, membersQuery) },
		"api usage":   func() (any, error) { return views.BuildAPIUsage(ctx, db, cfg, views.APIUsageParams{}) },
		"community":   func() (any, error) { return views.BuildCommunity(ctx, db, cfg, views.RangeParams{}) },
		"developers":  func() (any, error) { return views.BuildDevelopers(ctx, db, views.RangeParams{}) },
		"network":     func() (any, error) { return views.BuildNetwork(ctx, db, demoEnd, "") },
		"projects":    func() (any, error) { return views.BuildProjects(ctx, db, views.ProjectsParams{}) },
		"scores":      func() (any, error) { return views.BuildScores(ctx, db, demoEnd) },
		"snapshots":   func() (any, error) { return views.BuildSnapshots(ctx, db, cfg) },
		"setup":       func() (any, error) { return views.BuildSetup(ctx, db) },
		"alert inbox": func() (any, error) { return views.BuildAlertInbox(ctx, db, views.AlertQuery{}, demoEnd) },
		"allocation": func() (any, error) {
			return views.BuildAllocation(ctx, db, views.AllocationQuery{Period: "2026-06", Pool: "1000", Rule: "equal", Agreement: agreement})
		},
	}
	for name, build := range pages {
		before := db.Reads()
		if _, err := build(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n := db.Reads() - before; n != 1 {
			t.Errorf("the %s page took %d reads of the store, want 1", name, n)
		}
	}
}
