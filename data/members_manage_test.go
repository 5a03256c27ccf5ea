package data_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func TestMemberValidateNamesTheField(t *testing.T) {
	base := func() domain.Member {
		return domain.Member{Slug: "acme", Name: "Acme", Kind: domain.KindPartner, JoinedOn: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	}
	cases := []struct {
		field  string
		change func(*domain.Member)
	}{
		{"slug", func(m *domain.Member) { m.Slug = "Acme Corp" }},
		{"slug", func(m *domain.Member) { m.Slug = strings.Repeat("a", 64) }},
		{"name", func(m *domain.Member) { m.Name = "  " }},
		{"name", func(m *domain.Member) { m.Name = strings.Repeat("名", domain.MaxMemberNameLen+1) }},
		{"kind", func(m *domain.Member) { m.Kind = "vendor" }},
		{"tier", func(m *domain.Member) { m.Tier = strings.Repeat("t", domain.MaxMemberLabelLen+1) }},
		{"segment", func(m *domain.Member) { m.Segment = strings.Repeat("s", domain.MaxMemberLabelLen+1) }},
		{"joined", func(m *domain.Member) { m.JoinedOn = time.Time{} }},
		{"joined", func(m *domain.Member) { m.JoinedOn = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1) }},
		{"domains", func(m *domain.Member) { m.Domains = []string{"not a domain"} }},
		{"domains", func(m *domain.Member) { m.Domains = make([]string, domain.MaxMemberHints+1) }},
		{"github_orgs", func(m *domain.Member) { m.GitHubOrgs = []string{"-bad-"} }},
		{"key_patterns", func(m *domain.Member) { m.KeyPatterns = []string{"has space"} }},
	}
	ok := base()
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid member refused: %v", err)
	}
	for _, c := range cases {
		m := base()
		c.change(&m)
		err := m.Validate()
		if domain.ErrorCode(err) != domain.EINVALID || !strings.HasPrefix(domain.ErrorMessage(err), c.field+":") {
			t.Errorf("%s: got %v, want EINVALID naming %q", c.field, err, c.field)
		}
	}
	// Normalize tidies hints: case folded for domains and orgs, repeats and
	// blanks dropped, key patterns kept as typed.
	m := base()
	m.Domains = []string{" Acme.COM", "acme.com", ""}
	m.KeyPatterns = []string{"ACME-*", "ACME-*"}
	m.Normalize()
	if strings.Join(m.Domains, ",") != "acme.com" || strings.Join(m.KeyPatterns, ",") != "ACME-*" {
		t.Fatalf("normalized hints: %v %v", m.Domains, m.KeyPatterns)
	}
}

func TestMemberHintsRoundTripAndUpsertIsIdempotent(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	m := &domain.Member{Slug: "acme", Name: "Acme", Kind: domain.KindPartner, Tier: "gold", JoinedOn: day(t, "2025-03-01"),
		Domains: []string{"acme.com", "acme.cn"}, GitHubOrgs: []string{"acme-ai"}, KeyPatterns: []string{"acme-*"}}
	created, changed, err := db.UpsertMember(ctx, m)
	if err != nil || !created || !changed {
		t.Fatalf("first upsert: created %v changed %v err %v", created, changed, err)
	}
	again := *m
	again.ID = 0
	created, changed, err = db.UpsertMember(ctx, &again)
	if err != nil || created || changed {
		t.Fatalf("same member again: created %v changed %v err %v (want neither)", created, changed, err)
	}
	again.Tier = "platinum"
	if _, changed, err = db.UpsertMember(ctx, &again); err != nil || !changed {
		t.Fatalf("changed tier: changed %v err %v", changed, err)
	}
	got, err := db.MemberBySlug(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if got.Tier != "platinum" || strings.Join(got.Domains, ",") != "acme.com,acme.cn" ||
		strings.Join(got.GitHubOrgs, ",") != "acme-ai" || strings.Join(got.KeyPatterns, ",") != "acme-*" {
		t.Fatalf("stored member: %+v", got)
	}
	if err := db.CreateMember(ctx, &domain.Member{Slug: "acme", Name: "Dup", Kind: domain.KindPartner, JoinedOn: day(t, "2025-03-01")}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("duplicate slug: %v, want ECONFLICT", err)
	}
}

// scoredDays stores empty ecosystem scores for days, as a scoring run would.
func scoredDays(tb testing.TB, db *data.DB, days ...string) {
	tb.Helper()
	for _, d := range days {
		if err := db.SaveDayScores(context.Background(), &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: day(tb, d)}}); err != nil {
			tb.Fatal(err)
		}
	}
}

