package accesslog

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestImportSummaryRangeAndConsumers: an import's summary names the first
// and last UTC days of the lines it stored (not of rejected ones, after
// their offsets), the distinct consumers of those lines (the anonymous one
// not counted) and how many of them are mapped to a member.
func TestImportSummaryRangeAndConsumers(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	if err := db.CreateMember(ctx, &domain.Member{Slug: "acme", Name: "ACME", Kind: domain.KindPartner, JoinedOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	acme, err := db.MemberBySlug(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertConsumer(ctx, &domain.APIConsumer{Key: "alice", MemberID: acme.ID}); err != nil {
		t.Fatal(err)
	}
	line := func(user, ts string) string {
		return `10.0.0.1 - ` + user + ` [` + ts + `] "GET /v1/x HTTP/1.1" 200 5 "-" "ua"`
	}
	lines := []string{
		line("bob", "02/May/2026:10:00:00 +0000"),
		line("alice", "01/May/2026:23:30:00 -0200"), // 2 May, 01:30 UTC
		line("alice", "02/May/2026:11:00:00 +0000"),
		line("-", "30/Apr/2026:12:00:00 +0000"),                                          // anonymous, earliest
		line("carol", "04/May/2026:00:30:00 +0100"),                                      // 3 May, 23:30 UTC
		strings.Replace(line("dave", "01/Jan/2020:00:00:00 +0000"), " 200 ", " 2x0 ", 1), // rejected: not counted
		`not a line 01/Jan/2019`,
	}
	cfg := Config{Consumer: ConsumerConfig{From: ConsumerField, Name: "remote_user"}}
	sum, err := Import(ctx, db, cfg, []string{writeLog(t, strings.Join(lines, "\n")+"\n")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Summary{Files: 1, Lines: 7, Stored: 5, Rejected: 2, FirstDay: "2026-04-30", LastDay: "2026-05-03", Consumers: 3, Mapped: 1, Unmapped: 2}
	sum.Seconds = 0
	if sum != want {
		t.Errorf("summary\n%+v, want\n%+v", sum, want)
	}
	// Nothing new: no range, no consumers.
	again, err := Import(ctx, db, cfg, []string{writeLog(t, "")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.FirstDay != "" || again.LastDay != "" || again.Consumers != 0 {
		t.Errorf("an empty import's summary %+v, want no range and no consumers", again)
	}
}
