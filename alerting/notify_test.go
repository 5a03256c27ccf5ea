package alerting

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/alerting/alertingtest"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/internal/fakeapi"
	"github.com/ecopulse/ecopulse/views"
)

// webhookServer is a webhook that answers with the given statuses in turn
// (200 after them).
type webhookServer struct{ *fakeapi.Server }

func newWebhookServer(tb testing.TB, statuses ...int) webhookServer {
	var answers []http.HandlerFunc
	for _, s := range append(statuses, http.StatusOK) {
		answers = append(answers, fakeapi.Status(s, ""))
	}
	ws := webhookServer{fakeapi.New(tb, nil)}
	ws.Handle("/", fakeapi.Sequence(answers...))
	return ws
}

// counts are the requests the webhook received and those it accepted.
func (ws webhookServer) counts() (requests, accepted int) {
	got := ws.Received()
	for _, r := range got {
		if r.Status == http.StatusOK {
			accepted++
		}
	}
	return len(got), accepted
}

// bodies are the payloads posted, in order.
func (ws webhookServer) bodies() []string {
	var out []string
	for _, r := range ws.Received() {
		out = append(out, string(r.Body))
	}
	return out
}

// testWebhook is the notifier of the configured webhook with a recorded,
// instant sleep.
func testWebhook(cfg config.WebhookConfig, url string, waits *[]time.Duration) *Notifier {
	cfg.URL = url
	wh := NewNotifier(cfg, views.LangEnglish, quietLogger())
	wh.sleep = func(ctx context.Context, d time.Duration) error {
		*waits = append(*waits, d)
		return ctx.Err()
	}
	return wh
}

