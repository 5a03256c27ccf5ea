package app

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// inboxFixture is an app over a history with two alerts open about alpha
// (usage drop, with a hostile message, and latency) and one about bravo
// that closed.
type inboxFixture struct {
	a                     *App
	usage, latency, bravo int64
}

const hostileMessage = `calls fell <script>window.__xss=1</script> & "more"`

func newInboxFixture(t *testing.T) *inboxFixture {
	t.Helper()
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	for _, slug := range []string{"alpha", "bravo"} {
		if err := db.CreateMember(ctx, &domain.Member{Slug: slug, Name: strings.ToUpper(slug[:1]) + slug[1:], Kind: domain.KindPartner,
			JoinedOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
	first := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	days := []data.AlertDay{
		{Day: first, Conds: []data.AlertCondition{
			{Rule: views.RuleUsageDrop, Subject: "alpha", Member: "alpha", Message: hostileMessage},
			{Rule: views.RuleErrors4xx, Subject: "bravo", Member: "bravo", Message: "4xx responses 21% of calls"}}},
		{Day: first.AddDate(0, 0, 1), Conds: []data.AlertCondition{
			{Rule: views.RuleUsageDrop, Subject: "alpha", Member: "alpha", Message: hostileMessage},
			{Rule: views.RuleLatency, Subject: "alpha", Member: "alpha", Message: "p95 latency 3.1 s against a 1.0 s SLO"}}},
	}
	if _, err := db.RecordAlertHistory(ctx, views.MemberAlertRules, days, data.AlertMark{}, first.AddDate(0, 0, 1).Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	f := &inboxFixture{a: newTestApp(t, db)}
	all, err := db.Alerts(ctx, data.AlertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, al := range all {
		switch al.Rule {
		case views.RuleUsageDrop:
			f.usage = al.ID
		case views.RuleLatency:
			f.latency = al.ID
		case views.RuleErrors4xx:
			f.bravo = al.ID
		}
	}
	if f.usage == 0 || f.latency == 0 || f.bravo == 0 {
		t.Fatalf("fixture alerts: %+v", all)
	}
	return f
}

func (f *inboxFixture) alert(t *testing.T, id int64) data.Alert {
	t.Helper()
	a, _, err := f.a.db.AlertByID(context.Background(), id, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return *a
}

// TestAlertActionsThroughTheJSONAPI: managers acknowledge, assign, snooze
// and resolve; every change is audited, refusals too; bad input is 400
// naming the field, a resolved alert 409; viewers read but may not act.
func TestAlertActionsThroughTheJSONAPI(t *testing.T) {
	f := newInboxFixture(t)
	a := f.a
	manager, viewer := loginAs(t, a, domain.RoleManager), loginAs(t, a, domain.RoleViewer)
	path := func(id int64, action string) string { return fmt.Sprintf("/api/v1/alerts/%d/%s", id, action) }

	// Viewers read the inbox and an entry, and may not act.
	if status, body := sendJSON(t, a, viewer, "GET", "/api/v1/alerts", nil); status != 200 || decode[views.AlertInbox](t, body).Total != 2 {
		t.Errorf("viewer's inbox = %d %s, want the 2 open alerts", status, body)
	}
	if status, _ := sendJSON(t, a, viewer, "GET", fmt.Sprintf("/api/v1/alerts/%d", f.usage), nil); status != 200 {
		t.Errorf("viewer reading an alert = %d", status)
	}
	if status, _ := sendJSON(t, a, viewer, "POST", path(f.usage, "acknowledge"), nil); status != http.StatusForbidden {
		t.Errorf("viewer acknowledging = %d, want 403", status)
	}
	if got := f.alert(t, f.usage); got.Status != data.AlertStatusOpen {
		t.Errorf("a viewer's refused acknowledgement changed the alert: %+v", got)
	}

	status, body := sendJSON(t, a, manager, "POST", path(f.usage, "acknowledge"), nil)
	if status != 200 {
		t.Fatalf("acknowledge = %d %s", status, body)
	}
	row := decode[views.AlertRow](t, body)
	if row.Status != data.AlertStatusAcknowledged || row.AcknowledgedBy != "manager" || row.URL != fmt.Sprintf("/alerts/%d", f.usage) {
		t.Errorf("acknowledged alert = %+v", row)
	}
	if !auditHas(t, a, "manager", "alert.acknowledge", fmt.Sprintf("alert %d", f.usage), true) {
		t.Errorf("the acknowledgement is not in the audit log")
	}

	// Validation: each refusal is 400 naming the field, audited as refused,
	// and changes nothing.
	tomorrow := domain.Day(time.Now()).AddDate(0, 0, 1).Format(domain.DateLayout)
	yesterday := domain.Day(time.Now()).AddDate(0, 0, -1).Format(domain.DateLayout)
	for _, c := range []struct {
		action string
		body   any
		field  string
	}{
		{"snooze", map[string]string{"until": yesterday}, "until"},
		{"snooze", map[string]string{"until": "next week"}, "until"},
		{"snooze", map[string]string{}, "until"},
		{"assign", map[string]string{"user": "nobody"}, "assignee"},
		{"resolve", map[string]string{"comment": " "}, "comment"},
		{"resolve", map[string]string{"comment": strings.Repeat("x", data.AlertCommentMax+1)}, "comment"},
		{"assign", map[string]any{"user": "viewer", "extra": 1}, "invalid JSON"},
	} {
		status, body := sendJSON(t, a, manager, "POST", path(f.latency, c.action), c.body)
		if status != 400 || !strings.Contains(body, c.field) {
			t.Errorf("%s %v = %d %s, want 400 naming %s", c.action, c.body, status, body, c.field)
		}
	}
	if got := f.alert(t, f.latency); got.Status != data.AlertStatusOpen || got.Assignee != "" || !got.SnoozedUntil.IsZero() {
		t.Errorf("refused actions changed the alert: %+v", got)
	}
	if !auditHas(t, a, "manager", "alert.snooze", fmt.Sprintf("alert %d", f.latency), false) ||
		!auditHas(t, a, "manager", "alert.assign", fmt.Sprintf("alert %d", f.latency), false) {
		t.Errorf("refused actions are not audited")
	}
	if status, _ := sendJSON(t, a, manager, "POST", "/api/v1/alerts/99999/acknowledge", nil); status != 404 {
		t.Errorf("acknowledging no alert = %d, want 404", status)
	}

	// Assign, snooze, resolve.
	if status, body := sendJSON(t, a, manager, "POST", path(f.latency, "assign"), map[string]string{"user": "viewer"}); status != 200 ||
		decode[views.AlertRow](t, body).Assignee != "viewer" {
		t.Errorf("assign = %d %s", status, body)
	}
	status, body = sendJSON(t, a, manager, "POST", path(f.latency, "snooze"), map[string]string{"until": tomorrow})
	if row := decode[views.AlertRow](t, body); status != 200 || row.Status != data.AlertStatusSnoozed || row.SnoozedUntil != tomorrow {
		t.Errorf("snooze = %d %s", status, body)
	}
	_, body = sendJSON(t, a, manager, "GET", "/api/v1/alerts?assignee=viewer&state=snoozed", nil)
	if in := decode[views.AlertInbox](t, body); in.Total != 1 || in.Alerts[0].ID != f.latency || in.Counts[data.AlertStatusAcknowledged] != 0 {
		t.Errorf("viewer's snoozed alerts = %+v", in)
	}
	_, body = sendJSON(t, a, manager, "GET", "/api/v1/alerts", nil)
	if in := decode[views.AlertInbox](t, body); in.Total != 1 || in.Alerts[0].ID != f.usage {
		t.Errorf("after the snooze, the alerts needing somebody = %+v, want the acknowledged one alone", in)
	}
	status, body = sendJSON(t, a, manager, "POST", path(f.usage, "resolve"), map[string]string{"comment": "Traffic moved to the v2 key."})
	if row := decode[views.AlertRow](t, body); status != 200 || row.Status != data.AlertStatusResolved || row.ResolvedBy != "manager" {
		t.Errorf("resolve = %d %s", status, body)
	}
	_, body = sendJSON(t, a, manager, "GET", fmt.Sprintf("/api/v1/alerts/%d", f.usage), nil)
	if d := decode[views.AlertDetail](t, body); len(d.Comments) != 1 || d.Comments[0].Body != "Traffic moved to the v2 key." || d.Comments[0].Author != "manager" {
		t.Errorf("the resolved alert's comments = %+v", d.Comments)
	}
	for _, action := range []string{"acknowledge", "resolve"} {
		status, _ := sendJSON(t, a, manager, "POST", path(f.usage, action), map[string]string{"comment": "again"})
		if status != http.StatusConflict {
			t.Errorf("%s a resolved alert = %d, want 409", action, status)
		}
	}
	if status, _ := sendJSON(t, a, manager, "POST", path(f.bravo, "acknowledge"), nil); status != http.StatusConflict {
		t.Errorf("acknowledging an alert whose condition cleared = %d, want 409", status)
	}
	for _, action := range []string{"assign", "snooze", "resolve"} {
		if !auditHas(t, a, "manager", "alert."+action, fmt.Sprintf("alert %d", map[string]int64{"assign": f.latency, "snooze": f.latency, "resolve": f.usage}[action]), true) {
			t.Errorf("%s is not in the audit log", action)
		}
	}
}

// TestAlertInboxPagesAndForms: the inbox and an entry are pages (the
// message escaped), viewers see no action, managers act through forms
// with the CSRF token — without it the request is refused and nothing
// changes — and a refused action shows the entry again with the problem.
func TestAlertInboxPagesAndForms(t *testing.T) {
	f := newInboxFixture(t)
	a := f.a
	manager, viewer := loginAs(t, a, domain.RoleManager), loginAs(t, a, domain.RoleViewer)
	page := func(s testSession, target string) (int, string) {
		t.Helper()
		req := httptest.NewRequest("GET", target, nil)
		s.apply(req)
		resp := do(t, a.Fiber(), req)
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 32<<10)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return resp.StatusCode, b.String()
	}

	status, inbox := page(viewer, "/alerts")
	if status != 200 {
		t.Fatalf("GET /alerts as a viewer = %d", status)
	}
	if strings.Contains(inbox, "<script>window.__xss") || !strings.Contains(inbox, html.EscapeString(hostileMessage)) {
		t.Errorf("the inbox does not show the collected message escaped")
	}
	if strings.Contains(inbox, "/acknowledge") || !strings.Contains(inbox, fmt.Sprintf(`href="/alerts/%d"`, f.usage)) {
		t.Errorf("a viewer's inbox offers actions, or no link to the entry")
	}
	if !strings.Contains(inbox, `<a href="/alerts" aria-current="page">Alerts</a>`) {
		t.Errorf("the navigation does not lead to the inbox")
	}
	_, inbox = page(manager, "/alerts")
	if strings.Count(inbox, `data-acknowledge`) != 2 {
		t.Errorf("a manager's inbox has %d acknowledge buttons, want 2 (one per open alert)", strings.Count(inbox, "data-acknowledge"))
	}
	if _, resolved := page(manager, "/alerts?state=resolved"); !strings.Contains(resolved, "4xx responses 21% of calls") || strings.Contains(resolved, "p95 latency") {
		t.Errorf("the resolved tab does not list bravo's closed alert alone")
	}
	if status, _ := page(manager, "/alerts?state=bogus"); status != 400 {
		t.Errorf("GET /alerts?state=bogus = %d, want 400", status)
	}
	_, entry := page(viewer, fmt.Sprintf("/alerts/%d", f.latency))
	if !strings.Contains(entry, "p95 latency 3.1 s against a 1.0 s SLO") || strings.Contains(entry, `action="/alerts/`) {
		t.Errorf("a viewer's entry: no message, or actions offered")
	}
	_, entry = page(manager, fmt.Sprintf("/alerts/%d", f.latency))
	for _, action := range alertActions {
		if !strings.Contains(entry, fmt.Sprintf(`action="/alerts/%d/%s"`, f.latency, action)) {
			t.Errorf("a manager's entry lacks the %s form", action)
		}
	}
	if status, _ := page(manager, "/alerts/nope"); status != 404 {
		t.Errorf("GET /alerts/nope = %d, want 404", status)
	}

	// Without the CSRF token: refused at the gate, nothing changes.
	req := httptest.NewRequest("POST", fmt.Sprintf("/alerts/%d/acknowledge", f.latency), strings.NewReader("back=%2Falerts"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range manager.cookies {
		req.AddCookie(c)
	}
	resp := do(t, a.Fiber(), req)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get(deniedHeader) != "csrf" {
		t.Errorf("a form without its CSRF token = %d (%s), want 403 for csrf", resp.StatusCode, resp.Header.Get(deniedHeader))
	}
	if got := f.alert(t, f.latency); got.Status != data.AlertStatusOpen {
		t.Errorf("a refused form changed the alert: %+v", got)
	}

	// With it: done, and back to the inbox page it came from.
	status, loc, _ := postForm(t, a, manager, fmt.Sprintf("/alerts/%d/acknowledge", f.latency), url.Values{"back": {"/alerts?rule=latency"}})
	if status != http.StatusSeeOther || loc != "/alerts?rule=latency" {
		t.Errorf("acknowledge form = %d to %q, want 303 back to the inbox", status, loc)
	}
	if got := f.alert(t, f.latency); got.Status != data.AlertStatusAcknowledged || got.AcknowledgedBy != "manager" {
		t.Errorf("after the form: %+v", got)
	}
	if _, loc, _ := postForm(t, a, manager, fmt.Sprintf("/alerts/%d/assign", f.latency), url.Values{"user": {"admin"}, "back": {"https://evil.example/"}}); loc != fmt.Sprintf("/alerts/%d", f.latency) {
		t.Errorf("a form with a foreign back goes to %q, want the entry", loc)
	}
	if !auditHas(t, a, "manager", "alert.assign", fmt.Sprintf("alert %d", f.latency), true) {
		t.Errorf("the form's assignment is not audited")
	}

	// A refused form: the entry again, with the problem, and its status.
	yesterday := domain.Day(time.Now()).AddDate(0, 0, -1).Format(domain.DateLayout)
	status, _, body := postForm(t, a, manager, fmt.Sprintf("/alerts/%d/snooze", f.latency), url.Values{"until": {yesterday}})
	if status != 400 || !strings.Contains(body, "That was not done") || !strings.Contains(body, "is not after today") {
		t.Errorf("snoozing into the past from the page = %d, want 400 with the problem shown", status)
	}
	status, _, body = postForm(t, a, manager, fmt.Sprintf("/alerts/%d/assign", f.latency), url.Values{"user": {"nobody"}})
	if status != 400 || !strings.Contains(body, html.EscapeString(`no user is named "nobody"`)) {
		t.Errorf("assigning to an unknown user from the page = %d, want 400 naming the user", status)
	}
	status, _, _ = postForm(t, a, manager, fmt.Sprintf("/alerts/%d/resolve", f.latency), url.Values{"comment": {"Fixed by the gateway team."}})
	if status != http.StatusSeeOther {
		t.Errorf("resolve form = %d, want 303", status)
	}
	status, _, body = postForm(t, a, manager, fmt.Sprintf("/alerts/%d/acknowledge", f.latency), url.Values{})
	if status != http.StatusConflict || !strings.Contains(body, "resolved by manager") {
		t.Errorf("acting on a resolved alert from the page = %d, want 409 saying who resolved it", status)
	}

	// The member page leads to the entries, not to JSON.
	_, member := page(viewer, "/members/alpha")
	if !strings.Contains(member, fmt.Sprintf(`href="/alerts/%d"`, f.usage)) {
		t.Errorf("the member page does not link its alerts to their entries")
	}
}
