package app

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/views"
)

// TestUnscoredDaySnapsToTheNearestScoredDay: a valid date that was not
// scored shows the scored day on or before it (else the first after) and
// says so, page and JSON alike — never a 404; an unknown member still is.
func TestUnscoredDaySnapsToTheNearestScoredDay(t *testing.T) {
	ctx := context.Background()
	db := historyDB(t)
	a := newTestApp(t, db)
	if _, err := a.Scorer().ScoreRange(ctx, time.Date(2015, 5, 17, 0, 0, 0, 0, time.UTC), time.Date(2015, 5, 20, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ asked, shown string }{
		{"2015-06-30", "2015-05-20"}, // after the last scored day: the one before
		{"2015-01-02", "2015-05-17"}, // before the first: the first after
	} {
		note := "scores of " + c.shown + "; the nearest scored day to " + c.asked
		for _, j := range []struct {
			path  string
			shown func(string) (string, views.DayShown)
		}{
			{"/api/v1/members", func(b string) (string, views.DayShown) { m := decode[views.Members](t, b); return m.At, m.DayShown }},
			{"/api/v1/members/acme", func(b string) (string, views.DayShown) {
				m := decode[views.MemberDetail](t, b)
				return m.At, m.DayShown
			}},
			{"/api/v1/overview", func(b string) (string, views.DayShown) { o := decode[views.Overview](t, b); return o.At, o.DayShown }},
			{"/api/v1/scores", func(b string) (string, views.DayShown) { s := decode[views.Scores](t, b); return s.At, s.DayShown }},
			{"/api/v1/network", func(b string) (string, views.DayShown) { n := decode[views.Network](t, b); return n.At, n.DayShown }},
		} {
			target := j.path + "?at=" + c.asked
			status, body, _ := get(t, a.Fiber(), target)
			if status != http.StatusOK {
				t.Errorf("GET %s = %d, want 200: %s", target, status, body)
				continue
			}
			at, shown := j.shown(body)
			if at != c.shown || shown.AskedAt != c.asked || shown.AtNote != note {
				t.Errorf("GET %s: at %s, %+v; want %s and the note %q", target, at, shown, c.shown, note)
			}
		}
		for _, path := range []string{"/members", "/members/acme", "/", "/network"} {
			target := path + "?at=" + c.asked
			status, page, _ := get(t, a.Fiber(), target)
			if status != http.StatusOK || !strings.Contains(page, "data-at-note>Showing the "+note+".<") {
				t.Errorf("GET %s = %d, without the note %q", target, status, note)
			}
		}
	}
	// A scored day is shown as it is, without a note.
	_, body, _ := get(t, a.Fiber(), "/api/v1/members?at=2015-05-18")
	if m := decode[views.Members](t, body); m.At != "2015-05-18" || m.AtNote != "" {
		t.Errorf("a scored day: at %s, note %q", m.At, m.AtNote)
	}
	// The day input shows the day shown, bounded by the scored days.
	_, page, _ := get(t, a.Fiber(), "/members?at=2015-06-30")
	if !strings.Contains(page, `name="at" value="2015-05-20" min="2015-05-17" max="2015-05-20"`) {
		t.Error("the day input does not show the snapped day within the scored days")
	}
	if status, _, _ := get(t, a.Fiber(), "/api/v1/members/nobody?at=2015-06-30"); status != http.StatusNotFound {
		t.Errorf("an unknown member = %d, want 404", status)
	}
}
