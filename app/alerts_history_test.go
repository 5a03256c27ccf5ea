package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/alerting/alertingtest"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// TestRescoredDaysRederiveAlertsAndKeepTheAcknowledgement scores days of
// the history again after a manager acknowledged and took an alert:
// alerts from the first day scored again are derived anew, and the one
// that still happened (now from an earlier day) keeps its id, its
// acknowledgement and its assignee.
func TestRescoredDaysRederiveAlertsAndKeepTheAcknowledgement(t *testing.T) {
	ctx := context.Background()
	h := alertingtest.NewChangeHistory(t, "alpha", "bravo")
	h.SaveHovering(t)
	cfg := config.DefaultAlertConfig()
	now := h.Day(9).Add(22 * time.Hour)
	if _, err := runAlerts(ctx, h.DB, cfg, h.Day(9), now); err != nil {
		t.Fatal(err)
	}
	if _, err := AddUser(ctx, h.DB, "mia", domain.RoleManager, "password-of-mia"); err != nil {
		t.Fatal(err)
	}
	_, rows := h.Episodes(t, views.RuleUsageDrop, "alpha")
	first, taken := rows[0].ID, rows[1].ID
	for _, act := range []struct {
		action string
		in     AlertActionInput
	}{{"acknowledge", AlertActionInput{}}, {"assign", AlertActionInput{User: "mia"}}} {
		if _, err := alertAct(ctx, h.DB, "mia", act.action, taken, act.in, now); err != nil {
			t.Fatalf("%s: %v", act.action, err)
		}
	}

	// An import changes days 2 and 7: alpha was fine on day 2, and its
	// second dip began on day 7.
	h.Save(t, 2, nil)
	h.Save(t, 7, map[string][]domain.Change{"alpha": {alertingtest.UsageDrop(0.3)}})
	res, err := runAlerts(ctx, h.DB, cfg, h.Day(9), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	spans, rows := h.Episodes(t, views.RuleUsageDrop, "alpha")
	if want := "06-02→06-03 06-04→06-07 06-08→…"; strings.Join(spans, " ") != want {
		t.Fatalf("after the rescore: %v, want %s", spans, want)
	}
	if rows[0].ID != first {
		t.Errorf("the alert open before the first day scored again became %d, was %d", rows[0].ID, first)
	}
	if a := rows[2]; a.ID != taken || a.AcknowledgedBy != "mia" || a.Assignee != "mia" || a.Status != data.AlertStatusAcknowledged {
		t.Errorf("the taken alert after the rescore: %+v, want alert %d acknowledged by and assigned to mia", a, taken)
	}
	if len(res.Opened) != 1 {
		t.Errorf("the rescore opened %d alerts, want 1 (days 4–7)", len(res.Opened))
	}
}
