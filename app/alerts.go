package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
	"github.com/ecopulse/ecopulse/views"
)

// Alerts: the rules of AlertConfig. The rules about members are evaluated
// on every scored day, in day order, by the scoring job
// (app/alerts_history.go): each condition that holds opens an episode on
// its day, which closes on the first day it does not (the change rules
// with hysteresis). The rules about sources are evaluated at the time of
// each evaluation. A newly opened alert still open after the evaluation is
// posted to the webhook once; the store records that it was, so a restart
// posts it again never, and a backfill posts only what is open now.

// errorRateZ is the z of the error rate's lower confidence bound.
const errorRateZ = 1.645

// alertMu serialises evaluations: two at once could post the same new alert.
var alertMu sync.Mutex

// evaluateAlerts follows the scores saved since the last evaluation (and
// day's) with the member rules, evaluates the source rules now and posts
// newly opened alerts to the webhook. It is the scoring job's after-run
// hook: failures are logged, not returned.
func (a *App) evaluateAlerts(ctx context.Context, day time.Time) {
	now := time.Now()
	res, err := runAlerts(ctx, a.db, a.cfg.Alerts, day, now, a.sourceInfos(now), newWebhook(a.cfg.Alerts.Webhook, a.log))
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			a.log.Error("alert evaluation failed", "day", day.Format(domain.DateLayout), "err", err)
		}
		return
	}
	if len(res.Opened)+len(res.Resolved)+res.Withdrawn > 0 {
		a.log.Info("alerts evaluated", "day", day.Format(domain.DateLayout), "opened", len(res.Opened), "resolved", len(res.Resolved),
			"withdrawn", res.Withdrawn, "open", res.Open)
	}
}

// runAlerts evaluates, records and notifies; wh may be nil (no webhook).
// Member alerts are derived from the earliest of day and the days scored
// since the last evaluation, through the latest scored day.
func runAlerts(ctx context.Context, db *data.DB, cfg config.AlertConfig, day, now time.Time, sources []views.SourceInfo, wh *webhook) (*data.AlertSync, error) {
	alertMu.Lock()
	defer alertMu.Unlock()
	res, err := deriveAlertHistory(ctx, db, cfg, domain.Day(day), now)
	if err != nil {
		return nil, err
	}
	var conds []data.AlertCondition
	if cfg.SourceStaleIntervals > 0 || cfg.SourceMaxAge > 0 {
		if conds, err = sourceConditions(ctx, db, cfg, now, sources); err != nil {
			return nil, err
		}
	}
	src, err := db.SyncAlerts(ctx, views.SourceAlertRules, conds, now)
	if err != nil {
		return nil, err
	}
	res.Opened = append(res.Opened, src.Opened...)
	res.Resolved = append(res.Resolved, src.Resolved...)
	res.Open += src.Open
	if wh != nil {
		if err := wh.notifyPending(ctx, db, now); err != nil {
			return res, err
		}
	}
	return res, nil
}

// memberConditions evaluates every enabled member rule on one scored day:
// its scores and their change signals, its API usage and milestones. A
// disabled rule holds no condition, so its open alerts close. scores reads
// a day's scores (the history's walk keeps the days it read).
func memberConditions(ctx context.Context, db *data.DB, cfg config.AlertConfig, day time.Time, scores func(time.Time) ([]data.ScoredMember, error)) ([]data.AlertCondition, error) {
	day = domain.Day(day)
	cur, err := scores(day)
	if err != nil {
		return nil, err
	}
	var conds []data.AlertCondition
	if cfg.HealthBelow > 0 || cfg.HealthDrop > 0 {
		c, err := healthConditions(cfg, day, cur, scores)
		if err != nil {
			return nil, err
		}
		conds = append(conds, c...)
	}
	conds = append(conds, changeConditions(cfg, cur)...)
	if cfg.ErrorRateSLO > 0 {
		calls, err := db.CallsByMember(ctx, day.AddDate(0, 0, -6), day.AddDate(0, 0, 1))
		if err != nil {
			return nil, err
		}
		for _, m := range calls {
			failed, what := m.Errors5xx, "5xx"
			if cfg.ErrorRateCounts4xx {
				failed, what = m.Errors4xx+m.Errors5xx, "4xx and 5xx"
			}
			if m.Calls == 0 || m.Calls < cfg.ErrorRateMinCalls {
				continue
			}
			// The rate is judged on its Wilson lower bound (one-sided 95 %),
			// so that three errors in a hundred calls are not an incident
			// while three hundred in ten thousand are.
			rate := float64(failed) / float64(m.Calls)
			if metrics.WilsonLower(float64(failed), float64(m.Calls), errorRateZ) > cfg.ErrorRateSLO {
				conds = append(conds, data.AlertCondition{Rule: views.RuleErrorRate, Subject: m.Slug, Member: m.Slug,
					Message: fmt.Sprintf("%s API error rate %s over the last 7 days (%d of %d calls) is above the %s SLO",
						what, pctText(rate), failed, m.Calls, pctText(cfg.ErrorRateSLO))})
			}
		}
	}
	if cfg.MilestoneOverdue {
		over, err := db.OverdueMilestones(ctx, day)
		if err != nil {
			return nil, err
		}
		for i := 0; i < len(over); {
			j := i
			for j < len(over) && over[j].Member == over[i].Member && over[j].Project == over[i].Project {
				j++
			}
			o := over[i] // the oldest of the member's overdue milestones in the project
			conds = append(conds, data.AlertCondition{Rule: views.RuleMilestoneOverdue, Subject: o.Member + "/" + o.Project, Member: o.Member,
				Message: fmt.Sprintf("%s of project %s overdue; the oldest, %q, was due %s",
					plural(j-i, "milestone", "milestones"), o.ProjectName, o.Title, o.DueOn.Format(domain.DateLayout))})
			i = j
		}
	}
	return conds, nil
}

