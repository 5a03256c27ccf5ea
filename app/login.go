package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/crypto/bcrypt"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

const (
	minPasswordLen = 10
	// demoUser is the read-only viewer that serve --demo offers on the login page.
	demoUser     = "demo"
	demoPassword = "demo"
)

// bcryptCost is bcrypt's work factor (tests lower it to keep fast).
var bcryptCost = bcrypt.DefaultCost

// dummyHash is compared against when the account does not exist, so that a
// wrong name takes as long as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("no such account, no such password"), bcrypt.DefaultCost)

// The login form's fields are bounded before anything else happens (no
// throttle key, no audit line, no database read): a name is at most 64
// bytes anyway, so a longer one is an attack or a mistake, never an account.
const (
	maxLoginNameLen     = 128
	maxLoginPasswordLen = 1024 // bcrypt reads 72 bytes; the bound keeps the work per request small
)

func (a *App) renderLogin(c *fiber.Ctx, status int, p views.LoginPage) error {
	// No session is stored for the login page: its CSRF token is a signed
	// cookie (login_csrf.go), so anonymous visits write nothing.
	tok, err := a.loginToken(c)
	if err != nil {
		return err
	}
	p.CSRF = tok
	if a.demo != nil {
		p.DemoHint = demoUser + " / " + demoPassword
	}
	p.SSO = a.sso != nil
	c.Status(status)
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).Login(b, p) })
}

func (a *App) loginPage(c *fiber.Ctx) error {
	return a.renderLogin(c, fiber.StatusOK, views.LoginPage{Next: safeNext(c.Query("next"))})
}

