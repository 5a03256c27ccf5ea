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
const langParam = views.LangParam

// A request's interface language is the first of (docs/i18n.md):
//
//  1. the switch's ?lang= (remembered in the ep_lang cookie and, for a
//     logged-in user, as their setting);
//  2. the logged-in user's setting (users.language, chosen on
//     /account/password or with PUT /api/v1/me/language);
//  3. the ep_lang cookie;
//  4. the browser's Accept-Language;
//  5. the configured default.
//
// negotiateLang decides 1, 3, 4 and 5 for every request, before the gate,
// so that the login page and the gate's refusals speak it too. Who the user
// is is known only once the gate has read the session (authorize, which
// knows the account anyway: read, or remembered until it changes): userLang
// then applies 2, and
// saves 1. Both run before the page cache, whose key holds the language
// (langOf): a page is kept per language, whoever's setting chose it.

// negotiateLang decides each request's interface language from the
// request alone: the switch's ?lang= (remembered in a cookie), else that
// cookie, else the browser's Accept-Language, else the configured default.
func (a *App) negotiateLang(c *fiber.Ctx) error {
	choice := c.Cookies(langCookie)
	if q := c.Query(langParam); views.IsLang(q) {
		choice = q
		a.setLangCookie(c, q)
	}
	setLang(c, views.NegotiateLang(choice, c.Get(fiber.HeaderAcceptLanguage), a.cfg.Language))
	c.Append(fiber.HeaderVary, "Accept-Language", "Cookie")
	return c.Next()
}

// userLang applies a logged-in user's language setting (called by the gate
// once it knows the user): the switch's ?lang= becomes their setting, so
// that it follows them to their other devices; without it their setting
// wins over the cookie and the browser. A GET saves it, like the cookie
// the switch sets: the switch is a link. It writes only when the choice
// differs from the setting, and a failed write leaves the page in the
// chosen language (the cookie remembers it on this device).
func (a *App) userLang(c *fiber.Ctx, v *viewer) {
	q := c.Query(langParam)
	switch {
	case views.IsLang(q):
		if q == v.Lang {
			return
		}
		if err := a.db.SetUserLanguage(c.UserContext(), v.Name, q); err != nil {
			a.log.Warn("save the user's language", "user", v.Name, "err", err)
			return
		}
		v.Lang = q
	case v.Lang != "":
		setLang(c, v.Lang)
	}
}

// setOwnLanguage stores the viewer's language setting (one of views.Langs,
// or "" to follow the browser) and shows this request's answer in it. The
// switch's cookie follows: set to the language chosen, or dropped with the
// setting, so that "the browser's" means the browser's on this device too.
func (a *App) setOwnLanguage(c *fiber.Ctx, lang string) error {
	v := viewerOf(c)
	if err := a.db.SetUserLanguage(c.UserContext(), v.Name, lang); err != nil {
		return err
	}
	v.Lang = lang
	if lang != "" {
		a.setLangCookie(c, lang)
		setLang(c, lang)
		return nil
	}
	c.Cookie(&fiber.Cookie{Name: langCookie, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(1, 0),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: c.Protocol() == "https"})
	setLang(c, views.NegotiateLang("", c.Get(fiber.HeaderAcceptLanguage), a.cfg.Language))
	return nil
}

// setLangCookie remembers a language chosen on this device for a year.
func (a *App) setLangCookie(c *fiber.Ctx, lang string) {
	c.Cookie(&fiber.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: c.Protocol() == "https"})
}

// setLang makes lang the request's interface language.
func setLang(c *fiber.Ctx, lang string) {
	c.Locals(langLocal{}, lang)
	c.Set(fiber.HeaderContentLanguage, lang)
}

type langLocal struct{}

// langOf is the request's interface language (English before negotiateLang).
func langOf(c *fiber.Ctx) string {
	if l, ok := c.Locals(langLocal{}).(string); ok {
		return l
	}
	return views.LangEnglish
}

// viewsFor is the Renderer of the request's language, whose language
// switch keeps the request's query (?a=…&b=… of a comparison).
func (a *App) viewsFor(c *fiber.Ctx) *views.Renderer {
	r := a.views.In(langOf(c)).WithQuery(string(c.Request().URI().QueryString()))
	if v := viewerOf(c); v != nil {
		r = r.WithRole(v.Role)
	}
	return r
}
