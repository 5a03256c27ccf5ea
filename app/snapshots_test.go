package app

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// The demo's last day, 2026-06-30, is the Tuesday of 2026-W27: W26 (Sunday
// 2026-06-28) is the last closed week, and the seeded scores cover every day
// from 2026-05-26.
const (
	closedWeek   = "2026-W26"
	closedSunday = "2026-06-28"
)

func snapshotEnv(tb testing.TB, db *data.DB, now time.Time) (*Env, *bytes.Buffer) {
	tb.Helper()
	var out bytes.Buffer
	cfg := config.Default()
	cfg.DB = db.Path()
	return &Env{Config: cfg, Log: quietLogger(), Out: &out, Now: func() time.Time { return now }}, &out
}

func mustTakeSnapshot(tb testing.TB, db *data.DB, week string) *data.Snapshot {
	tb.Helper()
	s, err := takeSnapshot(context.Background(), db, NewScorer(db, config.Default().Scoring, quietLogger()), week, demoEnd)
	if err != nil {
		tb.Fatalf("snapshot of %s: %v", week, err)
	}
	return s
}

func TestSnapshotIsTakenOnceAndNeverRewritten(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	env, out := snapshotEnv(t, db, demoEnd.Add(9*time.Hour))
	if err := Snapshot(ctx, env, ""); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "snapshot of "+closedWeek+" taken: scores of "+closedSunday; !strings.HasPrefix(got, want) {
		t.Errorf("output = %q, want it to start with %q", got, want)
	}
	s, err := db.SnapshotOf(ctx, closedWeek)
	if err != nil {
		t.Fatal(err)
	}
	err = Snapshot(ctx, env, closedWeek)
	if got, want := domain.ErrorCode(err), domain.ECONFLICT; got != want {
		t.Fatalf("second snapshot of %s: err = %v, want %s", closedWeek, err, want)
	}
	want := "snapshot of " + closedWeek + " exists (taken " + s.TakenAt.Format(time.RFC3339) + "); snapshots are never rewritten"
	if got := domain.ErrorMessage(err); got != want {
		t.Errorf("refusal = %q, want %q", got, want)
	}
	again, err := db.SnapshotOf(ctx, closedWeek)
	if err != nil {
		t.Fatal(err)
	}
	if *again != *s {
		t.Errorf("the refused snapshot changed the stored one: %+v, was %+v", again, s)
	}
}

func TestSnapshotOfAnOpenWeekIsRefused(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	scorer := NewScorer(db, config.Default().Scoring, quietLogger())
	for _, tc := range []struct {
		week string
		now  time.Time
	}{
		{"2026-W27", demoEnd}, // the current week
		{"2026-W30", demoEnd}, // a future week
		{closedWeek, time.Date(2026, 6, 28, 23, 59, 59, 0, time.UTC)}, // its last second
	} {
		_, err := takeSnapshot(ctx, scorer.db, scorer, tc.week, tc.now)
		if got, want := domain.ErrorCode(err), domain.EINVALID; got != want {
			t.Errorf("snapshot of %s at %s: err = %v, want %s", tc.week, tc.now, err, want)
		} else if msg := domain.ErrorMessage(err); !strings.Contains(msg, "has not closed yet") {
			t.Errorf("refusal = %q", msg)
		}
	}
	if _, err := takeSnapshot(ctx, db, scorer, "2026-26", demoEnd); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("malformed week: err = %v, want EINVALID", err)
	}
	if list, _ := db.Snapshots(ctx); len(list) != 0 {
		t.Errorf("refused snapshots were stored: %+v", list)
	}
}

