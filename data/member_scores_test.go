package data_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func TestMemberScoresOnDays(t *testing.T) {
	db := datatest.MustOpenDB(t)
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

func TestMemberHealthOnDays(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	a := mustMember(t, db, "alpha")
	b := mustMember(t, db, "beta")
	for i, d := range []string{"2026-03-01", "2026-03-08", "2026-03-10"} {
		s := &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: day(t, d), Health: 50}, Members: []domain.MemberScore{
			// Fractions with 17 significant digits: the points must come
			// back as the very floats stored.
			{MemberID: b.ID, Health: 30 - float64(i) + 1.0/3, Status: domain.StatusAtRisk},
			{MemberID: a.ID, Health: 60 + float64(i) + 0.1, Status: domain.StatusWatch},
		}}
		if err := db.SaveDayScores(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.MemberHealthOn(ctx, []time.Time{day(t, "2026-03-10"), day(t, "2026-03-02"), day(t, "2026-03-01")})
	if err != nil {
		t.Fatal(err)
	}
	// By day, then member; the day without scores absent.
	want := []struct {
		day    string
		member int64
		health float64
	}{{"2026-03-01", a.ID, 60.1}, {"2026-03-01", b.ID, 30 + 1.0/3}, {"2026-03-10", a.ID, 62.1}, {"2026-03-10", b.ID, 28 + 1.0/3}}
	if a.ID > b.ID {
		want[0], want[1], want[2], want[3] = want[1], want[0], want[3], want[2]
	}
	if len(got) != len(want) {
		t.Fatalf("points = %+v, want %d", got, len(want))
	}
	for i, w := range want {
		if g := got[i]; g.Day.Format(domain.DateLayout) != w.day || g.MemberID != w.member || g.Health != w.health {
			t.Errorf("point %d = %s member %d health %v, want %s member %d health %v",
				i, g.Day.Format(domain.DateLayout), g.MemberID, g.Health, w.day, w.member, w.health)
		}
	}
	if none, err := db.MemberHealthOn(ctx, nil); err != nil || len(none) != 0 {
		t.Errorf("no days: %v, %v", none, err)
	}
	if _, err := db.MemberHealthOn(ctx, make([]time.Time, 401)); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("401 days: %v, want EINVALID", err)
	}
	st, err := db.MemberStatusesOn(ctx, day(t, "2026-03-08"))
	if err != nil {
		t.Fatal(err)
	}
	wantSt := map[int64]data.HealthPoint{a.ID: {Health: 61.1, Status: domain.StatusWatch}, b.ID: {Health: 29 + 1.0/3, Status: domain.StatusAtRisk}}
	if len(st) != 2 || st[0].MemberID > st[1].MemberID {
		t.Fatalf("statuses on 2026-03-08 = %+v, want two by member", st)
	}
	for _, p := range st {
		if w := wantSt[p.MemberID]; p.Health != w.Health || p.Status != w.Status || p.Day.Format(domain.DateLayout) != "2026-03-08" {
			t.Errorf("member %d on 2026-03-08: %+v, want health %v, %s", p.MemberID, p, w.Health, w.Status)
		}
	}
}
