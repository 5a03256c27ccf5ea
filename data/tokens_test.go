package data_test

import (
	"context"
	"database/sql"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func TestTokensAreShownOnceStoredHashedScopedAndRevocable(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	allow, err := domain.ParseAllowList("10.0.0.0/8, 192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	tok := &domain.Token{Name: "gateway", Scope: domain.ScopeIngest, Allow: allow}
	secret, err := db.CreateToken(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "ep_") || len(secret) < 40 {
		t.Fatalf("secret %q is too weak", secret)
	}
	if _, err := db.CreateToken(ctx, &domain.Token{Name: "gateway", Scope: domain.ScopeIngest}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("duplicate name: err = %v", err)
	}
	got, err := db.VerifyToken(ctx, secret, domain.ScopeIngest)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "gateway" {
		t.Errorf("verified token %q", got.Name)
	}
	for addr, want := range map[string]bool{"10.1.2.3": true, "192.0.2.7": true, "192.0.2.8": false, "::ffff:10.9.9.9": true} {
		if ok := got.Allows(netip.MustParseAddr(addr)); ok != want {
			t.Errorf("Allows(%s) = %v, want %v", addr, ok, want)
		}
	}
	for _, bad := range []string{secret + "x", secret[:len(secret)-1], "", "ep_", strings.Repeat("a", 300)} {
		if _, err := db.VerifyToken(ctx, bad, domain.ScopeIngest); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
			t.Errorf("VerifyToken(%q): err = %v, want EUNAUTHORIZED", bad, err)
		}
	}
	if _, err := db.VerifyToken(ctx, secret, "admin"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Errorf("wrong scope accepted: %v", err)
	}
	list, err := db.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Name != "gateway" {
		t.Errorf("tokens = %+v", list)
	}
	if err := db.RevokeToken(ctx, "gateway"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.VerifyToken(ctx, secret, domain.ScopeIngest); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Errorf("revoked token accepted: %v", err)
	}
	if err := db.RevokeToken(ctx, "gateway"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("second revoke: err = %v", err)
	}
	if _, err := domain.ParseAllowList("10.0.0.0/33"); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("bad CIDR accepted: %v", err)
	}
}

// otherProcess opens the database file as another process (the CLI) would:
// its writes do not pass through this process's store.
func otherProcess(tb testing.TB, db *data.DB) *sql.DB {
	tb.Helper()
	other := datatest.Raw(tb, db)
	tb.Cleanup(func() { other.Close() })
	return other
}

// fakeClock is a clock tests move by hand.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time          { return c.now }
func (c *fakeClock) Advance(d time.Duration) { c.now = c.now.Add(d) }

func TestTokenCacheRevocationHereAppliesAtOnce(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	secret, err := db.CreateToken(ctx, &domain.Token{Name: "gateway", Scope: domain.ScopeIngest})
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{now: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)}
	cache := &data.TokenCache{Now: clock.Now}
	tok, err := cache.Verify(ctx, db, secret, domain.ScopeIngest)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tok.Name, "gateway"; got != want {
		t.Errorf("token = %q, want %q", got, want)
	}
	if _, err := cache.Verify(ctx, db, secret, "admin"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Errorf("cached token with another scope: err = %v, want EUNAUTHORIZED", err)
	}
	if _, err := cache.Verify(ctx, db, secret+"x", domain.ScopeIngest); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Errorf("wrong secret: err = %v, want EUNAUTHORIZED", err)
	}
	if err := db.RevokeToken(ctx, "gateway"); err != nil {
		t.Fatal(err)
	}
	// Same instant: the entry is fresh, but this process revoked a token.
	if _, err := cache.Verify(ctx, db, secret, domain.ScopeIngest); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Errorf("token revoked in this process still accepted: err = %v", err)
	}
}

func TestTokenCacheRevocationElsewhereAppliesWithinTTL(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	secret, err := db.CreateToken(ctx, &domain.Token{Name: "gateway", Scope: domain.ScopeIngest})
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{now: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)}
	cache := &data.TokenCache{Now: clock.Now}
	if _, err := cache.Verify(ctx, db, secret, domain.ScopeIngest); err != nil {
		t.Fatal(err)
	}
	// ecopulse token revoke, run by another process.
	if _, err := otherProcess(t, db).Exec(`UPDATE tokens SET revoked_at = ? WHERE name = 'gateway'`, time.Now().Unix()); err != nil {
		t.Fatal(err)
	}
	clock.Advance(data.TokenCacheTTL - time.Millisecond)
	if _, err := cache.Verify(ctx, db, secret, domain.ScopeIngest); err != nil {
		t.Errorf("within the TTL the cached token is still trusted (the documented bound), got %v", err)
	}
	clock.Advance(time.Millisecond)
	if _, err := cache.Verify(ctx, db, secret, domain.ScopeIngest); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Errorf("revoked elsewhere, TTL over: err = %v, want EUNAUTHORIZED", err)
	}
	// Not cached as revoked either: no answer outlives the database's.
	if _, err := otherProcess(t, db).Exec(`UPDATE tokens SET revoked_at = NULL WHERE name = 'gateway'`); err != nil {
		t.Fatal(err)
	}
	if _, err := cache.Verify(ctx, db, secret, domain.ScopeIngest); err != nil {
		t.Errorf("after the row came back: %v", err)
	}
}

func TestTokenCacheReturnsCopies(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	allow, err := domain.ParseAllowList("192.0.2.0/24")
	if err != nil {
		t.Fatal(err)
	}
	secret, err := db.CreateToken(ctx, &domain.Token{Name: "fenced", Scope: domain.ScopeIngest, Allow: allow})
	if err != nil {
		t.Fatal(err)
	}
	var cache data.TokenCache
	tok, err := cache.Verify(ctx, db, secret, domain.ScopeIngest)
	if err != nil {
		t.Fatal(err)
	}
	tok.Allow[0] = netip.MustParsePrefix("0.0.0.0/0")
	tok.Name = "changed"
	again, err := cache.Verify(ctx, db, secret, domain.ScopeIngest)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := again.Name, "fenced"; got != want {
		t.Errorf("name = %q, want %q", got, want)
	}
	if again.Allows(netip.MustParseAddr("203.0.113.1")) {
		t.Error("a caller's change to a returned token widened the cached allow list")
	}
}
