package views

import (
	"regexp"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// TestQueryErrorsSayTheirEnglish: a bad value in a page's URL (a date, a
// period, a filter, a number) is refused with a keyed error whose English,
// said through the catalogue, is the message the JSON API answers, word for
// word, and whose Chinese is filled in.
func TestQueryErrorsSayTheirEnglish(t *testing.T) {
	get := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	errOf := func(_ any, err error) error { return err }
	cases := map[string]error{
		"date":               errOf(domain.ParseDay("2026-13-45")),
		"period":             errOf(domain.ParsePeriod("next week")),
		"period years":       errOf(domain.ParsePeriod("1999-W01")),
		"no such week":       errOf(domain.ParsePeriod("2025-W53")),
		"no such month":      errOf(domain.ParsePeriod("2026-13")),
		"min_k":              errOf(ParseMinK("lots")),
		"series weeks":       errOf(ParseSeriesWeeks("0")),
		"members kind":       errOf(ParseMembersQuery(get("kind", "robot"))),
		"members sort":       errOf(ParseMembersQuery(get("sort", "shoe size"))),
		"members order":      errOf(ParseMembersQuery(get("order", "sideways"))),
		"members long":       errOf(ParseMembersQuery(get("q", strings.Repeat("x", 500)))),
		"usage top":          errOf(ParseAPIUsageParams(get("top", "many"))),
		"project state":      errOf(ParseProjectsParams(get("status", "dreaming"))),
		"terms party":        errOf(partiesOf(&data.Agreement{Project: domain.Project{Slug: "fund"}})),
		"terms pool":         errOf(partiesOf(termsAgreement("pool: 100 CNY extra"))),
		"terms weight":       errOf(partiesOf(termsAgreement("weights: acme=lots"))),
		"terms party weight": errOf(partiesOf(termsAgreement("weights: stranger=2"))),
	}
	en, zh := TrIn(LangEnglish), TrIn(LangChinese)
	han := regexp.MustCompile(`\p{Han}`)
	for name, err := range cases {
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if got, want := ErrorMessageIn(en, err), domain.ErrorMessage(err); got != want {
			t.Errorf("%s: the catalogue's English %q, the message %q", name, got, want)
		}
		if s := ErrorMessageIn(zh, err); !han.MatchString(s) || strings.Contains(s, "{{") || strings.Contains(s, "<no value>") {
			t.Errorf("%s in Chinese: %q", name, s)
		}
	}
}
