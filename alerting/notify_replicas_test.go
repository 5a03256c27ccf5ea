package alerting

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/alerting/alertingtest"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
)

// receiver is a local webhook that records each payload's text and holds
// its first request until released.
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	texts   []string
	first   chan struct{} // closed when the first request arrived
	release chan struct{}
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{first: make(chan struct{}), release: make(chan struct{})}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var msg struct{ Text string }
		json.Unmarshal(body, &msg)
		r.mu.Lock()
		r.texts = append(r.texts, msg.Text)
		n := len(r.texts)
		r.mu.Unlock()
		if n == 1 {
			close(r.first)
			<-r.release
		}
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) received() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for _, s := range r.texts {
		out[s]++
	}
	return out
}

// openSecond opens another store on db's database, as another replica.
func openSecond(t *testing.T, db *data.DB) *data.DB {
	t.Helper()
	return datatest.Open(t, datatest.TargetOf(t, db))
}

// pendingAlerts evaluates the scenario's rules with health_drop on (4
// alerts about alpha) and returns the alerts waiting for the webhook.
func pendingAlerts(t *testing.T) (*alertingtest.Scenario, config.AlertConfig, []data.Alert) {
	t.Helper()
	s := alertingtest.NewScenario(t)
	cfg := config.DefaultAlertConfig()
	cfg.HealthDrop = 10
	cfg.SourceStaleIntervals, cfg.SourceMaxAge = 0, 0
	if _, err := runAlerts(context.Background(), s.DB, cfg, s.Day, s.Now, nil, nil); err != nil {
		t.Fatal(err)
	}
	pending, err := s.DB.AlertsToNotify(context.Background(), cfg.Webhook.Rounds)
	if err != nil || len(pending) < 2 {
		t.Fatalf("%d alerts to notify, %v; want several", len(pending), err)
	}
	return s, cfg, pending
}

// TestWebhookPostsEachAlertOnceAcrossReplicas: two replicas' notifiers on
// one database, the second running while the first is in the middle of
// a post: the receiver gets every alert exactly once.
func TestWebhookPostsEachAlertOnceAcrossReplicas(t *testing.T) {
	s, cfg, pending := pendingAlerts(t)
	ctx := context.Background()
	recv := newReceiver(t)
	var waits []time.Duration
	one := testWebhook(cfg.Webhook, recv.URL, &waits)
	two := testWebhook(cfg.Webhook, recv.URL, &waits)
	other := openSecond(t, s.DB)

	done := make(chan error, 1)
	go func() { done <- one.notifyPending(ctx, s.DB, s.Now) }()
	<-recv.first // replica one is posting its first alert
	if err := two.notifyPending(ctx, other, s.Now); err != nil {
		t.Fatal(err)
	}
	close(recv.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := recv.received()
	if len(got) != len(pending) {
		t.Errorf("the receiver got %d distinct alerts, want %d", len(got), len(pending))
	}
	for text, n := range got {
		if n != 1 {
			t.Errorf("%q arrived %d times, want once", text, n)
		}
	}
	if left, _ := s.DB.AlertsToNotify(ctx, cfg.Webhook.Rounds); len(left) != 0 {
		t.Errorf("%d alerts still to notify after both runs", len(left))
	}
}

// TestWebhookClaimsExpireAndFailuresAreRetried: an alert claimed by a
// notifier that died is left alone until the claim expires, then posted
// by another; an alert whose post failed is posted by a later run of
// another replica.
func TestWebhookClaimsExpireAndFailuresAreRetried(t *testing.T) {
	s, cfg, pending := pendingAlerts(t)
	ctx := context.Background()
	dead := pending[0].ID
	now := time.Now()
	if ok, err := s.DB.ClaimAlertNotify(ctx, dead, cfg.Webhook.Rounds, "dead", now, now.Add(time.Hour)); err != nil || !ok {
		t.Fatalf("claim: %v, %v", ok, err)
	}
	if ok, err := s.DB.ClaimAlertNotify(ctx, dead, cfg.Webhook.Rounds, "other", now, now.Add(time.Hour)); err != nil || ok {
		t.Fatalf("a held claim was claimed again: %v, %v", ok, err)
	}
	var waits []time.Duration
	other := openSecond(t, s.DB)
	ok := newWebhookServer(t)
	if err := testWebhook(cfg.Webhook, ok.URL, &waits).notifyPending(ctx, other, s.Now); err != nil {
		t.Fatal(err)
	}
	if _, accepted := ok.counts(); accepted != len(pending)-1 {
		t.Fatalf("with one alert claimed, %d were delivered, want %d", accepted, len(pending)-1)
	}
	// Time passes: the dead notifier's claim expires (its deadline moved
	// back, as the clock moving on would leave it behind).
	if _, err := datatest.Raw(t, s.DB).Exec(`UPDATE alerts SET notify_claimed_until = ? WHERE id = ?`, now.Add(-time.Second).Unix(), dead); err != nil {
		t.Fatal(err)
	}
	// A down webhook: the post fails, the claim is given up, and a later
	// run of the other replica delivers it.
	down := newWebhookServer(t, 503, 503, 503, 503, 503, 503)
	if err := testWebhook(cfg.Webhook, down.URL, &waits).notifyPending(ctx, s.DB, s.Now); err != nil {
		t.Fatal(err)
	}
	if requests, _ := down.counts(); requests != cfg.Webhook.Attempts {
		t.Fatalf("the down webhook got %d requests, want %d (the expired claim's alert)", requests, cfg.Webhook.Attempts)
	}
	if err := testWebhook(cfg.Webhook, ok.URL, &waits).notifyPending(ctx, other, s.Now); err != nil {
		t.Fatal(err)
	}
	if _, accepted := ok.counts(); accepted != len(pending) {
		t.Errorf("after the failed post, %d alerts were delivered in all, want %d", accepted, len(pending))
	}
	if left, _ := s.DB.AlertsToNotify(ctx, cfg.Webhook.Rounds); len(left) != 0 {
		t.Errorf("%d alerts still to notify", len(left))
	}
}
