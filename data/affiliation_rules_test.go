package data_test

import (
	"context"
	"testing"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// memberOf returns the member (slug, "" for none) a login resolves to on a day.
func memberOf(t *testing.T, db *data.DB, login, on string, slugs map[int64]string) string {
	t.Helper()
	_, m, err := db.ResolveActor(context.Background(), "github", login, day(t, on))
	if err != nil {
		t.Fatal(err)
	}
	return slugs[m]
}

// TestAssignPersonCutsAroundAndReattributes assigns a login seen only in
// the activities (a person is created), then assigns the same person a
// shorter span inside: the first span is split around it, and stored
// activity follows each change.
func TestAssignPersonCutsAroundAndReattributes(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	alpha, beta := mustMember(t, db, "alpha"), mustMember(t, db, "beta")
	slugs := map[int64]string{alpha.ID: "alpha", beta.ID: "beta"}
	if _, err := db.AddActivities(ctx, []domain.Activity{
		{Source: "github", ExternalID: "1", Kind: domain.ActReply, At: at(t, "2026-02-10 10:00"), Actor: "Erin", Thread: "t"},
		{Source: "github", ExternalID: "2", Kind: domain.ActReply, At: at(t, "2026-04-10 10:00"), Actor: "erin", Thread: "t"},
		{Source: "github", ExternalID: "3", Kind: domain.ActReply, At: at(t, "2026-06-10 10:00"), Actor: "erin", Thread: "t"},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AssignPerson(ctx, data.Assignment{Source: "github", Login: "nobody", Member: "alpha"}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("a login neither known nor seen: %v", err)
	}
	res, err := db.AssignPerson(ctx, data.Assignment{Source: "GitHub", Login: "ERIN", Member: "alpha", From: day(t, "2026-01-01")})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || res.Activities != 3 || res.FirstDay != "2026-02-10" {
		t.Fatalf("first assignment: %+v", res)
	}
	res, err = db.AssignPerson(ctx, data.Assignment{PersonID: res.PersonID, Member: "beta", From: day(t, "2026-04-01"), To: day(t, "2026-05-01")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created || res.Activities != 1 || res.FirstDay != "2026-04-10" {
		t.Fatalf("second assignment: %+v", res)
	}
	for on, want := range map[string]string{"2025-12-31": "", "2026-02-10": "alpha", "2026-04-10": "beta", "2026-05-01": "alpha", "2030-01-01": "alpha"} {
		if got := memberOf(t, db, "erin", on, slugs); got != want {
			t.Errorf("on %s erin is %q, want %q", on, got, want)
		}
	}
	if un, _ := db.UnaffiliatedActors(ctx, day(t, "2026-01-01"), day(t, "2026-12-31")); len(un) != 0 {
		t.Fatalf("still unaffiliated: %+v", un)
	}
	if _, err := db.AssignPerson(ctx, data.Assignment{PersonID: res.PersonID, Member: "alpha", From: day(t, "2026-05-01"), To: day(t, "2026-05-01")}); domain.ErrorCode(err) != domain.EINVALID ||
		domain.ErrorMessage(err)[:3] != "to:" {
		t.Fatalf("an empty span: %v", err)
	}
}

// TestStoredDomainRulesFillWhatExplicitAffiliationsLeave adds a stored
// domain rule: people of the domain are attributed on the days their
// explicit affiliations leave, the configuration's ReplaceAffiliations
// keeps the rule's spans, and deleting the rule takes them back.
func TestStoredDomainRulesFillWhatExplicitAffiliationsLeave(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	alpha, beta := mustMember(t, db, "alpha"), mustMember(t, db, "beta")
	slugs := map[int64]string{alpha.ID: "alpha", beta.ID: "beta"}
	fay := &domain.Person{Name: "Fay", Email: "fay@Beta.example"}
	if err := db.CreatePerson(ctx, fay, domain.Identity{Source: "github", Login: "fay"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddActivities(ctx, []domain.Activity{
		{Source: "github", ExternalID: "1", Kind: domain.ActReply, At: at(t, "2026-02-10 10:00"), Actor: "fay", Thread: "t"},
		{Source: "github", ExternalID: "2", Kind: domain.ActReply, At: at(t, "2026-04-10 10:00"), Actor: "fay", Thread: "t"},
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.ReplaceAffiliations(ctx, fay.ID, []domain.Affiliation{{MemberID: alpha.ID, From: day(t, "2026-01-01"), To: day(t, "2026-03-01")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReresolveActivities(ctx); err != nil { // as the configuration's Apply does
		t.Fatal(err)
	}
	if _, err := db.AddDomainRule(ctx, &data.DomainRule{Domain: "beta", Member: "beta"}); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("a domain without a dot: %v", err)
	}
	rule := &data.DomainRule{Domain: "@BETA.example", Member: "beta", From: day(t, "2026-01-01")}
	res, err := db.AddDomainRule(ctx, rule)
	if err != nil {
		t.Fatal(err)
	}
	if res.Activities != 1 || res.FirstDay != "2026-04-10" {
		t.Fatalf("rule added: %+v", res) // the February activity stays alpha's: explicit wins
	}
	if _, err := db.AddDomainRule(ctx, &data.DomainRule{Domain: "beta.example", Member: "alpha", From: day(t, "2026-06-01")}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("an overlapping rule: %v", err)
	}
	// The configuration applied again (a restart) keeps the stored rule.
	if err := db.ReplaceAffiliations(ctx, fay.ID, []domain.Affiliation{{MemberID: alpha.ID, From: day(t, "2026-01-01"), To: day(t, "2026-03-01")}}); err != nil {
		t.Fatal(err)
	}
	for on, want := range map[string]string{"2026-02-10": "alpha", "2026-04-10": "beta", "2025-06-01": ""} {
		if got := memberOf(t, db, "fay", on, slugs); got != want {
			t.Errorf("on %s fay is %q, want %q", on, got, want)
		}
	}
	// A person created later with an e-mail of the domain is attributed at once.
	gus := &domain.Person{Name: "Gus", Email: "gus@beta.example"}
	if err := db.CreatePerson(ctx, gus, domain.Identity{Source: "github", Login: "gus"}); err != nil {
		t.Fatal(err)
	}
	if got := memberOf(t, db, "gus", "2026-04-10", slugs); got != "beta" {
		t.Errorf("a new person of the domain is %q", got)
	}
	rules, err := db.DomainRules(ctx)
	if err != nil || len(rules) != 1 || rules[0].Domain != "beta.example" || rules[0].Member != "beta" {
		t.Fatalf("rules: %+v, %v", rules, err)
	}
	if _, res, err = db.DeleteDomainRule(ctx, rule.ID); err != nil || res.Activities != 1 {
		t.Fatalf("delete: %+v, %v", res, err)
	}
	if got := memberOf(t, db, "fay", "2026-04-10", slugs); got != "" {
		t.Errorf("after the rule is deleted fay is %q on 2026-04-10", got)
	}
	if _, _, err := db.DeleteDomainRule(ctx, rule.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("deleting it twice: %v", err)
	}
}

// TestMergeMovesStoredDomainRules merges a member with a stored rule: the
// rule names the member kept, so that the affiliations it made stay there
// when they are computed again.
func TestMergeMovesStoredDomainRules(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	alpha := mustMember(t, db, "alpha")
	mustMember(t, db, "beta")
	if _, err := db.AddDomainRule(ctx, &data.DomainRule{Domain: "beta.example", Member: "beta", From: day(t, "2026-01-01")}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MergeMembers(ctx, "alpha", "beta"); err != nil {
		t.Fatal(err)
	}
	hal := &domain.Person{Name: "Hal", Email: "hal@beta.example"}
	if err := db.CreatePerson(ctx, hal, domain.Identity{Source: "github", Login: "hal"}); err != nil {
		t.Fatal(err)
	}
	if _, m, err := db.ResolveActor(ctx, "github", "hal", day(t, "2026-03-01")); err != nil || m != alpha.ID {
		t.Fatalf("a person of the merged member's domain resolves to %d, %v; want the kept member %d", m, err, alpha.ID)
	}
}