// healthConditions: health below the threshold, and a drop of at least
// HealthDrop points against 7 days earlier. Members without data in the
// window (status no_data) are not judged.
func healthConditions(cfg config.AlertConfig, day time.Time, cur []data.ScoredMember, scores func(time.Time) ([]data.ScoredMember, error)) ([]data.AlertCondition, error) {
	before := map[int64]domain.MemberScore{}
	if cfg.HealthDrop > 0 {
		old, err := scores(day.AddDate(0, 0, -7))
		if err != nil {
			return nil, err
		}
		for _, m := range old {
			before[m.ID] = m.Score
		}
	}
	var conds []data.AlertCondition
	for _, m := range cur {
		s := m.Score
		if s.Status == domain.StatusNoData {
			continue
		}
		if cfg.HealthBelow > 0 && s.Health < cfg.HealthBelow {
			conds = append(conds, data.AlertCondition{Rule: views.RuleHealthBelow, Subject: m.Slug, Member: m.Slug,
				Message: fmt.Sprintf("health %.1f is below %s", s.Health, strconv.FormatFloat(cfg.HealthBelow, 'f', -1, 64))})
		}
		if old, ok := before[m.ID]; ok && cfg.HealthDrop > 0 && old.Status != domain.StatusNoData && old.Health-s.Health >= cfg.HealthDrop {
			conds = append(conds, data.AlertCondition{Rule: views.RuleHealthDrop, Subject: m.Slug, Member: m.Slug,
				Message: fmt.Sprintf("health fell %.1f points in a week, from %.1f on %s to %.1f", old.Health-s.Health,
					old.Health, day.AddDate(0, 0, -7).Format(domain.DateLayout), s.Health)})
		}
	}
	return conds, nil
}

// sourceConditions: a configured source with no successful run within
// SourceStaleIntervals of its schedule's interval; a source that ran but is
// not configured (push ingest, the demo feed) with none within SourceMaxAge.
// A source that ran but never succeeded is stale once its latest run failed.
func sourceConditions(ctx context.Context, db *data.DB, cfg config.AlertConfig, now time.Time, sources []views.SourceInfo) ([]data.AlertCondition, error) {
	runs, err := db.LatestRuns(ctx)
	if err != nil {
		return nil, err
	}
	latest := map[string]domain.CollectorRun{}
	for _, r := range runs {
		latest[r.Source] = r
	}
	limits := map[string]time.Duration{}
	expect := map[string]string{}
	for _, s := range sources {
		if cfg.SourceStaleIntervals > 0 && s.Interval > 0 {
			limits[s.Name] = time.Duration(cfg.SourceStaleIntervals * float64(s.Interval))
			expect[s.Name] = "expected every " + shortDuration(s.Interval)
		} else {
			limits[s.Name] = 0
		}
	}
	for _, r := range runs {
		if _, ok := limits[r.Source]; !ok && cfg.SourceMaxAge > 0 {
			limits[r.Source] = cfg.SourceMaxAge
			expect[r.Source] = "no schedule; allowed " + shortDuration(cfg.SourceMaxAge)
		}
	}
	var conds []data.AlertCondition
	for name, limit := range limits {
		if limit <= 0 {
			continue
		}
		run, ran := latest[name]
		if !ran {
			continue // never ran: nothing stopped
		}
		ok, err := db.LastSuccessOf(ctx, name)
		if err != nil {
			return nil, err
		}
		var msg string
		switch {
		case ok.IsZero() && run.Status == domain.RunFailed:
			msg = "has never collected successfully"
		case !ok.IsZero() && now.Sub(ok) > limit:
			msg = fmt.Sprintf("has not collected successfully for %s (%s)", shortDuration(now.Sub(ok)), expect[name])
		default:
			continue
		}
		if run.Status == domain.RunFailed && run.Error != "" {
			msg += "; last error: " + truncate(run.Error, 200)
		}
		conds = append(conds, data.AlertCondition{Rule: views.RuleSourceStale, Subject: name, Message: "source " + name + " " + msg})
	}
	return conds, nil
}

