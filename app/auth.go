package app

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/session"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

const (
	sessionCookie = "ep_session"
	csrfCookie    = "ep_csrf" // readable by our JS, which echoes it in forms and headers
	csrfField     = "csrf"
	csrfHeader    = "X-CSRF-Token"
	// deniedHeader says why the gate refused a request (login, role, csrf):
	// it tells a client, and the tests, a refusal from a handler's answer.
	deniedHeader = "X-EcoPulse-Denied"

	// sessionIdle logs out a session nobody used for this long; sessionMax
	// logs out any session this long after login.
	sessionIdle = 8 * time.Hour
	sessionMax  = 7 * 24 * time.Hour
)

// Session keys.
const (
	sessUser    = "uid"
	sessRole    = "role"
	sessName    = "name"
	sessLoginAt = "login_at"
	sessCSRF    = "csrf"
	sessTouched = "touched" // when the session was last saved
)

// sessionTouchEvery is how often a used session is saved to slide its idle
// expiry (at most this much earlier than sessionIdle says).
const sessionTouchEvery = 5 * time.Minute

// viewer is who makes a request.
type viewer struct {
	ID   int64
	Name string
	Role string
	// MustChange: the account must choose a new password before anything
	// else (an admin reset it, or it is the generated first admin).
	MustChange bool
	// Lang is the interface language the user chose, "" for the browser's
	// (app/lang.go).
	Lang string
}

