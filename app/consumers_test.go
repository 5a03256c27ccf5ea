package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func TestConsumersMappedThroughTheAPIAndTheCommands(t *testing.T) {
	ctx := context.Background()
	env, db, out := commandEnv(t)
	addPartners(t, db, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "acme", "beta")
	for i, key := range []string{"acme-prod", "acme test/1", "beta-1", "stray"} {
		c := &domain.APIConsumer{Key: key}
		if err := db.UpsertConsumer(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := db.AddUsage(ctx, []domain.UsageRollup{{Bucket: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), ConsumerID: c.ID,
			Endpoint: "/v1/chat", StatusClass: 2, Calls: int64(10 * (i + 1))}}); err != nil {
			t.Fatal(err)
		}
	}
	a := newTestApp(t, db)
	send := managerJSON(t, a)

	status, body := send("GET", "/api/v1/consumers?unmapped=1&limit=2", "")
	p := decode[ConsumerPage](t, body)
	if status != 200 || p.Total != 4 || len(p.Consumers) != 2 || p.Consumers[0].Key != "stray" || p.Consumers[0].Calls != 40 {
		t.Fatalf("first page of unmapped consumers: %d %s", status, body)
	}
	// A key with a space and a slash, URL-encoded in the path.
	if status, body = send("PUT", "/api/v1/consumers/acme%20test%2F1", `{"member":"acme"}`); status != 200 {
		t.Fatalf("map by key: %d %s", status, body)
	}
	if status, body = send("PUT", "/api/v1/consumers/stray", `{"member":"nobody"}`); status != 400 || !strings.Contains(body, "member:") {
		t.Fatalf("map to an unknown member: %d %s", status, body)
	}
	if status, body = send("PUT", "/api/v1/consumers/stray", `{}`); status != 400 {
		t.Fatalf("map without a member: %d %s", status, body)
	}
	status, body = send("POST", "/api/v1/consumers/map", `{"pattern":"acme-*","member":"acme"}`)
	if status != 200 || decode[map[string]any](t, body)["mapped"] != float64(1) {
		t.Fatalf("map by pattern: %d %s", status, body)
	}
	acme, _ := db.MemberBySlug(ctx, "acme")
	tot, err := db.UsageTotals(ctx, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), acme.ID)
	if err != nil || tot.Calls != 30 {
		t.Fatalf("acme's calls after mapping: %d, %v (want 10 + 20)", tot.Calls, err)
	}

	// The command sees and changes the same mappings.
	if err := ConsumerMap(ctx, env, "beta-1", "", "beta", false); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := ConsumerList(ctx, env, data.ConsumerQuery{Unmapped: true}, true); err != nil {
		t.Fatal(err)
	}
	var listed ConsumerPage
	if err := json.Unmarshal(out.Bytes(), &listed); err != nil {
		t.Fatal(err)
	}
	if listed.Total != 1 || listed.Consumers[0].Key != "stray" {
		t.Fatalf("unmapped after the command: %+v", listed)
	}
	if !auditHas(t, a, "cli", "consumer.map", "beta-1", true) || !auditHas(t, a, domain.RoleManager, "consumer.map", "acme-*", true) {
		t.Fatal("mappings are not audited")
	}
}

func TestUnmappedConsumersAreMappedFromTheAPIUsagePage(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	if err := db.CreateMember(ctx, &domain.Member{Slug: "acme", Name: "Acme AI", Kind: domain.KindPartner, JoinedOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	day := domain.Day(time.Now()).AddDate(0, 0, -2)
	for i, key := range []string{"acme-prod", "acme-test", "stray"} {
		c := &domain.APIConsumer{Key: key}
		if err := db.UpsertConsumer(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := db.AddUsage(ctx, []domain.UsageRollup{{Bucket: day.Add(9 * time.Hour), ConsumerID: c.ID, Endpoint: "/v1/chat", StatusClass: 2, Calls: int64(10 + i)}}); err != nil {
			t.Fatal(err)
		}
	}
	a := newTestApp(t, db)
	mgr, viewer := loginAs(t, a, domain.RoleManager), loginAs(t, a, domain.RoleViewer)
	page := func(s testSession) string {
		req := httptest.NewRequest("GET", "/api-usage", nil)
		s.apply(req)
		resp, err := a.Fiber().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if p := page(mgr); !strings.Contains(p, `action="/api-usage/consumers/map"`) || !strings.Contains(p, `name="key" value="stray"`) ||
		!strings.Contains(p, `<option value="acme">`) {
		t.Fatal("a manager's API-usage page offers no map action for the unmapped consumers")
	}
	if p := page(viewer); strings.Contains(p, `action="/api-usage/consumers/map"`) {
		t.Fatal("a viewer's API-usage page offers the map action")
	}
	status, loc, _ := postForm(t, a, mgr, "/api-usage/consumers/map", url.Values{"key": {"stray"}, "member": {"acme"}, "back": {"/api-usage?from=x#unmapped"}})
	if status != 303 || loc != "/api-usage?from=x#unmapped" {
		t.Fatalf("map one: %d → %q", status, loc)
	}
	status, loc, _ = postForm(t, a, mgr, "/api-usage/consumers/map", url.Values{"pattern": {"acme-*"}, "member": {"acme"}, "back": {"https://evil.example/"}})
	if status != 303 || loc != "/" {
		t.Fatalf("map by pattern: %d → %q (an off-site back must not be followed)", status, loc)
	}
	if rows, total, _ := db.ConsumerList(ctx, data.ConsumerQuery{Unmapped: true}); total != 0 {
		t.Fatalf("still unmapped: %+v", rows)
	}
	if status, _, _ = postForm(t, a, viewer, "/api-usage/consumers/map", url.Values{"key": {"stray"}, "member": {"acme"}}); status != 403 {
		t.Fatalf("a viewer mapping: %d", status)
	}
}
