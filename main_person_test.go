package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestPersonCommandsAssignAndAddDomainRules runs `ecopulse person …` as a
// person would: the unaffiliated login is listed, assigned with flags
// after the arguments, and a domain rule is added and listed.
func TestPersonCommandsAssignAndAddDomainRules(t *testing.T) {
	ctx := context.Background()
	path := datatest.Target(t)
	db, err := data.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateMember(ctx, &domain.Member{Slug: "acme", Name: "Acme", Kind: domain.KindPartner, JoinedOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddActivities(ctx, []domain.Activity{{Source: "github", ExternalID: "1", Kind: domain.ActReply,
		At: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), Actor: "octocat", Thread: "t"}}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	out, _, err := runCLI(t, "person", "list", "--unaffiliated", "--from", "2026-03-01", "--to", "2026-03-07", "--json", "--db", path)
	if err != nil {
		t.Fatal(err)
	}
	var un struct{ People []data.ActorCount }
	if err := json.Unmarshal([]byte(out), &un); err != nil || len(un.People) != 1 || un.People[0].Login != "octocat" {
		t.Fatalf("person list --unaffiliated: %s, %v", out, err)
	}
	if out, _, err = runCLI(t, "person", "assign", "github:octocat", "acme", "--from", "2026-02-01", "--db", path); err != nil ||
		!strings.Contains(out, "1 activities re-attributed") {
		t.Fatalf("person assign: %q, %v", out, err)
	}
	if _, _, err = runCLI(t, "person", "assign", "octocat", "acme", "--db", path); err == nil || !strings.HasPrefix(oneLine(err), "login:") {
		t.Fatalf("person assign without a source: %v", err)
	}
	if _, _, err = runCLI(t, "person", "domain", "add", "acme.example", "acme", "--from", "2026-01-01", "--db", path); err != nil {
		t.Fatal(err)
	}
	if out, _, err = runCLI(t, "person", "domain", "list", "--db", path); err != nil || !strings.Contains(out, "acme.example") || !strings.Contains(out, "2026-01-01") {
		t.Fatalf("person domain list: %q, %v", out, err)
	}
	if _, _, err = runCLI(t, "person", "list", "--db", path); err == nil {
		t.Fatal("person list without --unaffiliated succeeded")
	}
}
