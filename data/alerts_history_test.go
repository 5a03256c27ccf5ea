package data_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// historyRules are the rules these tests evaluate; "other" is never
// evaluated by them, so its alerts must be left alone.
var historyRules = []string{"usage_drop", "latency"}

// saveDays stores empty ecosystem scores for days: the saves are what
// marks days for the alert history.
func saveDays(tb testing.TB, db *data.DB, days ...time.Time) {
	tb.Helper()
	for _, d := range days {
		if err := db.SaveDayScores(context.Background(), &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: d}}); err != nil {
			tb.Fatal(err)
		}
	}
}

// cond is a condition of rule about member: opening (score under the open
// threshold) or only holding (between the open and close thresholds).
func cond(rule, member string, hold bool) data.AlertCondition {
	return data.AlertCondition{Rule: rule, Subject: member, Member: member, Hold: hold,
		Message: fmt.Sprintf("%s of %s (hold %v)", rule, member, hold)}
}

// episodesOf lists the stored alerts of a rule as "opened→closed" spans
// ("…" while open), by opening day, with their ids.
func episodesOf(tb testing.TB, db *data.DB, rule string) ([]string, []int64) {
	tb.Helper()
	all, err := db.Alerts(context.Background(), data.AlertFilter{Rule: rule})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].OpenedOn.Before(all[j].OpenedOn) })
	var spans []string
	var ids []int64
	for _, a := range all {
		end := "…"
		if !a.ClosedOn.IsZero() {
			end = a.ClosedOn.Format("01-02")
		}
		if (a.State == data.AlertOpen) != a.ClosedOn.IsZero() {
			tb.Errorf("alert %d: state %s with closed_on %v", a.ID, a.State, a.ClosedOn)
		}
		spans = append(spans, a.OpenedOn.Format("01-02")+"→"+end)
		ids = append(ids, a.ID)
	}
	return spans, ids
}

// historyDays are eight consecutive scored days from 2026-06-01.
func historyDays(t *testing.T) []time.Time {
	var out []time.Time
	for i := range 8 {
		out = append(out, day(t, "2026-06-01").AddDate(0, 0, i))
	}
	return out
}

