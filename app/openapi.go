package app

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openAPIDoc is the OpenAPI 3 document of /api/v1, served at
// /api/v1/openapi.json. It is written by hand; TestOpenAPIDescribesTheRouteTable
// fails when an /api/v1 route of the route table (app/routes.go) is missing
// from it or has another summary there, or it describes a route the table
// does not have.
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
