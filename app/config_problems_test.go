package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/collectors/affiliation"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// TestConfigProblemsAreListedAndFailTheCheck: a consumer mapping, a domain
// rule or a person's affiliation that names no member (or an archived or
// merged one) is a configuration problem: /sources and /api/v1/sources
// list it, and ecopulse config --check prints it and fails.
func TestConfigProblemsAreListedAndFailTheCheck(t *testing.T) {
	ctx := context.Background()
	env, db, out := commandEnv(t)
	cfg := env.Config
	addPartners(t, db, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "acme", "old")
	if err := db.ArchiveMember(ctx, "old", time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := ConfigCheck(ctx, env); err != nil || !strings.Contains(out.String(), "configuration ok") {
		t.Fatalf("a clean configuration: %v %q", err, out.String())
	}

	cfg.Consumers = []config.ConsumerMapping{{Key: "k1", Member: "acme"}, {Key: "k2", Member: "acne"}}
	cfg.Affiliation = affiliation.Config{
		Domains: []affiliation.DomainRule{{Domain: "old.example", Member: "old"}},
		People:  []affiliation.Person{{Name: "Dana", Affiliations: []affiliation.Span{{Member: "nobody", From: "2026-01-01"}}}},
	}
	env.Config = cfg
	out.Reset()
	err := ConfigCheck(ctx, env)
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "3 problem") {
		t.Fatalf("check with three problems: %v", err)
	}
	for _, want := range []string{`consumers[1] (key "k2"): no member "acne"`, `affiliation.domains[0] (old.example): member "old" is archived`,
		`affiliation.people[0] (Dana), affiliations[0]: no member "nobody"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, out.String())
		}
	}

	a, err := New(cfg, db, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	a.ready.Store(true)
	withTestAccounts(t, a)
	_, body, _ := get(t, a.Fiber(), "/api/v1/sources")
	if s := decode[views.Sources](t, body); len(s.ConfigProblems) != 3 {
		t.Fatalf("/api/v1/sources lists %d problems: %s", len(s.ConfigProblems), body)
	}
	_, page, _ := get(t, a.Fiber(), "/sources")
	if !strings.Contains(page, "Configuration problems") || !strings.Contains(page, "acne") {
		t.Fatal("/sources does not list the configuration problems")
	}
}
