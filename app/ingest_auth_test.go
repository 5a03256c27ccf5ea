package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// manualClock is a clock a test moves by hand.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// withTokenClock makes the app's ingest token cache read clock.
func withTokenClock(a *App) *manualClock {
	clock := &manualClock{now: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)}
	a.push.tokens.Now = clock.Now
	return clock
}

// revokeElsewhere revokes a token as `ecopulse token revoke` in another
// process does: a write on a connection of its own, which this process's
// store never sees.
func revokeElsewhere(tb testing.TB, db *data.DB, name string) {
	tb.Helper()
	if err := revokeInOtherProcess(db, name); err != nil {
		tb.Fatal(err)
	}
}

func revokeInOtherProcess(db *data.DB, name string) error {
	other, err := data.OpenSQL(db.Path())
	if err != nil {
		return err
	}
	defer other.Close()
	res, err := other.Exec(`UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL`, time.Now().Unix(), name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("revoked %d tokens named %q, want 1", n, name)
	}
	return nil
}

func TestIngestTokenRevokedInTheAppStopsAtOnce(t *testing.T) {
	db := datatest.MustOpenDB(t)
	a := newTestApp(t, db)
	withTokenClock(a) // frozen: only the revocation can stop the token
	secret := newToken(t, db, "gateway", "")
	body := ndjson(2, demoEnd)
	if status, resp := post(t, a, secret, body, nil); status != http.StatusAccepted {
		t.Fatalf("before: %d %s", status, resp)
	}
	admin := loginAs(t, a, domain.RoleAdmin)
	if status, resp := sendJSON(t, a, admin, "DELETE", "/api/v1/admin/tokens/gateway", nil); status >= 300 {
		t.Fatalf("revoke: %d %s", status, resp)
	}
	if status, resp := post(t, a, secret, body, nil); status != http.StatusUnauthorized {
		t.Errorf("after the revocation: %d %s, want 401", status, resp)
	}
	if got, want := totalCalls(t, db, demoEnd), int64(2); got != want {
		t.Errorf("calls = %d, want %d", got, want)
	}
}

func TestIngestTokenRevokedElsewhereStopsWithinTheCacheBound(t *testing.T) {
	db := datatest.MustOpenDB(t)
	a := newTestApp(t, db)
	clock := withTokenClock(a)
	secret := newToken(t, db, "gateway", "")
	body := ndjson(2, demoEnd)
	if status, resp := post(t, a, secret, body, nil); status != http.StatusAccepted {
		t.Fatalf("before: %d %s", status, resp)
	}
	revokeElsewhere(t, db, "gateway")
	// The documented bound: up to data.TokenCacheTTL after its last check,
	// this process may still accept a token revoked by another one.
	clock.Advance(data.TokenCacheTTL - time.Millisecond)
	if status, resp := post(t, a, secret, body, nil); status != http.StatusAccepted {
		t.Errorf("within the bound: %d %s (the cache should still hold the token)", status, resp)
	}
	clock.Advance(time.Millisecond)
	status, resp := post(t, a, secret, body, nil)
	if status != http.StatusUnauthorized {
		t.Errorf("after the bound: %d %s, want 401", status, resp)
	}
}

