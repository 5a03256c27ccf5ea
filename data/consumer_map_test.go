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

// consumerCalls stores calls of a consumer (created unmapped) on a day.
func consumerCalls(tb testing.TB, db *data.DB, key, d string, calls int64) {
	tb.Helper()
	c := &domain.APIConsumer{Key: key}
	if err := db.UpsertConsumer(context.Background(), c); err != nil {
		tb.Fatal(err)
	}
	if err := db.AddUsage(context.Background(), []domain.UsageRollup{{Bucket: day(tb, d).Add(9 * time.Hour), ConsumerID: c.ID,
		Endpoint: "/v1/chat", StatusClass: 2, Calls: calls}}); err != nil {
		tb.Fatal(err)
	}
}

func memberCalls(tb testing.TB, db *data.DB, memberID int64) int64 {
	tb.Helper()
	t, err := db.UsageTotals(context.Background(), day(tb, "2020-01-01"), day(tb, "2030-01-01"), memberID)
	if err != nil {
		tb.Fatal(err)
	}
	return t.Calls
}

func TestMapConsumerReattributesStoredHistoryExactly(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	acme := mustMember(t, db, "acme")
	beta := mustMember(t, db, "beta")
	consumerCalls(t, db, "key-a", "2026-02-01", 40)
	consumerCalls(t, db, "key-a", "2026-03-05", 2)
	consumerCalls(t, db, "key-b", "2026-03-01", 7)
	scoredDays(t, db, "2026-01-15", "2026-02-10", "2026-03-10")

	if n := memberCalls(t, db, acme.ID); n != 0 {
		t.Fatalf("acme's calls before mapping: %d", n)
	}
	if err := db.MapConsumer(ctx, "key-a", "acme"); err != nil {
		t.Fatal(err)
	}
	if n := memberCalls(t, db, acme.ID); n != 42 {
		t.Fatalf("acme's calls after mapping key-a: %d, want 42", n)
	}
	// Days scored since key-a's first traffic (2026-02-01) are marked.
	if got := strings.Join(rescoreDays(t, db), ","); got != "2026-02-10,2026-03-10" {
		t.Fatalf("days to rescore: %s", got)
	}
	if err := db.MapConsumer(ctx, "key-a", "beta"); err != nil {
		t.Fatal(err)
	}
	if a, b := memberCalls(t, db, acme.ID), memberCalls(t, db, beta.ID); a != 0 || b != 42 {
		t.Fatalf("after remapping key-a to beta: acme %d, beta %d", a, b)
	}
	if err := db.MapConsumer(ctx, "key-a", ""); err != nil {
		t.Fatal(err)
	}
	if b := memberCalls(t, db, beta.ID); b != 0 {
		t.Fatalf("after unmapping: beta %d", b)
	}
	if err := db.MapConsumer(ctx, "no-such-key", "acme"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("unknown key: %v", err)
	}
	if err := db.MapConsumer(ctx, "key-b", "nobody"); domain.ErrorCode(err) != domain.EINVALID || !strings.HasPrefix(domain.ErrorMessage(err), "member:") {
		t.Fatalf("unknown member: %v", err)
	}

	rows, total, err := db.ConsumerList(ctx, data.ConsumerQuery{Unmapped: true})
	if err != nil || total != 2 || len(rows) != 2 {
		t.Fatalf("unmapped consumers: %v %d %v", rows, total, err)
	}
	if r := rows[0]; r.Key != "key-a" || r.Calls != 42 || r.FirstSeen != "2026-02-01" || r.LastSeen != "2026-03-05" {
		t.Fatalf("busiest unmapped consumer: %+v", r)
	}
	if _, _, err := db.ConsumerList(ctx, data.ConsumerQuery{Limit: data.MaxConsumerPage + 1}); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("a page over the bound: %v", err)
	}
	page, total, _ := db.ConsumerList(ctx, data.ConsumerQuery{Limit: 1, Offset: 1})
	if total != 2 || len(page) != 1 || page[0].Key != "key-b" {
		t.Fatalf("second page of one: %+v of %d", page, total)
	}
}

func TestMapConsumersByPatternAndMembersKeyPatterns(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	acme := mustMember(t, db, "acme")
	mustMember(t, db, "beta")
	for _, k := range []string{"acme-prod", "acme-test", "beta-1", "both-1", "other"} {
		consumerCalls(t, db, k, "2026-03-01", 1)
	}
	n, err := db.MapConsumersMatching(ctx, "acme-*", "acme", false)
	if err != nil || n != 2 {
		t.Fatalf("pattern mapping: %d, %v", n, err)
	}
	if _, err := db.MapConsumersMatching(ctx, "[", "acme", false); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("a bad pattern: %v", err)
	}
	if c := memberCalls(t, db, acme.ID); c != 2 {
		t.Fatalf("acme's calls: %d", c)
	}

	// Members' own key patterns: beta claims beta-* and both-*, acme both-*
	// too: both-1 stays unmapped for a person to decide.
	if _, err := db.UpdateMember(ctx, &domain.Member{Slug: "beta", Name: "BETA", Kind: domain.KindPartner, JoinedOn: day(t, "2026-01-01"), KeyPatterns: []string{"beta-*", "both-*"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateMember(ctx, &domain.Member{Slug: "acme", Name: "ACME", Kind: domain.KindPartner, JoinedOn: day(t, "2026-01-01"), KeyPatterns: []string{"both-*"}}); err != nil {
		t.Fatal(err)
	}
	n, err = db.ApplyKeyPatterns(ctx)
	if err != nil || n != 1 {
		t.Fatalf("key patterns mapped %d, %v; want beta-1 only", n, err)
	}
	rows, _, _ := db.ConsumerList(ctx, data.ConsumerQuery{Unmapped: true})
	var left []string
	for _, r := range rows {
		left = append(left, r.Key)
	}
	if strings.Join(left, ",") != "both-1,other" {
		t.Fatalf("unmapped after the patterns: %v", left)
	}
}