// newSessions returns the session stores: one for plain HTTP and one that
// marks cookies Secure for requests that arrived over TLS.
func newSessions(db *data.DB) (plain, secure *session.Store) {
	mk := func(secure bool) *session.Store {
		return session.New(session.Config{
			Storage:        db.Sessions(),
			Expiration:     sessionIdle,
			KeyLookup:      "cookie:" + sessionCookie,
			CookieHTTPOnly: true,
			CookieSameSite: "Lax",
			CookieSecure:   secure,
			CookiePath:     "/",
			KeyGenerator:   randomToken,
		})
	}
	return mk(false), mk(true)
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the system's randomness failed: nothing is safe to do
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func (a *App) session(c *fiber.Ctx) (*session.Session, error) {
	if c.Protocol() == "https" {
		return a.secureSessions.Get(c)
	}
	return a.plainSessions.Get(c)
}

// currentViewer returns the logged-in user of the request, or nil.
func (a *App) currentViewer(c *fiber.Ctx) (*viewer, *session.Session, error) {
	sess, err := a.session(c)
	if err != nil {
		return nil, nil, err
	}
	id, _ := sess.Get(sessUser).(int64)
	if id == 0 {
		return nil, sess, nil
	}
	loginAt, _ := sess.Get(sessLoginAt).(int64)
	if time.Since(time.Unix(loginAt, 0)) > sessionMax {
		sess.Destroy()
		return nil, sess, nil
	}
	// The account is read again on every request, so that disabling it or
	// changing its role takes effect at once, whatever sessions it has.
	u, err := a.db.UserByID(c.UserContext(), id)
	if domain.ErrorCode(err) == domain.ENOTFOUND || (err == nil && u.Disabled) {
		sess.Destroy()
		return nil, sess, nil
	} else if err != nil {
		return nil, nil, err
	}
	return &viewer{ID: u.ID, Name: u.Name, Role: u.Role, MustChange: u.MustChangePassword, Lang: u.Language}, sess, nil
}

// csrfToken returns the session's CSRF token, making one when needed, and
// hands it to the page's JS in a cookie.
// It reports whether the token is new (the session then needs saving).
func (a *App) csrfToken(c *fiber.Ctx, sess *session.Session) (string, bool) {
	tok, _ := sess.Get(sessCSRF).(string)
	created := tok == ""
	if created {
		tok = randomToken()
		sess.Set(sessCSRF, tok)
	}
	setCSRFCookie(c, tok)
	return tok, created
}

func setCSRFCookie(c *fiber.Ctx, tok string) {
	c.Cookie(&fiber.Cookie{Name: csrfCookie, Value: tok, Path: "/", SameSite: "Lax", Secure: c.Protocol() == "https"})
}

// sentCSRF returns the CSRF token a request carries: in the X-CSRF-Token
// header or in the form body, never in the query string (a token in a URL
// ends up in logs, histories and Referer headers). fasthttp's FormValue
// reads the query string too, so the body is read on its own.
func sentCSRF(c *fiber.Ctx) string {
	if got := c.Get(csrfHeader); got != "" {
		return got
	}
	return bodyValue(c, csrfField)
}

// bodyValue returns a field of a url-encoded or multipart form body (never
// of the query string).
func bodyValue(c *fiber.Ctx, key string) string {
	if v := c.Request().PostArgs().Peek(key); len(v) > 0 {
		return string(v)
	}
	if !strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEMultipartForm) {
		return ""
	}
	if f, err := c.MultipartForm(); err == nil {
		if v := f.Value[key]; len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// checkCSRF compares the token a state-changing request carries (header or
// form body) with its session's, in constant time.
func checkCSRF(c *fiber.Ctx, sess *session.Session) error {
	want, _ := sess.Get(sessCSRF).(string)
	got := sentCSRF(c)
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return errBadCSRF
	}
	return nil
}

var errBadCSRF = domain.ErrorKey(domain.EFORBIDDEN, "errors.bad_csrf", nil, "missing or invalid CSRF token: reload the page and try again")

// authorize is the one gate every request passes: it finds the request's
// rule in the route table (no rule: refused), checks the session and role, and
// the CSRF token of state-changing requests.
func (a *App) authorize(c *fiber.Ctx) error {
	rule, ok := routeOf(c) // resolved once: the limiters and the page cache read it too
	if !ok {
		return domain.ErrorKey(domain.ENOTFOUND, "errors.not_found", nil, "not found") // no route: an unknown page
	}
	if rule.need == accessPublic || rule.need == accessToken {
		return c.Next()
	}
	read := c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead
	key, hasKey := sessionKey(c)
	version, now := a.db.VersionOf(data.OtherData), time.Now()
	if read && hasKey {
		if e, ok := a.viewers.get(key, version, now, a.touchEvery); ok {
			v := e.v
			if ok, err := a.admit(c, rule, &v, nil); !ok {
				return err
			}
			setCSRFCookie(c, e.csrf)
			return c.Next()
		}
	}
	v, sess, err := a.currentViewer(c)
	if err != nil {
		return err
	}
	if ok, err := a.admit(c, rule, v, sess); !ok {
		return err
	}
	// A request writes its session only when the session changed or its idle
	// expiry is due to slide: page views must not queue for the database's
	// write lock behind an import or a collector (they would wait, and could
	// meet "database is locked").
	csrf, created := a.csrfToken(c, sess)
	touched, _ := sess.Get(sessTouched).(int64)
	if created {
		sess.Set(sessTouched, now.Unix())
		if err := sess.Save(); err != nil {
			return err
		}
		touched = now.Unix()
	} else if now.Sub(time.Unix(touched, 0)) > a.touchEvery {
		if a.slideSession(c.Context(), sess, now) {
			touched = now.Unix()
		}
	}
	if hasKey && sess.ID() == c.Cookies(sessionCookie) {
		loginAt, _ := sess.Get(sessLoginAt).(int64)
		a.viewers.put(key, viewerEntry{v: *v, csrf: csrf, touched: time.Unix(touched, 0), loginAt: time.Unix(loginAt, 0), version: version})
	}
	return c.Next()
}

// admit lets the viewer v of a request through the gate, or says why not:
// nobody logged in, a role below the rule's, a missing CSRF token on a
// state-changing request (sess is the stored session; nil only for a GET or
// HEAD, which needs none), a password to change first. It reports whether
// the request goes on; when not, the error is the refusal (nil when the
// refusal is a redirect it has written).
func (a *App) admit(c *fiber.Ctx, rule route, v *viewer, sess *session.Session) (bool, error) {
	if v == nil {
		c.Set(deniedHeader, "login")
		if isAPI(c) {
			return false, domain.Errorf(domain.EUNAUTHORIZED, "log in first")
		}
		if c.Method() == fiber.MethodGet {
			return false, c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
		}
		return false, domain.Errorf(domain.EUNAUTHORIZED, "log in first")
	}
	a.userLang(c, v) // their setting, before anything answers them (a refusal too)
	if domain.RoleRank(v.Role) < domain.RoleRank(string(rule.need)) {
		c.Set(deniedHeader, "role")
		return false, domain.Errorf(domain.EFORBIDDEN, "your role (%s) may not do this", v.Role)
	}
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		if err := checkCSRF(c, sess); err != nil {
			c.Set(deniedHeader, "csrf")
			return false, err
		}
	}
	c.Locals("viewer", v)
	if v.MustChange && !passwordChangeRoute(c) {
		c.Set(deniedHeader, "password")
		if isAPI(c) || c.Method() != fiber.MethodGet {
			return false, domain.Errorf(domain.EFORBIDDEN, "you must choose a new password first: POST /api/v1/me/password or open /account/password")
		}
		return false, c.Redirect(accountPasswordPath, fiber.StatusSeeOther)
	}
	return true, nil
}

// slideSession saves a session whose idle expiry is due to slide. Only one
// request per session does it at a time: the write may wait for the lock
// behind an import, and every page of a dashboard with several tabs or a
// burst of requests would otherwise wait with it. A failed slide is only
// logged: the session stays valid for hours, and a later request retries.
// It reports whether it saved the session.
func (a *App) slideSession(ctx context.Context, sess *session.Session, now time.Time) bool {
	id := sess.ID()
	if _, busy := a.sliding.LoadOrStore(id, struct{}{}); busy {
		return false
	}
	defer a.sliding.Delete(id)
	if a.slideHook != nil {
		a.slideHook()
	}
	sess.Set(sessTouched, now.Unix())
	if err := sess.Save(); err != nil {
		a.log.WarnContext(ctx, "session: idle expiry not extended", "err", err)
		return false
	}
	return true
}

// viewerOf returns the authorised viewer of a request (nil for public routes).
func viewerOf(c *fiber.Ctx) *viewer {
	v, _ := c.Locals("viewer").(*viewer)
	return v
}
