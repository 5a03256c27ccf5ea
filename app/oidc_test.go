package app

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// testIdP is an OpenID Connect provider in the test process: discovery,
// JWKS (an RSA key made here), /authorize (which signs the user in at once
// and redirects back with a code) and /token (an RS256 ID token signed here,
// after checking the PKCE verifier).
type testIdP struct {
	srv      *httptest.Server
	key      *rsa.PrivateKey
	clientID string
	secret   string

	mu     sync.Mutex
	claims map[string]any // claims of the next user to sign in
	nonce  *string        // when set, the ID token carries this nonce instead
	codes  map[string]authRequest
}

type authRequest struct {
	nonce, challenge, redirect string
	claims                     map[string]any
}

func newTestIdP(tb testing.TB) *testIdP {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	p := &testIdP{key: key, clientID: "ecopulse", secret: "test-client-secret", codes: map[string]authRequest{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{
			"issuer":                                p.srv.URL,
			"authorization_endpoint":                p.srv.URL + "/authorize",
			"token_endpoint":                        p.srv.URL + "/token",
			"jwks_uri":                              p.srv.URL + "/jwks",
			"response_types_supported":              []string{"code"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"code_challenge_methods_supported":      []string{"S256"},
		})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "kid": "test-key", "use": "sig", "alg": "RS256",
			"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes()),
		}}})
	})
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != p.clientID || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" ||
			q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("nonce") == "" || !strings.Contains(q.Get("scope"), "openid") {
			http.Error(w, "bad authorization request: "+r.URL.RawQuery, 400)
			return
		}
		code := randomToken()
		p.mu.Lock()
		p.codes[code] = authRequest{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri"), claims: p.claims}
		p.mu.Unlock()
		back, _ := url.Parse(q.Get("redirect_uri"))
		v := back.Query()
		v.Set("code", code)
		v.Set("state", q.Get("state"))
		back.RawQuery = v.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		if id != p.clientID || secret != p.secret {
			writeJSON(w, 401, map[string]string{"error": "invalid_client"})
			return
		}
		p.mu.Lock()
		req, found := p.codes[r.PostForm.Get("code")]
		delete(p.codes, r.PostForm.Get("code")) // a code is good once
		nonce := req.nonce
		if p.nonce != nil {
			nonce = *p.nonce
		}
		p.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		if !found || r.PostForm.Get("grant_type") != "authorization_code" || b64(sum[:]) != req.challenge || r.PostForm.Get("redirect_uri") != req.redirect {
			writeJSON(w, 400, map[string]string{"error": "invalid_grant"})
			return
		}
		claims := map[string]any{"iss": p.srv.URL, "aud": p.clientID, "sub": "user-1", "nonce": nonce,
			"iat": time.Now().Unix(), "exp": time.Now().Add(5 * time.Minute).Unix()}
		for k, v := range req.claims {
			claims[k] = v
		}
		writeJSON(w, 200, map[string]any{"access_token": "at-" + randomToken(), "token_type": "Bearer", "expires_in": 300, "id_token": p.sign(tb, claims)})
	})
	p.srv = httptest.NewServer(mux)
	tb.Cleanup(p.srv.Close)
	return p
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// sign makes a compact JWS (RS256) of claims.
func (p *testIdP) sign(tb testing.TB, claims map[string]any) string {
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": "test-key", "typ": "JWT"})
	payload, err := json.Marshal(claims)
	if err != nil {
		tb.Fatal(err)
	}
	input := b64(header) + "." + b64(payload)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, p.key, crypto.SHA256, sum[:])
	if err != nil {
		tb.Fatal(err)
	}
	return input + "." + b64(sig)
}

func (p *testIdP) setUser(claims map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.claims = claims
}

