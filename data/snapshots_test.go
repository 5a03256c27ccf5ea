package data_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func TestParseISOWeek(t *testing.T) {
	for _, tc := range []struct {
		week, monday string
	}{
		{"2026-W26", "2026-06-22"},
		{"2026-W01", "2025-12-29"}, // week 1 holds January 4th
		{"2026-W53", "2026-12-28"}, // 2026 starts on a Thursday: 53 weeks
		{"2021-W01", "2021-01-04"},
	} {
		got, err := data.ParseISOWeek(tc.week)
		if err != nil {
			t.Errorf("ParseISOWeek(%s): %v", tc.week, err)
			continue
		}
		if got, want := got.Format(domain.DateLayout), tc.monday; got != want {
			t.Errorf("ParseISOWeek(%s) = %s, want %s", tc.week, got, want)
		}
		if got, want := domain.ISOWeek(got), tc.week; got != want {
			t.Errorf("ISOWeek(ParseISOWeek(%s)) = %s", tc.week, got)
		}
	}
	for _, bad := range []string{"2025-W53", "2026-W00", "2026-W1", "2026W26", "26-W26", "2026-W26 ", ""} {
		if _, err := data.ParseISOWeek(bad); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("ParseISOWeek(%q) err = %v, want EINVALID", bad, err)
		}
	}
}

func TestLastClosedWeekSunday(t *testing.T) {
	for _, tc := range []struct {
		now  time.Time
		want string
	}{
		{time.Date(2026, 11, 29, 23, 59, 0, 0, time.UTC), "2026-11-22"}, // Sunday: its week is still open
		{time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), "2026-11-29"},   // Monday 00:00: it closed
		{time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC), "2026-06-28"},
	} {
		if got := data.LastClosedWeekSunday(tc.now).Format(domain.DateLayout); got != tc.want {
			t.Errorf("LastClosedWeekSunday(%s) = %s, want %s", tc.now, got, tc.want)
		}
	}
}

func TestSnapshotsAreStoredOnceAndListed(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	members := []data.SnapshotMember{
		{Slug: "alpha", Name: "Alpha", Kind: "partner", Segment: "NLP", Tier: "gold", T: 0.5, I: 0.25, M: 0.125, C: 0.015625, K: 1.5, Phi: 0.75, Health: 71.25, Status: domain.StatusHealthy},
		{Slug: "bravo", Name: "Bravo", Kind: "research", T: 1, Phi: 0.25, Health: 12, Status: domain.StatusAtRisk},
	}
	s := &data.Snapshot{Week: "2026-W25", Day: day(t, "2026-06-21"), R: 1, Health: 60, TakenAt: time.Date(2026, 6, 22, 0, 15, 0, 0, time.UTC)}
	if err := db.CreateSnapshot(ctx, s, members); err != nil {
		t.Fatal(err)
	}
	again := &data.Snapshot{Week: "2026-W25", Day: day(t, "2026-06-21"), R: 2, Health: 10}
	err := db.CreateSnapshot(ctx, again, members[:1])
	if got, want := domain.ErrorCode(err), domain.ECONFLICT; got != want {
		t.Fatalf("second snapshot of a week: err = %v, want %s", err, want)
	}
	if msg := domain.ErrorMessage(err); !strings.Contains(msg, "snapshot of 2026-W25 exists (taken 2026-06-22T00:15:00Z)") || !strings.Contains(msg, "never rewritten") {
		t.Errorf("conflict message = %q", msg)
	}
	got, err := db.SnapshotOf(ctx, "2026-W25")
	if err != nil {
		t.Fatal(err)
	}
	if got.R != 1 || got.Health != 60 || got.Members != 2 || got.Day.Format(domain.DateLayout) != "2026-06-21" {
		t.Errorf("snapshot after a refused rewrite = %+v", got)
	}
	ms, err := db.SnapshotMembers(ctx, "2026-W25")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0] != members[0] || ms[1] != members[1] {
		t.Errorf("snapshot members = %+v, want %+v", ms, members)
	}

	if err := db.CreateSnapshot(ctx, &data.Snapshot{Week: "2026-W23", Day: day(t, "2026-06-07")}, members[1:]); err != nil {
		t.Fatal(err)
	}
	list, err := db.Snapshots(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Week != "2026-W25" || list[1].Week != "2026-W23" || list[1].Members != 1 {
		t.Errorf("snapshots = %+v, want W25 then W23", list)
	}
	prev, err := db.PreviousSnapshot(ctx, "2026-W25")
	if err != nil || prev.Week != "2026-W23" {
		t.Errorf("previous of W25 = %v, %v; want W23", prev, err)
	}
	if _, err := db.PreviousSnapshot(ctx, "2026-W23"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("previous of the first snapshot: err = %v, want ENOTFOUND", err)
	}
	if _, err := db.SnapshotOf(ctx, "2026-W24"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("missing snapshot: err = %v, want ENOTFOUND", err)
	}
	if _, err := db.SnapshotOf(ctx, "W24"); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("bad week: err = %v, want EINVALID", err)
	}
}

func TestFreezeSnapshotCopiesTheDayInOneGo(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	sunday := day(t, "2026-06-28")
	if _, err := db.FreezeSnapshot(ctx, "2026-W26", sunday, time.Now()); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("freeze of an unscored day: err = %v, want ENOTFOUND", err)
	}
	if err := db.SaveDayScores(ctx, &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: sunday, R: 2, Health: 50}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FreezeSnapshot(ctx, "2026-W26", sunday, time.Now()); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("freeze of a day without members: err = %v, want EINVALID", err)
	}
	a := mustMember(t, db, "alpha")
	if err := db.SaveDayScores(ctx, &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: sunday, R: 2, Health: 50},
		Members: []domain.MemberScore{{MemberID: a.ID, T: 1, I: 0.5, M: 0.25, C: 0.125, K: 16, Phi: 2, Health: 50, Status: domain.StatusWatch}}}); err != nil {
		t.Fatal(err)
	}
	s, err := db.FreezeSnapshot(ctx, "2026-W26", sunday, time.Date(2026, 6, 29, 0, 15, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if s.R != 2 || s.Health != 50 || s.Members != 1 {
		t.Errorf("frozen snapshot = %+v", s)
	}
	ms, err := db.SnapshotMembers(ctx, "2026-W26")
	if err != nil {
		t.Fatal(err)
	}
	// Watch, no change recorded, every dimension 0: its reason names the
	// first lowest dimension other than cooperation, and is frozen with the
	// facts it was said from.
	want := data.SnapshotMember{Slug: "alpha", Name: "ALPHA", Kind: "partner", Segment: "NLP", T: 1, I: 0.5, M: 0.25, C: 0.125, K: 16, Phi: 2, Health: 50, Status: domain.StatusWatch,
		Reason: "API quality 0/100, its lowest dimension; nothing fell against its own baseline", ReasonKind: domain.ReasonLowDimension,
		Facts: &data.SnapshotFacts{}}
	if len(ms) != 1 || !reflect.DeepEqual(ms[0], want) {
		t.Errorf("frozen members = %+v, want %+v", ms, want)
	}
	if _, err := db.FreezeSnapshot(ctx, "2026-W26", sunday, time.Now()); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("second freeze: err = %v, want ECONFLICT", err)
	}
	if err := db.RenameMember(ctx, "alpha", "Alpha Renamed"); err != nil {
		t.Fatal(err)
	}
	if ms, _ := db.SnapshotMembers(ctx, "2026-W26"); ms[0].Name != "ALPHA" {
		t.Errorf("a rename reached the snapshot: %q", ms[0].Name)
	}
}
