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

// TestSunsetRuleOpensFromTheWarningDay: a member that called a version two
// days ago is alerted about on the first day within sunset_days of the
// version's sunset, not the day before; the message names the version,
// the sunset and the replacement. Its calls to other versions, and members
// not calling it, are no alert; sunset_days 0 turns the rule off.
func TestSunsetRuleOpensFromTheWarningDay(t *testing.T) {
	const n = 10
	for _, c := range []struct {
		name      string
		sunsetIn  int // days from the scenario's day
		days      int
		wantAlpha bool
	}{
		{"first warning day", n, n, true},
		{"a day before the warning", n + 1, n, false},
		{"past the sunset", -3, n, true},
		{"rule off", 1, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := alertingtest.NewScenario(t)
			ctx := context.Background()
			ca := &domain.APIConsumer{Key: "key-a", MemberID: s.Alpha.ID}
			if err := s.DB.UpsertConsumer(ctx, ca); err != nil {
				t.Fatal(err)
			}
			at := s.Day.AddDate(0, 0, -2).Add(9 * time.Hour)
			if err := s.DB.AddUsage(ctx, []domain.UsageRollup{{Bucket: at, ConsumerID: ca.ID, Endpoint: "/old/chat", StatusClass: 2, Calls: 4}}); err != nil {
				t.Fatal(err)
			}
			sunset := s.Day.AddDate(0, 0, c.sunsetIn)
			vs, err := domain.NewAPIVersions([]domain.APIVersion{
				{Name: "old", Patterns: []*regexp.Regexp{regexp.MustCompile(`^/old/`)}, Deprecated: s.Day.AddDate(0, 0, -60), Sunset: sunset, Replacement: "new"},
				{Name: "new", Patterns: []*regexp.Regexp{regexp.MustCompile(`.`)}},
			})
			if err != nil {
				t.Fatal(err)
			}
			cfg := config.DefaultAlertConfig()
			cfg.SunsetDays = c.days
			e := NewEngine(s.DB, cfg, quietLogger())
			e.SetAPIVersions(vs)
			if _, err := e.Evaluate(ctx, s.Day, s.Now, nil, nil); err != nil {
				t.Fatal(err)
			}
			got := strings.Join(alertingtest.OpenSubjects(t, s.DB)[views.RuleSunset], ",")
			want := ""
			if c.wantAlpha {
				want = "alpha/old"
			}
			if got != want {
				t.Fatalf("sunset alerts open for %q, want %q", got, want)
			}
			if !c.wantAlpha {
				return
			}
			al, _ := s.DB.Alerts(ctx, data.AlertFilter{Rule: views.RuleSunset})
			msg := al[0].Message
			for _, part := range []string{"4 calls to API old", "the last on " + at.Format(domain.DateLayout), sunset.Format(domain.DateLayout), "migrate to new"} {
				if !strings.Contains(msg, part) {
					t.Errorf("message %q does not say %q", msg, part)
				}
			}
		})
	}
}