func TestAlertWebhookRetriesAndPostsOnce(t *testing.T) {
	s := alertingtest.NewScenario(t)
	ctx := context.Background()
	cfg := config.DefaultAlertConfig()
	cfg.HealthDrop, cfg.ErrorRateSLO, cfg.MilestoneOverdue, cfg.SourceStaleIntervals, cfg.SourceMaxAge = 0, 0, false, 0, 0
	srv := newWebhookServer(t, 500, 500)
	var waits []time.Duration
	if _, err := runAlerts(ctx, s.DB, cfg, s.Day, s.Now, nil, testWebhook(cfg.Webhook, srv.URL, &waits)); err != nil {
		t.Fatal(err)
	}
	requests, accepted := srv.counts()
	if requests != 3 || accepted != 1 {
		t.Fatalf("webhook got %d requests, accepted %d; want 3 and 1", requests, accepted)
	}
	if got, want := waits, []time.Duration{time.Second, 2 * time.Second}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("backoff waits = %v, want %v", got, want)
	}
	var msg struct {
		Text   string           `json:"text"`
		Blocks []map[string]any `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(srv.bodies()[2]), &msg); err != nil {
		t.Fatalf("payload is not JSON: %v", err)
	}
	if !strings.Contains(msg.Text, "Alpha: health 35.0 is below 40") || len(msg.Blocks) == 0 {
		t.Errorf("payload = %s", srv.bodies()[2])
	}
	open, _ := s.DB.Alerts(ctx, data.AlertFilter{State: data.AlertOpen})
	if len(open) != 1 || open[0].NotifiedAt.IsZero() {
		t.Fatalf("the delivery was not recorded: %+v", open)
	}

	// Still open at the next evaluation, and after a restart (a new
	// webhook, as a new process makes): no second post.
	for i := 0; i < 2; i++ {
		if _, err := runAlerts(ctx, s.DB, cfg, s.Day, s.Now.Add(time.Duration(i+1)*time.Minute), nil, testWebhook(cfg.Webhook, srv.URL, &waits)); err != nil {
			t.Fatal(err)
		}
	}
	if requests, _ := srv.counts(); requests != 3 {
		t.Errorf("a still-open alert was posted again: %d requests", requests)
	}
}

func TestAlertWebhookGivesUpBoundedly(t *testing.T) {
	s := alertingtest.NewScenario(t)
	ctx := context.Background()
	cfg := config.DefaultAlertConfig() // with health_drop: 4 alerts about alpha
	cfg.HealthDrop = 10
	cfg.SourceStaleIntervals, cfg.SourceMaxAge = 0, 0
	cfg.Webhook.Rounds = 2
	down := newWebhookServer(t, 503, 503, 503, 503, 503, 503, 503, 503, 503)
	var waits []time.Duration
	if _, err := runAlerts(ctx, s.DB, cfg, s.Day, s.Now, nil, testWebhook(cfg.Webhook, down.URL, &waits)); err != nil {
		t.Fatal(err)
	}
	// The first alert used every attempt; the others wait for the next round.
	if requests, _ := down.counts(); requests != cfg.Webhook.Attempts {
		t.Errorf("a down endpoint got %d requests, want %d (one alert's attempts)", requests, cfg.Webhook.Attempts)
	}
	// A 4xx other than 429 is final: one request, then the next alerts.
	bad := newWebhookServer(t, 400)
	if _, err := runAlerts(ctx, s.DB, cfg, s.Day, s.Now, nil, testWebhook(cfg.Webhook, bad.URL, &waits)); err != nil {
		t.Fatal(err)
	}
	if requests, _ := bad.counts(); requests != 1 {
		t.Errorf("HTTP 400 was retried: %d requests", requests)
	}
	// The first alert has failed its 2 rounds; the next three go through.
	ok := newWebhookServer(t)
	if _, err := runAlerts(ctx, s.DB, cfg, s.Day, s.Now, nil, testWebhook(cfg.Webhook, ok.URL, &waits)); err != nil {
		t.Fatal(err)
	}
	if _, accepted := ok.counts(); accepted != 3 {
		t.Errorf("after the outage %d alerts were delivered, want 3 (one was given up on)", accepted)
	}
	if _, err := runAlerts(ctx, s.DB, cfg, s.Day, s.Now, nil, testWebhook(cfg.Webhook, ok.URL, &waits)); err != nil {
		t.Fatal(err)
	}
	if requests, _ := ok.counts(); requests != 3 {
		t.Errorf("%d requests after every alert was settled, want 3", requests)
	}
}

// TestWebhookAfterABackfillPostsOnlyWhatIsOpenNow derives a month of
// history at once, as after an import of old logs: the webhook gets one
// message per alert open after the latest day, none for the episodes that
// opened and closed in the history, and none again at the next
// evaluations, even once days are scored again.
func TestWebhookAfterABackfillPostsOnlyWhatIsOpenNow(t *testing.T) {
	ctx := context.Background()
	h := alertingtest.NewChangeHistory(t, "alpha", "bravo", "charlie")
	dormant := domain.Change{Kind: domain.ChangeDormant, Dimension: "api", Score: 0, Now: 9, Before: 3700}
	dips := func(i int) map[string][]domain.Change {
		c := map[string][]domain.Change{}
		if (i >= 3 && i <= 6) || (i >= 12 && i <= 15) || i >= 25 {
			c["alpha"] = []domain.Change{alertingtest.UsageDrop(0.3)}
		}
		if i >= 8 && i <= 10 {
			c["bravo"] = []domain.Change{{Kind: domain.ChangeErrors4xx, Dimension: "api", Score: 0.2, Now: 0.21, Before: 0.01}}
		}
		if i >= 20 {
			d := dormant
			d.Now = float64(i - 11)
			c["charlie"] = []domain.Change{d}
		}
		return c
	}
	for i := range 30 {
		h.Save(t, i, dips(i))
	}
	cfg := config.DefaultAlertConfig()
	cfg.SourceStaleIntervals, cfg.SourceMaxAge = 0, 0
	srv := newWebhookServer(t)
	var waits []time.Duration
	now := h.Day(29).Add(23 * time.Hour)
	if _, err := runAlerts(ctx, h.DB, cfg, h.Day(29), now, nil, testWebhook(cfg.Webhook, srv.URL, &waits)); err != nil {
		t.Fatal(err)
	}
	all, err := h.DB.Alerts(ctx, data.AlertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 5 {
		t.Errorf("the backfill recorded %d alerts, want 5 (alpha 3, bravo 1, charlie 1)", len(all))
	}
	requests, accepted := srv.counts()
	if requests != 2 || accepted != 2 {
		t.Fatalf("the webhook got %d requests (%d accepted) after the backfill, want 2: the alerts open now", requests, accepted)
	}
	var texts []string
	for _, b := range srv.bodies() {
		var msg struct{ Text string }
		if err := json.Unmarshal([]byte(b), &msg); err != nil {
			t.Fatal(err)
		}
		texts = append(texts, msg.Text)
	}
	sort.Strings(texts)
	if !strings.Contains(texts[0], "Alpha: "+alertingtest.UsageDrop(0.3).Text()) || !strings.Contains(texts[1], "Charlie: no API calls for 18 days") {
		t.Errorf("webhook messages = %q", texts)
	}
	if !strings.Contains(srv.bodies()[0]+srv.bodies()[1], "opened 2026-06-26") {
		t.Errorf("the messages do not say the day alpha's alert opened: %v", srv.bodies())
	}
	// Evaluated again, and after the last days are scored again to the
	// same signals: the open alerts keep their rows, so nothing is posted
	// twice.
	if _, err := runAlerts(ctx, h.DB, cfg, h.Day(29), now.Add(time.Minute), nil, testWebhook(cfg.Webhook, srv.URL, &waits)); err != nil {
		t.Fatal(err)
	}
	for i := 26; i < 30; i++ {
		h.Save(t, i, dips(i))
	}
	if _, err := runAlerts(ctx, h.DB, cfg, h.Day(29), now.Add(2*time.Minute), nil, testWebhook(cfg.Webhook, srv.URL, &waits)); err != nil {
		t.Fatal(err)
	}
	if requests, _ := srv.counts(); requests != 2 {
		t.Errorf("%d webhook requests after two more evaluations and a rescore, want still 2", requests)
	}
}

// TestWebhookSpeaksTheConfiguredLanguage: with language zh-CN the post's
// words are Chinese — title, rule label, the alert's message said from its
// key and facts — while the member's name, the numbers and the machine
// fields (rule, subject) are as stored; an alert stored before keys keeps
// its English message.
func TestWebhookSpeaksTheConfiguredLanguage(t *testing.T) {
	s := alertingtest.NewScenario(t)
	ctx := context.Background()
	cfg := config.DefaultAlertConfig()
	cfg.HealthDrop, cfg.ErrorRateSLO, cfg.MilestoneOverdue, cfg.SourceStaleIntervals, cfg.SourceMaxAge = 0, 0, false, 0, 0
	srv := newWebhookServer(t)
	cfg.Webhook.URL = srv.URL
	wh := NewNotifier(cfg.Webhook, views.LangChinese, quietLogger())
	if _, err := runAlerts(ctx, s.DB, cfg, s.Day, s.Now, nil, wh); err != nil {
		t.Fatal(err)
	}
	bodies := srv.bodies()
	if len(bodies) != 1 {
		t.Fatalf("webhook got %d posts, want 1", len(bodies))
	}
	var msg struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type     string                  `json:"type"`
			Text     struct{ Text string }   `json:"text"`
			Elements []struct{ Text string } `json:"elements"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(bodies[0]), &msg); err != nil {
		t.Fatalf("payload is not JSON: %v", err)
	}
	if want := "EcoPulse 告警 — 健康度偏低 — Alpha：健康度 35.0 低于 40"; msg.Text != want {
		t.Errorf("text = %q, want %q", msg.Text, want)
	}
	if len(msg.Blocks) != 2 {
		t.Fatalf("blocks = %s", bodies[0])
	}
	if got, want := msg.Blocks[0].Text.Text, "*健康度偏低*\nAlpha：健康度 35.0 低于 40"; got != want {
		t.Errorf("section = %q, want %q", got, want)
	}
	if len(msg.Blocks[1].Elements) != 1 || msg.Blocks[1].Elements[0].Text != "规则 health_below · alpha · 开启于 "+s.Day.Format(domain.DateLayout) {
		t.Errorf("context = %+v, want the rule and subject as stored", msg.Blocks[1].Elements)
	}

	// A row stored before message keys: the Chinese post quotes its English.
	old := data.Alert{Rule: views.RuleSourceStale, Subject: "github", Message: "source github has never collected successfully",
		OpenedOn: s.Day}
	body, err := slackPayload(old, views.TrIn(views.LangChinese))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), "EcoPulse 告警 — 数据源停止采集 — source github has never collected successfully") {
		t.Errorf("payload of an old alert = %s", body)
	}
}
