package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/collectors/accesslog"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestConsumersMappedByAddressRange: consumers identified by client address
// (keyed hashes) are mapped by typing the address or a CIDR range; a range
// is kept as a rule that maps new clients of the range at the next scoring
// run; no client address is stored in clear, the rule's range aside.
func TestConsumersMappedByAddressRange(t *testing.T) {
	const hashKey = "a-test-hash-key-of-32-characters!"
	t.Setenv(accesslog.DefaultHashKeyEnv, hashKey)
	ctx := context.Background()
	env, db, _ := commandEnv(t)
	cfg := env.Config
	addPartners(t, db, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "acme", "beta")
	day := domain.Day(time.Now()).AddDate(0, 0, -1)
	client := func(ip string) string {
		t.Helper()
		c := &domain.APIConsumer{Key: accesslog.HashIP([]byte(hashKey), ip)}
		if err := db.UpsertConsumer(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := db.AddUsage(ctx, []domain.UsageRollup{{Bucket: day.Add(8 * time.Hour), ConsumerID: c.ID, Endpoint: "/v1/chat", StatusClass: 2, Calls: 5}}); err != nil {
			t.Fatal(err)
		}
		return c.Key
	}
	inRange1, inRange2, outside, single := client("203.0.113.7"), client("203.0.113.200"), client("198.51.100.1"), client("2001:db8::1")
	a := newTestApp(t, db)
	send := managerJSON(t, a)

	status, body := send("POST", "/api/v1/consumers/map", `{"address":"203.0.113.0/24","member":"acme"}`)
	if status != 200 || decode[map[string]any](t, body)["mapped"] != float64(2) {
		t.Fatalf("map a /24: %d %s", status, body)
	}
	mapped := func() map[string]string {
		rows, _, err := db.ConsumerList(ctx, data.ConsumerQuery{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, r := range rows {
			out[r.Key] = r.Member
		}
		return out
	}
	if m := mapped(); m[inRange1] != "acme" || m[inRange2] != "acme" || m[outside] != "" {
		t.Fatalf("after mapping the range: %v", m)
	}
	for _, bad := range []string{`{"address":"10.0.0.0/8","member":"acme"}`, `{"address":"not-an-address","member":"acme"}`, `{"address":"203.0.113.0/24","member":"nobody"}`} {
		if status, body := send("POST", "/api/v1/consumers/map", bad); status != 400 {
			t.Errorf("%s: %d %s, want 400", bad, status, body)
		}
	}

	// A new client in the range follows at the next scoring run.
	later := client("203.0.113.99")
	if err := a.Scorer().Run(ctx, domain.Day(time.Now()), 1); err != nil {
		t.Fatal(err)
	}
	if m := mapped(); m[later] != "acme" || m[outside] != "" {
		t.Fatalf("after a scoring run: %v", m)
	}

	// One address, by the command: mapped, and not kept anywhere.
	if err := ConsumerMapAddress(ctx, env, "2001:DB8:0:0::1", "beta"); err != nil {
		t.Fatal(err)
	}
	if m := mapped(); m[single] != "beta" {
		t.Fatalf("one IPv6 address typed another way: %v", m)
	}
	rules, err := db.AddressRules(ctx)
	if err != nil || len(rules) != 1 || rules[0].Prefix.String() != "203.0.113.0/24" {
		t.Fatalf("rules kept: %+v, %v", rules, err)
	}
	for _, ip := range []string{"203.0.113.7", "203.0.113.99", "2001:db8::1", "198.51.100.1"} {
		if datatest.Holds(t, cfg.DB, ip) {
			t.Errorf("the database holds the client address %s", ip)
		}
	}

	t.Setenv(accesslog.DefaultHashKeyEnv, "")
	if err := ConsumerMapAddress(ctx, env, "203.0.113.0/24", "acme"); domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), accesslog.DefaultHashKeyEnv) {
		t.Fatalf("without the hash key: %v", err)
	}
}
