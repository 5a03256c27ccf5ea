package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/ecopulse/ecopulse/collectors/accesslog"
	"github.com/ecopulse/ecopulse/data"
)

// throttle slows password guessing down without letting a stranger lock an
// account out:
//
//   - per (account, address): the first throttleFreeFailures failures cost
//     nothing, then each further one makes that address wait 1 s, 2 s, 4 s…
//     (at most throttleMaxDelay) before it may try that account again. The
//     owner, from another address, is not slowed down at all.
//   - per address: at most maxAddressFailures failures within
//     throttleWindow, whatever the accounts (one address trying many names).
//
// The counts live in the database (data.CountLoginFailure), so that every
// replica serving it counts a guesser's failures on any of them. Its keys
// are keyed hashes (clientKeys): no account name or address is stored. A
// key is stored only when a failure happens, is forgotten once it has been
// quiet for throttleWindow past its delay (and deleted on the way), and at
// most maxThrottleKeys keys are kept (the least recently failed go first).
//
// Cost: a login or password change reads its two keys (one query); a
// failure is one write transaction, a success one delete.
type throttle struct {
	db      *data.DB
	secret  *cachedSecret    // the App's client-key secret (clientKeys)
	clock   func() time.Time // tests; nil: time.Now
	maxKeys int              // tests; 0: maxThrottleKeys
}

const (
	throttleWindow       = 15 * time.Minute
	throttleFreeFailures = 3
	throttleMaxDelay     = 15 * time.Minute
	maxAddressFailures   = 20
	maxThrottleKeys      = 10_000
)

func (t *throttle) now() time.Time {
	if t.clock != nil {
		return t.clock()
	}
	return time.Now()
}

// accountDelay is how long an address waits after its n-th failure for one
// account.
func accountDelay(n int64) time.Duration {
	if n < throttleFreeFailures {
		return 0
	}
	shift := n - throttleFreeFailures
	if shift > 20 { // far past the cap: do not overflow
		return throttleMaxDelay
	}
	return min(time.Second<<shift, throttleMaxDelay)
}

// keys returns the keys of an (account, address) pair and of the address.
func (t *throttle) keys(ctx context.Context, account, addr string) (pair, address string, err error) {
	key, err := t.secret.get(ctx, t.db, clientKeySecret)
	if err != nil {
		return "", "", err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("ecopulse login throttle\x00" + account + "\x00" + addr))
	return "acct:" + hex.EncodeToString(m.Sum(nil)[:16]), "addr:" + accesslog.HashIP(key, addr), nil
}

// blocked reports whether a login for account from addr must wait, and how
// long.
func (t *throttle) blocked(ctx context.Context, account, addr string, now time.Time) (bool, time.Duration, error) {
	pair, address, err := t.keys(ctx, account, addr)
	if err != nil {
		return false, 0, err
	}
	counts, err := t.db.LoginFailures(ctx, now, pair, address)
	if err != nil {
		return false, 0, err
	}
	wait := time.Duration(0)
	// (Last is rounded up to the second: a free failure has no delay at all.)
	if e, ok := counts[pair]; ok && accountDelay(e.Failures) > 0 {
		wait = max(wait, e.Last.Add(accountDelay(e.Failures)).Sub(now))
	}
	if e, ok := counts[address]; ok && e.Failures >= maxAddressFailures && now.Sub(e.First) < throttleWindow {
		wait = max(wait, e.First.Add(throttleWindow).Sub(now))
	}
	return wait > 0, wait, nil
}

// fail counts a failed login of account from addr.
func (t *throttle) fail(ctx context.Context, account, addr string, now time.Time) error {
	pair, address, err := t.keys(ctx, account, addr)
	if err != nil {
		return err
	}
	maxKeys := t.maxKeys
	if maxKeys <= 0 {
		maxKeys = maxThrottleKeys
	}
	// Stored in whole seconds, rounded up: a delay is never shorter than
	// the rule's (at most a second longer).
	at := now.Truncate(time.Second)
	if at.Before(now) {
		at = at.Add(time.Second)
	}
	return t.db.CountLoginFailure(ctx, at, maxKeys,
		data.LoginFailureKey{Key: pair, Forget: func(f data.LoginFailure) time.Time {
			return f.Last.Add(accountDelay(f.Failures) + throttleWindow)
		}},
		data.LoginFailureKey{Key: address, Forget: func(f data.LoginFailure) time.Time {
			return f.First.Add(throttleWindow) // the window's count starts over
		}})
}

// succeed forgets the failures of account from addr (the address's own
// count stays: a right password does not buy more guesses at other names).
func (t *throttle) succeed(ctx context.Context, account, addr string) error {
	pair, _, err := t.keys(ctx, account, addr)
	if err != nil {
		return err
	}
	return t.db.ForgetLoginFailures(ctx, pair)
}

// size returns the number of keys kept.
func (t *throttle) size(ctx context.Context) int {
	n, _ := t.db.CountLoginFailureRows(ctx)
	return n
}

// clientKeySecret names the server secret that keys the hashes of client
// addresses (and account names) in the shared login and ingest counts:
// kept in the database, so that every replica makes the same keys.
const clientKeySecret = "client_key_hmac"
