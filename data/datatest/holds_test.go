package datatest_test

import (
	"context"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// Holds is what the secret tests rely on to say a value never reached the
// disk: it must find a value the store did write, and not one it did not.
func TestHoldsFindsWhatTheStoreWrote(t *testing.T) {
	target := datatest.Target(t)
	db := datatest.Open(t, target)
	ctx := context.Background()
	const written, never = "member-name-7f3a91c2e4", "member-name-0b6d58e1aa"
	if err := db.CreateMember(ctx, &domain.Member{Slug: "acme", Name: written, Kind: domain.KindPartner,
		JoinedOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	if !datatest.Holds(t, target, written) {
		t.Errorf("the store's files do not hold %q, which it stored", written)
	}
	if datatest.Holds(t, target, never) {
		t.Errorf("the store's files hold %q, which it never saw", never)
	}
}