// newSSOApp is a test app whose single sign-on uses idp.
func newSSOApp(tb testing.TB, idp *testIdP) *App {
	tb.Helper()
	tb.Setenv("ECOPULSE_TEST_OIDC_SECRET", idp.secret)
	cfg := config.Default()
	cfg.Auth.OIDC = config.OIDCConfig{
		Issuer: idp.srv.URL, ClientID: idp.clientID, ClientSecretEnv: "ECOPULSE_TEST_OIDC_SECRET",
		RedirectURL: "http://127.0.0.1:8080/login/oidc/callback", Scopes: []string{"openid", "profile"},
		NameClaim: "preferred_username", RoleClaim: "groups",
		Roles: map[string]string{"eco-admins": domain.RoleAdmin, "eco-managers": domain.RoleManager, "eco-viewers": domain.RoleViewer},
	}
	if err := cfg.Validate(); err != nil {
		tb.Fatal(err)
	}
	return newConfiguredApp(tb, datatest.MustOpenDB(tb), cfg)
}

// newConfiguredApp is newTestApp with a configuration of the test's own.
func newConfiguredApp(tb testing.TB, db *data.DB, cfg config.Config) *App {
	tb.Helper()
	a, err := New(cfg, db, quietLogger())
	if err != nil {
		tb.Fatal(err)
	}
	a.ready.Store(true)
	withTestAccounts(tb, a)
	return a
}

// ssoFlow runs a single-sign-on login up to the callback: the start at the
// app, the provider's redirect back, and the callback with state (or the
// provider's own state when state is ""). It returns the callback's answer
// and the session.
func ssoFlow(tb testing.TB, a *App, idp *testIdP, state string) (*http.Response, testSession) {
	tb.Helper()
	return ssoFlowNext(tb, a, idp, state, "/members")
}

// ssoFlowNext is ssoFlow starting with ?next=next.
func ssoFlowNext(tb testing.TB, a *App, idp *testIdP, state, next string) (*http.Response, testSession) {
	tb.Helper()
	var s testSession
	resp, err := a.Fiber().Test(httptest.NewRequest("GET", "/login/oidc?next="+url.QueryEscape(next), nil), -1)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	s.collect(resp)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), idp.srv.URL+"/authorize?") {
		tb.Fatalf("start: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	back, err := client.Get(resp.Header.Get("Location"))
	if err != nil {
		tb.Fatal(err)
	}
	back.Body.Close()
	if back.StatusCode != http.StatusFound {
		tb.Fatalf("authorize: %d", back.StatusCode)
	}
	loc, err := url.Parse(back.Header.Get("Location"))
	if err != nil || loc.Path != "/login/oidc/callback" {
		tb.Fatalf("authorize redirected to %q", back.Header.Get("Location"))
	}
	q := loc.Query()
	if state != "" {
		q.Set("state", state)
	}
	req := httptest.NewRequest("GET", "/login/oidc/callback?"+q.Encode(), nil)
	s.apply(req)
	resp, err = a.Fiber().Test(req, -1)
	if err != nil {
		tb.Fatal(err)
	}
	s.collect(resp)
	return resp, s
}

func TestOIDCLoginMapsTheGroupClaimToARole(t *testing.T) {
	idp := newTestIdP(t)
	a := newSSOApp(t, idp)
	if _, _, page := fetch(t, a, testSession{}, "/login"); !strings.Contains(page, "Sign in with SSO") || !strings.Contains(page, `href="/login/oidc?next=%2f"`) {
		t.Error("the login page offers no single sign-on")
	}
	idp.setUser(map[string]any{"preferred_username": "olivia", "groups": []string{"staff", "eco-managers", "eco-viewers"}})
	before := cookieValue(testSessionFromStart(t, a), sessionCookie)
	resp, s := ssoFlow(t, a, idp, "")
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/members" {
		t.Fatalf("callback: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if id := cookieValue(s, sessionCookie); id == "" || id == before {
		t.Error("no new session id after single sign-on")
	}
	status, body := sendJSON(t, a, s, "GET", "/api/v1/me", nil)
	if status != 200 || !strings.Contains(body, `"name":"olivia"`) || !strings.Contains(body, `"role":"manager"`) {
		t.Errorf("me: %d %s, want olivia, the highest mapped role (manager)", status, body)
	}
	u, err := a.db.UserByName(t.Context(), "olivia")
	if err != nil || u.PasswordHash != "" || u.Role != domain.RoleManager {
		t.Fatalf("stored account: %+v, %v", u, err)
	}
	if status := tryLogin(t, a, "olivia", ""); status != http.StatusUnauthorized {
		t.Errorf("password login to a single-sign-on account: %d", status)
	}
	if !auditHas(t, a, "olivia", "login.sso", "olivia", true) {
		t.Error("the login is not audited")
	}
	// The claims are the truth at each login: the role follows them.
	idp.setUser(map[string]any{"preferred_username": "olivia", "groups": "eco-admins"})
	resp, s = ssoFlow(t, a, idp, "")
	resp.Body.Close()
	if _, body := sendJSON(t, a, s, "GET", "/api/v1/me", nil); !strings.Contains(body, `"role":"admin"`) {
		t.Errorf("after the group changed: %s", body)
	}
}

func testSessionFromStart(tb testing.TB, a *App) testSession {
	tb.Helper()
	var s testSession
	resp, err := a.Fiber().Test(httptest.NewRequest("GET", "/login", nil), -1)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	s.collect(resp)
	return s
}

func TestOIDCRejectsAWrongState(t *testing.T) {
	idp := newTestIdP(t)
	a := newSSOApp(t, idp)
	idp.setUser(map[string]any{"preferred_username": "mallory", "groups": []string{"eco-admins"}})
	resp, s := ssoFlow(t, a, idp, "forged-state")
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("wrong state: %d, want 400", resp.StatusCode)
	}
	if status, _ := sendJSON(t, a, s, "GET", "/api/v1/me", nil); status != http.StatusUnauthorized {
		t.Errorf("logged in after a wrong state: %d", status)
	}
	if _, err := a.db.UserByName(t.Context(), "mallory"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("an account was made: %v", err)
	}
	// A callback without any login started here is refused too.
	req := httptest.NewRequest("GET", "/login/oidc/callback?code=x&state=y", nil)
	if resp, _ := a.Fiber().Test(req, -1); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("callback out of the blue: %d", resp.StatusCode)
	}
	if !auditHas(t, a, "(sso)", "login.sso", "", false) {
		t.Error("the refusal is not audited")
	}
}

