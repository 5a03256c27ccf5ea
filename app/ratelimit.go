package app

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/ecopulse/ecopulse/views"
)

// The limiters run for every request and decide on its matched rule
// (routeOf), never on the raw path: the router ignores case and trailing
// slashes, so POST /LOGIN and /Login/ are logins too and are counted.

// loginLimiter limits POST /login per client address, counting failed
// attempts only.
func (a *App) loginLimiter() fiber.Handler {
	l := a.cfg.Auth.RateLimits.Login
	return limiter.New(limiter.Config{
		Next: func(c *fiber.Ctx) bool {
			rule, ok := routeOf(c)
			return l.Max <= 0 || !ok || !rule.is(fiber.MethodPost, "/login")
		},
		Max:                    l.Max,
		Expiration:             l.Window,
		KeyGenerator:           func(c *fiber.Ctx) string { return "login:" + a.clientIP(c) },
		SkipSuccessfulRequests: true,
		LimitReached:           a.loginLimitReached,
	})
}

// ssoLimiter limits the single-sign-on routes per client address, counting
// every request (each start writes a session).
func (a *App) ssoLimiter() fiber.Handler {
	l := a.cfg.Auth.RateLimits.Login
	return limiter.New(limiter.Config{
		Next: func(c *fiber.Ctx) bool {
			rule, ok := routeOf(c)
			return l.Max <= 0 || a.sso == nil || !ok ||
				!(rule.is(fiber.MethodGet, "/login/oidc") || rule.is(fiber.MethodGet, "/login/oidc/callback"))
		},
		Max:          l.Max,
		Expiration:   l.Window,
		KeyGenerator: func(c *fiber.Ctx) string { return "sso:" + a.clientIP(c) },
		LimitReached: a.loginLimitReached,
	})
}

// ingestLimiter limits push ingest per token. The token is verified here
// to name it (ingestBearer: the handler reuses the answer); requests without
// a valid token share their address's count, so guessing tokens is limited
// too.
func (a *App) ingestLimiter() fiber.Handler {
	l := a.cfg.Auth.RateLimits.Ingest
	return limiter.New(limiter.Config{
		Next: func(c *fiber.Ctx) bool {
			rule, ok := routeOf(c)
			return l.Max <= 0 || !ok || rule.need != accessToken
		},
		Max:        l.Max,
		Expiration: l.Window,
		KeyGenerator: func(c *fiber.Ctx) string {
			if r := a.ingestBearer(c); r.err == nil {
				return "token:" + r.tok.Name
			}
			return "addr:" + a.clientIP(c)
		},
		LimitReached: func(c *fiber.Ctx) error {
			return tooManyRequests(c, "too many ingest requests for this token: slow down, or batch more records per request")
		},
	})
}

// tooManyRequests answers 429 in JSON. The limiter has set Retry-After.
func tooManyRequests(c *fiber.Ctx, msg string) error {
	if c.GetRespHeader(fiber.HeaderRetryAfter) == "" {
		c.Set(fiber.HeaderRetryAfter, "60")
	}
	return c.Status(fiber.StatusTooManyRequests).JSON(fiber.Map{
		"error":       msg,
		"code":        "Too Many Requests",
		"retry_after": retryAfterSeconds(c),
	})
}

func retryAfterSeconds(c *fiber.Ctx) int {
	var n int
	fmt.Sscan(c.GetRespHeader(fiber.HeaderRetryAfter), &n)
	return n
}

// loginLimitReached answers a limited login: JSON, or the login page with
// the reason for a browser that asked for HTML.
func (a *App) loginLimitReached(c *fiber.Ctx) error {
	msg := "too many login attempts from your address: wait and try again"
	if !strings.Contains(c.Get(fiber.HeaderAccept), "text/html") {
		return tooManyRequests(c, msg)
	}
	a.audit(c.UserContext(), c.FormValue("name"), "login", "", "rate limited", false)
	return a.renderLogin(c, fiber.StatusTooManyRequests, views.LoginPage{Name: c.FormValue("name"), Next: safeNext(c.FormValue("next")),
		Error: fmt.Sprintf("Too many login attempts from your address. Try again in %d seconds.", retryAfterSeconds(c))})
}
