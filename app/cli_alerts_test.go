package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// TestAlertsCommandPrintsTheAPIsJSON scores the demo's last days with
// `ecopulse score --from --to`, which leaves alert history over every day
// scored since alerts last followed the scores (the demo's five weeks),
// then asks `ecopulse alerts`: --at DAY --json is what GET
// /api/v1/alerts?at=DAY answers, and without --at it lists the latest
// scored day's.
func TestAlertsCommandPrintsTheAPIsJSON(t *testing.T) {
	ctx := context.Background()
	db := seededDB(t)
	cfg := config.Default()
	cfg.DB = db.Path()
	var out bytes.Buffer
	env := &Env{Config: cfg, Log: quietLogger(), Out: &out, Now: time.Now}
	if err := Score(ctx, env, ScoreOptions{From: demoEnd.AddDate(0, 0, -1), To: demoEnd}); err != nil {
		t.Fatal(err)
	}
	if m, err := db.AlertsStaleFrom(ctx); err != nil || !m.From.IsZero() {
		t.Fatalf("days still waiting for alerts after the scoring: %v, %v", m.From, err)
	}
	all, err := db.Alerts(ctx, data.AlertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	history := 0
	for _, a := range all {
		if a.OpenedOn.Before(demoEnd.AddDate(0, 0, -1)) {
			history++
		}
		if a.OpenedOn.IsZero() {
			t.Errorf("alert %d has no opening day", a.ID)
		}
	}
	t.Logf("%d alerts recorded, %d opened before the days just scored", len(all), history)
	if history == 0 {
		t.Fatalf("no alert opened before the days just scored (%d alerts): the history was not derived", len(all))
	}

	a := newTestApp(t, db)
	for _, at := range []time.Time{demoEnd.AddDate(0, 0, -20), demoEnd} {
		day := at.Format(domain.DateLayout)
		out.Reset()
		if err := AlertsList(ctx, env, AlertsOptions{At: at, JSON: true}); err != nil {
			t.Fatal(err)
		}
		status, body, _ := get(t, a.Fiber(), "/api/v1/alerts?at="+day)
		if status != 200 {
			t.Fatalf("GET /api/v1/alerts?at=%s = %d %s", day, status, body)
		}
		var cli, api any
		if err := json.Unmarshal(out.Bytes(), &cli); err != nil {
			t.Fatalf("alerts --json printed %q: %v", out.String(), err)
		}
		if err := json.Unmarshal([]byte(body), &api); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(cli, api) {
			t.Errorf("alerts --at %s --json differs from the API:\ncli %s\napi %s", day, out.String(), body)
		}
		in := decode[views.AlertInbox](t, body)
		if in.Total == 0 {
			t.Errorf("no alert open on %s: the comparison compares nothing", day)
		}
		for _, r := range in.Alerts {
			if r.OpenedDay > day || (r.ClosedDay != nil && *r.ClosedDay <= day) {
				t.Errorf("alert %d (%s → %v) is listed as open on %s", r.ID, r.OpenedDay, r.ClosedDay, day)
			}
		}
		if at.Equal(demoEnd) {
			out.Reset()
			if err := AlertsList(ctx, env, AlertsOptions{}); err != nil {
				t.Fatal(err)
			}
			text := out.String()
			if !strings.HasPrefix(text, fmt.Sprintf("%s open on %s\n", domain.Plural(in.Total, "alert", "alerts"), day)) {
				t.Errorf("alerts without --at says %q, want the latest scored day's %d", strings.SplitN(text, "\n", 2)[0], in.Total)
			}
			for _, r := range in.Alerts {
				if !strings.Contains(text, fmt.Sprintf("\n%d ", r.ID)) {
					t.Errorf("alerts without --at does not list alert %d", r.ID)
				}
			}
		}
	}
}
