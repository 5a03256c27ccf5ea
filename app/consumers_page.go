package app

import (
	"github.com/ecopulse/ecopulse/domain"
	"github.com/gofiber/fiber/v2"
)

// Mapping consumers from the API-usage page (managers; the same functions
// as the JSON API and the commands, app/consumers.go):
//
//	POST /api-usage/consumers/map   key, pattern or address, member, back → 303 to back

func (a *App) consumerMapForm(c *fiber.Ctx) error {
	ctx := c.UserContext()
	member, key, pattern, address := c.FormValue("member"), c.FormValue("key"), c.FormValue("pattern"), c.FormValue("address")
	var err error
	switch {
	case member == "":
		err = domain.Errorf(domain.EINVALID, "member: name the member the consumer belongs to")
	case address != "":
		_, err = mapAddressRange(ctx, a.db, a.cfg.Sources, viewerOf(c).Name, address, member)
	case pattern != "":
		_, err = consumersMapPattern(ctx, a.db, viewerOf(c).Name, pattern, member, false)
	case key != "":
		err = consumerMap(ctx, a.db, viewerOf(c).Name, key, member)
	default:
		err = domain.Errorf(domain.EINVALID, "key: name the consumer to map, or a pattern")
	}
	if err != nil {
		return err
	}
	a.rescoreSoon()
	return c.Redirect(safeNext(c.FormValue("back")), fiber.StatusSeeOther)
}
