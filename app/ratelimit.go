package app

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/ecopulse/ecopulse/collectors/accesslog"
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

// ingestLimiter limits push ingest per token: at most Max requests in each
// fixed window of Window, counted in the database (data.CountRequest) in
// chunks (app/ratebudget.go), so that the replicas serving one database
// grant a token its budget once between them, not once each. The token is verified here to name it
// (ingestBearer: the handler reuses the answer); requests without a valid
// token share their address's count (a keyed hash of it), so guessing
// tokens is limited too.
//
// Cost: one single-statement write transaction per chunk of a key's
// budget (on PostgreSQL committed without waiting for the disk: a lost
// count costs nothing), none per request; every first count of a window
// deletes a few ended ones.
func (a *App) ingestLimiter() fiber.Handler {
	l := a.cfg.Auth.RateLimits.Ingest
	return func(c *fiber.Ctx) error {
		rule, ok := routeOf(c)
		if l.Max <= 0 || !ok || rule.need != accessToken {
			return c.Next()
		}
		ctx := c.UserContext()
		var key string
		if r := a.ingestBearer(c); r.err == nil {
			key = "ingest:token:" + r.tok.Name
		} else {
			secret, err := a.clientKey.get(ctx, a.db, clientKeySecret)
			if err != nil {
				return err
			}
			key = "ingest:addr:" + accesslog.HashIP(secret, a.clientIP(c))
		}
		now := a.rateClock()
		ok, end, err := a.budgets.take(ctx, a.db, key, now, l.Max, l.Window)
		if err != nil {
			return err
		}
		if !ok {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(1, int(math.Ceil(end.Sub(now).Seconds())))))
			return tooManyRequests(c, "too many ingest requests for this token: slow down, or batch more records per request")
		}
		return c.Next()
	}
}

// rateClock is the clock of the shared rate counts (tests set App.rateNow).
func (a *App) rateClock() time.Time {
	if a.rateNow != nil {
		return a.rateNow()
	}
	return time.Now()
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
		Error: a.viewsFor(c).Tr()("loginmsg.too_many_from_address", "Seconds", retryAfterSeconds(c))})
}