func TestOIDCRejectsAWrongNonce(t *testing.T) {
	idp := newTestIdP(t)
	a := newSSOApp(t, idp)
	idp.setUser(map[string]any{"preferred_username": "mallory", "groups": []string{"eco-admins"}})
	replayed := "nonce-of-another-login"
	idp.nonce = &replayed
	resp, s := ssoFlow(t, a, idp, "")
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong nonce: %d, want 401", resp.StatusCode)
	}
	if status, _ := sendJSON(t, a, s, "GET", "/api/v1/me", nil); status != http.StatusUnauthorized {
		t.Errorf("logged in with a wrong nonce: %d", status)
	}
	if _, err := a.db.UserByName(t.Context(), "mallory"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("an account was made: %v", err)
	}
}

func TestOIDCDeniesAnUnmappedClaim(t *testing.T) {
	idp := newTestIdP(t)
	a := newSSOApp(t, idp)
	idp.setUser(map[string]any{"preferred_username": "ursula", "groups": []string{"finance", "staff"}})
	resp, s := ssoFlow(t, a, idp, "")
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("unmapped groups: %d, want 403", resp.StatusCode)
	}
	if status, _ := sendJSON(t, a, s, "GET", "/api/v1/me", nil); status != http.StatusUnauthorized {
		t.Errorf("logged in without a mapped role: %d", status)
	}
	if _, err := a.db.UserByName(t.Context(), "ursula"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("an account was made: %v", err)
	}
	if !auditHas(t, a, "ursula", "login.sso", "ursula", false) {
		t.Error("the refusal is not audited")
	}
	// A provider user named like a local account does not take it over.
	idp.setUser(map[string]any{"preferred_username": "admin", "groups": []string{"eco-admins"}})
	resp, s = ssoFlow(t, a, idp, "")
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("local account name: %d, want 403", resp.StatusCode)
	}
	if status, _ := sendJSON(t, a, s, "GET", "/api/v1/me", nil); status != http.StatusUnauthorized {
		t.Errorf("took over the local admin: %d", status)
	}
}

