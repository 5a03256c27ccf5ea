package data_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
)

// An alert keeps its message's key and facts beside the English (issue
// 18), through both ways alerts are recorded, and a refreshed condition
// moves them on with the message; a condition without a key stores none.
func TestAlertMessageKeyAndArgsRoundTrip(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	mustMember(t, db, "alpha")
	t0 := time.Date(2026, 6, 30, 10, 0, 0, 0, time.UTC)

	stale := data.AlertCondition{Rule: "source_stale", Subject: "github", Message: "source github has never collected successfully",
		MessageKey: "alertmsg.source_never", MessageArgs: map[string]any{"Source": "github"}}
	plain := data.AlertCondition{Rule: "source_stale", Subject: "gitlab", Message: "stale"}
	if _, err := db.SyncAlerts(ctx, []string{"source_stale"}, []data.AlertCondition{stale, plain}, t0); err != nil {
		t.Fatal(err)
	}
	stale.Message, stale.MessageArgs = "source github has never collected successfully; last error: 502",
		map[string]any{"Source": "github", "Error": "502"}
	if _, err := db.SyncAlerts(ctx, []string{"source_stale"}, []data.AlertCondition{stale, plain}, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got := map[string]data.Alert{}
	all, err := db.Alerts(ctx, data.AlertFilter{Rule: "source_stale"})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range all {
		got[a.Subject] = a
	}
	if a := got["github"]; a.Message != stale.Message || a.MessageKey != stale.MessageKey || !reflect.DeepEqual(a.MessageArgs, stale.MessageArgs) {
		t.Errorf("refreshed alert = %q %q %v, want %q %q %v", a.Message, a.MessageKey, a.MessageArgs, stale.Message, stale.MessageKey, stale.MessageArgs)
	}
	if a := got["gitlab"]; a.MessageKey != "" || a.MessageArgs != nil {
		t.Errorf("alert without a key = %q %v, want none", a.MessageKey, a.MessageArgs)
	}
	var nulls int
	if err := datatest.Raw(t, db).QueryRowContext(ctx, `SELECT COUNT(*) FROM alerts WHERE message_key IS NULL AND message_args IS NULL`).Scan(&nulls); err != nil {
		t.Fatal(err)
	}
	if nulls != 1 {
		t.Errorf("rows with NULL key and args = %d, want 1 (the condition without a key)", nulls)
	}

	// The member rules' history: inserted, then derived again with new facts.
	d := []time.Time{day(t, "2026-06-01"), day(t, "2026-06-02")}
	saveDays(t, db, d...)
	low := func(health string) data.AlertCondition {
		return data.AlertCondition{Rule: "health_below", Subject: "alpha", Member: "alpha", Message: "health " + health + " is below 50",
			MessageKey: "alertmsg.health_below", MessageArgs: map[string]any{"Health": health, "Threshold": "50"}}
	}
	mark, err := db.AlertsStaleFrom(ctx)
	if err != nil {
		t.Fatal(err)
	}
	days := []data.AlertDay{{Day: d[0], Conds: []data.AlertCondition{low("41.2")}}, {Day: d[1], Conds: []data.AlertCondition{low("39.8")}}}
	res, err := db.RecordAlertHistory(ctx, []string{"health_below"}, days, mark, t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Opened) != 1 || res.Opened[0].MessageArgs["Health"] != "39.8" {
		t.Fatalf("history opened %+v, want one alert with the latest day's facts", res.Opened)
	}
	open, err := db.Alerts(ctx, data.AlertFilter{Rule: "health_below"})
	if err != nil {
		t.Fatal(err)
	}
	want := low("39.8")
	if len(open) != 1 || open[0].MessageKey != want.MessageKey || !reflect.DeepEqual(open[0].MessageArgs, want.MessageArgs) {
		t.Fatalf("stored history alert = %+v, want key %q args %v", open, want.MessageKey, want.MessageArgs)
	}
	// Derived again (a rescore of the second day): the same episode, new facts.
	days[1].Conds = []data.AlertCondition{low("38.5")}
	if _, err := db.RecordAlertHistory(ctx, []string{"health_below"}, days, data.AlertMark{}, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	open, err = db.Alerts(ctx, data.AlertFilter{Rule: "health_below"})
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 1 || open[0].MessageArgs["Health"] != "38.5" || open[0].Message != low("38.5").Message {
		t.Errorf("alert derived again = %+v, want health 38.5 in its args and message", open)
	}
}
