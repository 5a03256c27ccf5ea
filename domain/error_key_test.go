package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestErrorKeyKeepsTheEnglish: an error given a message key says exactly
// the English it said before keys were (the JSON API and logs show it),
// carries its key and facts beside it, and Error() does not show them.
func TestErrorKeyKeepsTheEnglish(t *testing.T) {
	day := time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		err     error
		key     string
		english string
	}{
		{(&Member{Slug: "acme", Kind: KindPartner, JoinedOn: day}).Validate(), "errors.member.name_required",
			`name: member "acme" needs a name`},
		{(&Member{Slug: "acme", Name: "Acme", Kind: "vendor", JoinedOn: day}).Validate(), "errors.member.kind",
			`kind: member "acme" has unknown kind "vendor" (want partner, developer_org, research or internal)`},
		{(&Member{Slug: "acme", Name: "Acme", Kind: KindPartner, JoinedOn: day, Domains: []string{"not a domain"}}).Validate(), "errors.member.domains_invalid",
			`domains: member "acme" has an invalid entry "not a domain"`},
		{(&Member{Slug: "acme", Name: "Acme", Kind: KindPartner, JoinedOn: day, ArchivedOn: day.AddDate(0, 0, -1)}).Validate(), "errors.member.archived_before_joined",
			`archived: member "acme" cannot be archived (2025-01-14) before it joined (2025-01-15)`},
		{(&Project{Slug: "pilot", Name: "Pilot", StartOn: day, Status: "paused"}).Validate(), "errors.project.status",
			`project "pilot" has unknown status "paused"`},
		{(&Milestone{ProjectID: 1, Title: "Beta"}).Validate(), "errors.milestone.due_required",
			`milestone "Beta" needs a due date`},
		{(&User{Name: "ann", Role: "owner"}).Validate(), "errors.user.role",
			`unknown role "owner" (viewer, manager or admin)`},
	} {
		var e *Error
		if !errors.As(c.err, &e) {
			t.Fatalf("%v is not an *Error", c.err)
		}
		if e.Message != c.english || ErrorMessage(c.err) != c.english {
			t.Errorf("message %q, want the English as before %q", e.Message, c.english)
		}
		if e.Code != EINVALID || e.Key != c.key || len(e.Args) == 0 {
			t.Errorf("%q: code %q, key %q, facts %v; want invalid, %q and its facts", c.english, e.Code, e.Key, e.Args, c.key)
		}
		if got := e.Error(); got != "ecopulse error: code=invalid message="+c.english || strings.Contains(got, "errors.") {
			t.Errorf("Error() = %q: the key shows, or the English changed", got)
		}
	}
}
