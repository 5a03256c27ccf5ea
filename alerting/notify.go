package alerting

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/collectors"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// Notifier posts alerts to the configured webhook as Slack-compatible
// JSON, with bounded retries, its words in the configured language.
type Notifier struct {
	cfg    config.WebhookConfig
	tr     views.Tr // the configured language's (config language:)
	client *http.Client
	log    *slog.Logger
	// sleep waits between attempts; tests replace it to run without waiting.
	sleep func(ctx context.Context, d time.Duration) error
}

// NewNotifier returns the notifier of the configured webhook, posting in
// lang (the configuration's language; English when it names none the
// catalogues have), or nil when no webhook is configured. A channel has
// no reader's choice to follow: its posts speak the deployment's language.
func NewNotifier(cfg config.WebhookConfig, lang string, log *slog.Logger) *Notifier {
	if cfg.URL == "" {
		return nil
	}
	return &Notifier{cfg: cfg, tr: views.TrIn(lang), client: &http.Client{Timeout: cfg.Timeout}, log: log, sleep: collectors.Sleep}
}

// maxBackoff bounds one wait between attempts, whatever the server asks.
const maxBackoff = time.Minute

// notifyPending posts every open alert not yet accepted by the webhook,
// oldest first, and records each delivery. When one alert cannot be
// delivered after every attempt, the others wait for the next evaluation
// (the endpoint is down: no point in hammering it), which bounds the time
// an evaluation spends here.
//
// Each alert is claimed in the database before it is posted
// (data.ClaimAlertNotify): of several replicas notifying at once, one
// posts it and the others skip it. A failed post gives the claim up for a
// later round; a notifier that dies holding one leaves it to expire after
// claimTTL.
func (w *Notifier) notifyPending(ctx context.Context, db *data.DB, now time.Time) error {
	todo, err := db.AlertsToNotify(ctx, w.cfg.Rounds)
	if err != nil {
		return err
	}
	claim := data.NewNotifyClaim()
	for _, a := range todo {
		body, err := slackPayload(a, w.tr)
		if err != nil {
			return err
		}
		// Claim deadlines are wall-clock times (now may be a scored day's).
		at := time.Now()
		ok, err := db.ClaimAlertNotify(ctx, a.ID, w.cfg.Rounds, claim, at, at.Add(w.claimTTL()))
		if err != nil {
			return err
		}
		if !ok {
			continue // another notifier posted it, or is posting it
		}
		if err := w.post(ctx, body); err != nil {
			if ctx.Err() != nil {
				// Shutting down: the claim is given up uncounted, so that
				// the next run (here or elsewhere) posts at once.
				db.ReleaseAlertNotify(context.WithoutCancel(ctx), a.ID, claim)
				return ctx.Err()
			}
			w.log.Warn("alert webhook failed", "alert", a.ID, "rule", a.Rule, "subject", a.Subject, "err", err)
			return db.MarkAlertNotifyFailed(ctx, a.ID, claim, truncate(err.Error(), 500))
		}
		if err := db.MarkAlertNotified(context.WithoutCancel(ctx), a.ID, now); err != nil {
			return err
		}
	}
	return nil
}

// claimTTL is how long a claimed delivery is left to its notifier: longer
// than post can take (every attempt timing out, every wait at its bound),
// so that a live notifier's claim never expires under it.
func (w *Notifier) claimTTL() time.Duration {
	perTry := w.cfg.Timeout
	if perTry <= 0 {
		perTry = 30 * time.Second
	}
	tries := time.Duration(max(w.cfg.Attempts, 1))
	return tries*(perTry+maxBackoff) + time.Minute
}

// post sends one payload: up to Attempts tries, waiting Backoff, then twice
// as long after each failure (or what a 429's Retry-After asks, bounded).
// Network errors, 429 and 5xx are retried; other statuses are final.
func (w *Notifier) post(ctx context.Context, body []byte) error {
	wait := w.cfg.Backoff
	var last error
	for attempt := 1; attempt <= w.cfg.Attempts; attempt++ {
		if attempt > 1 {
			if err := w.sleep(ctx, min(wait, maxBackoff)); err != nil {
				return err
			}
			wait *= 2
		}
		retry, after, err := w.try(ctx, body)
		if err == nil {
			return nil
		}
		last = fmt.Errorf("attempt %d of %d: %w", attempt, w.cfg.Attempts, err)
		if !retry {
			return last
		}
		if after > wait {
			wait = after
		}
	}
	return last
}

// try makes one request. It reports whether a failure is worth retrying and
// how long the server asked to wait.
func (w *Notifier) try(ctx context.Context, body []byte) (retry bool, after time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return false, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "EcoPulse-alerts/1")
	resp, err := w.client.Do(req)
	if err != nil {
		// The URL may hold a secret (Slack's do): report the failure only.
		var ue interface{ Timeout() bool }
		if errors.As(err, &ue) && ue.Timeout() {
			return true, 0, errors.New("webhook request timed out")
		}
		return true, 0, errors.New("webhook request failed: " + networkReason(err))
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return false, 0, nil
	}
	err = fmt.Errorf("webhook answered HTTP %d", resp.StatusCode)
	if resp.StatusCode == http.StatusTooManyRequests {
		if s, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil && s > 0 {
			after = time.Duration(s) * time.Second
		}
		return true, after, err
	}
	return resp.StatusCode >= 500, 0, err
}

// networkReason is the error text without the request URL.
func networkReason(err error) string {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return inner.Error()
		}
	}
	return "network error"
}

// slackEscape escapes what Slack's text formatting treats as markup.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// slackPayload is an alert as a Slack incoming-webhook message: "text"
// (shown by any Slack-compatible receiver and in notifications) and blocks,
// in tr's language. The rule and subject in its context line stay the
// machine names, which receivers filter on; member names, titles and
// numbers are as stored.
func slackPayload(a data.Alert, tr views.Tr) ([]byte, error) {
	body := views.AlertMessage(tr, a.MessageKey, a.MessageArgs, a.Message)
	if a.Member != "" {
		name := a.MemberName
		if name == "" {
			name = a.Member
		}
		body = tr("alertmsg.webhook.about", "Name", name, "Message", body)
	}
	label := views.RuleLabelIn(tr, a.Rule)
	text := slackEscape.Replace(fmt.Sprintf("%s — %s — %s", tr("alertmsg.webhook.title"), label, body))
	msg := map[string]any{
		"text": text,
		"blocks": []any{
			map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn",
				"text": "*" + slackEscape.Replace(label) + "*\n" + slackEscape.Replace(body)}},
			map[string]any{"type": "context", "elements": []any{map[string]any{"type": "mrkdwn",
				"text": slackEscape.Replace(tr("alertmsg.webhook.context", "Rule", a.Rule, "Subject", a.Subject, "Opened", openedText(a)))}}},
		},
	}
	return json.Marshal(msg)
}

// openedText says when an alert opened: the scored day its condition was
// first found (a backfill's alert opened long before it was posted), or,
// for an alert recorded before alerts had days, when it was first seen.
func openedText(a data.Alert) string {
	if !a.OpenedOn.IsZero() {
		return a.OpenedOn.Format(domain.DateLayout)
	}
	return a.FirstSeen.UTC().Format("2006-01-02 15:04 UTC")
}