func pctText(ratio float64) string {
	return strconv.FormatFloat(math.Round(ratio*1000)/10, 'f', -1, 64) + "%"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// shortDuration shows a duration to the minute: "15m", "7h12m", "3d4h".
func shortDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		h, m := int(d.Hours()), int(d.Minutes())%60
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh%dm", h, m)
	}
	return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// webhook posts alerts as Slack-compatible JSON, with bounded retries.
type webhook struct {
	cfg    config.WebhookConfig
	client *http.Client
	log    *slog.Logger
	// sleep waits between attempts; tests replace it to run without waiting.
	sleep func(ctx context.Context, d time.Duration) error
}

// newWebhook returns the configured webhook, or nil when none is.
func newWebhook(cfg config.WebhookConfig, log *slog.Logger) *webhook {
	if cfg.URL == "" {
		return nil
	}
	return &webhook{cfg: cfg, client: &http.Client{Timeout: cfg.Timeout}, log: log, sleep: sleepCtx}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// maxBackoff bounds one wait between attempts, whatever the server asks.
const maxBackoff = time.Minute

// notifyPending posts every open alert not yet accepted by the webhook,
// oldest first, and records each delivery. When one alert cannot be
// delivered after every attempt, the others wait for the next evaluation
// (the endpoint is down: no point in hammering it), which bounds the time
// an evaluation spends here.
func (w *webhook) notifyPending(ctx context.Context, db *data.DB, now time.Time) error {
	todo, err := db.AlertsToNotify(ctx, w.cfg.Rounds)
	if err != nil {
		return err
	}
	for _, a := range todo {
		body, err := slackPayload(a)
		if err != nil {
			return err
		}
		if err := w.post(ctx, body); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			w.log.Warn("alert webhook failed", "alert", a.ID, "rule", a.Rule, "subject", a.Subject, "err", err)
			return db.MarkAlertNotifyFailed(ctx, a.ID, truncate(err.Error(), 500))
		}
		if err := db.MarkAlertNotified(ctx, a.ID, now); err != nil {
			return err
		}
	}
	return nil
}

// post sends one payload: up to Attempts tries, waiting Backoff, then twice
// as long after each failure (or what a 429's Retry-After asks, bounded).
// Network errors, 429 and 5xx are retried; other statuses are final.
func (w *webhook) post(ctx context.Context, body []byte) error {
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
func (w *webhook) try(ctx context.Context, body []byte) (retry bool, after time.Duration, err error) {
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
// (shown by any Slack-compatible receiver and in notifications) and blocks.
func slackPayload(a data.Alert) ([]byte, error) {
	about := ""
	if a.Member != "" {
		name := a.MemberName
		if name == "" {
			name = a.Member
		}
		about = name + ": "
	}
	label := views.RuleLabel(a.Rule)
	text := slackEscape.Replace(fmt.Sprintf("EcoPulse alert — %s — %s%s", label, about, a.Message))
	msg := map[string]any{
		"text": text,
		"blocks": []any{
			map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn",
				"text": "*" + slackEscape.Replace(label) + "*\n" + slackEscape.Replace(about+a.Message)}},
			map[string]any{"type": "context", "elements": []any{map[string]any{"type": "mrkdwn",
				"text": slackEscape.Replace(fmt.Sprintf("rule %s · %s · opened %s", a.Rule, a.Subject, openedText(a)))}}},
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
