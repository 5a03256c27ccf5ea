package app

import (
	"bytes"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// contentSecurityPolicy allows scripts only from our own origin: charts are
// initialised by static JS from JSON blocks, so no inline script is needed.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func (a *App) newFiber() *fiber.App { return a.newFiberWith(a.routes()) }

// newFiberWith is the server of a route table: its middleware, then the
// table's routes (app/routes.go), then the answers to what matched none.
func (a *App) newFiberWith(table routeTable) *fiber.App {
	f := fiber.New(fiber.Config{
		// Params, queries and bodies are reused by fasthttp after a handler
		// returns; Immutable copies them so nothing we keep changes under us.
		Immutable:             true,
		DisableStartupMessage: true,
		ErrorHandler:          a.errorHandler,
		ReadTimeout:           10 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           60 * time.Second, // so shutdown is not held by idle keep-alives
		BodyLimit:             8 << 20,
		// No ProxyHeader: Fiber's c.IP() would then return the header's
		// first entry, which the client writes. Client addresses come from
		// a.clientIP (app/clientip.go); the trusted proxies here only let
		// Fiber believe their X-Forwarded-Proto (c.Protocol()).
		EnableTrustedProxyCheck: len(a.cfg.Auth.TrustedProxies) > 0,
		TrustedProxies:          a.cfg.Auth.TrustedProxies,
	})
	a.proxies = proxyTrust{header: a.cfg.Auth.ProxyHeader}
	if trusted, err := parseTrustedProxies(a.cfg.Auth.TrustedProxies); err != nil {
		a.log.Error("no proxy is trusted: client addresses are the connections' own", "err", err)
	} else {
		a.proxies.trusted = trusted
	}
	f.Use(table.resolve) // first: everything after it decides on the request's rule
	f.Use(a.observeHTTP) // it times and counts every answer, refusals included
	f.Use(recover.New())
	f.Use(securityHeaders)
	f.Use(refuseNULBytes)
	f.Use(a.negotiateLang) // before the page cache: the language is part of a page's key
	// Bodies are decoded and bounded before anything parses them, the
	// gate's CSRF check included (app/body.go).
	f.Use(a.boundBodies)
	f.Use(a.authorize)
	f.Use(a.pageCache())
	// Rate limits (app/ratelimit.go): failed logins and single sign-on per
	// client address, push ingest per token. They see every request and
	// pick theirs by its matched rule, whatever the path's spelling.
	f.Use(a.loginLimiter())
	f.Use(a.ssoLimiter())
	f.Use(a.ingestLimiter())

	table.mount(f)
	f.Use("/api/v1", func(c *fiber.Ctx) error {
		return domain.Errorf(domain.ENOTFOUND, "no API route %s %s", c.Method(), c.Path())
	})
	f.Use(func(c *fiber.Ctx) error {
		return domain.ErrorKey(domain.ENOTFOUND, "errors.page_not_found", nil, "page not found")
	})
	return f
}

func securityHeaders(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", contentSecurityPolicy)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "same-origin")
	return c.Next()
}

func (a *App) healthz(c *fiber.Ctx) error {
	if _, err := a.db.SchemaVersion(c.UserContext()); err != nil {
		return c.Status(http.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable"})
	}
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz is ready while serving on a store whose schema has every
// migration of this build: a replica whose database is behind (another
// replica migrating, a restored old copy) takes no traffic. The answer
// names the replica, so that a check through a load balancer says which
// one answered.
func (a *App) readyz(c *fiber.Ctx) error {
	migrated, err := a.db.SchemaCurrent(c.UserContext())
	migrated = migrated && err == nil
	serving := a.ready.Load()
	body := fiber.Map{"replica": a.replica, "migrations_applied": migrated, "ready": serving && migrated}
	switch {
	case !serving:
		body["status"] = "starting"
	case !migrated:
		body["status"] = "schema not migrated"
	default:
		body["status"] = "ready"
		return c.JSON(body)
	}
	return c.Status(http.StatusServiceUnavailable).JSON(body)
}

// queryDay parses an optional YYYY-MM-DD query parameter: absent (or
// empty, as a form's blank date field sends it) is the zero time, "not
// given"; a date that does not parse or is out of range is EINVALID (400).
// The views' parsers read dates the same way (views.ParseQueryDay); a valid
// day that is not scored is snapped by the views, never a 404.
func queryDay(c *fiber.Ctx, name string) (time.Time, error) {
	return views.ParseQueryDay(name, c.Query(name))
}

func (a *App) overviewJSON(c *fiber.Ctx) error {
	q, err := views.ParseOverviewQuery(ecoQuery(c)) // ?at and ?period
	if err != nil {
		return err
	}
	o, err := views.BuildOverviewFor(c.UserContext(), a.db, a.cfg.Scoring, q)
	if err != nil {
		return err
	}
	return c.JSON(o)
}

func (a *App) overviewPage(c *fiber.Ctx) error {
	q, err := views.ParseOverviewQuery(ecoQuery(c)) // ?at and ?period
	if err != nil {
		return err
	}
	o, err := views.BuildOverviewFor(c.UserContext(), a.db, a.cfg.Scoring, q)
	if err != nil {
		return err
	}
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).Overview(b, *o) })
}

// render writes a page through a buffer, so a template error becomes a
// clean error response instead of half a page.
func (a *App) render(c *fiber.Ctx, fn func(*bytes.Buffer) error) error {
	var b bytes.Buffer
	if err := fn(&b); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(b.Bytes())
}

func (a *App) scoresJSON(c *fiber.Ctx) error {
	at, err := queryDay(c, "at")
	if err != nil {
		return err
	}
	s, err := views.BuildScores(c.UserContext(), a.db, at)
	if err != nil {
		return err
	}
	return c.JSON(s)
}

func (a *App) apiUsageJSON(c *fiber.Ctx) error {
	ctx := c.UserContext()
	from, err := queryDay(c, "from")
	if err != nil {
		return err
	}
	to, err := queryDay(c, "to")
	if err != nil {
		return err
	}
	if to.IsZero() {
		to = domain.Day(time.Now())
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -27)
	}
	if to.Before(from) {
		return domain.Errorf(domain.EINVALID, "to (%s) is before from (%s)", to.Format(domain.DateLayout), from.Format(domain.DateLayout))
	}
	var memberID int64
	if slug := c.Query("member"); slug != "" {
		m, err := a.db.MemberBySlug(ctx, slug)
		if err != nil {
			return err
		}
		memberID = m.ID
	}
	t, err := a.db.UsageTotals(ctx, from, to.AddDate(0, 0, 1), memberID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{
		"from": from.Format(domain.DateLayout), "to": to.Format(domain.DateLayout), "member": c.Query("member"),
		"totals":     t,
		"latency_ms": views.LatencyPercentiles(&t.Latency), // null when no call had a measured latency, not 0
	})
}
