package app

import "github.com/gofiber/fiber/v2"

// clientIP is the address a request came from, as every per-address rule
// sees it: login throttling, rate limits and token allow lists.
func (a *App) clientIP(c *fiber.Ctx) string {
	return c.IP()
}