// TestAlertHistoryOpensAndClosesDayByDayWithHysteresis records eight days
// of a signal that dips, hovers between the thresholds, recovers and dips
// again: one episode per dip, none for hovering alone, with the days right.
func TestAlertHistoryOpensAndClosesDayByDayWithHysteresis(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	mustMember(t, db, "alpha")
	d := historyDays(t)
	saveDays(t, db, d...)

	mark, err := db.AlertsStaleFrom(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !mark.From.Equal(d[0]) {
		t.Fatalf("days waiting for alerts from %v, want %v (every save marks its day)", mark.From, d[0])
	}
	// Day by day: below open, hovering (hold) twice, recovered, hovering
	// with nothing open, below open, below open, hovering.
	byDay := [][]data.AlertCondition{
		nil,
		{cond("usage_drop", "alpha", false)},
		{cond("usage_drop", "alpha", true)},
		{cond("usage_drop", "alpha", true)},
		nil,
		{cond("usage_drop", "alpha", true)},
		{cond("usage_drop", "alpha", false)},
		{cond("usage_drop", "alpha", true)},
	}
	var days []data.AlertDay
	for i, cs := range byDay {
		days = append(days, data.AlertDay{Day: d[i], Conds: cs})
	}
	at := d[7].Add(20 * time.Hour)
	res, err := db.RecordAlertHistory(ctx, historyRules, days, mark, at)
	if err != nil {
		t.Fatal(err)
	}
	spans, _ := episodesOf(t, db, "usage_drop")
	if want := []string{"06-02→06-05", "06-07→…"}; strings.Join(spans, " ") != strings.Join(want, " ") {
		t.Errorf("episodes = %v, want %v (hovering keeps an alert open and opens none)", spans, want)
	}
	if len(res.Opened) != 2 || res.Open != 1 {
		t.Errorf("recorded %d episodes with %d open, want 2 and 1", len(res.Opened), res.Open)
	}
	open, err := db.Alerts(ctx, data.AlertFilter{State: data.AlertOpen})
	if err != nil || len(open) != 1 || open[0].Message != "usage_drop of alpha (hold true)" {
		t.Errorf("open alerts = %+v, %v: want the second episode with the last day's message", open, err)
	}
	if m, _ := db.AlertsStaleFrom(ctx); !m.From.IsZero() {
		t.Errorf("days still waiting after the history was recorded: from %v", m.From)
	}

	// Open on a day: from its opening day up to the day before it closed.
	for _, c := range []struct {
		day  time.Time
		want int
	}{{d[0], 0}, {d[1], 1}, {d[3], 1}, {d[4], 0}, {d[5], 0}, {d[6], 1}, {d[7], 1}} {
		on, err := db.Alerts(ctx, data.AlertFilter{At: c.day})
		if err != nil {
			t.Fatal(err)
		}
		if len(on) != c.want {
			t.Errorf("alerts open on %s = %d, want %d", c.day.Format(domain.DateLayout), len(on), c.want)
		}
	}

	// Recording the same days again changes nothing.
	if _, err := db.RecordAlertHistory(ctx, historyRules, days, data.AlertMark{}, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if again, _ := episodesOf(t, db, "usage_drop"); strings.Join(again, " ") != strings.Join(spans, " ") {
		t.Errorf("the same history recorded twice: %v, then %v", spans, again)
	}
	if _, err := db.RecordAlertHistory(ctx, historyRules, []data.AlertDay{{Day: d[2]}, {Day: d[1]}}, data.AlertMark{}, at); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("days out of order: err = %v, want EINVALID", err)
	}
}

// TestAlertHistoryRescoredKeepsWhatPeopleDid derives a history, has
// people handle its episodes, then scores the last days again to other
// conditions: the history from the first day scored again is derived anew;
// the episodes that still happened keep their rows (id, acknowledgement,
// assignee, comment, delivery); one that no longer happened is deleted
// unless it was posted; the one open before the first day continues.
func TestAlertHistoryRescoredKeepsWhatPeopleDid(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	mustMember(t, db, "alpha")
	mustMember(t, db, "bravo")
	d := historyDays(t)
	saveDays(t, db, d...)
	if err := db.CreateUser(ctx, &domain.User{Name: "mia", Role: domain.RoleManager, PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	// First derivation: alpha's usage from day 2 on, its latency on days
	// 5–6, bravo's usage on day 7 alone. An alert of a rule not evaluated
	// here stays as it is.
	if _, err := db.SyncAlerts(ctx, []string{"other"}, []data.AlertCondition{{Rule: "other", Subject: "x", Message: "m"}}, d[0]); err != nil {
		t.Fatal(err)
	}
	first := map[int][]data.AlertCondition{
		1: {cond("usage_drop", "alpha", false)}, 2: {cond("usage_drop", "alpha", false)}, 3: {cond("usage_drop", "alpha", false)},
		4: {cond("usage_drop", "alpha", false), cond("latency", "alpha", false)},
		5: {cond("usage_drop", "alpha", false), cond("latency", "alpha", false)},
		6: {cond("usage_drop", "alpha", false), cond("usage_drop", "bravo", false)},
		7: {cond("usage_drop", "alpha", false)},
	}
	record := func(from int, conds map[int][]data.AlertCondition, at time.Time) *data.AlertSync {
		t.Helper()
		var days []data.AlertDay
		for i := from; i < len(d); i++ {
			days = append(days, data.AlertDay{Day: d[i], Conds: conds[i]})
		}
		mark, err := db.AlertsStaleFrom(ctx)
		if err != nil {
			t.Fatal(err)
		}
		res, err := db.RecordAlertHistory(ctx, historyRules, days, mark, at)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	record(0, first, d[7].Add(time.Hour))
	usage, usageIDs := episodesOf(t, db, "usage_drop")
	latency, latencyIDs := episodesOf(t, db, "latency")
	if strings.Join(usage, " ") != "06-02→… 06-07→06-08" || strings.Join(latency, " ") != "06-05→06-07" {
		t.Fatalf("first history: usage %v, latency %v", usage, latency)
	}
	alphaUsage, bravoUsage, alphaLatency := usageIDs[0], usageIDs[1], latencyIDs[0]
	act := data.AlertAction{By: "mia", At: d[7].Add(2 * time.Hour)}
	if _, err := db.AcknowledgeAlert(ctx, alphaUsage, act); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AssignAlert(ctx, alphaUsage, "mia", act); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkAlertNotified(ctx, alphaLatency, act.At); err != nil { // posted while it was open
		t.Fatal(err)
	}

	// Days 5–8 scored again (an import): alpha's usage recovers on day 6 and
	// falls again on day 8; its latency held on day 6 alone (still posted:
	// it stays on record); bravo's never happened.
	saveDays(t, db, d[4:]...)
	again := map[int][]data.AlertCondition{
		4: {cond("usage_drop", "alpha", true)},
		5: {cond("latency", "alpha", false)},
		7: {cond("usage_drop", "alpha", false)},
	}
	res := record(4, again, d[7].Add(5*time.Hour))
	usage, ids := episodesOf(t, db, "usage_drop")
	if want := "06-02→06-06 06-08→…"; strings.Join(usage, " ") != want {
		t.Errorf("usage after the rescore: %v, want %s", usage, want)
	}
	if len(ids) != 2 || ids[0] != alphaUsage || ids[1] == bravoUsage {
		t.Errorf("usage ids after the rescore = %v: want %d kept for the episode that began before, and a new one", ids, alphaUsage)
	}
	a, _, err := db.AlertByID(ctx, alphaUsage, d[7])
	if err != nil {
		t.Fatal(err)
	}
	if a.AcknowledgedBy != "mia" || a.Assignee != "mia" || a.State != data.AlertResolved {
		t.Errorf("alpha's first usage alert after the rescore: %+v, want acknowledged and assigned by mia, resolved", a)
	}
	if _, _, err := db.AlertByID(ctx, bravoUsage, d[7]); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("bravo's alert that no longer happened: err = %v, want it deleted", err)
	}
	latency, ids = episodesOf(t, db, "latency")
	if want := "06-06→06-07"; strings.Join(latency, " ") != want || ids[0] != alphaLatency {
		t.Errorf("latency after the rescore: %v %v, want %s kept as alert %d (same episode, one day later)", latency, ids, want, alphaLatency)
	}
	if res.Withdrawn != 1 {
		t.Errorf("withdrawn = %d, want 1 (bravo's)", res.Withdrawn)
	}
	if other, _ := db.Alerts(ctx, data.AlertFilter{Rule: "other", State: data.AlertOpen}); len(other) != 1 {
		t.Errorf("an alert of a rule not evaluated was touched: %+v", other)
	}

	// Scored again so that the posted latency episode never happened: it
	// stays on record, resolved on the day it opened, and open on no day.
	saveDays(t, db, d[5])
	res = record(5, map[int][]data.AlertCondition{7: {cond("usage_drop", "alpha", false)}}, d[7].Add(6*time.Hour))
	a, _, err = db.AlertByID(ctx, alphaLatency, d[7])
	if err != nil {
		t.Fatalf("the posted alert was deleted: %v", err)
	}
	if a.State != data.AlertResolved || !a.ClosedOn.Equal(a.OpenedOn) || res.Withdrawn != 1 {
		t.Errorf("withdrawn posted alert = %+v (withdrawn %d), want resolved on its opening day", a, res.Withdrawn)
	}
	if on, _ := db.Alerts(ctx, data.AlertFilter{Rule: "latency", At: d[5]}); len(on) != 0 {
		t.Errorf("a withdrawn alert is open on %s: %+v", d[5].Format(domain.DateLayout), on)
	}
}

// TestAlertInboxStatusesAndActions: acknowledging, assigning, snoozing and
// resolving by hand, with the inbox status each gives, and the refusals.
func TestAlertInboxStatusesAndActions(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	mustMember(t, db, "alpha")
	today := day(t, "2026-06-10")
	for _, u := range []domain.User{{Name: "mia", Role: domain.RoleManager}, {Name: "gone", Role: domain.RoleViewer, Disabled: true}} {
		u.PasswordHash = "x"
		if err := db.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
	}
	conds := []data.AlertCondition{cond("usage_drop", "alpha", false), cond("latency", "alpha", false)}
	res, err := db.SyncAlerts(ctx, historyRules, conds, today.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	usage, latency := res.Opened[0].ID, res.Opened[1].ID
	act := data.AlertAction{By: "mia", At: today.Add(2 * time.Hour)}
	status := func(id int64, on time.Time) string {
		t.Helper()
		a, _, err := db.AlertByID(ctx, id, on)
		if err != nil {
			t.Fatal(err)
		}
		return a.Status
	}
	if s := status(usage, today); s != data.AlertStatusOpen {
		t.Errorf("a new alert is %s, want open", s)
	}
	if _, err := db.AcknowledgeAlert(ctx, usage, act); err != nil {
		t.Fatal(err)
	}
	if s := status(usage, today); s != data.AlertStatusAcknowledged {
		t.Errorf("acknowledged alert is %s", s)
	}
	for _, bad := range []struct {
		name string
		do   func() error
		code string
	}{
		{"snooze until yesterday", func() error { _, err := db.SnoozeAlert(ctx, usage, today.AddDate(0, 0, -1), act); return err }, domain.EINVALID},
		{"snooze until today", func() error { _, err := db.SnoozeAlert(ctx, usage, today, act); return err }, domain.EINVALID},
		{"snooze for two years", func() error { _, err := db.SnoozeAlert(ctx, usage, today.AddDate(2, 0, 0), act); return err }, domain.EINVALID},
		{"assign to nobody known", func() error { _, err := db.AssignAlert(ctx, usage, "nobody", act); return err }, domain.EINVALID},
		{"assign to a disabled account", func() error { _, err := db.AssignAlert(ctx, usage, "gone", act); return err }, domain.EINVALID},
		{"resolve without a comment", func() error { _, err := db.ResolveAlert(ctx, usage, "  ", act); return err }, domain.EINVALID},
		{"acknowledge no alert", func() error { _, err := db.AcknowledgeAlert(ctx, 999, act); return err }, domain.ENOTFOUND},
		{"act as nobody", func() error { _, err := db.AcknowledgeAlert(ctx, usage, data.AlertAction{At: act.At}); return err }, domain.EINVALID},
	} {
		if err := bad.do(); domain.ErrorCode(err) != bad.code {
			t.Errorf("%s: err = %v, want %s", bad.name, err, bad.code)
		}
	}
	if _, err := db.SnoozeAlert(ctx, latency, today.AddDate(0, 0, 3), act); err != nil {
		t.Fatal(err)
	}
	if s := status(latency, today.AddDate(0, 0, 2)); s != data.AlertStatusSnoozed {
		t.Errorf("snoozed alert two days on is %s, want snoozed", s)
	}
	if s := status(latency, today.AddDate(0, 0, 3)); s != data.AlertStatusOpen {
		t.Errorf("snoozed alert on the day the snooze ends is %s, want open", s)
	}
	counts, err := db.AlertCounts(ctx, data.AlertFilter{Member: "alpha", Today: today})
	if err != nil {
		t.Fatal(err)
	}
	if counts[data.AlertStatusAcknowledged] != 1 || counts[data.AlertStatusSnoozed] != 1 || counts[data.AlertStatusOpen] != 0 {
		t.Errorf("counts = %v, want one acknowledged and one snoozed", counts)
	}
	listed, err := db.Alerts(ctx, data.AlertFilter{Statuses: []string{data.AlertStatusSnoozed}, Today: today})
	if err != nil || len(listed) != 1 || listed[0].ID != latency {
		t.Errorf("snoozed alerts = %+v, %v; want the latency alert", listed, err)
	}
	if _, err := db.AssignAlert(ctx, usage, "mia", act); err != nil {
		t.Fatal(err)
	}
	if mine, _ := db.Alerts(ctx, data.AlertFilter{Assignee: "mia"}); len(mine) != 1 || mine[0].ID != usage {
		t.Errorf("mia's alerts = %+v", mine)
	}
	a, err := db.ResolveAlert(ctx, usage, "Partner migrated to v2; traffic moved to a new key.", act)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != data.AlertStatusResolved || a.ResolvedBy != "mia" || a.State != data.AlertOpen {
		t.Errorf("resolved by hand: %+v, want status resolved, the condition still open", a)
	}
	_, comments, err := db.AlertByID(ctx, usage, today)
	if err != nil || len(comments) != 1 || comments[0].Author != "mia" || !strings.HasPrefix(comments[0].Body, "Partner migrated") {
		t.Errorf("comments = %+v, %v", comments, err)
	}
	if _, err := db.AcknowledgeAlert(ctx, usage, act); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("acknowledging a resolved alert: err = %v, want ECONFLICT", err)
	}
	// Its condition holds on: no second alert opens while it does, and the
	// webhook does not post an alert resolved by hand.
	res, err = db.SyncAlerts(ctx, historyRules, conds, today.Add(3*time.Hour))
	if err != nil || len(res.Opened) != 0 {
		t.Errorf("re-evaluation opened %+v, %v: want nothing", res, err)
	}
	todo, err := db.AlertsToNotify(ctx, 5)
	if err != nil || len(todo) != 1 || todo[0].ID != latency {
		t.Errorf("to notify = %+v, %v; want the latency alert only", todo, err)
	}
}
