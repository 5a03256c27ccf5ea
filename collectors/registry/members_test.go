package registry

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

const membersYAML = `members:
  - slug: acme
    name: Acme AI
    kind: partner
    segment: NLP
    tier: gold
    joined: 2025-01-15
    domains: [acme.com, acme.cn]
    github_orgs: acme-ai
    key_patterns: ["acme-*"]
  - slug: beta-labs
    name: Beta Labs
    kind: research
    joined: 2025-02-01
  - slug: Bad Slug
    name: Nope
    kind: partner
    joined: 2025-02-01
  - slug: late
    name: Late
    kind: vendor
    joined: 2025-02-01
projects:
  - slug: speech-kit
    name: Speech Kit
    status: active
    start: 2026-01-15
    parties:
      - {member: acme, role: lead}
      - {member: beta-labs}
`

func writeFile(tb testing.TB, name, body string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

func TestRegistryMembersApplyBeforeProjectsIdempotently(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t) // no member seeded: the file declares them
	src := newSource(t, writeFile(t, "registry.yaml", membersYAML))

	r := collect(t, db, src)
	// 4 members + 1 project read; 2 members and the project stored.
	if r.stats.Read != 5 || r.stats.Stored != 3 || r.stats.Rejected != 2 {
		t.Fatalf("first run: %+v", r.stats)
	}
	rej := strings.Join(src.Rejected(), "\n")
	if !strings.Contains(rej, "line 15: ") || !strings.Contains(rej, "slug:") ||
		!strings.Contains(rej, "line 19: ") || !strings.Contains(rej, "kind:") {
		t.Fatalf("rejections must name the line and the field:\n%s", rej)
	}
	acme, err := db.MemberBySlug(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if acme.Name != "Acme AI" || acme.Tier != "gold" || acme.JoinedOn.Format(domain.DateLayout) != "2025-01-15" ||
		strings.Join(acme.Domains, ",") != "acme.com,acme.cn" || strings.Join(acme.GitHubOrgs, ",") != "acme-ai" ||
		strings.Join(acme.KeyPatterns, ",") != "acme-*" {
		t.Fatalf("acme stored as %+v", acme)
	}
	if _, err := db.MemberBySlug(ctx, "late"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("a member with a bad field must not be stored in part: %v", err)
	}
	p, err := db.AgreementBySlug(ctx, "speech-kit")
	if err != nil || len(p.Parties) != 2 {
		t.Fatalf("the project naming the file's members: %+v, %v", p, err)
	}

	// The rejections are kept with their line, replaced by each run's.
	if n, err := db.CountRejected(ctx, "registry"); err != nil || n != 2 {
		t.Fatalf("rejected records kept: %d, %v; want 2", n, err)
	}
	recs, byReason, _, _ := db.RejectedOf(ctx, "registry", 10)
	if len(recs) != 2 || !strings.Contains(recs[1].Record, "Bad Slug") || len(byReason) != 2 {
		t.Fatalf("kept records %+v, reasons %+v", recs, byReason)
	}
	// Members the file made are audited, as the page's are; a run that
	// changes nothing adds no entry.
	audited := func() int {
		t.Helper()
		entries, err := db.AuditLog(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range entries {
			if e.Actor == "registry:registry" && e.Action == "member.create" {
				n++
			}
		}
		return n
	}
	if n := audited(); n != 2 {
		t.Fatalf("audited member creations: %d, want 2", n)
	}
	members, _ := db.Members(ctx)
	r = collect(t, db, src)
	if n, _ := db.CountRejected(ctx, "registry"); n != 2 {
		t.Fatalf("after a second run of the same file: %d rejected records kept, want 2", n)
	}
	if n := audited(); n != 2 {
		t.Fatalf("a second run of the same file audited %d creations, want still 2", n)
	}
	again, _ := db.Members(ctx)
	if len(again) != len(members) || r.stats.Stored != 3 {
		t.Fatalf("second run of the same file: %d members (was %d), stats %+v", len(again), len(members), r.stats)
	}
}

func TestRegistryMembersCSV(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	csv := "Slug;Name;Kind;Joined;Domains;Tier\n" +
		"acme;Acme AI;partner;2025-01-15;acme.com acme.cn;gold\n" +
		"\n" +
		"beta;Beta;partner;2025-13-01;;\n"
	src := newSource(t, writeFile(t, "members.csv", csv))
	r := collect(t, db, src)
	if r.stats.Stored != 1 || r.stats.Rejected != 1 {
		t.Fatalf("stats %+v, rejected %v", r.stats, src.Rejected())
	}
	if rej := strings.Join(src.Rejected(), "\n"); !strings.Contains(rej, "line 4: ") || !strings.Contains(rej, "joined") {
		t.Fatalf("rejection %q must name line 4 and the joined date", rej)
	}
	acme, err := db.MemberBySlug(ctx, "acme")
	if err != nil || strings.Join(acme.Domains, ",") != "acme.com,acme.cn" || acme.Tier != "gold" {
		t.Fatalf("acme: %+v, %v", acme, err)
	}
}
