package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/crypto/bcrypt"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/views"
)

const (
	minPasswordLen = 10
	// demoUser is the read-only viewer that serve --demo offers on the login page.
	demoUser     = "demo"
	demoPassword = "demo"
)

func init() {
	routeSets = append(routeSets, func(a *App, pages *fiber.App, api fiber.Router) {
		pages.Get("/login", a.loginPage)
		pages.Post("/login", a.login)
		pages.Post("/logout", a.logout)
		api.Get("/me", a.me)
	})
}

// bcryptCost is bcrypt's work factor (tests lower it to keep fast).
var bcryptCost = bcrypt.DefaultCost

// dummyHash is compared against when the account does not exist, so that a
// wrong name takes as long as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("no such account, no such password"), bcrypt.DefaultCost)

func (a *App) renderLogin(c *fiber.Ctx, status int, p views.LoginPage) error {
	sess, err := a.session(c)
	if err != nil {
		return err
	}
	p.CSRF, _ = a.csrfToken(c, sess)
	if a.demo != nil {
		p.DemoHint = demoUser + " / " + demoPassword
	}
	p.SSO = a.sso != nil
	if err := sess.Save(); err != nil {
		return err
	}
	c.Status(status)
	return a.render(c, func(b *bytes.Buffer) error { return a.views.Login(b, p) })
}

func (a *App) loginPage(c *fiber.Ctx) error {
	return a.renderLogin(c, fiber.StatusOK, views.LoginPage{Next: safeNext(c.Query("next"))})
}

// login checks a name and password. It is throttled per account and per
// address, CSRF-checked against the login form's session, audited, and
// gives the user a new session id (no session fixation).
func (a *App) login(c *fiber.Ctx) error {
	ctx := c.UserContext()
	name, password, next := c.FormValue("name"), c.FormValue("password"), safeNext(c.FormValue("next"))
	sess, err := a.session(c)
	if err != nil {
		return err
	}
	if err := checkCSRF(c, sess); err != nil {
		return err
	}
	now := time.Now()
	if blocked, wait := a.throttle.blocked(name, a.clientIP(c), now); blocked {
		c.Set(fiber.HeaderRetryAfter, fmt.Sprint(int(wait.Seconds())+1))
		a.audit(ctx, name, "login", "", "throttled", false)
		return a.renderLogin(c, fiber.StatusTooManyRequests, views.LoginPage{Name: name, Next: next,
			Error: "Too many failed attempts. Wait a few minutes and try again."})
	}
	u, err := a.checkPassword(ctx, name, password)
	if err != nil {
		a.throttle.fail(name, a.clientIP(c), now)
		a.audit(ctx, name, "login", "", "wrong name or password", false)
		return a.renderLogin(c, fiber.StatusUnauthorized, views.LoginPage{Name: name, Next: next, Error: "Wrong user name or password."})
	}
	a.throttle.succeed(name)
	if err := sess.Regenerate(); err != nil {
		return err
	}
	sess.Set(sessUser, u.ID)
	sess.Set(sessName, u.Name)
	sess.Set(sessRole, u.Role)
	sess.Set(sessLoginAt, now.Unix())
	sess.Set(sessTouched, now.Unix())
	sess.Set(sessCSRF, randomToken())
	a.csrfToken(c, sess)
	if err := sess.Save(); err != nil {
		return err
	}
	a.audit(ctx, u.Name, "login", "", "", true)
	return c.Redirect(next, fiber.StatusSeeOther)
}

// checkPassword returns the enabled account with this name and password.
func (a *App) checkPassword(ctx context.Context, name, password string) (*data.User, error) {
	u, err := a.db.UserByName(ctx, name)
	if err != nil {
		bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return nil, err
	}
	if u.Disabled || u.PasswordHash == "" {
		bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return nil, errors.New("account cannot log in with a password")
	}
	if err := bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)); err != nil {
		return nil, err
	}
	return u, nil
}

func (a *App) logout(c *fiber.Ctx) error {
	v := viewerOf(c)
	sess, err := a.session(c)
	if err != nil {
		return err
	}
	if err := sess.Destroy(); err != nil {
		return err
	}
	c.ClearCookie(csrfCookie)
	if v != nil {
		a.audit(c.UserContext(), v.Name, "logout", "", "", true)
	}
	return c.Redirect("/login", fiber.StatusSeeOther)
}

func (a *App) me(c *fiber.Ctx) error {
	v := viewerOf(c)
	return c.JSON(fiber.Map{"name": v.Name, "role": v.Role})
}

// audit writes an audit entry; a failure is logged, never shown to the user.
func (a *App) audit(ctx context.Context, actor, action, target, detail string, ok bool) {
	if err := a.db.Audit(context.WithoutCancel(ctx), data.AuditEntry{Actor: actor, Action: action, Target: target, Detail: detail, OK: ok}); err != nil {
		a.log.Error("audit log", "err", err)
	}
}

// hashPassword checks a new password's length and hashes it with bcrypt.
func hashPassword(password string) (string, error) {
	if len(password) < minPasswordLen {
		return "", data.Errorf(data.EINVALID, "a password needs at least %d characters", minPasswordLen)
	}
	if len(password) > 72 {
		return "", data.Errorf(data.EINVALID, "a password may have at most 72 bytes (bcrypt's limit)")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	return string(h), err
}

// AddUser creates an account with a password.
func AddUser(ctx context.Context, db *data.DB, name, role, password string) (*data.User, error) {
	h, err := hashPassword(password)
	if err != nil {
		return nil, err
	}
	u := &data.User{Name: name, Role: role, PasswordHash: h}
	if err := db.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// ensureAccounts makes sure somebody can log in: with no account at all, an
// admin with a random password printed once to the log; under --demo, the
// read-only demo viewer.
func (a *App) ensureAccounts(ctx context.Context) error {
	n, err := a.db.CountUsers(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		password := randomToken()[:20]
		if _, err := AddUser(ctx, a.db, "admin", data.RoleAdmin, password); err != nil {
			return err
		}
		a.log.Warn("no account existed: created user \"admin\"; its password is shown only this once — change it or add your own admin with `ecopulse user add`", "user", "admin", "password", password)
		a.audit(ctx, "system", "user.create", "admin", "initial admin", true)
	}
	if a.demo != nil {
		if _, err := a.db.UserByName(ctx, demoUser); data.ErrorCode(err) == data.ENOTFOUND {
			h, err := bcrypt.GenerateFromPassword([]byte(demoPassword), bcryptCost)
			if err != nil {
				return err
			}
			if err := a.db.CreateUser(ctx, &data.User{Name: demoUser, Role: data.RoleViewer, PasswordHash: string(h)}); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
	}
	return nil
}
