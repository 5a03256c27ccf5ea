package app

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/domain"
)

// refuseNULBytes answers 400 to a request whose path or query (a name or a
// value, as decoded) holds a NUL byte. No page or parameter means one, and
// PostgreSQL's text cannot hold it: such a value reaching a query there
// failed it (a 500) where SQLite matched nothing. Refused here, it is one
// clear answer on both backends.
func refuseNULBytes(c *fiber.Ctx) error {
	if bytes.IndexByte(c.Request().URI().Path(), 0) >= 0 { // decoded: %00 is a NUL
		return domain.Errorf(domain.EINVALID, "the path holds a NUL byte")
	}
	var bad []byte
	c.Request().URI().QueryArgs().VisitAll(func(k, v []byte) {
		if bad == nil && (bytes.IndexByte(k, 0) >= 0 || bytes.IndexByte(v, 0) >= 0) {
			bad = bytes.ReplaceAll(k, []byte{0}, []byte(`\0`))
		}
	})
	if bad != nil {
		return domain.Errorf(domain.EINVALID, "query parameter %s holds a NUL byte", quoteShort(string(bad)))
	}
	return c.Next()
}
