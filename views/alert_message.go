package views

import (
	"sort"
	"strconv"
	"strings"
)

// AlertMessage says an alert's message in tr's language: the catalogue's
// message key filled with the facts the alerting engine stored beside it
// (data.Alert's MessageKey and MessageArgs). The stored English is the
// answer when there is no key (an alert stored before keys were), when the
// catalogues do not know it, or when it cannot be filled from the stored
// facts (a message whose fields changed since): a page never shows a key
// or a hole.
func AlertMessage(tr Tr, key string, args map[string]any, english string) string {
	if key == "" || tr == nil {
		return english
	}
	names := make([]string, 0, len(args))
	for n := range args {
		names = append(names, n)
	}
	sort.Strings(names) // one order: the same text from the same facts
	pairs := make([]any, 0, 2*len(names))
	for _, n := range names {
		v := args[n]
		if f, ok := v.(float64); ok {
			// A number read back from JSON: go-i18n plural forms take
			// integers and strings only, and %v would print 1e+06.
			v = strconv.FormatFloat(f, 'f', -1, 64)
		}
		pairs = append(pairs, n, v)
	}
	s := tr(key, pairs...)
	if s == key || strings.Contains(s, "<no value>") {
		return english
	}
	return s
}

// RuleLabelIn names an alert rule in tr's language: its alert_rule.RULE
// message (TestRuleLabelsInEveryLanguage checks every rule has one), or
// RuleLabel's English for a rule the catalogues do not name.
func RuleLabelIn(tr Tr, rule string) string {
	key := "alert_rule." + rule
	if s := tr(key); s != key {
		return s
	}
	return RuleLabel(rule)
}