func rescoreDays(tb testing.TB, db *data.DB) []string {
	tb.Helper()
	marks, err := db.RescoreDays(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, m := range marks {
		out = append(out, m.Day.Format(domain.DateLayout))
	}
	return out
}

func windowMembers(tb testing.TB, db *data.DB, d string) map[int64]bool {
	tb.Helper()
	w, err := db.ScoringWindow(context.Background(), day(tb, d), 28)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[int64]bool{}
	for _, m := range w.Members {
		out[m.ID] = true
	}
	return out
}

func TestArchivedMemberLeavesScoringFromItsDayAndComesBack(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	a := mustMember(t, db, "alpha")
	b := mustMember(t, db, "bravo")
	scoredDays(t, db, "2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02")

	if err := db.ArchiveMember(ctx, "bravo", day(t, "2026-03-01")); err != nil {
		t.Fatal(err)
	}
	if got := windowMembers(t, db, "2026-02-28"); !got[a.ID] || !got[b.ID] {
		t.Fatalf("day before archiving: members %v, want both", got)
	}
	if got := windowMembers(t, db, "2026-03-01"); !got[a.ID] || got[b.ID] {
		t.Fatalf("archive day: members %v, want alpha only", got)
	}
	if got := strings.Join(rescoreDays(t, db), ","); got != "2026-03-01,2026-03-02" {
		t.Fatalf("days marked for rescoring after archive: %s", got)
	}
	m, _ := db.MemberBySlug(ctx, "bravo")
	if !m.Archived() || m.ArchivedOn.Format(domain.DateLayout) != "2026-03-01" {
		t.Fatalf("archived member reads %+v", m)
	}
	if err := db.ArchiveMember(ctx, "bravo", day(t, "2026-03-02")); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("archiving twice: %v, want ECONFLICT", err)
	}
	if err := db.ArchiveMember(ctx, "alpha", day(t, "2025-12-31")); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("archiving before joining: %v, want EINVALID", err)
	}

	marks, _ := db.RescoreDays(ctx)
	if err := db.RescoreDone(ctx, marks); err != nil {
		t.Fatal(err)
	}
	if err := db.RestoreMember(ctx, "bravo"); err != nil {
		t.Fatal(err)
	}
	if got := windowMembers(t, db, "2026-03-02"); !got[b.ID] {
		t.Fatalf("restored member not scored: %v", got)
	}
	if got := strings.Join(rescoreDays(t, db), ","); got != "2026-03-01,2026-03-02" {
		t.Fatalf("days marked for rescoring after restore: %s", got)
	}
}

func TestRescoreDoneKeepsAMarkMadeWhileRescoring(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	mustMember(t, db, "alpha")
	scoredDays(t, db, "2026-03-01")
	if err := db.ArchiveMember(ctx, "alpha", day(t, "2026-03-01")); err != nil {
		t.Fatal(err)
	}
	marks, _ := db.RescoreDays(ctx)                        // a scoring run takes the marks…
	if err := db.RestoreMember(ctx, "alpha"); err != nil { // …the day changes again meanwhile…
		t.Fatal(err)
	}
	if err := db.RescoreDone(ctx, marks); err != nil { // …and the run ends
		t.Fatal(err)
	}
	if got := strings.Join(rescoreDays(t, db), ","); got != "2026-03-01" {
		t.Fatalf("the newer mark was lost: %q", got)
	}
}

