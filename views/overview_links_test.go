package views

import (
	"strings"
	"testing"
)

// TestOverviewMemberLinksKeepTheDayAskedFor: the overview of a past day
// links its members' pages on that day, not on today's scores.
func TestOverviewMemberLinksKeepTheDayAskedFor(t *testing.T) {
	o := Overview{At: "2015-05-24", MemberQuery: "?at=2015-05-24", Health: 70, Status: "healthy",
		Top:       []MemberRow{{Slug: "acme", Name: "Acme", Health: 70, Status: "healthy"}},
		AtRisk:    []MemberRow{{Slug: "beta", Name: "Beta", Health: 20, Status: "at_risk"}},
		Attention: []MemberRow{{Slug: "beta", Name: "Beta", Health: 20, Status: "at_risk"}}}
	html := renderOverviewHTML(t, o)
	for _, want := range []string{`href="/members/acme?at=2015-05-24"`, `href="/members/beta?at=2015-05-24"`} {
		if !strings.Contains(html, want) {
			t.Errorf("the overview lacks %s", want)
		}
	}
	o.MemberQuery = ""
	if html := renderOverviewHTML(t, o); !strings.Contains(html, `href="/members/acme"`) {
		t.Error("the latest day's overview links members with a day")
	}
}
