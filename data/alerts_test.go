package data_test

import (
	"context"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func TestAlertsOpenDedupeAndResolve(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	mustMember(t, db, "alpha")
	rules := []string{"health_below", "source_stale"}
	t0 := time.Date(2026, 6, 30, 10, 0, 0, 0, time.UTC)

	low := data.AlertCondition{Rule: "health_below", Subject: "alpha", Member: "alpha", Message: "health 30 is below 40"}
	stale := data.AlertCondition{Rule: "source_stale", Subject: "github", Message: "no successful run for 2h"}
	res, err := db.SyncAlerts(ctx, rules, []data.AlertCondition{low, stale}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(res.Opened), 2; got != want {
		t.Fatalf("first evaluation opened %d alerts, want %d", got, want)
	}

	// The same conditions again: nothing new opens, the message moves on.
	low.Message = "health 29 is below 40"
	res, err = db.SyncAlerts(ctx, rules, []data.AlertCondition{low, stale}, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(res.Opened) + len(res.Resolved); got != 0 {
		t.Errorf("second evaluation opened %d and resolved %d, want none", len(res.Opened), len(res.Resolved))
	}
	open, err := db.Alerts(ctx, data.AlertFilter{State: data.AlertOpen, Member: "alpha"})
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 1 {
		t.Fatalf("open alerts of alpha = %d, want 1", len(open))
	}
	a := open[0]
	if a.Message != low.Message || !a.FirstSeen.Equal(t0) || !a.LastSeen.Equal(t0.Add(time.Hour)) || a.MemberName != "ALPHA" {
		t.Errorf("open alert = %+v", a)
	}

	// The member recovers: its alert resolves, the source's stays open.
	res, err = db.SyncAlerts(ctx, rules, []data.AlertCondition{stale}, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Resolved) != 1 || res.Resolved[0].ID != a.ID || res.Open != 1 {
		t.Errorf("recovery: %+v", res)
	}
	// Evaluating another rule alone leaves these alerts alone.
	if _, err := db.SyncAlerts(ctx, []string{"milestone_overdue"}, nil, t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// It comes back: a new occurrence opens.
	res, err = db.SyncAlerts(ctx, rules, []data.AlertCondition{low, stale}, t0.Add(4*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Opened) != 1 || res.Opened[0].ID == a.ID {
		t.Errorf("relapse opened %+v, want one new alert", res.Opened)
	}
	all, err := db.Alerts(ctx, data.AlertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(all), 3; got != want {
		t.Errorf("alerts = %d, want %d (two of alpha, one of the source)", got, want)
	}
	if all[len(all)-1].State != data.AlertResolved {
		t.Errorf("open alerts are not listed first: %+v", all)
	}
	if _, err := db.SyncAlerts(ctx, rules, []data.AlertCondition{{Rule: "unknown", Subject: "x", Message: "y"}}, t0); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("condition of a rule not evaluated: err = %v", err)
	}
}

func TestAlertNotificationsAreRecorded(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	t0 := time.Date(2026, 6, 30, 10, 0, 0, 0, time.UTC)
	res, err := db.SyncAlerts(ctx, []string{"source_stale"}, []data.AlertCondition{{Rule: "source_stale", Subject: "github", Message: "stale"}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Opened[0].ID
	todo, err := db.AlertsToNotify(ctx, 2)
	if err != nil || len(todo) != 1 {
		t.Fatalf("to notify = %v, %v; want the new alert", todo, err)
	}
	if err := db.MarkAlertNotifyFailed(ctx, id, "", "HTTP 500"); err != nil {
		t.Fatal(err)
	}
	if todo, _ := db.AlertsToNotify(ctx, 2); len(todo) != 1 {
		t.Errorf("after one failed round: %d to notify, want 1", len(todo))
	}
	if todo, _ := db.AlertsToNotify(ctx, 1); len(todo) != 0 {
		t.Errorf("after the last allowed round: %d to notify, want 0", len(todo))
	}
	if err := db.MarkAlertNotified(ctx, id, t0); err != nil {
		t.Fatal(err)
	}
	if todo, _ := db.AlertsToNotify(ctx, 2); len(todo) != 0 {
		t.Errorf("a notified alert is to notify again")
	}
}

func TestAlertRuleInputs(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	a, b := mustMember(t, db, "alpha"), mustMember(t, db, "bravo")
	ca, cb := mustConsumer(t, db, "key-a", a.ID), mustConsumer(t, db, "key-b", b.ID)
	d := day(t, "2026-06-24")
	if err := db.AddUsage(ctx, []domain.UsageRollup{
		rollup(d.Add(3*time.Hour), ca.ID, 2, 90, 100),
		rollup(d.Add(4*time.Hour), ca.ID, 5, 10, 100),
		rollup(d.Add(5*time.Hour), cb.ID, 4, 5, 100),
		rollup(d.Add(5*time.Hour), cb.ID, 2, 95, 100),
		rollup(d.AddDate(0, 0, -30), cb.ID, 5, 1000, 100), // outside the range
	}); err != nil {
		t.Fatal(err)
	}
	calls, err := db.CallsByMember(ctx, d.AddDate(0, 0, -6), d.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	want := []data.MemberCalls{{Slug: "alpha", Name: "ALPHA", Calls: 100, Errors5xx: 10}, {Slug: "bravo", Name: "BRAVO", Calls: 100, Errors4xx: 5}}
	if len(calls) != len(want) || calls[0] != want[0] || calls[1] != want[1] {
		t.Errorf("calls by member = %+v, want %+v", calls, want)
	}

	p := &domain.Project{Slug: "joint", Name: "Joint", Status: domain.ProjectActive, StartOn: day(t, "2026-01-01"),
		Parties: []domain.ProjectParty{{MemberID: a.ID}, {MemberID: b.ID}}}
	if err := db.CreateProject(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := db.AddMilestones(ctx, []domain.Milestone{
		{ProjectID: p.ID, ExternalID: "1", Title: "late", DueOn: day(t, "2026-06-01")},
		{ProjectID: p.ID, ExternalID: "2", Title: "done late", DueOn: day(t, "2026-06-01"), DoneOn: day(t, "2026-06-26")},
		{ProjectID: p.ID, ExternalID: "3", Title: "done", DueOn: day(t, "2026-06-01"), DoneOn: day(t, "2026-06-02")},
		{ProjectID: p.ID, ExternalID: "4", Title: "due today", DueOn: d},
	}); err != nil {
		t.Fatal(err)
	}
	over, err := db.OverdueMilestones(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	// "late" and "done late" (still open on d), for both parties.
	if got, want := len(over), 4; got != want {
		t.Fatalf("overdue on %s = %+v, want %d rows", d.Format(domain.DateLayout), over, want)
	}
	if over[0].Member != "alpha" || over[0].Project != "joint" || over[2].Member != "bravo" {
		t.Errorf("overdue rows out of order: %+v", over)
	}
	over, err = db.OverdueMilestones(ctx, day(t, "2026-06-30"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(over), 4; got != want { // "late" and "due today", for both
		t.Errorf("overdue on 2026-06-30 = %d rows, want %d", got, want)
	}
}
