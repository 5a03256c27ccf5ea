package alerting

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/alerting/alertingtest"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// runAlerts is one evaluation of the rules cfg over db by an engine of
// its own, as the scheduler's alert job makes; n may be nil (no webhook).
func runAlerts(ctx context.Context, db *data.DB, cfg config.AlertConfig, day, now time.Time, sources []views.SourceInfo, n *Notifier) (*data.AlertSync, error) {
	return NewEngine(db, cfg, quietLogger()).Evaluate(ctx, day, now, sources, n)
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestAlertRulesOpenDedupeAndResolve(t *testing.T) {
	s := alertingtest.NewScenario(t)
	ctx := context.Background()
	s.Run(t, "github", domain.RunSucceeded, s.Now.Add(-2*time.Hour)) // every 15m: stale after 45m
	s.Run(t, "discourse", domain.RunSucceeded, s.Now.Add(-10*time.Minute))
	s.Run(t, "push", domain.RunSucceeded, s.Now.Add(-25*time.Hour)) // not configured: stale after 24h
	s.Run(t, "broken", domain.RunFailed, s.Now.Add(-time.Minute))   // never succeeded
	sources := []views.SourceInfo{{Name: "github", Interval: 15 * time.Minute}, {Name: "discourse", Interval: 15 * time.Minute},
		{Name: "broken", Interval: time.Hour}, {Name: "idle", Interval: time.Hour}}
	cfg := config.DefaultAlertConfig()
	cfg.HealthDrop = 10 // off by default

	res, err := runAlerts(ctx, s.DB, cfg, s.Day, s.Now, sources, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		views.RuleHealthBelow:      {"alpha"},
		views.RuleHealthDrop:       {"alpha"},
		views.RuleErrorRate:        {"alpha"}, // bravo's 1% 5xx is within the 2% SLO
		views.RuleMilestoneOverdue: {"alpha/joint-lab"},
		views.RuleSourceStale:      {"broken", "github", "push"},
	}
	got := alertingtest.OpenSubjects(t, s.DB)
	for rule, w := range want {
		if strings.Join(got[rule], ",") != strings.Join(w, ",") {
			t.Errorf("%s: open for %v, want %v", rule, got[rule], w)
		}
	}
	if got, want := len(res.Opened), 7; got != want {
		t.Errorf("first evaluation opened %d alerts, want %d", got, want)
	}
	open, _ := s.DB.Alerts(ctx, data.AlertFilter{State: data.AlertOpen, Member: "alpha"})
	msgs := map[string]string{}
	for _, a := range open {
		msgs[a.Rule] = a.Message
	}
	for rule, want := range map[string]string{
		views.RuleHealthBelow:      "health 35.0 is below 40",
		views.RuleHealthDrop:       "health fell 40.0 points in a week",
		views.RuleErrorRate:        "5xx API error rate 3% over the last 7 days (30 of 1000 calls) is above the 2% SLO",
		views.RuleMilestoneOverdue: `1 milestone of project Joint Lab overdue; the oldest, "Pilot", was due 2026-06-01`,
	} {
		if !strings.Contains(msgs[rule], want) {
			t.Errorf("%s message = %q, want it to say %q", rule, msgs[rule], want)
		}
	}

	// The same conditions again open nothing new.
	res, err = runAlerts(ctx, s.DB, cfg, s.Day, s.Now.Add(5*time.Minute), sources, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Opened) != 0 || len(res.Resolved) != 0 {
		t.Errorf("re-evaluation opened %d and resolved %d, want none", len(res.Opened), len(res.Resolved))
	}
	all, _ := s.DB.Alerts(ctx, data.AlertFilter{})
	if got, want := len(all), 7; got != want {
		t.Errorf("%d alerts stored after a re-evaluation, want %d (no duplicate)", got, want)
	}

	// Conditions clear: alpha recovers, github collects, the milestone is
	// done; counting 4xx puts bravo over the SLO.
	s.Scores(t, s.Day, 72, 78)
	s.Run(t, "github", domain.RunSucceeded, s.Now.Add(9*time.Minute))
	due, _ := domain.ParseDay("2026-06-01")
	if err := s.DB.AddMilestones(ctx, []domain.Milestone{{ProjectID: s.Project, ExternalID: "m1", Title: "Pilot", DueOn: due, DoneOn: s.Day}}); err != nil {
		t.Fatal(err)
	}
	cfg.ErrorRateCounts4xx = true
	res, err = runAlerts(ctx, s.DB, cfg, s.Day, s.Now.Add(10*time.Minute), sources, nil)
	if err != nil {
		t.Fatal(err)
	}
	got = alertingtest.OpenSubjects(t, s.DB)
	want = map[string][]string{
		views.RuleErrorRate:   {"alpha", "bravo"},
		views.RuleSourceStale: {"broken", "push"},
	}
	if len(got) != len(want) {
		t.Errorf("open after recovery: %v, want %v", got, want)
	}
	for rule, w := range want {
		if strings.Join(got[rule], ",") != strings.Join(w, ",") {
			t.Errorf("%s: open for %v, want %v", rule, got[rule], w)
		}
	}
	if got, want := len(res.Resolved), 2; got != want { // the milestone, github
		t.Errorf("resolved %d, want %d", got, want)
	}
	// The health alerts opened on the day whose scores were saved again:
	// on its final scores they never held, so they leave the history.
	if res.Withdrawn != 2 {
		t.Errorf("withdrawn %d, want 2 (health below and health drop)", res.Withdrawn)
	}

	// A rule switched off resolves its alerts.
	cfg.SourceStaleIntervals, cfg.SourceMaxAge = 0, 0
	if _, err := runAlerts(ctx, s.DB, cfg, s.Day, s.Now.Add(11*time.Minute), sources, nil); err != nil {
		t.Fatal(err)
	}
	if got := alertingtest.OpenSubjects(t, s.DB)[views.RuleSourceStale]; len(got) != 0 {
		t.Errorf("source alerts still open with the rule off: %v", got)
	}
}

// TestErrorRateScalesWithVolume: three 5xx in a hundred calls is not an
// incident (its lower bound is under the 2% SLO); the same 3% of ten
// thousand calls is.
func TestErrorRateScalesWithVolume(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		calls int64
		want  bool
	}{{100, false}, {10000, true}} {
		s := alertingtest.NewScenario(t)
		charlie := &domain.Member{Slug: "charlie", Name: "Charlie", Kind: domain.KindPartner, JoinedOn: s.Alpha.JoinedOn}
		if err := s.DB.CreateMember(ctx, charlie); err != nil {
			t.Fatal(err)
		}
		cons := &domain.APIConsumer{Key: "key-c", MemberID: charlie.ID}
		if err := s.DB.UpsertConsumer(ctx, cons); err != nil {
			t.Fatal(err)
		}
		at := s.Day.AddDate(0, 0, -1).Add(9 * time.Hour)
		errs := c.calls * 3 / 100
		if err := s.DB.AddUsage(ctx, []domain.UsageRollup{alertingtest.Usage(at, cons.ID, 2, c.calls-errs), alertingtest.Usage(at, cons.ID, 5, errs)}); err != nil {
			t.Fatal(err)
		}
		cfg := config.DefaultAlertConfig()
		cfg.MilestoneOverdue, cfg.HealthBelow, cfg.SourceStaleIntervals, cfg.SourceMaxAge = false, 0, 0, 0
		if _, err := runAlerts(ctx, s.DB, cfg, s.Day, s.Now, nil, nil); err != nil {
			t.Fatal(err)
		}
		got := slices.Contains(alertingtest.OpenSubjects(t, s.DB)[views.RuleErrorRate], "charlie")
		if got != c.want {
			t.Errorf("charlie with 3%% 5xx of %d calls: alert %v, want %v", c.calls, got, c.want)
		}
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
	h := alertingtest.NewChangeHistory(t, "alpha", "bravo")
	h.SaveHovering(t)
	cfg := config.DefaultAlertConfig()
	now := h.Day(9).Add(22 * time.Hour)
	if _, err := runAlerts(ctx, h.DB, cfg, h.Day(9), now, nil, nil); err != nil {
		t.Fatal(err)
	}
	spans, rows := h.Episodes(t, views.RuleUsageDrop, "alpha")
	if want := []string{"06-02→06-07", "06-09→…"}; strings.Join(spans, " ") != strings.Join(want, " ") {
		t.Fatalf("alpha's usage-drop alerts = %v, want %v", spans, want)
	}
	if got, want := rows[1].Message, alertingtest.UsageDrop(0.49).Text(); got != want {
		t.Errorf("open alert's message = %q, want the last day's signal sentence %q", got, want)
	}
	if !strings.Contains(rows[1].Message, "API calls −51%") {
		t.Errorf("message %q does not say the drop in numbers", rows[1].Message)
	}
	if spans, _ := h.Episodes(t, views.RuleLatency, "bravo"); len(spans) != 0 {
		t.Errorf("bravo's latency between the thresholds opened %v", spans)
	}
	// Open on a day, as `ecopulse alerts --at` asks: the day the alert
	// opened through the day before it closed.
	for i, want := range []int{0, 1, 1, 1, 1, 1, 0, 0, 1, 1} {
		on, err := h.DB.Alerts(ctx, data.AlertFilter{At: h.Day(i), Rule: views.RuleUsageDrop})
		if err != nil {
			t.Fatal(err)
		}
		if len(on) != want {
			t.Errorf("usage-drop alerts open on day %d = %d, want %d", i, len(on), want)
		}
	}

	// With the rule's thresholds set apart less, the same days read
	// differently: the thresholds come from the configuration.
	h2 := alertingtest.NewChangeHistory(t, "alpha", "bravo")
	h2.SaveHovering(t)
	cfg.UsageDrop = config.ChangeRule{OpenBelow: 0.5, CloseAt: 0.56}
	if _, err := runAlerts(ctx, h2.DB, cfg, h2.Day(9), now, nil, nil); err != nil {
		t.Fatal(err)
	}
	if spans, _ := h2.Episodes(t, views.RuleUsageDrop, "alpha"); strings.Join(spans, " ") != "06-02→06-05 06-09→…" {
		t.Errorf("with close at 0.56: %v, want 06-02→06-05 06-09→…", spans)
	}
}
