package data_test

import (
	"context"
	"testing"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func mpStr(s string) *string { return &s }

func TestFilterMembersBindsEveryValue(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	for _, m := range []domain.Member{
		{Slug: "acme", Name: "Acme AI", Kind: domain.KindPartner, Tier: "gold", Segment: "NLP"},
		{Slug: "percent", Name: "100% Vision", Kind: domain.KindPartner, Tier: "silver", Segment: "vision"},
		{Slug: "under", Name: "under_score labs", Kind: domain.KindDeveloperOrg, Segment: "NLP"},
		{Slug: "quote", Name: `O'Brien "Research"`, Kind: domain.KindResearch, Segment: "speech"},
		{Slug: "eclair", Name: "Éclair Santé", Kind: domain.KindPartner, Tier: "gold", Segment: "healthcare"},
	} {
		m.JoinedOn = day(t, "2026-01-01")
		if err := db.CreateMember(ctx, &m); err != nil {
			t.Fatal(err)
		}
	}
	slugs := func(f data.MemberFilter) []string {
		t.Helper()
		ms, err := db.FilterMembers(ctx, f)
		if err != nil {
			t.Fatalf("FilterMembers(%+v): %v", f, err)
		}
		out := []string{}
		for _, m := range ms {
			out = append(out, m.Slug)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    data.MemberFilter
		want []string
	}{
		{"all", data.MemberFilter{}, []string{"percent", "acme", "quote", "under", "eclair"}},
		{"segment", data.MemberFilter{Segment: mpStr("NLP")}, []string{"acme", "under"}},
		{"tier", data.MemberFilter{Tier: mpStr("gold")}, []string{"acme", "eclair"}},
		{"no tier", data.MemberFilter{Tier: mpStr("")}, []string{"quote", "under"}},
		{"kind", data.MemberFilter{Kind: mpStr("research")}, []string{"quote"}},
		{"segment and kind", data.MemberFilter{Segment: mpStr("NLP"), Kind: mpStr("partner")}, []string{"acme"}},
		{"text, any case", data.MemberFilter{Query: "acme ai"}, []string{"acme"}},
		{"text in slug", data.MemberFilter{Query: "UNDER"}, []string{"under"}},
		{"percent is literal", data.MemberFilter{Query: "%"}, []string{"percent"}},
		{"underscore is literal", data.MemberFilter{Query: "_"}, []string{"under"}},
		{"both wildcards", data.MemberFilter{Query: "%_"}, []string{}},
		{"quote", data.MemberFilter{Query: `O'Brien`}, []string{"quote"}},
		{"injection", data.MemberFilter{Query: `' OR 1=1 --`}, []string{}},
		{"injection in a filter", data.MemberFilter{Segment: mpStr(`NLP' OR '1'='1`)}, []string{}},
		{"backslash", data.MemberFilter{Query: `\`}, []string{}},
		{"non-ASCII as stored", data.MemberFilter{Query: "Éclair"}, []string{"eclair"}},
		{"unknown segment", data.MemberFilter{Segment: mpStr("robotics")}, []string{}},
	} {
		got := slugs(tc.f)
		if len(got) != len(tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
				break
			}
		}
	}
}
