package data_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data"
)

func TestTokensAreShownOnceStoredHashedScopedAndRevocable(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	allow, err := data.ParseAllowList("10.0.0.0/8, 192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	tok := &data.Token{Name: "gateway", Scope: data.ScopeIngest, Allow: allow}
	secret, err := db.CreateToken(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "ep_") || len(secret) < 40 {
		t.Fatalf("secret %q is too weak", secret)
	}
	if _, err := db.CreateToken(ctx, &data.Token{Name: "gateway", Scope: data.ScopeIngest}); data.ErrorCode(err) != data.ECONFLICT {
		t.Errorf("duplicate name: err = %v", err)
	}
	got, err := db.VerifyToken(ctx, secret, data.ScopeIngest)
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
		if _, err := db.VerifyToken(ctx, bad, data.ScopeIngest); data.ErrorCode(err) != data.EUNAUTHORIZED {
			t.Errorf("VerifyToken(%q): err = %v, want EUNAUTHORIZED", bad, err)
		}
	}
	if _, err := db.VerifyToken(ctx, secret, "admin"); data.ErrorCode(err) != data.EUNAUTHORIZED {
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
	if _, err := db.VerifyToken(ctx, secret, data.ScopeIngest); data.ErrorCode(err) != data.EUNAUTHORIZED {
		t.Errorf("revoked token accepted: %v", err)
	}
	if err := db.RevokeToken(ctx, "gateway"); data.ErrorCode(err) != data.ENOTFOUND {
		t.Errorf("second revoke: err = %v", err)
	}
	if _, err := data.ParseAllowList("10.0.0.0/33"); data.ErrorCode(err) != data.EINVALID {
		t.Errorf("bad CIDR accepted: %v", err)
	}
}
