package app

import (
	"context"
	"crypto/subtle"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gofiber/fiber/v2"
	"golang.org/x/oauth2"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// Single sign-on with OpenID Connect (authorization code flow with PKCE):
//
//	GET /login/oidc            redirect to the identity provider, with a state,
//	                           a nonce and a PKCE verifier kept in the session
//	GET /login/oidc/callback   the provider's answer: state checked, code
//	                           exchanged, ID token and nonce verified, claims
//	                           mapped to a role, the account created or
//	                           updated (no password), a new session id
//
// Both answer 404 when auth.oidc.issuer is empty.

// oidcFlowTTL bounds the time between the redirect and the callback.
const oidcFlowTTL = 10 * time.Minute

// ssoClient talks to the identity provider. Discovery happens on first use
// (and is retried after a failure), so that a provider that is down does
// not keep EcoPulse from starting.
type ssoClient struct {
	cfg    config.OIDCConfig
	secret string
	http   *http.Client

	mu       sync.Mutex
	provider *oidc.Provider
}

// newSSO returns the single-sign-on client of cfg, or nil when it is off.
func newSSO(cfg config.OIDCConfig) (*ssoClient, error) {
	if !cfg.Enabled() {
		return nil, nil
	}
	s := &ssoClient{cfg: cfg, http: &http.Client{Timeout: 10 * time.Second}}
	if cfg.ClientSecretEnv != "" {
		s.secret = os.Getenv(cfg.ClientSecretEnv)
		if s.secret == "" {
			return nil, domain.Errorf(domain.EINVALID, "single sign-on: the environment variable %s (auth.oidc.client_secret_env) is empty", cfg.ClientSecretEnv)
		}
	}
	return s, nil
}

func (s *ssoClient) clientContext(ctx context.Context) context.Context {
	ctx = oidc.ClientContext(ctx, s.http)
	return context.WithValue(ctx, oauth2.HTTPClient, s.http)
}

// discover returns the provider, fetching its configuration once.
func (s *ssoClient) discover(ctx context.Context) (*oidc.Provider, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.provider != nil {
		return s.provider, nil
	}
	// The key set keeps the context's client for later fetches: give it one
	// that no request cancels.
	p, err := oidc.NewProvider(s.clientContext(context.WithoutCancel(ctx)), s.cfg.Issuer)
	if err != nil {
		return nil, err
	}
	s.provider = p
	return p, nil
}

func (s *ssoClient) oauth2(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     s.cfg.ClientID,
		ClientSecret: s.secret,
		Endpoint:     p.Endpoint(),
		RedirectURL:  s.cfg.RedirectURL,
		Scopes:       s.cfg.Scopes,
	}
}

// ssoUnavailable is what a user sees when the provider cannot be reached.
var ssoUnavailable = domain.Errorf(domain.EINTERNAL, "single sign-on is unavailable right now: try again later")

// oidcStart is GET /login/oidc: it remembers a fresh state, nonce and PKCE
// verifier in the session and sends the browser to the provider.
func (a *App) oidcStart(c *fiber.Ctx) error {
	if a.sso == nil {
		return domain.Errorf(domain.ENOTFOUND, "single sign-on is not configured")
	}
	p, err := a.sso.discover(c.UserContext())
	if err != nil {
		a.log.Error("single sign-on: discovery failed", "issuer", a.sso.cfg.Issuer, "err", err)
		return ssoUnavailable
	}
	key, err := a.oidcFlowKey.get(c.UserContext(), a.db, oidcFlowSecret)
	if err != nil {
		return err
	}
	state, nonce, verifier := randomToken(), randomToken(), oauth2.GenerateVerifier()
	sealed, err := sealFlow(key, oidcFlow{State: state, Nonce: nonce, Verifier: verifier, Next: safeNext(c.Query("next")), At: time.Now().Unix()})
	if err != nil {
		return err
	}
	setFlowCookie(c, sealed, oidcFlowTTL)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Redirect(a.sso.oauth2(p).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), fiber.StatusSeeOther)
}

