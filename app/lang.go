package app

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/views"
)

// langCookie keeps the language chosen with the header's switch.
const langCookie = "ep_lang"

// langParam is the switch's query parameter: ?lang=zh-CN on any page
// shows it in that language and remembers the choice.
const langParam = "lang"

// negotiateLang decides each request's interface language before the page
// cache looks for its page (the language is part of its key): the switch's
// ?lang= (remembered in a cookie), else that cookie, else the browser's
// Accept-Language, else the configured default.
func (a *App) negotiateLang(c *fiber.Ctx) error {
	choice := c.Cookies(langCookie)
	if q := c.Query(langParam); views.IsLang(q) {
		choice = q
		c.Cookie(&fiber.Cookie{Name: langCookie, Value: q, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
			HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: c.Protocol() == "https"})
	}
	lang := views.NegotiateLang(choice, c.Get(fiber.HeaderAcceptLanguage), a.cfg.Language)
	c.Locals(langLocal{}, lang)
	c.Set(fiber.HeaderContentLanguage, lang)
	c.Append(fiber.HeaderVary, "Accept-Language", "Cookie")
	return c.Next()
}

type langLocal struct{}

// langOf is the request's interface language (English before negotiateLang).
func langOf(c *fiber.Ctx) string {
	if l, ok := c.Locals(langLocal{}).(string); ok {
		return l
	}
	return views.LangEnglish
}

// viewsFor is the Renderer of the request's language.
func (a *App) viewsFor(c *fiber.Ctx) *views.Renderer {
	return a.views.In(langOf(c))
}