// TestIngestVerifiesTheTokenOncePerRequest: the rate limiter (which names
// the token) and the handler share one verification of a request's token.
func TestIngestVerifiesTheTokenOncePerRequest(t *testing.T) {
	db := datatest.MustOpenDB(t)
	a := newTestApp(t, db)
	clock := withTokenClock(a)
	secret := newToken(t, db, "gateway", "")
	f := fiber.New()
	var first, second *ingestBearerResult
	var revokeErr error
	f.Post("/", func(c *fiber.Ctx) error {
		first = a.ingestBearer(c)
		// Make a second look-up fail, were there one.
		revokeErr = revokeInOtherProcess(db, "gateway")
		clock.Advance(data.TokenCacheTTL)
		second = a.ingestBearer(c)
		return nil
	})
	req := httptest.NewRequest("POST", "/", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	if _, err := f.Test(req, -1); err != nil {
		t.Fatal(err)
	}
	if revokeErr != nil {
		t.Fatal(revokeErr)
	}
	if first == nil || first.err != nil || first.tok.Name != "gateway" {
		t.Fatalf("first verification: %+v", first)
	}
	if second != first {
		t.Errorf("second verification in one request = %+v, want the first answer again", second)
	}
	// The next request verifies anew.
	if status, _ := post(t, a, secret, ndjson(1, demoEnd), nil); status != http.StatusUnauthorized {
		t.Errorf("next request with the revoked token: %d, want 401", status)
	}
}

func TestIngestBearerChallenges(t *testing.T) {
	db := datatest.MustOpenDB(t)
	a := newTestApp(t, db)
	secret := newToken(t, db, "gateway", "")
	for _, tc := range []struct {
		name, auth, want string
	}{
		{"no header", "", `Bearer realm="ecopulse-ingest"`},
		{"another scheme", "Basic " + secret, `Bearer realm="ecopulse-ingest"`},
		{"wrong token", "Bearer " + secret + "x", `Bearer realm="ecopulse-ingest", error="invalid_token"`},
	} {
		req := httptest.NewRequest("POST", "/api/v1/ingest/api-calls", strings.NewReader(ndjson(1, demoEnd)))
		req.Header.Set("Content-Type", "application/x-ndjson")
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := a.Fiber().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got, want := resp.StatusCode, http.StatusUnauthorized; got != want {
			t.Errorf("%s: status %d, want %d", tc.name, got, want)
		}
		if got := resp.Header.Get("WWW-Authenticate"); got != tc.want {
			t.Errorf("%s: WWW-Authenticate %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestIngestConcurrentPushersStoreEachBatchOnce: several clients push at
// once over loopback, so batches share transactions; every accepted batch
// is stored once, and a bad batch among them is refused alone.
func TestIngestConcurrentPushersStoreEachBatchOnce(t *testing.T) {
	db := datatest.MustOpenDB(t)
	a := newTestApp(t, db)
	secret := newToken(t, db, "gateway", "")
	base := serveTestApp(t, a)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	defer client.CloseIdleConnections()
	day := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
	const workers, perWorker, size = 8, 6, 50
	bad := ndjson(3, day) + `{"time":"2026-05-04T10:00:00Z","endpoint":"/x","status":0}` + "\n"
	send := func(body string) (int, string, error) {
		req, err := http.NewRequest("POST", base+"/api/v1/ingest/api-calls", strings.NewReader(body))
		if err != nil {
			return 0, "", err
		}
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/x-ndjson")
		resp, err := client.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers*(perWorker+1))
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				// Same hours from every worker: shared transactions merge rows.
				status, body, err := send(ndjson(size, day.Add(time.Duration(9+i%3)*time.Hour)))
				if err == nil && status != http.StatusAccepted {
					err = fmt.Errorf("worker %d batch %d: %d %s", w, i, status, body)
				}
				if err != nil {
					errs <- err
				}
			}
			if w == 3 {
				status, body, err := send(bad)
				if err == nil && (status != http.StatusBadRequest || !strings.Contains(body, "line 4")) {
					err = fmt.Errorf("bad batch: %d %s, want 400 naming line 4", status, body)
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got, want := totalCalls(t, db, day), int64(workers*perWorker*size); got != want {
		t.Errorf("calls stored = %d, want %d", got, want)
	}
	if n, err := db.CountRejected(context.Background(), "push"); err != nil || n != 1 {
		t.Errorf("quarantine holds %d notes (%v), want 1 for the bad batch", n, err)
	}
	if err := a.push.flush(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	runs, err := db.RunsOf(context.Background(), "push", 1)
	if err != nil || len(runs) != 1 {
		t.Fatalf("push run record: %v %v", runs, err)
	}
	if got, want := runs[0].ItemsStored, int64(workers*perWorker*size); got != want {
		t.Errorf("push run stored = %d, want %d", got, want)
	}
}
