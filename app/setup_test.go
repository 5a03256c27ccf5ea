package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// TestEmptyInstallationGreetsWithTheChecklist: a new installation scored
// with no member is not "health 0.0, at risk": its overview is the
// getting-started checklist, ticked as the owner goes, the same in the
// page and the JSON.
func TestEmptyInstallationGreetsWithTheChecklist(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	a := newTestApp(t, db)
	today := domain.Day(time.Now())
	if err := a.Scorer().Run(ctx, today, 3); err != nil { // the scoring job of an empty install
		t.Fatal(err)
	}
	steps := func() map[string]bool {
		t.Helper()
		_, body, _ := get(t, a.Fiber(), "/api/v1/overview")
		o := decode[views.Overview](t, body)
		if !o.Empty {
			t.Fatalf("an installation with no member scored is not empty: %s", body)
		}
		out := map[string]bool{}
		if o.Setup == nil {
			t.Fatal("no checklist")
		}
		for _, s := range o.Setup.Steps {
			out[s.ID] = s.Done
		}
		return out
	}
	if got := steps(); got["members"] || got["consumers"] || got["scores"] || got["sources"] || got["agreements"] {
		t.Fatalf("fresh install: %v, want nothing done", got)
	}
	_, page, _ := get(t, a.Fiber(), "/")
	if !strings.Contains(page, "Getting started") || strings.Contains(page, `data-value="health"`) {
		t.Fatal("the empty overview page shows a health score or no checklist")
	}

	m := &domain.Member{Slug: "acme", Name: "Acme", Kind: domain.KindPartner, JoinedOn: today.AddDate(0, 0, -30)}
	if err := db.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	c := &domain.APIConsumer{Key: "acme-key"}
	if err := db.UpsertConsumer(ctx, c); err != nil {
		t.Fatal(err)
	}
	if got := steps(); !got["members"] || !got["sources"] || got["consumers"] {
		t.Fatalf("after a member and a consumer: %v", got)
	}
	if err := db.MapConsumer(ctx, "acme-key", "acme"); err != nil {
		t.Fatal(err)
	}
	// Scored with no traffic yet: still no score worth showing.
	if err := a.Scorer().Run(ctx, today, 3); err != nil {
		t.Fatal(err)
	}
	if got := steps(); got["scores"] {
		t.Fatalf("members scored on no data tick the first scores: %v", got)
	}
	if err := db.AddUsage(ctx, []domain.UsageRollup{{Bucket: today.Add(-20 * time.Hour), ConsumerID: c.ID, Endpoint: "/v1/chat", StatusClass: 2, Calls: 40}}); err != nil {
		t.Fatal(err)
	}
	if err := a.Scorer().Run(ctx, today, 3); err != nil {
		t.Fatal(err)
	}
	_, body, _ := get(t, a.Fiber(), "/api/v1/overview")
	o := decode[views.Overview](t, body)
	if o.Empty || o.Setup == nil || o.Setup.Complete {
		t.Fatalf("scored, agreements still missing: empty %v setup %+v", o.Empty, o.Setup)
	}
	for _, s := range o.Setup.Steps {
		if s.Done != (s.ID != "agreements") {
			t.Errorf("step %s done = %v", s.ID, s.Done)
		}
	}
}
