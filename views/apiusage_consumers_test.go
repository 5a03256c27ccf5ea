package views

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// TestAPIUsageConsumersArePaged: the breakdown lists a page of the
// unmapped consumers (20 by default, at most APIUsageMaxConsumers), with
// their count, however many there are.
func TestAPIUsageConsumersArePaged(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	at := ecoDay(t, "2026-03-04").Add(9 * time.Hour)
	var rs []domain.UsageRollup
	for i := 0; i < 45; i++ {
		c := &domain.APIConsumer{Key: fmt.Sprintf("k%02d", i)}
		if err := db.UpsertConsumer(ctx, c); err != nil {
			t.Fatal(err)
		}
		rs = append(rs, domain.UsageRollup{Bucket: at, ConsumerID: c.ID, Endpoint: "/v1/chat", StatusClass: 2, Calls: int64(100 - i)})
	}
	if err := db.AddUsage(ctx, rs); err != nil {
		t.Fatal(err)
	}
	build := func(query map[string]string) (*APIUsage, error) {
		query["from"], query["to"] = "2026-03-01", "2026-03-07"
		p, err := ParseAPIUsageParams(func(k string) string { return query[k] })
		if err != nil {
			return nil, err
		}
		return BuildAPIUsage(ctx, db, metrics.DefaultConfig(), p)
	}
	u, err := build(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if um := u.Unmapped; um.ConsumerCount != 45 || len(um.Consumers) != 20 || um.Consumers[0].Consumer != "k00" {
		t.Errorf("default page: count %d, %d listed, first %+v; want 45, 20, k00", um.ConsumerCount, len(um.Consumers), um.Consumers[0])
	}
	u, err = build(map[string]string{"consumers_limit": "10", "consumers_offset": "40"})
	if err != nil {
		t.Fatal(err)
	}
	if um := u.Unmapped; len(um.Consumers) != 5 || um.Consumers[0].Consumer != "k40" || um.ConsumersOffset != 40 || um.ConsumersLimit != 10 {
		t.Errorf("last page: %+v", um)
	}
	for _, bad := range []map[string]string{{"consumers_limit": "501"}, {"consumers_limit": "0"}, {"consumers_offset": "-1"}, {"consumers_limit": "x"}} {
		if _, err := build(bad); domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), "consumers_") {
			t.Errorf("%v: error %v, want EINVALID naming the parameter", bad, err)
		}
	}
}