func TestMergeMovesHistoryTiesAndMappings(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	keep := mustMember(t, db, "keep")
	drop := mustMember(t, db, "drop")
	other := mustMember(t, db, "other")
	if _, err := db.UpdateMember(ctx, &domain.Member{Slug: "drop", Name: "DROP", Kind: domain.KindPartner, JoinedOn: day(t, "2025-06-01"),
		Domains: []string{"drop.example"}, KeyPatterns: []string{"drop-*"}}); err != nil {
		t.Fatal(err)
	}
	scoredDays(t, db, "2025-12-31", "2026-03-01")

	c := &domain.APIConsumer{Key: "drop-key", MemberID: drop.ID}
	if err := db.UpsertConsumer(ctx, c); err != nil {
		t.Fatal(err)
	}
	day1 := day(t, "2026-03-01").Add(10 * time.Hour)
	if err := db.AddUsage(ctx, []domain.UsageRollup{{Bucket: day1.Truncate(time.Hour), ConsumerID: c.ID, Endpoint: "/v1/chat", StatusClass: 2, Calls: 7}}); err != nil {
		t.Fatal(err)
	}
	p := &domain.Person{Name: "Dana"}
	if err := db.CreatePerson(ctx, p, domain.Identity{Source: "github", Login: "dana"}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddAffiliation(ctx, &domain.Affiliation{PersonID: p.ID, MemberID: drop.ID, From: day(t, "2025-06-01")}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddActivities(ctx, []domain.Activity{{Source: "github", ExternalID: "1", Kind: "commit", At: day1, Actor: "dana", PersonID: p.ID, MemberID: drop.ID}}); err != nil {
		t.Fatal(err)
	}
	before, err := db.UsageTotals(ctx, day(t, "2026-03-01"), day(t, "2026-03-02"), drop.ID)
	if err != nil || before.Calls != 7 {
		t.Fatalf("drop's calls before the merge: %d, %v", before.Calls, err)
	}

	res, err := db.MergeMembers(ctx, "keep", "drop")
	if err != nil {
		t.Fatal(err)
	}
	if res.Consumers != 1 || res.Affiliations != 1 || res.Activities != 1 {
		t.Fatalf("merge moved %+v", res)
	}
	after, err := db.UsageTotals(ctx, day(t, "2026-03-01"), day(t, "2026-03-02"), keep.ID)
	if err != nil || after.Calls != 7 {
		t.Fatalf("keep's calls after the merge: %d, %v (want drop's 7)", after.Calls, err)
	}
	if _, member, err := db.ResolveActor(ctx, "github", "dana", day1); err != nil || member != keep.ID {
		t.Fatalf("dana resolves to member %d, %v; want keep (%d)", member, err, keep.ID)
	}
	k, _ := db.MemberBySlug(ctx, "keep")
	if strings.Join(k.Domains, ",") != "drop.example" || strings.Join(k.KeyPatterns, ",") != "drop-*" {
		t.Fatalf("keep's hints after the merge: %+v", k)
	}
	d, _ := db.MemberBySlug(ctx, "drop")
	if d.MergedInto != "keep" || !d.Archived() {
		t.Fatalf("merged member reads %+v", d)
	}
	if got := windowMembers(t, db, "2026-03-01"); got[drop.ID] || !got[keep.ID] || !got[other.ID] {
		t.Fatalf("window after the merge: %v", got)
	}
	// Every scored day since drop joined (2025-06-01) is marked.
	if got := strings.Join(rescoreDays(t, db), ","); got != "2025-12-31,2026-03-01" {
		t.Fatalf("days marked for rescoring: %s", got)
	}
	if err := db.RestoreMember(ctx, "drop"); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("restoring a merged member: %v, want ECONFLICT", err)
	}
	if _, err := db.MergeMembers(ctx, "other", "drop"); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("merging a merged member again: %v, want ECONFLICT", err)
	}
	if _, err := db.MergeMembers(ctx, "keep", "keep"); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("merging into itself: %v, want EINVALID", err)
	}
}
