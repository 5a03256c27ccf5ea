package app

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/cache"
)

const (
	// pageCacheTTL bounds how stale a cached page can be when another
	// process (a CLI import or collect) changed the data: this process's
	// own writes change the key at once.
	pageCacheTTL = time.Minute
	// pageCacheBytes bounds the cache's memory.
	pageCacheBytes = 32 << 20
)

// uncachedPrefixes are routes whose responses must be built every time:
// per-user or per-session content, forms with CSRF state, live status,
// and downloads (each one is audited).
var uncachedPrefixes = []string{
	"/static/", "/login", "/logout", "/admin", "/api/v1/admin", "/api/v1/me",
	"/metrics", "/healthz", "/readyz", "/sources", "/api/v1/sources", "/api/v1/ingest",
}

// pageCache serves repeated GETs of pages and JSON from memory. It runs
// after the authorisation gate, so every request is still authorised; the
// key holds the viewer's role (pages differ by role), the store's data
// version and the whole URL (NOTES.md: keying on the path alone mixes
// query strings). Only 200 responses are kept.
func (a *App) pageCache() fiber.Handler {
	return cache.New(cache.Config{
		Expiration: pageCacheTTL,
		MaxBytes:   pageCacheBytes,
		Next: func(c *fiber.Ctx) bool {
			if c.Response().StatusCode() != fiber.StatusOK {
				return true
			}
			return !cacheable(c)
		},
		KeyGenerator: func(c *fiber.Ctx) string {
			role := ""
			if v := viewerOf(c); v != nil {
				role = v.Role
			}
			return role + "|" + strconv.FormatUint(a.db.Version(), 10) + "|" + c.OriginalURL()
		},
	})
}

func cacheable(c *fiber.Ctx) bool {
	if viewerOf(c) == nil {
		return false
	}
	p := c.Path()
	for _, prefix := range uncachedPrefixes {
		if strings.HasPrefix(p, prefix) {
			return false
		}
	}
	if strings.HasSuffix(p, "/new") || strings.HasSuffix(p, "/edit") || strings.HasSuffix(p, ".csv") || c.Query("format") != "" {
		return false
	}
	return true
}