// login checks a name and password. Its fields are bounded first; then it
// is CSRF-checked against the login form's signed cookie, throttled per
// (account, address) and per address, audited (repeated failures counted on
// one line), and gives the user a new session id (no session fixation).
func (a *App) login(c *fiber.Ctx) error {
	ctx := c.UserContext()
	// Form body only: a password in a query string ends up in logs.
	name, password, rawNext := bodyValue(c, "name"), bodyValue(c, "password"), bodyValue(c, "next")
	if len(name) > maxLoginNameLen || len(password) > maxLoginPasswordLen || len(rawNext) > maxNextLen {
		return a.renderLogin(c, fiber.StatusBadRequest, views.LoginPage{Next: "/", Error: a.viewsFor(c).Tr()(
			"loginmsg.too_long", "Name", maxLoginNameLen, "Password", maxLoginPasswordLen)})
	}
	next := safeNext(rawNext)
	if err := a.checkLoginCSRF(c); err != nil {
		return err
	}
	addr := a.clientIP(c)
	now := a.throttle.now()
	blocked, wait, err := a.throttle.blocked(ctx, name, addr, now)
	if err != nil {
		return err
	}
	if blocked {
		c.Set(fiber.HeaderRetryAfter, fmt.Sprint(int(wait.Seconds())+1))
		a.auditFailedLogin(ctx, name, "throttled", addr)
		return a.renderLogin(c, fiber.StatusTooManyRequests, views.LoginPage{Name: name, Next: next,
			Error: a.viewsFor(c).Tr()("loginmsg.too_many_failed")})
	}
	u, err := a.checkPassword(ctx, name, password)
	if err != nil {
		if err := a.throttle.fail(context.WithoutCancel(ctx), name, addr, now); err != nil {
			a.log.Error("login throttle", "err", err)
		}
		a.auditFailedLogin(ctx, name, "wrong name or password", addr)
		return a.renderLogin(c, fiber.StatusUnauthorized, views.LoginPage{Name: name, Next: next, Error: a.viewsFor(c).Tr()("loginmsg.wrong")})
	}
	if err := a.throttle.succeed(ctx, name, addr); err != nil {
		a.log.Error("login throttle", "err", err)
	}
	if err := a.startSession(c, u, now); err != nil {
		return err
	}
	a.audit(ctx, u.Name, "login", "", "", true)
	if u.MustChangePassword {
		return c.Redirect(accountPasswordPath+"?next="+url.QueryEscape(next), fiber.StatusSeeOther)
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

// auditFailedLogin writes a refused login, counted on one line per name,
// reason and address for throttleWindow.
func (a *App) auditFailedLogin(ctx context.Context, name, reason, addr string) {
	e := data.AuditEntry{Actor: name, Action: "login", Detail: reason + ", from " + addr, OK: false}
	if err := a.db.AuditRepeated(context.WithoutCancel(ctx), e, throttleWindow); err != nil {
		a.log.Error("audit log", "err", err)
	}
}

// startSession logs u in on a new session id, and records whose session it
// is so that revocation finds it by the account.
func (a *App) startSession(c *fiber.Ctx, u *domain.User, now time.Time) error {
	sess, err := a.session(c)
	if err != nil {
		return err
	}
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
	id := sess.ID()
	if err := sess.Save(); err != nil {
		return err
	}
	return a.db.Sessions().SetOwner(c.UserContext(), id, u.ID)
}

// checkPassword returns the enabled account with this name and password.
func (a *App) checkPassword(ctx context.Context, name, password string) (*domain.User, error) {
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
	return c.JSON(fiber.Map{"name": v.Name, "role": v.Role, "language": v.Lang})
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
		return "", domain.Errorf(domain.EINVALID, "a password needs at least %d characters", minPasswordLen)
	}
	if len(password) > 72 {
		return "", domain.Errorf(domain.EINVALID, "a password may have at most 72 bytes (bcrypt's limit)")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	return string(h), err
}

// AddUser creates an account with a password.
func AddUser(ctx context.Context, db *data.DB, name, role, password string) (*domain.User, error) {
	h, err := hashPassword(password)
	if err != nil {
		return nil, err
	}
	u := &domain.User{Name: name, Role: role, PasswordHash: h}
	if err := db.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// ensureAccounts makes sure somebody can log in: with no account at all, an
// admin with a random password printed once to the log, which must be
// changed at the first login; the read-only demo viewer exists (enabled)
// only while serving the demo.
func (a *App) ensureAccounts(ctx context.Context) error {
	n, err := a.db.CountUsers(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		if err := a.createFirstAdmin(ctx); err != nil {
			return err
		}
	}
	return a.ensureDemoAccount(ctx)
}

// createFirstAdmin creates the admin of a database without accounts. One
// that exists meanwhile was created by a replica starting beside this one
// (which printed its password): that is done too.
func (a *App) createFirstAdmin(ctx context.Context) error {
	password := randomToken()[:20]
	h, err := hashPassword(password)
	if err != nil {
		return err
	}
	err = a.db.CreateUser(ctx, &domain.User{Name: "admin", Role: domain.RoleAdmin, PasswordHash: h, MustChangePassword: true})
	if domain.ErrorCode(err) == domain.ECONFLICT {
		a.log.Info("the first admin was created by another replica", "user", "admin")
		return nil
	} else if err != nil {
		return err
	}
	a.log.Warn("no account existed: created user \"admin\"; its password is shown only this once and must be changed at the first login", "user", "admin", "password", password)
	a.audit(ctx, "system", "user.create", "admin", "initial admin", true)
	return nil
}

// ensureDemoAccount creates or enables the demo viewer under serve --demo,
// and disables it otherwise: demo/demo is a public password, so the account
// must not outlive the demo. An account named demo whose password is not
// "demo" is someone's own, and is left alone.
func (a *App) ensureDemoAccount(ctx context.Context) error {
	u, err := a.db.UserByName(ctx, demoUser)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		if a.demo == nil {
			return nil
		}
		return a.createDemoAccount(ctx)
	} else if err != nil {
		return err
	}
	if u.PasswordHash == "" || bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(demoPassword)) != nil {
		return nil
	}
	switch serving := a.demo != nil; {
	case serving && u.Disabled:
		if err := a.db.SetUserDisabled(ctx, demoUser, false); err != nil {
			return err
		}
		a.audit(ctx, "system", "user.enable", demoUser, "serve --demo", true)
	case !serving && !u.Disabled:
		if err := a.db.SetUserDisabled(ctx, demoUser, true); err != nil {
			return err
		}
		a.endSessionsOf(ctx, u.ID)
		a.audit(ctx, "system", "user.disable", demoUser, "serve without --demo", true)
		a.log.Info("the demo viewer is disabled: the server runs without --demo", "user", demoUser)
	}
	return nil
}

// createDemoAccount creates the demo viewer; one that exists meanwhile was
// created by a replica of serve --demo starting beside this one.
func (a *App) createDemoAccount(ctx context.Context) error {
	h, err := bcrypt.GenerateFromPassword([]byte(demoPassword), bcryptCost)
	if err != nil {
		return err
	}
	err = a.db.CreateUser(ctx, &domain.User{Name: demoUser, Role: domain.RoleViewer, PasswordHash: string(h)})
	if domain.ErrorCode(err) == domain.ECONFLICT {
		return nil
	}
	return err
}
