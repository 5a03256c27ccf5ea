package views

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// keyedDomainErrors are the keyed errors of the domain's validations, one
// of each key the domain gives: the members, agreements (projects and
// milestones) and accounts that pages edit.
func keyedDomainErrors() []error {
	day := time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)
	member := func(edit func(m *domain.Member)) error {
		m := &domain.Member{Slug: "acme", Name: "Acme", Kind: domain.KindPartner, JoinedOn: day}
		edit(m)
		return m.Validate()
	}
	project := func(edit func(p *domain.Project)) error {
		p := &domain.Project{Slug: "pilot", Name: "Pilot", StartOn: day, Status: domain.ProjectActive}
		edit(p)
		return p.Validate()
	}
	many := make([]string, domain.MaxMemberHints+1)
	for i := range many {
		many[i] = fmt.Sprintf("a%d.com", i)
	}
	return []error{
		member(func(m *domain.Member) { m.Slug = "Bad Slug" }),
		member(func(m *domain.Member) { m.Name = " " }),
		member(func(m *domain.Member) { m.Name = strings.Repeat("x", domain.MaxMemberNameLen+1) }),
		member(func(m *domain.Member) { m.Kind = "vendor" }),
		member(func(m *domain.Member) { m.Tier = strings.Repeat("x", domain.MaxMemberLabelLen+1) }),
		member(func(m *domain.Member) { m.Segment = strings.Repeat("x", domain.MaxMemberLabelLen+1) }),
		member(func(m *domain.Member) { m.JoinedOn = time.Time{} }),
		member(func(m *domain.Member) { m.JoinedOn = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC) }),
		member(func(m *domain.Member) { m.ArchivedOn = day.AddDate(0, 0, -1) }),
		member(func(m *domain.Member) { m.Domains = many }),
		member(func(m *domain.Member) { m.Domains = []string{"not a domain"} }),
		member(func(m *domain.Member) { m.GitHubOrgs = many }),
		member(func(m *domain.Member) { m.GitHubOrgs = []string{"no/slashes"} }),
		member(func(m *domain.Member) { m.KeyPatterns = many }),
		member(func(m *domain.Member) { m.KeyPatterns = []string{"bad pattern with spaces"} }),
		project(func(p *domain.Project) { p.Slug = "Bad" }),
		project(func(p *domain.Project) { p.Name = "" }),
		project(func(p *domain.Project) { p.StartOn = time.Time{} }),
		project(func(p *domain.Project) { p.EndOn = day.AddDate(0, 0, -1) }),
		project(func(p *domain.Project) { p.Status = "paused" }),
		project(func(p *domain.Project) { p.Parties = []domain.ProjectParty{{}} }),
		project(func(p *domain.Project) { p.Parties = []domain.ProjectParty{{MemberID: 7}, {MemberID: 7}} }),
		(&domain.Milestone{Title: "Beta"}).Validate(),
		(&domain.Milestone{ProjectID: 1}).Validate(),
		(&domain.Milestone{ProjectID: 1, Title: "Beta"}).Validate(),
		(&domain.User{Name: "a b", Role: domain.RoleViewer}).Validate(),
		(&domain.User{Name: "ann", Role: "owner"}).Validate(),
		domain.ValidateLanguage("fr"),
	}
}

// notFoundErrors are the keyed not-found errors a reader meets on pages,
// from the store and the page builders that give them.
func notFoundErrors(t *testing.T) []error {
	ctx, db := t.Context(), datatest.MustOpenDB(t)
	_, member := db.MemberBySlug(ctx, "nope")
	_, project := db.AgreementBySlug(ctx, "nope")
	_, scores := db.EcosystemScoreOn(ctx, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC))
	_, snapshot := db.SnapshotOf(ctx, "2026-W48")
	_, _, yet := scoredDayShown(time.Time{}, time.Time{})
	_, _, compare := defaultCompareWeeks(nil, "", "")
	return []error{member, project, scores, snapshot, yet, compare}
}

// TestKeyedErrorsSayTheirEnglish: the English catalogue says each keyed
// domain error exactly as its English message does, and the Chinese one
// says it in Chinese with every fact filled in: the catalogues and the
// domain's English never drift apart.
func TestKeyedErrorsSayTheirEnglish(t *testing.T) {
	en, zh := TrIn(LangEnglish), TrIn(LangChinese)
	han := regexp.MustCompile(`\p{Han}`)
	seen := map[string]bool{}
	for _, err := range append(keyedDomainErrors(), notFoundErrors(t)...) {
		var e *domain.Error
		if !errors.As(err, &e) || e.Key == "" {
			t.Errorf("%v: not a keyed domain error", err)
			continue
		}
		if seen[e.Key] {
			t.Errorf("%s: met twice; the table means one error a key", e.Key)
		}
		seen[e.Key] = true
		if got := ErrorMessageIn(en, err); got != e.Message {
			t.Errorf("%s in English: %q, want the message %q", e.Key, got, e.Message)
		}
		if s := en(e.Key, argPairs(e.Args)...); s != e.Message {
			t.Errorf("%s: the English catalogue says %q, the domain %q", e.Key, s, e.Message)
		}
		got := ErrorMessageIn(zh, err)
		if !han.MatchString(got) || strings.Contains(got, "<no value>") || got == e.Message {
			t.Errorf("%s in Chinese: %q", e.Key, got)
		}
	}
}

