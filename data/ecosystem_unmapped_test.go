package data_test

import (
	"context"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestUnmappedConsumersSayWhenTheyStartedAndWhatTheyCall: the API-usage
// breakdown gives each unmapped consumer its first day with calls and the
// endpoint it called most — what a manager needs to tell whose it is.
func TestUnmappedConsumersSayWhenTheyStartedAndWhatTheyCall(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	c := mustConsumer(t, db, "stranger", 0)
	d1, d2, d3 := at(t, "2026-03-02 10:00"), at(t, "2026-03-03 23:00"), at(t, "2026-03-04 08:00")
	if err := db.AddUsage(ctx, []domain.UsageRollup{
		ecoRollup(d1, c.ID, "/v1/models", 2, 0, 0), // a row without a call: not its first call
		ecoRollup(d2, c.ID, "/v1/chat", 2, 5, 40),
		ecoRollup(d2, c.ID, "/v1/embed", 2, 6, 40),
		ecoRollup(d3, c.ID, "/v1/chat", 4, 3, 40),
	}); err != nil {
		t.Fatal(err)
	}
	u, err := db.EcosystemUsage(ctx, day(t, "2026-03-01"), day(t, "2026-03-05"))
	if err != nil {
		t.Fatal(err)
	}
	if len(u.UnmappedConsumers) != 1 {
		t.Fatalf("unmapped consumers: %+v", u.UnmappedConsumers)
	}
	g := u.UnmappedConsumers[0]
	// /v1/chat: 5 + 3 = 8 calls (errors count as calls) against 6 on /v1/embed.
	if !g.FirstDay.Equal(day(t, "2026-03-03")) || !g.LastDay.Equal(day(t, "2026-03-04")) || g.TopEndpoint != "/v1/chat" || g.Calls != 14 {
		t.Fatalf("stranger: first %s, last %s, top %q, calls %d", g.FirstDay, g.LastDay, g.TopEndpoint, g.Calls)
	}
}

// TestUnmappedConsumersTopEndpointTieGoesToTheFirstName: two endpoints with
// as many calls each — the page must name the same one on every load, not
// whichever the map gave first, so the tie goes to the first name.
func TestUnmappedConsumersTopEndpointTieGoesToTheFirstName(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	c := mustConsumer(t, db, "stranger", 0)
	d := at(t, "2026-03-03 10:00")
	if err := db.AddUsage(ctx, []domain.UsageRollup{
		ecoRollup(d, c.ID, "/v1/embed", 2, 5, 40),
		ecoRollup(d, c.ID, "/v1/chat", 2, 5, 40),
		ecoRollup(d, c.ID, "/v1/models", 2, 4, 40),
	}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ { // map order changes between reads
		u, err := db.EcosystemUsage(ctx, day(t, "2026-03-01"), day(t, "2026-03-05"))
		if err != nil {
			t.Fatal(err)
		}
		if len(u.UnmappedConsumers) != 1 || u.UnmappedConsumers[0].TopEndpoint != "/v1/chat" {
			t.Fatalf("read %d: unmapped consumers %+v, want /v1/chat on top", i, u.UnmappedConsumers)
		}
	}
}
