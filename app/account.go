package app

import (
	"bytes"
	"context"
	"crypto/subtle"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/crypto/bcrypt"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// One's own account (its password and interface language), and passwords
// reset by admins:
//
//	GET  /account/password                 forms: current, new, repeat; the language
//	POST /account/password                 change one's own password
//	POST /api/v1/me/password               {"current", "new"}
//	POST /account/language                 choose one's language ("": the browser's)
//	PUT  /api/v1/me/language               {"language"}
//	POST /admin/users/:name/password       an admin resets another user's password
//	POST /api/v1/admin/users/:name/password  {"password"?} → the temporary password, once
//
// A reset password (and the generated first admin password) must be changed
// at the next login: until then every page redirects to /account/password
// and every API call is refused (authorize, app/auth.go). Any change or reset
// ends the account's other sessions, and is audited.

const (
	accountPasswordPath = "/account/password"
	accountLanguagePath = "/account/language"
)

// passwordChangeRoute reports whether a request may pass while its account
// must change its password: the change itself, who am I, and logging out.
func passwordChangeRoute(c *fiber.Ctx) bool {
	rule, _ := routeOf(c)
	switch rule.method + " " + rule.pattern {
	case "GET " + accountPasswordPath, "POST " + accountPasswordPath, "POST /api/v1/me/password", "POST /logout", "GET /api/v1/me":
		return true
	}
	return false
}

// changeOwnPassword checks the current password (throttled like a login:
// a stolen session must not become a password oracle) and stores the new
// one. The request's own session stays; the account's others end.
func (a *App) changeOwnPassword(c *fiber.Ctx, current, password, repeat string) error {
	ctx, v := c.UserContext(), viewerOf(c)
	fail := func(err error) error {
		_, msg := statusOf(err)
		a.audit(ctx, v.Name, "user.password", v.Name, msg, false)
		return err
	}
	if len(current) > maxLoginPasswordLen || len(password) > maxLoginPasswordLen || len(repeat) > maxLoginPasswordLen {
		return fail(domain.ErrorKey(domain.EINVALID, "errors.password.too_long", nil, "a password may have at most 72 bytes (bcrypt's limit)"))
	}
	if subtle.ConstantTimeCompare([]byte(password), []byte(repeat)) != 1 {
		return fail(domain.ErrorKey(domain.EINVALID, "errors.password.repeat_differs", nil, "the new password and its repetition differ"))
	}
	addr, now := a.clientIP(c), a.throttle.now()
	blocked, wait, err := a.throttle.blocked(ctx, v.Name, addr, now)
	if err != nil {
		return err
	}
	if blocked {
		c.Set(fiber.HeaderRetryAfter, fmt.Sprint(int(wait.Seconds())+1))
		return fail(fiber.NewError(fiber.StatusTooManyRequests, "too many wrong passwords: wait a little and try again"))
	}
	u, err := a.db.UserByID(ctx, v.ID)
	if err != nil {
		return err
	}
	if u.PasswordHash == "" {
		return fail(domain.ErrorKey(domain.EINVALID, "errors.password.own_sso", nil, "your account signs in by single sign-on: it has no password here"))
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(current)) != nil {
		if err := a.throttle.fail(context.WithoutCancel(ctx), v.Name, addr, now); err != nil {
			a.log.Error("login throttle", "err", err)
		}
		return fail(domain.ErrorKey(domain.EINVALID, "errors.password.current_wrong", nil, "the current password is wrong"))
	}
	if current == password {
		return fail(domain.ErrorKey(domain.EINVALID, "errors.password.unchanged", nil, "choose a password different from the current one"))
	}
	h, err := hashPassword(password)
	if err != nil {
		return fail(err)
	}
	if err := a.db.SetPassword(ctx, u.Name, h, false); err != nil {
		return fail(err)
	}
	keep := ""
	if sess, err := a.session(c); err == nil {
		keep = sess.ID()
	}
	if _, err := a.db.Sessions().EndUserSessions(ctx, u.ID, keep); err != nil {
		a.log.Error("end sessions", "err", err)
	}
	a.audit(ctx, v.Name, "user.password", v.Name, "changed; other sessions ended", true)
	return nil
}

// resetPassword sets another account's password (password, or a random one
// when empty), which its owner must change at the next login, and ends the
// account's sessions. It returns the password set.
func (a *App) resetPassword(c *fiber.Ctx, name, password string) (string, error) {
	ctx := c.UserContext()
	u, err := a.changeable(ctx, viewerOf(c), name, true)
	if err != nil {
		return "", a.adminFail(c, "user.password.reset", name, err)
	}
	if u.PasswordHash == "" {
		return "", a.adminFail(c, "user.password.reset", name, domain.ErrorKey(domain.EINVALID, "errors.password.user_sso", domain.Facts{"Name": fmt.Sprintf("%q", name)}, "%q signs in by single sign-on: it has no password here", name))
	}
	if password == "" {
		password = randomToken()[:20]
	}
	if len(password) > maxLoginPasswordLen {
		return "", a.adminFail(c, "user.password.reset", name, domain.ErrorKey(domain.EINVALID, "errors.password.too_long", nil, "a password may have at most 72 bytes (bcrypt's limit)"))
	}
	h, err := hashPassword(password)
	if err != nil {
		return "", a.adminFail(c, "user.password.reset", name, err)
	}
	if err := a.db.SetPassword(ctx, name, h, true); err != nil {
		return "", a.adminFail(c, "user.password.reset", name, err)
	}
	a.endSessionsOf(ctx, u.ID)
	a.audit(ctx, viewerOf(c).Name, "user.password.reset", name, "must change it at the next login; sessions ended", true) // never the password
	return password, nil
}

// --- pages ---

func (a *App) renderAccountPassword(c *fiber.Ctx, status int, p views.AccountPassword) error {
	csrf, err := a.pageCSRF(c)
	if err != nil {
		return err
	}
	v := viewerOf(c)
	p.CSRF, p.Name, p.MustChange, p.Language = csrf, v.Name, v.MustChange, v.Lang
	if p.Next == "" {
		p.Next = safeNext(c.Query("next"))
	}
	c.Status(status)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).AccountPasswordPage(b, p) })
}

