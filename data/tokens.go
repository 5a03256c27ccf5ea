package data

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

const tokenPrefix = "ep_"

func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateToken makes a new token and returns its secret, which is shown once.
func (db *DB) CreateToken(ctx context.Context, t *domain.Token) (string, error) {
	if strings.TrimSpace(t.Name) == "" {
		return "", domain.Errorf(domain.EINVALID, "a token needs a name")
	}
	if t.Scope != domain.ScopeIngest {
		return "", domain.Errorf(domain.EINVALID, "unknown token scope %q", t.Scope)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	t.CreatedAt = time.Now().UTC().Truncate(time.Second)
	if err := db.writeTx(ctx, func(tx *sql.Tx) error { return createToken(ctx, tx, t, secret) }); err != nil {
		return "", fmt.Errorf("store: unable to create token %q: %w", t.Name, err)
	}
	return secret, nil
}

// createToken inserts t with the hash of secret unless its name is taken:
// the insert is the check (ON CONFLICT DO NOTHING), so that two creations
// of the same name meeting give one token and one ECONFLICT.
func createToken(ctx context.Context, tx *sql.Tx, t *domain.Token, secret string) error {
	var err error
	t.ID, err = insertRow(ctx, tx, `INSERT INTO tokens (name, hash, scope, allow, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (name) DO NOTHING`, t.Name, hashToken(secret), t.Scope, domain.FormatAllowList(t.Allow), t.CreatedAt.Unix())
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Errorf(domain.ECONFLICT, "a token named %q already exists", t.Name)
	}
	return err
}

// VerifyToken returns the live token with this secret and scope, or an
// EUNAUTHORIZED error that does not say which check failed.
func (db *DB) VerifyToken(ctx context.Context, secret, scope string) (*domain.Token, error) {
	denied := domain.Errorf(domain.EUNAUTHORIZED, "invalid or revoked token")
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 100 {
		return nil, denied
	}
	want := hashToken(secret)
	rows, err := db.queryTokens(ctx, `WHERE hash = ?`, want)
	if err != nil {
		return nil, err
	}
	if len(rows) != 1 {
		return nil, denied
	}
	t := rows[0].Token
	// The lookup used the hash as an index; compare again in constant time.
	if subtle.ConstantTimeCompare([]byte(rows[0].hash), []byte(want)) != 1 || !t.Revoked.IsZero() || t.Scope != scope {
		return nil, denied
	}
	return &t, nil
}

// TokenCacheTTL is how long a TokenCache trusts a verified token without
// reading the database again, and so the bound on how late a revocation made
// by another process (the CLI's "ecopulse token revoke", another serve
// replica) takes effect. A revocation through RevokeToken in this process
// takes effect at once.
const TokenCacheTTL = 5 * time.Second

// TokenCache verifies tokens like DB.VerifyToken, keeping live tokens it
// verified for a short time (TTL) so that a client pushing many requests
// does not cost a database read each. It keeps only the SHA-256 of a secret,
// never the secret, and only tokens that verified: a wrong or revoked token
// is looked up in the database every time and costs no memory. A
// RevokeToken through the same DB outdates every entry (another DB, even
// in this process, stands for another replica: TokenCacheTTL bounds it). The zero value
// is ready to use; a TokenCache is safe for concurrent use.
type TokenCache struct {
	// TTL is how long a verified token is trusted (0: TokenCacheTTL).
	TTL time.Duration
	// Now is the clock (nil: time.Now); tests inject their own.
	Now func() time.Time

	mu sync.Mutex
	m  map[[sha256.Size]byte]cachedToken
}

type cachedToken struct {
	db    *DB
	tok   domain.Token
	hash  [sha256.Size]byte
	until time.Time
	gen   uint64 // revocations when the database was read
}

// Verify returns the live token of db with this secret and scope, or an
// EUNAUTHORIZED error that does not say which check failed.
func (c *TokenCache) Verify(ctx context.Context, db *DB, secret, scope string) (*domain.Token, error) {
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 100 {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "invalid or revoked token")
	}
	now, ttl := time.Now, c.TTL
	if c.Now != nil {
		now = c.Now
	}
	if ttl <= 0 {
		ttl = TokenCacheTTL
	}
	sum := sha256.Sum256([]byte(secret))
	t0 := now()
	gen := db.revocations.Load() // before the read: a revocation during it outdates the entry
	c.mu.Lock()
	e, ok := c.m[sum]
	c.mu.Unlock()
	// The map found the entry by the hash; compare again in constant time.
	if ok && e.db == db && e.gen == gen && t0.Before(e.until) && subtle.ConstantTimeCompare(e.hash[:], sum[:]) == 1 {
		if e.tok.Scope != scope {
			return nil, domain.Errorf(domain.EUNAUTHORIZED, "invalid or revoked token")
		}
		t := e.tok
		t.Allow = slices.Clone(t.Allow)
		return &t, nil
	}
	tok, err := db.VerifyToken(ctx, secret, scope)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		delete(c.m, sum)
		return nil, err
	}
	if c.m == nil {
		c.m = map[[sha256.Size]byte]cachedToken{}
	}
	for k, old := range c.m { // entries of live tokens only: few
		if !t0.Before(old.until) || old.gen != gen {
			delete(c.m, k)
		}
	}
	c.m[sum] = cachedToken{db: db, tok: *tok, hash: sum, until: t0.Add(ttl), gen: gen}
	t := *tok
	t.Allow = slices.Clone(t.Allow)
	return &t, nil
}

// TouchToken records that a token was used.
func (db *DB) TouchToken(ctx context.Context, id int64, at time.Time) error {
	return db.housekeepingTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE tokens SET last_used_at = ? WHERE id = ?`, at.Unix(), id)
		return err
	})
}

// RevokeToken revokes the token with the name.
func (db *DB) RevokeToken(ctx context.Context, name string) error {
	var n int64
	// Whatever the outcome, token caches of this process read again.
	defer db.revocations.Add(1)
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL`, time.Now().Unix(), name)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to revoke token %q: %w", name, err)
	}
	if n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "no live token named %q", name)
	}
	return nil
}

// Tokens lists every token, newest first.
func (db *DB) Tokens(ctx context.Context) ([]domain.Token, error) {
	rows, err := db.queryTokens(ctx, `ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Token, len(rows))
	for i, r := range rows {
		out[i] = r.Token
	}
	return out, nil
}

type tokenRow struct {
	domain.Token
	hash string
}

func (db *DB) queryTokens(ctx context.Context, where string, args ...any) ([]tokenRow, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, name, hash, scope, allow, created_at, COALESCE(last_used_at, 0), COALESCE(revoked_at, 0) FROM tokens `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read tokens: %w", err)
	}
	defer rows.Close()
	var out []tokenRow
	for rows.Next() {
		var r tokenRow
		var allow string
		var created, used, revoked int64
		if err := rows.Scan(&r.ID, &r.Name, &r.hash, &r.Scope, &allow, &created, &used, &revoked); err != nil {
			return nil, fmt.Errorf("store: unable to read tokens: %w", err)
		}
		r.Allow, err = domain.ParseAllowList(allow)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("store: token %q has a bad allow list", r.Name), err)
		}
		r.CreatedAt = time.Unix(created, 0).UTC()
		if used > 0 {
			r.LastUsed = time.Unix(used, 0).UTC()
		}
		if revoked > 0 {
			r.Revoked = time.Unix(revoked, 0).UTC()
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
