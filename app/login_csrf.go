package app

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
)

// The login form is protected against CSRF without storing anything for
// anonymous visitors (a stored session per GET /login let anyone fill the
// database): its token is a signed double-submit cookie. The token is
// nonce.HMAC(key, nonce); the login page puts it in the ep_csrf cookie and
// in the form, and POST /login accepts it only when the field (or header)
// equals the cookie and the signature verifies. The key is made once and
// kept in the database, so tokens survive a restart.

// loginCSRFSecret is the name of the signing key in the database.
const loginCSRFSecret = "login_csrf_hmac"

// loginCSRFKey holds the signing key once read.
type loginCSRFKey struct {
	mu  sync.Mutex
	key []byte
}

func (a *App) loginCSRFKey(ctx context.Context) ([]byte, error) {
	a.loginCSRF.mu.Lock()
	defer a.loginCSRF.mu.Unlock()
	if a.loginCSRF.key == nil {
		key, err := a.db.ServerSecret(ctx, loginCSRFSecret, 32)
		if err != nil {
			return nil, err
		}
		a.loginCSRF.key = key
	}
	return a.loginCSRF.key, nil
}

func signNonce(key []byte, nonce string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("ecopulse login csrf\x00" + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// validLoginToken reports whether tok is a token this server signed.
func validLoginToken(key []byte, tok string) bool {
	nonce, sig, ok := strings.Cut(tok, ".")
	if !ok || len(nonce) != 43 {
		return false
	}
	return hmac.Equal([]byte(sig), []byte(signNonce(key, nonce)))
}

// loginToken returns the request's signed token when its cookie holds a
// valid one, and a fresh one (set in the cookie) otherwise.
func (a *App) loginToken(c *fiber.Ctx) (string, error) {
	key, err := a.loginCSRFKey(c.UserContext())
	if err != nil {
		return "", err
	}
	if tok := c.Cookies(csrfCookie); validLoginToken(key, tok) {
		return tok, nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	nonce := base64.RawURLEncoding.EncodeToString(b)
	tok := nonce + "." + signNonce(key, nonce)
	setCSRFCookie(c, tok)
	return tok, nil
}

// checkLoginCSRF accepts a login POST whose token (form body or header)
// equals its ep_csrf cookie and carries this server's signature.
func (a *App) checkLoginCSRF(c *fiber.Ctx) error {
	key, err := a.loginCSRFKey(c.UserContext())
	if err != nil {
		return err
	}
	cookie, got := c.Cookies(csrfCookie), sentCSRF(c)
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(cookie)) != 1 || !validLoginToken(key, cookie) {
		return errBadCSRF
	}
	return nil
}
