package data_test

import (
	"context"
	"math"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func TestMemberCommunityWeeks(t *testing.T) {
	db := datatest.MustOpenDB(t)
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
