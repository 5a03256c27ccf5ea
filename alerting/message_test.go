package alerting

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/alerting/alertingtest"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// notFilled is the English AlertMessage falls back to in these tests: a
// message that shows it was not said from its key.
const notFilled = "\x00not filled from its key"

// messageChecker checks that a condition's key, filled with its facts, says
// its stored English exactly, and something else in Chinese, and records
// the rules it saw.
type messageChecker struct {
	t        *testing.T
	en, zh   views.Tr
	seenRule map[string]bool
}

func newMessageChecker(t *testing.T) *messageChecker {
	return &messageChecker{t: t, en: views.TrIn(views.LangEnglish), zh: views.TrIn(views.LangChinese), seenRule: map[string]bool{}}
}

func (c *messageChecker) check(rule, key string, args map[string]any, english string) {
	c.t.Helper()
	c.seenRule[rule] = true
	if key == "" {
		c.t.Errorf("%s: %q has no message key", rule, english)
		return
	}
	if got := views.AlertMessage(c.en, key, args, notFilled); got != english {
		c.t.Errorf("%s: key %s with %v says\n%q, the stored English is\n%q", rule, key, args, got, english)
	}
	if got := views.AlertMessage(c.zh, key, args, notFilled); got == notFilled || got == english {
		c.t.Errorf("%s: key %s is not said in Chinese: %q", rule, key, got)
	}
}

func (c *messageChecker) stored(db *data.DB) {
	c.t.Helper()
	all, err := db.Alerts(context.Background(), data.AlertFilter{})
	if err != nil {
		c.t.Fatal(err)
	}
	for _, a := range all {
		c.check(a.Rule, a.MessageKey, a.MessageArgs, a.Message)
	}
}

// TestAlertMessagesSayTheStoredEnglish: every rule's conditions carry a
// message key whose English, filled with the facts stored beside it, is
// the stored English message exactly — so the English stays one text, and
// the keys and their fields are right — and whose Chinese is filled too.
// The alerts come from real evaluations (and read back from the store);
// the change rules from every kind of change signal.
func TestAlertMessagesSayTheStoredEnglish(t *testing.T) {
	c := newMessageChecker(t)
	ctx := context.Background()

	// Health, error rate (5xx, then 4xx and 5xx), milestones, sources
	// (scheduled, unscheduled, never successful with its error).
	s := alertingtest.NewScenario(t)
	s.Run(t, "github", domain.RunSucceeded, s.Now.Add(-2*time.Hour))
	s.Run(t, "github", domain.RunFailed, s.Now.Add(-time.Hour))
	s.Run(t, "push", domain.RunSucceeded, s.Now.Add(-25*time.Hour))
	s.Run(t, "broken", domain.RunFailed, s.Now.Add(-time.Minute))
	sources := []views.SourceInfo{{Name: "github", Interval: 15 * time.Minute}, {Name: "broken", Interval: time.Hour}}
	cfg := config.DefaultAlertConfig()
	cfg.HealthDrop = 10
	if _, err := runAlerts(ctx, s.DB, cfg, s.Day, s.Now, sources, nil); err != nil {
		t.Fatal(err)
	}
	c.stored(s.DB)
	cfg.ErrorRateCounts4xx = true // alpha's open alert's message is refreshed
	if _, err := runAlerts(ctx, s.DB, cfg, s.Day, s.Now.Add(time.Minute), sources, nil); err != nil {
		t.Fatal(err)
	}
	open, _ := s.DB.Alerts(ctx, data.AlertFilter{Rule: views.RuleErrorRate, Member: "alpha"})
	if len(open) != 1 || open[0].MessageKey != "alertmsg.error_rate_4xx" || !strings.HasPrefix(open[0].Message, "4xx and 5xx") {
		t.Errorf("refreshed error rate alert = %+v, want the 4xx and 5xx message and key", open)
	}
	c.stored(s.DB)

	// Sunset: ahead (one day, several), past, with and without a replacement.
	for _, v := range []struct {
		in          int
		replacement string
	}{{1, ""}, {5, "new"}, {-3, "new"}, {-1, ""}} {
		s := alertingtest.NewScenario(t)
		ca := &domain.APIConsumer{Key: "key-a", MemberID: s.Alpha.ID}
		if err := s.DB.UpsertConsumer(ctx, ca); err != nil {
			t.Fatal(err)
		}
		at := s.Day.AddDate(0, 0, -2).Add(9 * time.Hour)
		if err := s.DB.AddUsage(ctx, []domain.UsageRollup{{Bucket: at, ConsumerID: ca.ID, Endpoint: "/old/chat", StatusClass: 2, Calls: 4}}); err != nil {
			t.Fatal(err)
		}
		vs, err := domain.NewAPIVersions([]domain.APIVersion{
			{Name: "old", Patterns: []*regexp.Regexp{regexp.MustCompile(`^/old/`)}, Deprecated: s.Day.AddDate(0, 0, -60),
				Sunset: s.Day.AddDate(0, 0, v.in), Replacement: v.replacement},
			{Name: "new", Patterns: []*regexp.Regexp{regexp.MustCompile(`.`)}},
		})
		if err != nil {
			t.Fatal(err)
		}
		cfg := config.DefaultAlertConfig()
		cfg.SunsetDays = 10
		e := NewEngine(s.DB, cfg, quietLogger())
		e.SetAPIVersions(vs)
		if _, err := e.Evaluate(ctx, s.Day, s.Now, nil, nil); err != nil {
			t.Fatal(err)
		}
		al, _ := s.DB.Alerts(ctx, data.AlertFilter{Rule: views.RuleSunset})
		if len(al) != 1 {
			t.Fatalf("sunset in %d days: %d alerts, want 1", v.in, len(al))
		}
		c.stored(s.DB)
	}

	// The change rules: each kind of signal, with counts of one and many.
	e := NewEngine(nil, config.DefaultAlertConfig(), quietLogger())
	for _, nums := range [][3]float64{{1, 1, 1}, {4700, 12400, 30}, {0, 3, 2}, {2.5, 1200000, 7}} {
		var changes []domain.Change
		for _, k := range domain.ChangeKinds {
			ch := domain.Change{Kind: k, Score: 0.01, Now: nums[0], Before: nums[1], Of: nums[2]}
			changes = append(changes, ch)
			// Every kind, those no rule watches too: a page may say any.
			c.check("change "+k, changeMessageKey(k), ch.Facts(), ch.Text())
		}
		for _, cond := range e.changeConditions([]data.ScoredMember{{Member: domain.Member{Slug: "alpha"}, Score: domain.MemberScore{Changes: changes}}}) {
			c.check(cond.Rule, cond.MessageKey, cond.MessageArgs, cond.Message)
		}
	}

	for _, rule := range views.AlertRules {
		if !c.seenRule[rule] {
			t.Errorf("no alert of rule %s was checked", rule)
		}
	}
}
