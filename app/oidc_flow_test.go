package app

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestOIDCStartStoresNoSession: starting single sign-on keeps the flow in a
// sealed cookie, not in a stored session, so anonymous starts fill nothing;
// a flow cookie that was changed, or one from another server, is refused.
func TestOIDCStartStoresNoSession(t *testing.T) {
	idp := newTestIdP(t)
	a := newSSOApp(t, idp)
	before, err := a.db.Sessions().CountSessions(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for range 8 { // under the SSO rate limit (10 a minute and address)
		resp, err := a.Fiber().Test(httptest.NewRequest("GET", "/login/oidc", nil), -1)
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("GET /login/oidc: %v %v", resp, err)
		}
		resp.Body.Close()
		var flow *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == oidcFlowCookie {
				flow = c
			}
		}
		if flow == nil || !flow.HttpOnly || flow.Path != "/login/oidc" || flow.MaxAge <= 0 {
			t.Fatalf("flow cookie: %+v", flow)
		}
		if strings.Contains(flow.Value, "verifier") || len(flow.Value) < 100 {
			t.Fatalf("the flow cookie is not sealed: %q", flow.Value)
		}
	}
	if after, _ := a.db.Sessions().CountSessions(t.Context()); after != before {
		t.Errorf("8 SSO starts: sessions %d → %d, want no new row", before, after)
	}

	// The whole flow still logs in, and stores exactly one session.
	idp.setUser(map[string]any{"preferred_username": "olivia", "groups": []string{"eco-viewers"}})
	resp, _ := ssoFlow(t, a, idp, "")
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback: %d", resp.StatusCode)
	}
	if after, _ := a.db.Sessions().CountSessions(t.Context()); after != before+1 {
		t.Errorf("an SSO login: sessions %d → %d, want one more", before, after)
	}

	key, err := a.oidcFlowKey.get(t.Context(), a.db, oidcFlowSecret)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := sealFlow(key, oidcFlow{State: "s", Nonce: "n", Verifier: "v", Next: "/", At: 1})
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := openFlow(key, sealed); !ok || f.Verifier != "v" {
		t.Fatalf("a sealed flow does not open: %+v %v", f, ok)
	}
	tampered := []byte(sealed)
	tampered[len(tampered)/2] ^= 1
	other := make([]byte, len(key))
	for _, bad := range []struct {
		name string
		key  []byte
		v    string
	}{{"changed", key, string(tampered)}, {"another server's key", other, sealed}, {"not base64", key, "%%%"}, {"empty", key, ""}} {
		if _, ok := openFlow(bad.key, bad.v); ok {
			t.Errorf("%s: a flow cookie opened", bad.name)
		}
	}
}
