package app

import (
	"context"
	"encoding/json"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// changeHistory is a store with members whose scored days carry change
// signals given by hand: what the model would have stored.
type changeHistory struct {
	db      *data.DB
	members map[string]int64
	first   time.Time
}

func newChangeHistory(tb testing.TB, slugs ...string) *changeHistory {
	tb.Helper()
	h := &changeHistory{db: emptyDB(tb), members: map[string]int64{}, first: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	joined, _ := domain.ParseDay("2026-01-01")
	for _, slug := range slugs {
		m := &domain.Member{Slug: slug, Name: strings.ToUpper(slug[:1]) + slug[1:], Kind: domain.KindPartner, JoinedOn: joined}
		if err := h.db.CreateMember(context.Background(), m); err != nil {
			tb.Fatal(err)
		}
		h.members[slug] = m.ID
	}
	return h
}

func (h *changeHistory) day(i int) time.Time { return h.first.AddDate(0, 0, i) }

// usageDrop is a usage_drop signal of score s (calls fell to 1000·s a week
// from 1000): its sentence quotes the numbers.
func usageDrop(s float64) domain.Change {
	return domain.Change{Kind: domain.ChangeUsageDrop, Dimension: "api", Score: s, Now: math.Round(1000 * s), Before: 1000}
}

// save stores day i's scores: every member healthy, with the signals given
// (a member not in changes has none: fine that day).
func (h *changeHistory) save(tb testing.TB, i int, changes map[string][]domain.Change) {
	tb.Helper()
	nan := math.NaN()
	var ms []domain.MemberScore
	for slug, id := range h.members {
		ms = append(ms, domain.MemberScore{Day: h.day(i), MemberID: id, T: 1, I: 1, M: 1, C: 1, Health: 80, Status: domain.StatusHealthy,
			Dimensions: [4]float64{80, nan, nan, nan}, Changes: changes[slug]})
	}
	if err := h.db.SaveDayScores(context.Background(), &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: h.day(i), Health: 80}, Members: ms}); err != nil {
		tb.Fatal(err)
	}
}

// episodes are a rule's alerts about a member as "MM-DD→MM-DD" (→… while
// open), oldest first, with their rows.
func (h *changeHistory) episodes(tb testing.TB, rule, member string) ([]string, []data.Alert) {
	tb.Helper()
	all, err := h.db.Alerts(context.Background(), data.AlertFilter{Rule: rule, Member: member})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].OpenedOn.Before(all[j].OpenedOn) })
	var spans []string
	for _, a := range all {
		end := "…"
		if !a.ClosedOn.IsZero() {
			end = a.ClosedOn.Format("01-02")
		}
		spans = append(spans, a.OpenedOn.Format("01-02")+"→"+end)
	}
	return spans, all
}

// hovering is alpha's usage signal day by day (0: no signal, fine): it
// dips under 0.5, hovers across it, recovers over 0.75, hovers under 0.75
// without dipping, and dips again. A single threshold at 0.5 would open
// and close three times in the first five days.
var hovering = []float64{0, 0.45, 0.55, 0.48, 0.62, 0.70, 0.80, 0.55, 0.45, 0.49}

func (h *changeHistory) saveHovering(tb testing.TB) {
	tb.Helper()
	for i, s := range hovering {
		changes := map[string][]domain.Change{
			// bravo's latency hovers between the thresholds every day:
			// never bad enough to open an alert.
			"bravo": {{Kind: domain.ChangeLatency, Dimension: "api", Score: 0.52 + 0.02*float64(i%3), Now: 2400, Before: 1000}},
		}
		if s > 0 {
			changes["alpha"] = []domain.Change{usageDrop(s)}
		}
		h.save(tb, i, changes)
	}
}

// TestMemberAlertsFollowTheScoredDaysWithHysteresis stores ten days of
// change signals and has the alert evaluation derive their history: a
// signal hovering around the open threshold opens one alert, not one a
// dip; it closes on the first day the signal is back at the close
// threshold; a signal only between the thresholds opens none. The
// message is the signal's own sentence.
func TestMemberAlertsFollowTheScoredDaysWithHysteresis(t *testing.T) {
	ctx := context.Background()
	h := newChangeHistory(t, "alpha", "bravo")
	h.saveHovering(t)
	cfg := config.DefaultAlertConfig()
	now := h.day(9).Add(22 * time.Hour)
	if _, err := runAlerts(ctx, h.db, cfg, h.day(9), now, nil, nil); err != nil {
		t.Fatal(err)
	}
	spans, rows := h.episodes(t, views.RuleUsageDrop, "alpha")
	if want := []string{"06-02→06-07", "06-09→…"}; strings.Join(spans, " ") != strings.Join(want, " ") {
		t.Fatalf("alpha's usage-drop alerts = %v, want %v", spans, want)
	}
	if got, want := rows[1].Message, usageDrop(0.49).Text(); got != want {
		t.Errorf("open alert's message = %q, want the last day's signal sentence %q", got, want)
	}
	if !strings.Contains(rows[1].Message, "API calls −51%") {
		t.Errorf("message %q does not say the drop in numbers", rows[1].Message)
	}
	if spans, _ := h.episodes(t, views.RuleLatency, "bravo"); len(spans) != 0 {
		t.Errorf("bravo's latency between the thresholds opened %v", spans)
	}
	// Open on a day, as `ecopulse alerts --at` asks: the day the alert
	// opened through the day before it closed.
	for i, want := range []int{0, 1, 1, 1, 1, 1, 0, 0, 1, 1} {
		on, err := h.db.Alerts(ctx, data.AlertFilter{At: h.day(i), Rule: views.RuleUsageDrop})
		if err != nil {
			t.Fatal(err)
		}
		if len(on) != want {
			t.Errorf("usage-drop alerts open on day %d = %d, want %d", i, len(on), want)
		}
	}

	// With the rule's thresholds set apart less, the same days read
	// differently: the thresholds come from the configuration.
	h2 := newChangeHistory(t, "alpha", "bravo")
	h2.saveHovering(t)
	cfg.UsageDrop = config.ChangeRule{OpenBelow: 0.5, CloseAt: 0.56}
	if _, err := runAlerts(ctx, h2.db, cfg, h2.day(9), now, nil, nil); err != nil {
		t.Fatal(err)
	}
	if spans, _ := h2.episodes(t, views.RuleUsageDrop, "alpha"); strings.Join(spans, " ") != "06-02→06-05 06-09→…" {
		t.Errorf("with close at 0.56: %v, want 06-02→06-05 06-09→…", spans)
	}
}