func TestOIDCIsOffByDefault(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	if status, _, page := fetch(t, a, testSession{}, "/login"); status != 200 || strings.Contains(page, "Sign in with SSO") {
		t.Errorf("login page: %d, offers SSO: %v", status, strings.Contains(page, "Sign in with SSO"))
	}
	if status, _, _ := fetch(t, a, testSession{}, "/login/oidc"); status != http.StatusNotFound {
		t.Errorf("/login/oidc without configuration: %d", status)
	}
}

func TestOIDCConfigValidation(t *testing.T) {
	good := func() config.Config {
		c := config.Default()
		c.Auth.OIDC = config.OIDCConfig{Issuer: "https://login.example.com", ClientID: "ecopulse", RedirectURL: "https://eco.example.com/login/oidc/callback",
			Scopes: []string{"openid"}, NameClaim: "preferred_username", RoleClaim: "groups", Roles: map[string]string{"g": "viewer"}}
		return c
	}
	if err := good().Validate(); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for name, change := range map[string]func(*config.Config){
		"http issuer":        func(c *config.Config) { c.Auth.OIDC.Issuer = "http://login.example.com" },
		"no client id":       func(c *config.Config) { c.Auth.OIDC.ClientID = "" },
		"relative redirect":  func(c *config.Config) { c.Auth.OIDC.RedirectURL = "/login/oidc/callback" },
		"no openid scope":    func(c *config.Config) { c.Auth.OIDC.Scopes = []string{"profile"} },
		"unknown role":       func(c *config.Config) { c.Auth.OIDC.Roles = map[string]string{"g": "root"} },
		"no role at all":     func(c *config.Config) { c.Auth.OIDC.Roles = nil },
		"bad default role":   func(c *config.Config) { c.Auth.OIDC.DefaultRole = "owner" },
		"proxy without list": func(c *config.Config) { c.Auth.ProxyHeader = "X-Real-IP" },
		"bad proxy":          func(c *config.Config) { c.Auth.TrustedProxies = []string{"proxy.local"} },
		"negative limit":     func(c *config.Config) { c.Auth.RateLimits.Login.Max = -1 },
		"zero window":        func(c *config.Config) { c.Auth.RateLimits.Ingest.Window = 0 },
	} {
		c := good()
		change(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A secret variable that is empty stops the app at start.
	c := good()
	c.Auth.OIDC.ClientSecretEnv = "ECOPULSE_TEST_EMPTY_SECRET"
	t.Setenv("ECOPULSE_TEST_EMPTY_SECRET", "")
	if _, err := New(c, datatest.MustOpenDB(t), quietLogger()); err == nil || !strings.Contains(err.Error(), "ECOPULSE_TEST_EMPTY_SECRET") {
		t.Errorf("empty client secret: %v", err)
	}
}

// TestOIDCNextStaysOnSite (finding 5): the single-sign-on flow keeps a
// hostile next on this site; its sessions are stored with their account.
func TestOIDCNextStaysOnSite(t *testing.T) {
	idp := newTestIdP(t)
	a := newSSOApp(t, idp)
	for _, next := range []string{"/%09/evil.example", "/\t/evil.example", "//evil.example", "/%5Cevil.example"} {
		idp.setUser(map[string]any{"preferred_username": "olivia", "groups": []string{"eco-viewers"}})
		resp, s := ssoFlowNext(t, a, idp, "", next)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Errorf("next %q: %d → %q, want / on this site", next, resp.StatusCode, resp.Header.Get("Location"))
		}
		// The session is stored with its account: revocation finds it by id.
		u, err := a.db.UserByName(t.Context(), "olivia")
		if err != nil {
			t.Fatal(err)
		}
		if n, err := a.db.Sessions().EndUserSessions(t.Context(), u.ID, ""); err != nil || n != 1 {
			t.Errorf("ending olivia's sessions ended %d (%v), want 1", n, err)
		}
		if status, _ := sendJSON(t, a, s, "GET", "/api/v1/me", nil); status != http.StatusUnauthorized {
			t.Errorf("the SSO session outlived its end: %d", status)
		}
	}
}