func argPairs(args map[string]any) []any {
	var pairs []any
	for n, v := range args {
		pairs = append(pairs, n, v)
	}
	return pairs
}

// TestErrorMessageInSpeaksTheKey: a keyed error in the page's language
// (the collected slug as it is), an unkeyed one in its English, and a key
// the catalogues do not know or cannot fill from the facts in its English:
// a page never shows a key or a hole.
func TestErrorMessageInSpeaksTheKey(t *testing.T) {
	zh := newTestRenderer(t).In(LangChinese).Tr()
	keyed := fmt.Errorf("reading: %w", domain.ErrorKey(domain.ENOTFOUND, "errors.no_member",
		domain.Facts{"Slug": `"acme-<ai>"`}, "no member %q", "acme-<ai>"))
	if got, want := ErrorMessageIn(zh, keyed), `成员 "acme-<ai>" 不存在`; got != want {
		t.Errorf("keyed in Chinese: %q, want %q", got, want)
	}
	if got := ErrorMessageIn(EnglishTr(), keyed); got != `no member "acme-<ai>"` {
		t.Errorf("keyed in English: %q", got)
	}
	if got := ErrorMessageIn(nil, keyed); got != `no member "acme-<ai>"` {
		t.Errorf("keyed without a language: %q", got)
	}
	plain := domain.Errorf(domain.EINVALID, "into: choose the member to merge %s into", "acme")
	if got := ErrorMessageIn(zh, plain); got != "into: choose the member to merge acme into" {
		t.Errorf("unkeyed: %q, want its English", got)
	}
	missing := domain.ErrorKey(domain.ENOTFOUND, "errors.no_member", domain.Facts{"Name": "x"}, "no member %q", "acme")
	if got := ErrorMessageIn(zh, missing); got != `no member "acme"` {
		t.Errorf("a missing field: %q, want the English", got)
	}
	unknown := domain.ErrorKey(domain.ENOTFOUND, "errors.no_such_key", nil, "gone")
	if got := ErrorMessageIn(zh, unknown); got != "gone" {
		t.Errorf("an unknown key: %q, want the English", got)
	}
	if got := ErrorMessageIn(zh, errors.New("disk on fire")); got != zh("pageerr.internal") || got == "internal error" {
		t.Errorf("internal: %q", got)
	}
}

// errorKeyLiteral is a message key for domain.ErrorKey as the code writes
// it: TestGoTextIsInTheCatalogues finds tr("…") only.
var errorKeyLiteral = regexp.MustCompile(`"(errors\.[a-z0-9_]+(?:\.[a-z0-9_]+)*)"`)

// TestErrorKeysAreInTheCatalogues: every error message key the code
// writes (domain, data, views, app) is in the catalogues, and the scan
// finds the keys it should.
func TestErrorKeysAreInTheCatalogues(t *testing.T) {
	keys, err := CatalogueKeys(LangEnglish)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	forEachGoSource(t, []string{"../domain", "../data", ".", "../app"}, func(f, body string) {
		for _, m := range errorKeyLiteral.FindAllStringSubmatch(body, -1) {
			found[m[1]] = true
			if !slices.Contains(keys, m[1]) {
				t.Errorf("%s: the catalogues have no %q", f, m[1])
			}
		}
	})
	for _, k := range []string{"errors.member.kind", "errors.no_member", "errors.page_not_found", "errors.password.current_wrong"} {
		if !found[k] {
			t.Errorf("the scan did not find %q: it misses the code's keys", k)
		}
	}
}

// plainErrorKey is a keyed error without facts as the code writes it: its
// English is the format itself.
var plainErrorKey = regexp.MustCompile(`ErrorKey\(domain\.[A-Z]+, "(errors\.[a-z0-9_.]+)", nil, ("(?:[^"\\]|\\.)*")\)`)

// TestPlainKeyedErrorsSayTheirEnglish: a keyed error without facts written
// in the app or the views (the password, admin and not-found refusals) says
// through the English catalogue exactly the English written beside its key.
func TestPlainKeyedErrorsSayTheirEnglish(t *testing.T) {
	en := EnglishTr()
	n := 0
	forEachGoSource(t, []string{"../app", "."}, func(f, body string) {
		for _, m := range plainErrorKey.FindAllStringSubmatch(body, -1) {
			english, err := strconv.Unquote(m[2])
			if err != nil {
				t.Fatalf("%s: %s: %v", f, m[2], err)
			}
			n++
			if got := en(m[1]); got != english {
				t.Errorf("%s: %s says %q in the catalogue, %q in the code", f, m[1], got, english)
			}
		}
	})
	if n < 12 {
		t.Errorf("found %d plain keyed errors: the scan misses the code's", n)
	}
}
