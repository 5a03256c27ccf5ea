package app

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ecopulse/ecopulse/alerting/alertingtest"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// TestBrowserAlertInboxAcknowledges follows an alert in headless Chromium
// as a manager does: from the overview's open-alerts card to the alert's
// inbox entry (a page, not JSON), then to the inbox, where the row's
// Acknowledge button acknowledges it; the store says who did.
func TestBrowserAlertInboxAcknowledges(t *testing.T) {
	ctx := context.Background()
	h := alertingtest.NewChangeHistory(t, "alpha", "bravo")
	h.SaveHovering(t)
	if _, err := runAlerts(ctx, h.DB, config.DefaultAlertConfig(), h.Day(9), h.Day(9).Add(22*time.Hour)); err != nil {
		t.Fatal(err)
	}
	open, err := h.DB.Alerts(ctx, data.AlertFilter{State: data.AlertOpen, Rule: views.RuleUsageDrop})
	if err != nil || len(open) != 1 {
		t.Fatalf("open usage-drop alerts = %+v, %v; want alpha's", open, err)
	}
	id := open[0].ID
	b, base := browseApp(t, newTestApp(t, h.DB), domain.RoleManager)

	// The overview's card links the alert to its entry.
	if err := chromedp.Do(b.ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("[data-alerts-ready]")),
	); err != nil {
		t.Fatal(err)
	}
	href := evalString(t, b, `(document.querySelector('.alerts-card a.alert-link') || {}).getAttribute ? document.querySelector('.alerts-card a.alert-link').getAttribute('href') : ''`)
	if want := fmt.Sprintf("/alerts/%d", id); href != want {
		t.Fatalf("the overview's alert links to %q, want %q", href, want)
	}
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(".alerts-card a.alert-link"))); err != nil {
		t.Fatal(err)
	}
	mpWaitLocation(t, b, func(u *url.URL) bool { return u.Path == href })
	if err := chromedp.Do(b.ctx, chromedp.WaitVisible(chromedp.CSS(".alert-entry"))); err != nil {
		t.Fatal(err)
	}
	if text := evalString(t, b, `document.querySelector('.alert-entry').innerText`); !strings.Contains(text, "API calls −51%") || !strings.Contains(text, "2026-06-09") {
		t.Errorf("the entry says %q, want the signal's sentence and the day it opened", text)
	}

	// The inbox: acknowledge from the row.
	mpOpenReady(t, b, base+"/alerts")
	row := fmt.Sprintf(`tr[data-alert-id="%d"]`, id)
	if got := evalString(t, b, `document.querySelector('`+row+`').getAttribute('data-status')`); got != data.AlertStatusOpen {
		t.Fatalf("the row's status is %q before, want open", got)
	}
	if err := chromedp.Do(b.ctx,
		chromedp.Click(chromedp.CSS(row+` button[data-acknowledge]`)),
		chromedp.WaitVisible(chromedp.CSS(row+`[data-status="acknowledged"]`)),
	); err != nil {
		t.Fatalf("acknowledge in the inbox: %v", err)
	}
	if u := mpWaitLocation(t, b, func(u *url.URL) bool { return u.Path == "/alerts" }); u.RawQuery != "" {
		t.Errorf("after acknowledging, the inbox is at %s, want the page it was on", u)
	}
	if n := evalInt(t, b, `document.querySelectorAll('`+row+` button[data-acknowledge]').length`); n != 0 {
		t.Errorf("the acknowledged row still offers Acknowledge")
	}
	mpShoot(t, b, "alert-inbox.png")
	a, _, err := h.DB.AlertByID(ctx, id, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != data.AlertStatusAcknowledged || a.AcknowledgedBy != domain.RoleManager {
		t.Errorf("stored after the click: %+v, want acknowledged by the manager", a)
	}
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
