package views

import (
	"strings"
	"testing"
)

func TestAlertMessage(t *testing.T) {
	en, zh := TrIn(LangEnglish), TrIn(LangChinese)
	args := map[string]any{"Health": "41.2", "Threshold": "50"}
	const stored = "health 41.2 is below 50"
	if got := AlertMessage(en, "alertmsg.health_below", args, stored); got != stored {
		t.Errorf("English: %q, want %q", got, stored)
	}
	if got, want := AlertMessage(zh, "alertmsg.health_below", args, stored), "健康度 41.2 低于 50"; got != want {
		t.Errorf("Chinese: %q, want %q", got, want)
	}
	// A plural form from a count read back from JSON (a float64), a
	// collected title kept as it is, an optional part left out.
	mile := map[string]any{"Count": float64(1), "Project": "Atlas <v2>", "Title": `"Ship"`, "Due": "2026-05-01"}
	if got, want := AlertMessage(en, "alertmsg.milestone_overdue", mile, "x"),
		`1 milestone of project Atlas <v2> overdue; the oldest, "Ship", was due 2026-05-01`; got != want {
		t.Errorf("one milestone: %q, want %q", got, want)
	}
	mile["Count"] = "3"
	if got := AlertMessage(zh, "alertmsg.milestone_overdue", mile, "x"); !strings.Contains(got, "3 个里程碑逾期") || !strings.Contains(got, "Atlas <v2>") {
		t.Errorf("three milestones in Chinese: %q", got)
	}
	never := map[string]any{"Source": "github", "Error": ""}
	if got, want := AlertMessage(en, "alertmsg.source_never", never, "x"), "source github has never collected successfully"; got != want {
		t.Errorf("no error: %q, want %q", got, want)
	}
	// Old rows, unknown keys and facts that no longer fill the message
	// show the stored English.
	for name, c := range map[string]struct {
		key  string
		args map[string]any
	}{
		"no key":       {"", args},
		"unknown key":  {"alertmsg.no_such_message", args},
		"missing fact": {"alertmsg.health_below", map[string]any{"Health": "41.2"}},
	} {
		if got := AlertMessage(zh, c.key, c.args, stored); got != stored {
			t.Errorf("%s: %q, want the stored English %q", name, got, stored)
		}
	}
}

func TestRuleLabelsInEveryLanguage(t *testing.T) {
	for _, lang := range Langs {
		tr := TrIn(lang)
		for _, rule := range AlertRules {
			if got := tr("alert_rule." + rule); got == "alert_rule."+rule {
				t.Errorf("%s: no label of rule %s", lang, rule)
			}
		}
	}
	if got := RuleLabelIn(TrIn(LangChinese), RuleSunset); got != "API 版本临近停用" {
		t.Errorf("sunset in Chinese: %q", got)
	}
	for _, rule := range AlertRules {
		if got := RuleLabelIn(TrIn(LangEnglish), rule); got != RuleLabel(rule) {
			t.Errorf("English label %q differs from RuleLabel's %q", got, RuleLabel(rule))
		}
	}
	if got := RuleLabelIn(TrIn(LangChinese), "custom"); got != "custom" {
		t.Errorf("unknown rule: %q", got)
	}
}
