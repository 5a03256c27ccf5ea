package app

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openAPIDoc is the OpenAPI 3 document of /api/v1, served at
// /api/v1/openapi.json. It is written by hand next to the routes;
// TestOpenAPICoversEveryRoute fails when a registered /api/v1 route is
// missing from it (or it describes a route that is not registered).
//
//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI returns a copy of the OpenAPI 3 document of the JSON API.
func OpenAPI() []byte { return append([]byte(nil), openAPIDoc...) }

// openAPIHandler is GET /api/v1/openapi.json.
func openAPIHandler(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "private, max-age=300")
	return c.Send(openAPIDoc)
}
