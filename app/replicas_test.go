package app

// Two replicas on one database: two Apps, each on its own store opened on
// the same database (a SQLite file, or a PostgreSQL database), as two
// `serve` processes would be. What one replica does, the other sees: its
// writes in the pages it caches, failed logins, the ingest budget, a
// revoked token.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// twoReplicas returns two Apps with cfg, each on a store of its own opened
// on target.
func twoReplicas(tb testing.TB, target string, cfg config.Config) (*App, *App) {
	tb.Helper()
	return newConfiguredApp(tb, datatest.Open(tb, target), cfg), newConfiguredApp(tb, datatest.Open(tb, target), cfg)
}

// TestPageCachedOnOneReplicaFollowsAnEditOnAnother: a page B has cached
// shows an edit made through A within 2 s (the page cache's TTL is a
// minute: only the shared data version can make it).
func TestPageCachedOnOneReplicaFollowsAnEditOnAnother(t *testing.T) {
	a, b := twoReplicas(t, datatest.Seeded(t, "scored_demo", seedScoredDemo), config.Default())
	s, err := views.BuildScores(context.Background(), b.db, demoEnd)
	if err != nil {
		t.Fatal(err)
	}
	target := "/members/" + s.Members[0].Slug
	viewer := loginAs(t, b, domain.RoleViewer)
	get := func() cacheResponse {
		t.Helper()
		r := sendAs(t, b, viewer, httptest.NewRequest("GET", target, nil))
		if r.status != http.StatusOK {
			t.Fatalf("GET %s on B = %d", target, r.status)
		}
		return r
	}
	get()
	if r := get(); r.header.Get(cacheHeader) != cacheHit {
		t.Fatalf("repeat on B: X-Cache %q, want a hit", r.header.Get(cacheHeader))
	}
	renameMember(t, a.db, s.Members[0].Slug, "Renamed On Replica A Ltd")
	edited := time.Now()
	for !strings.Contains(get().body, "Renamed On Replica A Ltd") {
		if time.Since(edited) > 2*time.Second {
			t.Fatal("B still serves the page from before A's edit 2 s later")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestLoginThrottleCountsOnEveryReplica: failures on A and B add up, for
// the (account, address) delay and for the address's cap.
func TestLoginThrottleCountsOnEveryReplica(t *testing.T) {
	cfg := config.Default()
	cfg.Auth.RateLimits.Login.Max = 0 // the throttle itself, not the limiter
	a, b := twoReplicas(t, datatest.Target(t), cfg)
	replicas := []*App{a, b}
	for i := range throttleFreeFailures {
		if got := tryLogin(t, replicas[i%2], "viewer", "wrong password"); got != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i+1, got)
		}
	}
	for _, r := range replicas {
		if got := tryLogin(t, r, "viewer", testPassword("viewer")); got != http.StatusTooManyRequests {
			t.Errorf("right after %d failures split between the replicas: %d, want 429 on each", throttleFreeFailures, got)
		}
	}
	// The per-address cap: many names, half on each replica, up to the
	// address's failures in all.
	for i := range maxAddressFailures - throttleFreeFailures {
		if got := tryLogin(t, replicas[i%2], "nobody-"+string(rune('a'+i)), "wrong password"); got != http.StatusUnauthorized {
			t.Fatalf("spray %d: %d, want 401", i, got)
		}
	}
	if got := tryLogin(t, a, "manager", testPassword("manager")); got != http.StatusTooManyRequests {
		t.Errorf("after %d failures of many names split between the replicas: %d, want 429", maxAddressFailures, got)
	}
	if n := a.throttle.size(t.Context()); n == 0 {
		t.Error("no failed-login row in the database")
	}
}

// TestIngestBudgetIsSharedByReplicas: one token pushing to two replicas at
// once is granted the budget once in all, not once per replica.
func TestIngestBudgetIsSharedByReplicas(t *testing.T) {
	cfg := config.Default()
	cfg.Auth.RateLimits.Ingest = config.Limit{Max: 5, Window: time.Hour}
	target := datatest.Target(t)
	a, b := twoReplicas(t, target, cfg)
	frozen := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC) // one window for every request
	a.rateNow, b.rateNow = func() time.Time { return frozen }, func() time.Time { return frozen }
	secret := newToken(t, a.db, "gateway", "")
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for _, r := range []*App{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 6 {
				status, _ := post(t, r, secret, ndjson(1, demoEnd), nil)
				mu.Lock()
				statuses[status]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if statuses[http.StatusAccepted] != 5 || statuses[http.StatusTooManyRequests] != 7 {
		t.Errorf("12 requests split between two replicas with a budget of 5: %v, want 5 accepted and 7 refused", statuses)
	}
	if got := totalCalls(t, a.db, demoEnd); got != 5 {
		t.Errorf("calls stored = %d, want 5", got)
	}
	// The next window grants the budget again.
	frozen = frozen.Add(time.Hour)
	if status, body := post(t, b, secret, ndjson(1, demoEnd), nil); status != http.StatusAccepted {
		t.Errorf("next window: %d %s, want 202", status, body)
	}
}

// TestRevokedTokenStopsOnEveryReplicaWithinTheBound: a token revoked
// through A is refused by A at once, and by B, which had it cached, once
// data.TokenCacheTTL (the bound README states) has passed.
func TestRevokedTokenStopsOnEveryReplicaWithinTheBound(t *testing.T) {
	target := datatest.Target(t)
	a, b := twoReplicas(t, target, config.Default())
	clock := withTokenClock(b)
	secret := newToken(t, a.db, "gateway", "")
	body := ndjson(1, demoEnd)
	if status, resp := post(t, b, secret, body, nil); status != http.StatusAccepted {
		t.Fatalf("B before: %d %s", status, resp)
	}
	admin := loginAs(t, a, domain.RoleAdmin)
	if status, resp := sendJSON(t, a, admin, "DELETE", "/api/v1/admin/tokens/gateway", nil); status >= 300 {
		t.Fatalf("revoke on A: %d %s", status, resp)
	}
	if status, _ := post(t, a, secret, body, nil); status != http.StatusUnauthorized {
		t.Errorf("A after its revocation: %d, want 401", status)
	}
	clock.Advance(data.TokenCacheTTL)
	if status, _ := post(t, b, secret, body, nil); status != http.StatusUnauthorized {
		t.Errorf("B %v after the revocation on A: %d, want 401", data.TokenCacheTTL, status)
	}
}