func TestSnapshotRowsAreTheSundayScoresAndSurviveARename(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	s := mustTakeSnapshot(t, db, closedWeek)
	sunday, _ := domain.ParseDay(closedSunday)
	if !s.Day.Equal(sunday) {
		t.Errorf("snapshot day = %s, want %s", s.Day, closedSunday)
	}
	eco, err := db.EcosystemScoreOn(ctx, sunday)
	if err != nil {
		t.Fatal(err)
	}
	if s.R != eco.R || s.Health != eco.Health {
		t.Errorf("snapshot R, health = %v, %v; Sunday's = %v, %v", s.R, s.Health, eco.R, eco.Health)
	}
	scores, err := db.ScoresOn(ctx, sunday)
	if err != nil {
		t.Fatal(err)
	}
	frozen, err := db.SnapshotMembers(ctx, closedWeek)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(frozen), len(scores); got != want || want < 30 {
		t.Fatalf("snapshot has %d members, Sunday has %d scored", got, want)
	}
	bySlug := map[string]data.SnapshotMember{}
	var phi float64
	for _, m := range frozen {
		bySlug[m.Slug] = m
		phi += m.Phi
	}
	for _, sm := range scores {
		sc := sm.Score
		want := data.SnapshotMember{Slug: sm.Slug, Name: sm.Name, Kind: string(sm.Kind), Segment: sm.Segment, Tier: sm.Tier,
			T: sc.T, I: sc.I, M: sc.M, C: sc.C, K: sc.K, Phi: sc.Phi, Health: sc.Health, Status: sc.Status}
		e := sc.Explain() // the reason is frozen in words with the numbers
		want.Reason, want.ReasonKind = e.Text, e.Kind
		got := bySlug[sm.Slug]
		fs, _ := got.Score()
		facts := got.Facts // with the facts the reason was said from
		got.Facts = nil
		if got != want {
			t.Errorf("%s: frozen %+v, Sunday's score %+v", sm.Slug, got, want)
		}
		if facts == nil || !reflect.DeepEqual(facts.Changes, sc.Changes) {
			t.Errorf("%s: frozen with facts %+v, want Sunday's changes %+v", sm.Slug, facts, sc.Changes)
		} else if fs.Explain() != e {
			t.Errorf("%s: the frozen facts say %+v, the frozen reason is %+v", sm.Slug, fs.Explain(), e)
		}
	}
	if math.Abs(phi-s.R) > 1e-9*math.Max(1, s.R) {
		t.Errorf("Σ φ = %v, R = %v", phi, s.R)
	}

	// Renaming a member afterwards changes neither the snapshot nor its page.
	victim := frozen[0]
	renameMember(t, db, victim.Slug, "Renamed Later Inc")
	d, err := views.BuildSnapshot(ctx, db, config.Default().Scoring, closedWeek)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Members[0]; got.Slug != victim.Slug || got.Name != victim.Name {
		t.Errorf("after a rename the snapshot shows %s %q, want %q", got.Slug, got.Name, victim.Name)
	}
	_, page, _ := get(t, newTestApp(t, db).Fiber(), "/snapshots/"+closedWeek)
	if strings.Contains(page, "Renamed Later Inc") {
		t.Errorf("the snapshot page shows the new name")
	}
}

func TestSnapshotScoresAMissingSunday(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	sunday, _ := domain.ParseDay("2026-05-24") // before the seeded scores
	if _, err := db.EcosystemScoreOn(ctx, sunday); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("the fixture scored %s already (err = %v)", sunday.Format(domain.DateLayout), err)
	}
	s := mustTakeSnapshot(t, db, "2026-W21")
	eco, err := db.EcosystemScoreOn(ctx, sunday)
	if err != nil {
		t.Fatalf("the Sunday was not scored: %v", err)
	}
	if s.R != eco.R || s.Members < 30 {
		t.Errorf("snapshot of a freshly scored Sunday: %+v, Sunday R = %v", s, eco.R)
	}
}

func TestSnapshotJobCatchesUpOnClosedWeeksOnce(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	scorer := NewScorer(db, config.Default().Scoring, quietLogger())
	taken, err := catchUpSnapshots(ctx, db, scorer, demoEnd, 26)
	if err != nil {
		t.Fatal(err)
	}
	var weeks []string
	for _, s := range taken {
		weeks = append(weeks, s.Week)
	}
	// Scores start on 2026-05-26: the Sundays of W22..W26 are scored.
	if got, want := strings.Join(weeks, ","), "2026-W22,2026-W23,2026-W24,2026-W25,2026-W26"; got != want {
		t.Errorf("caught up %s, want %s", got, want)
	}
	taken, err = catchUpSnapshots(ctx, db, scorer, demoEnd, 26)
	if err != nil || len(taken) != 0 {
		t.Errorf("a second run took %d snapshots (err %v), want none", len(taken), err)
	}
	// With catch-up 1, only the week that just closed is taken.
	db2 := seededDB(t)
	taken, err = catchUpSnapshots(ctx, db2, NewScorer(db2, config.Default().Scoring, quietLogger()), demoEnd, 1)
	if err != nil || len(taken) != 1 || taken[0].Week != closedWeek {
		t.Errorf("catch_up_weeks 1 took %v (err %v), want only %s", taken, err, closedWeek)
	}
	// An empty store has nothing to snapshot.
	if taken, err := catchUpSnapshots(ctx, datatest.MustOpenDB(t), scorer, demoEnd, 26); err != nil || len(taken) != 0 {
		t.Errorf("empty store: %v, %v", taken, err)
	}
}

