package app

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/data"
)

// A single-sign-on login in flight (state, nonce, PKCE verifier, where to
// go after) is kept in a sealed cookie, not in a stored session: an
// anonymous visitor who starts logins makes the server keep nothing. The
// cookie is AES-GCM-sealed with a key kept in the database (secret and
// tamper-proof: the verifier must not be readable by whoever holds the
// browser's cookies), lives oidcFlowTTL, and is sent only to /login/oidc.

const (
	oidcFlowCookie = "ep_oidc"
	oidcFlowSecret = "oidc_flow_aes"
)

// oidcFlow is what the cookie holds.
type oidcFlow struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"x"`
	At       int64  `json:"t"`
}

// cachedSecret is a server secret read once from the database.
type cachedSecret struct {
	mu  sync.Mutex
	key []byte
}

func (s *cachedSecret) get(ctx context.Context, db *data.DB, name string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key == nil {
		key, err := db.ServerSecret(ctx, name, 32)
		if err != nil {
			return nil, err
		}
		s.key = key
	}
	return s.key, nil
}

func sealFlow(key []byte, f oidcFlow) (string, error) {
	gcm, err := flowAEAD(key)
	if err != nil {
		return "", err
	}
	plain, err := json.Marshal(f)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(gcm.Seal(nonce, nonce, plain, []byte(oidcFlowCookie))), nil
}

// openFlow returns the flow a cookie seals; false when it is not one this
// server sealed (or was changed).
func openFlow(key []byte, s string) (oidcFlow, bool) {
	var f oidcFlow
	gcm, err := flowAEAD(key)
	if err != nil || len(s) > 4096 {
		return f, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < gcm.NonceSize() {
		return f, false
	}
	plain, err := gcm.Open(nil, b[:gcm.NonceSize()], b[gcm.NonceSize():], []byte(oidcFlowCookie))
	if err != nil || json.Unmarshal(plain, &f) != nil {
		return oidcFlow{}, false
	}
	return f, true
}

func flowAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// setFlowCookie sets (maxAge > 0) or clears the flow cookie.
func setFlowCookie(c *fiber.Ctx, value string, maxAge time.Duration) {
	ck := &fiber.Cookie{Name: oidcFlowCookie, Value: value, Path: "/login/oidc", HTTPOnly: true, SameSite: "Lax",
		Secure: c.Protocol() == "https", MaxAge: int(maxAge.Seconds())}
	if maxAge <= 0 {
		ck.MaxAge, ck.Expires = -1, time.Unix(0, 0)
	}
	c.Cookie(ck)
}
