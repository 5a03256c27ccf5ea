package config

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// scopeOpenID is the scope every OpenID Connect request must carry
// (go-oidc's oidc.ScopeOpenID).
const scopeOpenID = "openid"

// AuthConfig is single sign-on, rate limits and how client addresses are
// read (the auth: section of the configuration).
type AuthConfig struct {
	OIDC       OIDCConfig      `yaml:"oidc"`
	RateLimits RateLimitConfig `yaml:"rate_limits"`
	// ProxyHeader names the header a reverse proxy puts the client address
	// in (X-Real-IP); "" uses the connection's address. Rate limits and
	// token allow lists read the address through it. It is read only from
	// TrustedProxies, which it needs.
	ProxyHeader    string   `yaml:"proxy_header"`
	TrustedProxies []string `yaml:"trusted_proxies"`
}

// OIDCConfig configures OpenID Connect single sign-on; an empty Issuer turns it off.
type OIDCConfig struct {
	Issuer   string `yaml:"issuer"`    // https://login.example.com/realms/acme
	ClientID string `yaml:"client_id"` // the client registered at the provider
	// ClientSecretEnv names the environment variable holding the client
	// secret (the secret itself never lives in the file); "" for a public
	// client, which PKCE protects.
	ClientSecretEnv string   `yaml:"client_secret_env"`
	RedirectURL     string   `yaml:"redirect_url"` // https://ecopulse.example.com/login/oidc/callback
	Scopes          []string `yaml:"scopes"`       // must include openid
	// NameClaim is the claim that names the account (1–64 characters, no spaces).
	NameClaim string `yaml:"name_claim"`
	// RoleClaim is the claim whose values Roles maps to EcoPulse roles (a
	// string or a list of strings, such as groups); the highest role wins.
	RoleClaim string            `yaml:"role_claim"`
	Roles     map[string]string `yaml:"roles"`
	// DefaultRole is the role of a user none of whose claim values is
	// mapped; "" refuses them.
	DefaultRole string `yaml:"default_role"`
}

// Enabled reports whether single sign-on is configured.
func (o OIDCConfig) Enabled() bool { return o.Issuer != "" }

// DefaultAuthConfig returns the auth defaults: no single sign-on, and rate
// limits on logins and on push ingest.
func DefaultAuthConfig() AuthConfig {
	return AuthConfig{
		OIDC: OIDCConfig{
			Scopes:    []string{scopeOpenID, "profile", "email"},
			NameClaim: "preferred_username",
			RoleClaim: "groups",
			Roles:     map[string]string{},
		},
		RateLimits:     DefaultRateLimitConfig(),
		TrustedProxies: []string{},
	}
}

// Validate reports the first auth setting that cannot work.
func (c AuthConfig) Validate() error {
	if err := c.OIDC.validate(); err != nil {
		return err
	}
	if err := c.RateLimits.Validate(); err != nil {
		return err
	}
	if c.ProxyHeader != "" && len(c.TrustedProxies) == 0 {
		return domain.Errorf(domain.EINVALID, "config: auth.proxy_header needs auth.trusted_proxies (otherwise any client could choose its own address)")
	}
	if c.ProxyHeader != "" && strings.ContainsAny(c.ProxyHeader, " :\r\n") {
		return domain.Errorf(domain.EINVALID, "config: auth.proxy_header %q is not a header name", c.ProxyHeader)
	}
	for _, p := range c.TrustedProxies {
		if _, err := domain.ParseAllowList(p); err != nil || strings.Contains(p, ",") || strings.TrimSpace(p) == "" {
			return domain.Errorf(domain.EINVALID, "config: auth.trusted_proxies: %q is not an IP address or CIDR", p)
		}
	}
	return nil
}

func (o OIDCConfig) validate() error {
	bad := func(format string, args ...any) error {
		return domain.Errorf(domain.EINVALID, "config: auth.oidc: "+format, args...)
	}
	for v, role := range o.Roles {
		if v == "" || domain.RoleRank(role) == 0 {
			return bad("roles: %q → %q: want a claim value → viewer, manager or admin", v, role)
		}
	}
	if o.DefaultRole != "" && domain.RoleRank(o.DefaultRole) == 0 {
		return bad("default_role %q is not viewer, manager, admin or empty (refuse)", o.DefaultRole)
	}
	if !o.Enabled() {
		return nil
	}
	if err := checkURL(o.Issuer, false); err != nil {
		return bad("issuer: %v", err)
	}
	if err := checkURL(o.RedirectURL, true); err != nil {
		return bad("redirect_url: %v", err)
	}
	switch {
	case o.ClientID == "":
		return bad("client_id is required")
	case !slices.Contains(o.Scopes, scopeOpenID):
		return bad("scopes must include openid")
	case o.NameClaim == "":
		return bad("name_claim is required")
	case len(o.Roles) > 0 && o.RoleClaim == "":
		return bad("role_claim is required to map roles")
	case len(o.Roles) == 0 && o.DefaultRole == "":
		return bad("no role can be given: set roles (claim value → role) or default_role")
	case strings.ContainsAny(o.ClientSecretEnv, "= \t\r\n"):
		return bad("client_secret_env %q is not an environment variable name", o.ClientSecretEnv)
	}
	return nil
}

// checkURL accepts an absolute https URL, or http on a loopback host (a
// provider on the same machine, tests).
func checkURL(s string, path bool) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return fmt.Errorf("%q is not an absolute URL", s)
	}
	switch u.Scheme {
	case "https":
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return fmt.Errorf("%q: http is allowed for loopback hosts only; use https", s)
		}
	default:
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	if path && u.Path == "" {
		return fmt.Errorf("%q has no path", s)
	}
	return nil
}

// RateLimitConfig bounds request rates (fiber's limiter, fixed windows, in
// memory: each serve replica counts its own).
type RateLimitConfig struct {
	// Login bounds failed password logins per client address (successful
	// ones are not counted, so an office behind one address is not locked
	// out at nine o'clock), and single-sign-on starts and callbacks per
	// address. It comes on top of the per-account throttle of failed logins.
	Login Limit `yaml:"login"`
	// Ingest bounds push-ingest requests per token (per client address for
	// requests without a valid token).
	Ingest Limit `yaml:"ingest"`
}

// Limit is at most Max requests per Window; Max 0 turns the limit off.
type Limit struct {
	Max    int           `yaml:"max"`
	Window time.Duration `yaml:"window"`
}

// DefaultRateLimitConfig returns the default limits: 10 failed logins per
// minute and address; 6,000 ingest requests per minute and token (100 per
// second: room for a gateway plugin that posts each call on its own, such as
// Kong's HTTP Log without batching, while a runaway client is stopped).
func DefaultRateLimitConfig() RateLimitConfig {
	return RateLimitConfig{
		Login:  Limit{Max: 10, Window: time.Minute},
		Ingest: Limit{Max: 6000, Window: time.Minute},
	}
}

// Validate reports the first limit that cannot work.
func (r RateLimitConfig) Validate() error {
	for name, l := range map[string]Limit{"login": r.Login, "ingest": r.Ingest} {
		if l.Max < 0 {
			return domain.Errorf(domain.EINVALID, "config: auth.rate_limits.%s.max cannot be negative (0 turns the limit off)", name)
		}
		if l.Max > 0 && (l.Window < time.Second || l.Window > 24*time.Hour) {
			return domain.Errorf(domain.EINVALID, "config: auth.rate_limits.%s.window must be between 1s and 24h", name)
		}
	}
	return nil
}
