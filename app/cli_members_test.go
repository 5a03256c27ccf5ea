package app

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func TestMemberCommandsTakeTheSamePathAsTheAPI(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.DB = datatest.Target(t)
	var out bytes.Buffer
	now := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	env := &Env{Config: cfg, Log: quietLogger(), Out: &out, Now: func() time.Time { return now }}

	if err := MemberAdd(ctx, env, MemberInput{Slug: "beta", Name: "Beta Labs", Kind: "research", Domains: []string{"beta.edu"}}); err != nil {
		t.Fatal(err)
	}
	if err := MemberAdd(ctx, env, MemberInput{Slug: "beta", Name: "Dup", Kind: "research"}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("a taken slug: %v", err)
	}
	if err := MemberAdd(ctx, env, MemberInput{Slug: "gamma", Name: "Gamma", Kind: "reseller"}); domain.ErrorCode(err) != domain.EINVALID ||
		!strings.HasPrefix(domain.ErrorMessage(err), "kind:") {
		t.Fatalf("a bad kind: %v", err)
	}
	if err := MemberEdit(ctx, env, "beta", func(in *MemberInput) { in.Tier = "silver" }); err != nil {
		t.Fatal(err)
	}
	if err := MemberArchive(ctx, env, "beta", ""); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := MemberList(ctx, env, true); err != nil {
		t.Fatal(err)
	}
	var list struct{ Members []MemberRecord }
	if err := json.Unmarshal(out.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Members) != 1 {
		t.Fatalf("members listed: %+v", list.Members)
	}
	r := list.Members[0]
	// joined defaults to today; archive to today.
	if r.Tier != "silver" || r.Joined != "2026-05-04" || r.ArchivedOn == nil || *r.ArchivedOn != "2026-05-04" || strings.Join(r.Domains, ",") != "beta.edu" {
		t.Fatalf("listed record: %+v", r)
	}
	if err := MemberRestore(ctx, env, "beta"); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := MemberList(ctx, env, false); err != nil || !strings.Contains(out.String(), "beta") || !strings.Contains(out.String(), "active") {
		t.Fatalf("table: %v\n%s", err, out.String())
	}
}