// oidcCallback is GET /login/oidc/callback.
func (a *App) oidcCallback(c *fiber.Ctx) error {
	if a.sso == nil {
		return domain.Errorf(domain.ENOTFOUND, "single sign-on is not configured")
	}
	ctx := c.UserContext()
	key, err := a.oidcFlowKey.get(ctx, a.db, oidcFlowSecret)
	if err != nil {
		return err
	}
	flow, _ := openFlow(key, c.Cookies(oidcFlowCookie))
	state, nonce, verifier, next, startedAt := flow.State, flow.Nonce, flow.Verifier, flow.Next, flow.At
	// A flow is good for one callback, whatever its answer.
	setFlowCookie(c, "", 0)
	refuse := func(status int, actor, reason, shown string) error {
		a.audit(ctx, actor, "login.sso", strings.TrimPrefix(actor, "(sso)"), reason, false)
		return a.renderLogin(c, status, views.LoginPage{Next: safeNext(next), Error: shown})
	}
	tr := a.viewsFor(c).Tr()
	deny := func(status int, reason, shown string) error { return refuse(status, "(sso)", reason, shown) }
	fail := func(err error) error { return err }
	got := c.Query("state")
	if state == "" || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(state)) != 1 {
		return deny(fiber.StatusBadRequest, "state mismatch", tr("ssomsg.expired"))
	}
	if time.Since(time.Unix(startedAt, 0)) > oidcFlowTTL {
		return deny(fiber.StatusBadRequest, "login took too long", tr("ssomsg.too_long"))
	}
	if e := c.Query("error"); e != "" {
		return deny(fiber.StatusUnauthorized, "provider error: "+clip(e, 64), tr("ssomsg.not_signed_in"))
	}
	code := c.Query("code")
	if code == "" {
		return deny(fiber.StatusBadRequest, "no code", tr("ssomsg.no_code"))
	}
	p, err := a.sso.discover(ctx)
	if err != nil {
		a.log.Error("single sign-on: discovery failed", "issuer", a.sso.cfg.Issuer, "err", err)
		return fail(ssoUnavailable)
	}
	cctx := a.sso.clientContext(ctx)
	tok, err := a.sso.oauth2(p).Exchange(cctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		a.log.Warn("single sign-on: code exchange failed", "err", err)
		return deny(fiber.StatusUnauthorized, "code exchange failed", tr("ssomsg.refused"))
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return deny(fiber.StatusUnauthorized, "no ID token", tr("ssomsg.no_id_token"))
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: a.sso.cfg.ClientID}).Verify(cctx, raw)
	if err != nil {
		a.log.Warn("single sign-on: ID token rejected", "err", err)
		return deny(fiber.StatusUnauthorized, "ID token rejected", tr("ssomsg.unverified"))
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return deny(fiber.StatusUnauthorized, "nonce mismatch", tr("ssomsg.nonce"))
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return deny(fiber.StatusUnauthorized, "unreadable claims", tr("ssomsg.unreadable"))
	}
	name, _ := claims[a.sso.cfg.NameClaim].(string)
	if u := (domain.User{Name: name, Role: domain.RoleViewer}); u.Validate() != nil {
		return deny(fiber.StatusForbidden, "unusable "+a.sso.cfg.NameClaim+" claim", tr("ssomsg.no_name", "Claim", a.sso.cfg.NameClaim))
	}
	role := mapRole(a.sso.cfg, claims[a.sso.cfg.RoleClaim])
	if role == "" {
		return refuse(fiber.StatusForbidden, name, "no role for the "+a.sso.cfg.RoleClaim+" claim",
			tr("ssomsg.no_role"))
	}
	u, err := a.db.UpsertSSOUser(ctx, name, role)
	if err != nil {
		if code := domain.ErrorCode(err); code != domain.ECONFLICT && code != domain.EFORBIDDEN && code != domain.EINVALID {
			return fail(err)
		}
		return refuse(fiber.StatusForbidden, name, domain.ErrorMessage(err), tr("ssomsg.failed", "Why", domain.ErrorMessage(err)))
	}
	sess, err := a.session(c)
	if err != nil {
		return err
	}
	if err := sess.Regenerate(); err != nil {
		return fail(err)
	}
	sess.Set(sessUser, u.ID)
	sess.Set(sessName, u.Name)
	sess.Set(sessRole, u.Role)
	sess.Set(sessLoginAt, time.Now().Unix())
	sess.Set(sessCSRF, randomToken())
	a.csrfToken(c, sess)
	id := sess.ID()
	if err := sess.Save(); err != nil {
		return err
	}
	if err := a.db.Sessions().SetOwner(ctx, id, u.ID); err != nil {
		return err
	}
	a.audit(ctx, u.Name, "login.sso", u.Name, "role "+u.Role, true)
	return c.Redirect(safeNext(next), fiber.StatusSeeOther)
}

// mapRole returns the highest role that the claim's values map to, the
// default role when none does, or "" (refused).
func mapRole(cfg config.OIDCConfig, claim any) string {
	var values []string
	switch v := claim.(type) {
	case string:
		values = []string{v}
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				values = append(values, s)
			}
		}
	}
	best := ""
	for _, v := range values {
		if r, ok := cfg.Roles[v]; ok && domain.RoleRank(r) > domain.RoleRank(best) {
			best = r
		}
	}
	if best == "" {
		return cfg.DefaultRole
	}
	return best
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
