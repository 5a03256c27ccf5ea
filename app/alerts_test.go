package app

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/alerting"
	"github.com/ecopulse/ecopulse/alerting/alertingtest"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// runAlerts is one evaluation of the rules cfg over db by an engine of
// its own, as the scheduler's alert job makes, with no sources and no
// webhook.
func runAlerts(ctx context.Context, db *data.DB, cfg config.AlertConfig, day, now time.Time) (*data.AlertSync, error) {
	return alerting.NewEngine(db, cfg, quietLogger()).Evaluate(ctx, day, now, nil, nil)
}

func TestAlertsAPI(t *testing.T) {
	s := alertingtest.NewScenario(t)
	ctx := context.Background()
	cfg := config.DefaultAlertConfig()
	cfg.HealthDrop = 10
	if _, err := runAlerts(ctx, s.DB, cfg, s.Day, s.Now); err != nil {
		t.Fatal(err)
	}
	a := newTestApp(t, s.DB)
	status, body, _ := get(t, a.Fiber(), "/api/v1/alerts")
	if status != 200 {
		t.Fatalf("GET /api/v1/alerts = %d: %s", status, body)
	}
	all := decode[views.AlertInbox](t, body)
	if len(all.Alerts) != 4 || all.Total != 4 || all.Counts[data.AlertStatusOpen] != 4 || all.Alerts[0].RuleLabel == "" {
		t.Errorf("API inbox = %+v, want the 4 open alerts about alpha", all)
	}
	raw := decode[map[string]any](t, body)
	first := raw["alerts"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "rule", "rule_label", "subject", "member", "member_name", "message", "state", "status",
		"first_seen", "last_seen", "opened_on", "closed_on", "url"} {
		if _, ok := first[k]; !ok {
			t.Errorf("alert JSON lacks %q: %v", k, first)
		}
	}
	if first["closed_on"] != nil || first["url"] != "/alerts/"+strconv.FormatFloat(first["id"].(float64), 'f', -1, 64) {
		t.Errorf("an open alert's closed_on = %v, url = %v", first["closed_on"], first["url"])
	}
	status, body, _ = get(t, a.Fiber(), "/api/v1/alerts?member=bravo")
	if mine := decode[views.AlertInbox](t, body); status != 200 || len(mine.Alerts) != 0 {
		t.Errorf("bravo's alerts = %d %+v, want none", status, mine)
	}
	for target, want := range map[string]int{
		"/api/v1/alerts?member=nobody":     404,
		"/api/v1/alerts?state=everything":  400,
		"/api/v1/alerts?rule=no_such_rule": 400,
		"/api/v1/alerts?at=2026-13-01":     400,
		"/api/v1/alerts?limit=5000":        400,
		"/api/v1/alerts/abc":               404,
		"/api/v1/alerts/99999":             404,
		"/api/v1/alerts?rule=health_below": 200,
	} {
		if status, body, _ := get(t, a.Fiber(), target); status != want {
			t.Errorf("GET %s = %d, want %d: %s", target, status, want, body)
		}
	}
	_, page, _ := get(t, a.Fiber(), "/")
	if !strings.Contains(page, `data-alerts-src="/api/v1/alerts"`) || !strings.Contains(page, `href="/alerts"`) {
		t.Errorf("the overview has no open-alerts card leading to the inbox")
	}
}

func TestAlertConfigValidates(t *testing.T) {
	if err := config.DefaultAlertConfig().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for name, mod := range map[string]func(*config.AlertConfig){
		"health over 100":  func(c *config.AlertConfig) { c.HealthBelow = 120 },
		"SLO of 1":         func(c *config.AlertConfig) { c.ErrorRateSLO = 1 },
		"webhook not http": func(c *config.AlertConfig) { c.Webhook.URL = "file:///etc/passwd" },
		"zero attempts":    func(c *config.AlertConfig) { c.Webhook.Attempts = 0 },
		"negative max age": func(c *config.AlertConfig) { c.SourceMaxAge = -time.Hour },
		"open at 1":        func(c *config.AlertConfig) { c.UsageDrop.OpenBelow = 1 },
		"close below open": func(c *config.AlertConfig) { c.Latency.CloseAt = 0.4 },
		"close equal open": func(c *config.AlertConfig) { c.Unanswered.CloseAt = c.Unanswered.OpenBelow },
		"close above 1":    func(c *config.AlertConfig) { c.Dormant.CloseAt = 1.5 },
		"negative open":    func(c *config.AlertConfig) { c.Errors4xx.OpenBelow = -0.1 },
	} {
		c := config.DefaultAlertConfig()
		mod(&c)
		if err := c.Validate(); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%s: Validate = %v, want EINVALID", name, err)
		}
	}
}
