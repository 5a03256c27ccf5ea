package app

import (
	"context"
	"html"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/views"
)

// TestMemberPageShowsItsOpenAlerts opens an alert about one member and
// checks that its page and its JSON show it, and another member's do not.
func TestMemberPageShowsItsOpenAlerts(t *testing.T) {
	db := seededDB(t)
	a := newTestApp(t, db)
	s, err := views.BuildScores(context.Background(), db, demoEnd)
	if err != nil {
		t.Fatal(err)
	}
	mine, other := s.Members[0].Slug, s.Members[1].Slug
	msg := `health 31 < 40 <b>"watch"</b>`
	if _, err := db.SyncAlerts(context.Background(), []string{views.RuleHealthBelow},
		[]data.AlertCondition{{Rule: views.RuleHealthBelow, Subject: mine, Member: mine, Message: msg}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, page, _ := get(t, a.Fiber(), "/members/"+mine)
	if !strings.Contains(page, html.EscapeString(msg)) {
		t.Errorf("the member page does not show its open alert (escaped)")
	}
	_, body, _ := get(t, a.Fiber(), "/api/v1/members/"+mine)
	d := decode[views.MemberDetail](t, body)
	if d.Alerts == nil || len(d.Alerts.Open) != 1 || d.Alerts.Open[0].Message != msg {
		t.Errorf("the member JSON's alerts = %+v, want the one open alert", d.Alerts)
	}
	_, page, _ = get(t, a.Fiber(), "/members/"+other)
	if strings.Contains(page, html.EscapeString(msg)) {
		t.Errorf("another member's page shows the alert")
	}
}
