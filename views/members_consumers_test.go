package views

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// TestMemberPageListsTheBusiestConsumersAndCountsTheRest: a member may have
// thousands of API consumers; its page and JSON list the busiest and say
// how many more there are.
func TestMemberPageListsTheBusiestConsumersAndCountsTheRest(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	day := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	m := &domain.Member{Slug: "acme", Name: "Acme", Kind: domain.KindPartner, JoinedOn: day.AddDate(0, -1, 0)}
	if err := db.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	const n = memberTopConsumers + 7
	for i := range n {
		c := &domain.APIConsumer{Key: fmt.Sprintf("k%02d", i), MemberID: m.ID}
		if err := db.UpsertConsumer(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := db.AddUsage(ctx, []domain.UsageRollup{{Bucket: day.Add(9 * time.Hour), ConsumerID: c.ID, Endpoint: "/v1/chat", StatusClass: 2, Calls: int64(100 + i)}}); err != nil {
			t.Fatal(err)
		}
	}
	d, err := BuildMember(ctx, db, metrics.DefaultConfig(), MemberParams{Slug: "acme", From: day, To: day, Now: day})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Usage.Consumers) != memberTopConsumers || d.Usage.ConsumerCount != n || d.Usage.Consumers[0].Consumer != fmt.Sprintf("k%02d", n-1) {
		t.Fatalf("consumers: %d listed of %d, first %+v", len(d.Usage.Consumers), d.Usage.ConsumerCount, d.Usage.Consumers[0])
	}
	var buf bytes.Buffer
	if err := newTestRenderer(t).MemberPage(&buf, *d); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `<span data-value="more_consumers">7</span> more`) {
		t.Fatal("the member page does not say how many consumers are not listed")
	}
}