func (a *App) accountPasswordPage(c *fiber.Ctx) error {
	return a.renderAccountPassword(c, fiber.StatusOK, views.AccountPassword{})
}

func (a *App) accountPasswordForm(c *fiber.Ctx) error {
	next := safeNext(bodyValue(c, "next"))
	err := a.changeOwnPassword(c, bodyValue(c, "current"), bodyValue(c, "new"), bodyValue(c, "repeat"))
	if err != nil {
		st, msg := a.statusIn(c, err)
		if st >= 500 {
			return err
		}
		return a.renderAccountPassword(c, st, views.AccountPassword{Next: next, Error: msg})
	}
	if next == "/" {
		return a.renderAccountPassword(c, fiber.StatusOK, views.AccountPassword{Next: next, Notice: a.viewsFor(c).Tr()("accountmsg.changed")})
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// accountLanguageForm stores the language chosen on the account page and
// shows the page again, in it.
func (a *App) accountLanguageForm(c *fiber.Ctx) error {
	if err := a.setOwnLanguage(c, bodyValue(c, "language")); err != nil {
		st, msg := a.statusIn(c, err)
		if st >= 500 {
			return err
		}
		return a.renderAccountPassword(c, st, views.AccountPassword{LanguageError: msg})
	}
	tr := a.viewsFor(c).Tr()
	return a.renderAccountPassword(c, fiber.StatusOK, views.AccountPassword{LanguageNotice: tr("account.language_saved")})
}

func (a *App) adminResetPasswordForm(c *fiber.Ctx) error {
	name, err := param(c, "name")
	var password string
	if err == nil {
		password, err = a.resetPassword(c, name, bodyValue(c, "password"))
	}
	if err != nil {
		return a.renderAdminUsers(c, 0, err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store") // the page holds the temporary password
	return a.renderAdminUsersNotice(c, &views.ResetPassword{Name: name, Password: password})
}

// --- JSON ---

func (a *App) accountPasswordJSON(c *fiber.Ctx) error {
	var in struct {
		Current string `json:"current"`
		New     string `json:"new"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := a.changeOwnPassword(c, in.Current, in.New, in.New); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"changed": true, "note": "your other sessions have ended"})
}

// accountLanguageJSON stores the caller's language: "en", "zh-CN", or ""
// (or null) to follow the browser's.
func (a *App) accountLanguageJSON(c *fiber.Ctx) error {
	var in struct {
		Language *string `json:"language"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	lang := ""
	if in.Language != nil {
		lang = *in.Language
	}
	if err := a.setOwnLanguage(c, lang); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"language": lang})
}

func (a *App) adminResetPasswordJSON(c *fiber.Ctx) error {
	name, err := param(c, "name")
	if err != nil {
		return err
	}
	var in struct {
		Password string `json:"password"`
	}
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
	}
	password, err := a.resetPassword(c, name, in.Password)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"name": name, "password": password, "must_change_password": true,
		"note": "the temporary password is shown only this once; the user must change it at the next login"})
}

// --- command (ecopulse user passwd NAME) ---

// setPasswordCLI stores a password given on the command line; see
// UserSetPassword in cli_users.go.
func setPasswordCLI(ctx context.Context, db *data.DB, name, password string) (*domain.User, error) {
	u, err := db.UserByName(ctx, name)
	if err != nil {
		return nil, err
	}
	if u.PasswordHash == "" {
		return nil, domain.ErrorKey(domain.EINVALID, "errors.password.user_sso", domain.Facts{"Name": fmt.Sprintf("%q", name)}, "%q signs in by single sign-on: it has no password here", name)
	}
	if len(password) > maxLoginPasswordLen {
		return nil, domain.ErrorKey(domain.EINVALID, "errors.password.too_long", nil, "a password may have at most 72 bytes (bcrypt's limit)")
	}
	h, err := hashPassword(password)
	if err != nil {
		return nil, err
	}
	return u, db.SetPassword(ctx, name, h, false)
}
