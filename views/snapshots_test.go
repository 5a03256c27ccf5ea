package views

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

func snapMember(slug string, health, phi float64) data.SnapshotMember {
	return data.SnapshotMember{Slug: slug, Name: strings.ToUpper(slug), Kind: "partner", Segment: "NLP", Tier: "gold",
		T: 0.5, I: 0.5, M: 0.5, C: 0.125, K: 1, Phi: phi, Health: health, Status: DefaultBands().band(health)}
}

// twoSnapshots stores two hand-made weeks: alpha rises, bravo falls,
// charlie stays, delta leaves and echo joins. Data was collected every day
// from 2026-04-01 to 2026-06-28: both weeks are complete, out of the
// warm-up.
func twoSnapshots(tb testing.TB, db *data.DB) {
	tb.Helper()
	ctx := context.Background()
	plantDataDays(tb, db, "2026-04-01", "2026-06-28")
	w24 := []data.SnapshotMember{snapMember("alpha", 50, 0.2), snapMember("bravo", 80, 0.5), snapMember("charlie", 60, 0.3), snapMember("delta", 30, 0.1)}
	w25 := []data.SnapshotMember{snapMember("alpha", 65.5, 0.4), snapMember("bravo", 70, 0.25), snapMember("charlie", 60, 0.3), snapMember("echo", 45, 0.05)}
	for _, s := range []struct {
		week, day string
		r, h      float64
		ms        []data.SnapshotMember
	}{{"2026-W24", "2026-06-14", 1.1, 55, w24}, {"2026-W25", "2026-06-21", 1.0, 60.25, w25}} {
		d, _ := domain.ParseDay(s.day)
		if err := db.CreateSnapshot(ctx, &data.Snapshot{Week: s.week, Day: d, R: s.r, Health: s.h}, s.ms); err != nil {
			tb.Fatal(err)
		}
	}
}

func changeSlugs(cs []MemberChange) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Slug)
	}
	return strings.Join(out, ",")
}

func refSlugs(rs []MemberRef) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Slug)
	}
	return strings.Join(out, ",")
}

func TestSnapshotRisersAndFallers(t *testing.T) {
	db := datatest.MustOpenDB(t)
	twoSnapshots(t, db)
	ctx := context.Background()

	d, err := BuildSnapshot(ctx, db, metrics.DefaultConfig(), "2026-W25")
	if err != nil {
		t.Fatal(err)
	}
	if d.Previous == nil || d.Previous.Week != "2026-W24" || d.Changes.Against != "2026-W24" {
		t.Fatalf("previous = %+v, against %q; want 2026-W24", d.Previous, d.Changes.Against)
	}
	ch := d.Changes
	for name, tc := range map[string]struct{ got, want string }{
		"health risers":  {changeSlugs(ch.HealthRisers), "alpha"},
		"health fallers": {changeSlugs(ch.HealthFallers), "bravo"},
		"φ risers":       {changeSlugs(ch.PhiRisers), "alpha"},
		"φ fallers":      {changeSlugs(ch.PhiFallers), "bravo"},
		"new":            {refSlugs(ch.New), "echo"},
		"gone":           {refSlugs(ch.Gone), "delta"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", name, tc.got, tc.want)
		}
	}
	if got, want := ch.HealthRisers[0], (MemberChange{Slug: "alpha", Name: "ALPHA", Before: 50, After: 65.5, Change: 15.5}); got != want {
		t.Errorf("alpha's rise = %+v, want %+v", got, want)
	}
	if got, want := ch.PhiFallers[0].Change, -0.25; got != want {
		t.Errorf("bravo's φ change = %v, want %v", got, want)
	}
	rows := map[string]SnapshotMemberRow{}
	for _, r := range d.Members {
		rows[r.Slug] = r
	}
	if r := rows["echo"]; !r.New || r.HealthChange != nil || r.PhiChange != nil {
		t.Errorf("echo = %+v, want new without changes", r)
	}
	if r := rows["charlie"]; r.New || r.HealthChange == nil || *r.HealthChange != 0 || *r.PhiChange != 0 {
		t.Errorf("charlie = %+v, want unchanged", r)
	}
	if got, want := rows["alpha"].PhiShare, 0.4; got != want {
		t.Errorf("alpha's φ share = %v, want %v (φ / R)", got, want)
	}
	if got, want := d.Members[0].Slug, "alpha"; got != want {
		t.Errorf("first row = %s, want %s (by descending φ)", got, want)
	}

	first, err := BuildSnapshot(ctx, db, metrics.DefaultConfig(), "2026-W24")
	if err != nil {
		t.Fatal(err)
	}
	if first.Previous != nil || len(first.Changes.New) != 0 || len(first.Changes.HealthRisers) != 0 || first.Members[0].HealthChange != nil {
		t.Errorf("the first snapshot has changes: %+v", first.Changes)
	}
	if _, err := BuildSnapshot(ctx, db, metrics.DefaultConfig(), "2026-W26"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("missing week: err = %v, want ENOTFOUND", err)
	}

	list, err := BuildSnapshots(ctx, db, metrics.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Snapshots) != 2 || list.Snapshots[0].Week != "2026-W25" || list.Snapshots[0].Members != 4 {
		t.Errorf("snapshot list = %+v", list.Snapshots)
	}
}