// TestRescoredDaysRederiveAlertsAndKeepTheAcknowledgement scores days of
// the history again after a manager acknowledged and took an alert:
// alerts from the first day scored again are derived anew, and the one
// that still happened (now from an earlier day) keeps its id, its
// acknowledgement and its assignee.
func TestRescoredDaysRederiveAlertsAndKeepTheAcknowledgement(t *testing.T) {
	ctx := context.Background()
	h := newChangeHistory(t, "alpha", "bravo")
	h.saveHovering(t)
	cfg := config.DefaultAlertConfig()
	now := h.day(9).Add(22 * time.Hour)
	if _, err := runAlerts(ctx, h.db, cfg, h.day(9), now, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := AddUser(ctx, h.db, "mia", domain.RoleManager, "password-of-mia"); err != nil {
		t.Fatal(err)
	}
	_, rows := h.episodes(t, views.RuleUsageDrop, "alpha")
	first, taken := rows[0].ID, rows[1].ID
	for _, act := range []struct {
		action string
		in     AlertActionInput
	}{{"acknowledge", AlertActionInput{}}, {"assign", AlertActionInput{User: "mia"}}} {
		if _, err := alertAct(ctx, h.db, "mia", act.action, taken, act.in, now); err != nil {
			t.Fatalf("%s: %v", act.action, err)
		}
	}

	// An import changes days 2 and 7: alpha was fine on day 2, and its
	// second dip began on day 7.
	h.save(t, 2, nil)
	h.save(t, 7, map[string][]domain.Change{"alpha": {usageDrop(0.3)}})
	res, err := runAlerts(ctx, h.db, cfg, h.day(9), now.Add(time.Hour), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	spans, rows := h.episodes(t, views.RuleUsageDrop, "alpha")
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

// TestWebhookAfterABackfillPostsOnlyWhatIsOpenNow derives a month of
// history at once, as after an import of old logs: the webhook gets one
// message per alert open after the latest day, none for the episodes that
// opened and closed in the history, and none again at the next
// evaluations, even once days are scored again.
func TestWebhookAfterABackfillPostsOnlyWhatIsOpenNow(t *testing.T) {
	ctx := context.Background()
	h := newChangeHistory(t, "alpha", "bravo", "charlie")
	dormant := domain.Change{Kind: domain.ChangeDormant, Dimension: "api", Score: 0, Now: 9, Before: 3700}
	dips := func(i int) map[string][]domain.Change {
		c := map[string][]domain.Change{}
		if (i >= 3 && i <= 6) || (i >= 12 && i <= 15) || i >= 25 {
			c["alpha"] = []domain.Change{usageDrop(0.3)}
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
		h.save(t, i, dips(i))
	}
	cfg := config.DefaultAlertConfig()
	cfg.SourceStaleIntervals, cfg.SourceMaxAge = 0, 0
	srv := newWebhookServer(t)
	var waits []time.Duration
	now := h.day(29).Add(23 * time.Hour)
	if _, err := runAlerts(ctx, h.db, cfg, h.day(29), now, nil, testWebhook(cfg.Webhook, srv.URL, &waits)); err != nil {
		t.Fatal(err)
	}
	all, err := h.db.Alerts(ctx, data.AlertFilter{})
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
	for _, b := range srv.bodies {
		var msg struct{ Text string }
		if err := json.Unmarshal([]byte(b), &msg); err != nil {
			t.Fatal(err)
		}
		texts = append(texts, msg.Text)
	}
	sort.Strings(texts)
	if !strings.Contains(texts[0], "Alpha: "+usageDrop(0.3).Text()) || !strings.Contains(texts[1], "Charlie: no API calls for 18 days") {
		t.Errorf("webhook messages = %q", texts)
	}
	if !strings.Contains(srv.bodies[0]+srv.bodies[1], "opened 2026-06-26") {
		t.Errorf("the messages do not say the day alpha's alert opened: %v", srv.bodies)
	}
	// Evaluated again, and after the last days are scored again to the
	// same signals: the open alerts keep their rows, so nothing is posted
	// twice.
	if _, err := runAlerts(ctx, h.db, cfg, h.day(29), now.Add(time.Minute), nil, testWebhook(cfg.Webhook, srv.URL, &waits)); err != nil {
		t.Fatal(err)
	}
	for i := 26; i < 30; i++ {
		h.save(t, i, dips(i))
	}
	if _, err := runAlerts(ctx, h.db, cfg, h.day(29), now.Add(2*time.Minute), nil, testWebhook(cfg.Webhook, srv.URL, &waits)); err != nil {
		t.Fatal(err)
	}
	if requests, _ := srv.counts(); requests != 2 {
		t.Errorf("%d webhook requests after two more evaluations and a rescore, want still 2", requests)
	}
}