func TestScoringRunTakesMissedSnapshotsAndEvaluatesAlerts(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	a := newTestApp(t, db)
	if err := a.Scorer().Run(ctx, demoEnd, 0); err != nil {
		t.Fatal(err)
	}
	list, err := db.Snapshots(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The demo's 180 days of history are scored on their Sundays by this
	// run (data not scored yet is scored however old), so every closed week
	// the catch-up reaches is taken.
	if want := config.DefaultSnapshotConfig().CatchUpWeeks; len(list) != want || list[0].Week != closedWeek {
		t.Errorf("after the first scoring run: %d snapshots, newest %s; want %d up to %s", len(list), list[0].Week, want, closedWeek)
	}
	open, err := db.Alerts(ctx, data.AlertFilter{State: data.AlertOpen})
	if err != nil {
		t.Fatal(err)
	}
	if len(open) == 0 {
		t.Errorf("the scoring run evaluated no alert (the demo has members at risk)")
	}
}

func TestSnapshotScheduleWithTimeZoneParses(t *testing.T) {
	def := config.DefaultSnapshotConfig()
	if err := def.Validate(); err != nil {
		t.Fatalf("default snapshot config: %v", err)
	}
	if got, want := def.Spec(), "CRON_TZ=UTC 15 0 * * 1"; got != want {
		t.Errorf("default spec = %q, want %q", got, want)
	}
	c := config.SnapshotConfig{Schedule: "15 0 * * 1", Timezone: "Europe/Paris", CatchUpWeeks: 4}
	if got, want := c.Spec(), "CRON_TZ=Europe/Paris 15 0 * * 1"; got != want {
		t.Errorf("spec = %q, want %q", got, want)
	}
	sched, err := cron.ParseStandard(c.Spec())
	if err != nil {
		t.Fatal(err)
	}
	// Monday 00:15 in Paris (CEST, UTC+2) is Sunday 22:15 UTC.
	next := sched.Next(time.Date(2026, 6, 28, 12, 0, 0, 0, time.UTC))
	if got, want := next.UTC(), time.Date(2026, 6, 28, 22, 15, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("next run = %s, want %s", got, want)
	}
	if got := (config.SnapshotConfig{Schedule: "TZ=Asia/Tokyo 0 1 * * 1", Timezone: "UTC", CatchUpWeeks: 1}).Spec(); got != "TZ=Asia/Tokyo 0 1 * * 1" {
		t.Errorf("a spec with its own zone became %q", got)
	}
	for _, bad := range []config.SnapshotConfig{
		{Schedule: "15 0 * * 1", Timezone: "Mars/Olympus", CatchUpWeeks: 1},
		{Schedule: "every monday", Timezone: "UTC", CatchUpWeeks: 1},
		{Schedule: "15 0 * * 1", Timezone: "UTC", CatchUpWeeks: 0},
	} {
		if err := bad.Validate(); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%+v: Validate = %v, want EINVALID", bad, err)
		}
	}
	cfg := config.Default()
	cfg.Snapshots.Schedule = "61 0 * * 1"
	if _, err := New(cfg, datatest.MustOpenDB(t), quietLogger()); err == nil {
		t.Errorf("New accepted a bad snapshot schedule")
	}
}

func TestExportCommandWritesFilesWhole(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	mustTakeSnapshot(t, db, closedWeek)
	env, out := snapshotEnv(t, db, demoEnd)
	dir := t.TempDir()
	for _, format := range []string{"csv", "xlsx", "json"} {
		path := filepath.Join(dir, "out."+format)
		if err := Export(ctx, env, closedWeek, format, path); err != nil {
			t.Fatalf("export %s: %v", format, err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		checkExport(t, format, b, closedWeek)
	}
	out.Reset()
	if err := Export(ctx, env, "", "csv", "-"); err != nil { // the latest snapshot, to stdout
		t.Fatal(err)
	}
	checkExport(t, "csv", out.Bytes(), closedWeek)
	if err := Export(ctx, env, closedWeek, "pdf", filepath.Join(dir, "x.pdf")); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("export as pdf: err = %v, want EINVALID", err)
	}
	if err := Export(ctx, env, "2026-W20", "csv", filepath.Join(dir, "missing.csv")); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("export of a week without snapshot: err = %v, want ENOTFOUND", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("files left in the output directory: %v, want the three exports", names)
	}
}