func TestRisersAreCappedAndTiesGoBySlug(t *testing.T) {
	var list []MemberChange
	for i := 0; i < 15; i++ {
		list = append(list, MemberChange{Slug: string(rune('a' + i)), Change: 1})
		list = append(list, MemberChange{Slug: string(rune('A' + i)), Change: -float64(i)})
	}
	up, down := risersAndFallers(list)
	if got, want := len(up), changeListLen; got != want {
		t.Errorf("%d risers, want %d", got, want)
	}
	if got, want := changeSlugs(up[:3]), "a,b,c"; got != want {
		t.Errorf("tied risers = %s, want %s", got, want)
	}
	if got, want := changeSlugs(down[:3]), "O,N,M"; got != want {
		t.Errorf("largest falls first = %s, want %s", got, want)
	}
	if got, want := len(down), changeListLen; got != want {
		t.Errorf("%d fallers, want %d (a zero change is neither)", got, want)
	}
}

func TestSnapshotPagesRenderAndEscape(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	twoSnapshots(t, db)
	hostile := data.SnapshotMember{Slug: "x", Name: hostileNames[0], Phi: 0.1, Health: 50, Status: domain.StatusWatch}
	formula := data.SnapshotMember{Slug: "y", Name: `=HYPERLINK("http://x","y")`, Phi: 0.05, Health: 20, Status: domain.StatusAtRisk}
	d, _ := domain.ParseDay("2026-06-28")
	if err := db.CreateSnapshot(ctx, &data.Snapshot{Week: "2026-W26", Day: d, R: 0.15, Health: 40, TakenAt: time.Now()},
		[]data.SnapshotMember{hostile, formula}); err != nil {
		t.Fatal(err)
	}
	r := newTestRenderer(t)
	detail, err := BuildSnapshot(ctx, db, metrics.DefaultConfig(), "2026-W26")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.SnapshotPage(&buf, *detail); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if strings.Contains(page, "<script>alert(1)") {
		t.Errorf("the snapshot page holds a hostile name unescaped")
	}
	if !strings.Contains(page, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the hostile name is not shown as text")
	}
	specs := pageChartSpecs(t, page)
	if s, ok := specs["chart-shapley-split-data"]; !ok || s.NoData || s.Option == nil {
		t.Errorf("no Shapley split chart: %+v", specs)
	}
	for _, want := range []string{`data-value="R">0.150<`, `data-value="health">40.0<`, `data-value="members">2<`,
		`href="/api/v1/snapshots/2026-W26?format=xlsx" download="ecopulse-2026-W26.xlsx"`, `Compared with <a href="/snapshots/2026-W25">2026-W25</a>`, "Risers and fallers since 2026-W25"} {
		if !strings.Contains(page, want) {
			t.Errorf("snapshot page lacks %q", want)
		}
	}

	list, err := BuildSnapshots(ctx, db, metrics.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := r.SnapshotsPage(&buf, *list); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"2026-W24", "2026-W25", "2026-W26"} {
		if !strings.Contains(buf.String(), `href="/snapshots/`+w+`"`) {
			t.Errorf("snapshot list does not link %s", w)
		}
	}
	if s := pageChartSpecs(t, buf.String())["chart-snapshot-health-data"]; s.NoData {
		t.Errorf("snapshot list has no health trend")
	}
	buf.Reset()
	if err := r.SnapshotsPage(&buf, SnapshotList{Snapshots: []SnapshotSummary{}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "No snapshot yet") {
		t.Errorf("empty snapshot list does not say so")
	}
}

func TestBuildAlerts(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	d, _ := domain.ParseDay("2026-01-01")
	if err := db.CreateMember(ctx, &domain.Member{Slug: "alpha", Name: "Alpha", Kind: domain.KindPartner, JoinedOn: d}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 6, 30, 10, 0, 0, 0, time.UTC)
	conds := []data.AlertCondition{
		{Rule: RuleHealthBelow, Subject: "alpha", Member: "alpha", Message: "health 30 is below 40"},
		{Rule: RuleSourceStale, Subject: "github", Message: "source github has not collected"},
	}
	if _, err := db.SyncAlerts(ctx, AlertRules, conds, at); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SyncAlerts(ctx, AlertRules, conds[:1], at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	all, err := BuildAlerts(ctx, db, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Open) != 1 || len(all.Resolved) != 1 || all.Open[0].RuleLabel != "Low health" || all.Open[0].MemberName != "Alpha" {
		t.Errorf("alerts = %+v", all)
	}
	mine, err := BuildAlerts(ctx, db, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	if len(mine.Open) != 1 || len(mine.Resolved) != 0 || mine.Member != "alpha" {
		t.Errorf("alpha's alerts = %+v", mine)
	}
	// The partial member pages use renders them as text.
	r := newTestRenderer(t)
	tmpl := r.pages["overview"]
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "alerts_list", all); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "health 30 is below 40") || !strings.Contains(buf.String(), `href="/members/alpha"`) {
		t.Errorf("alerts_list = %s", buf.String())
	}
}
