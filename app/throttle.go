package app

import (
	"container/list"
	"sync"
	"time"
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
// Its memory is bounded: a key is stored only when a failure happens, is
// forgotten once it has been quiet for throttleWindow past its delay, and at
// most maxThrottleKeys keys are kept (the least recently failed go first).
type throttle struct {
	mu    sync.Mutex
	keys  map[string]*list.Element // of *throttleEntry
	order *list.List               // most recently failed first
	clock func() time.Time         // tests; nil: time.Now
}

type throttleEntry struct {
	key      string
	failures int
	first    time.Time // of the per-address window
	last     time.Time // the latest failure
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

func accountKey(account, addr string) string { return "acct:" + account + "\x00" + addr }
func addressKey(addr string) string          { return "addr:" + addr }

// accountDelay is how long an address waits after its n-th failure for one
// account.
func accountDelay(n int) time.Duration {
	if n < throttleFreeFailures {
		return 0
	}
	shift := n - throttleFreeFailures
	if shift > 20 { // far past the cap: do not overflow
		return throttleMaxDelay
	}
	return min(time.Second<<shift, throttleMaxDelay)
}

// lookup returns a live entry, forgetting a stale one. It never stores.
func (t *throttle) lookup(key string, now time.Time) *throttleEntry {
	el, ok := t.keys[key]
	if !ok {
		return nil
	}
	e := el.Value.(*throttleEntry)
	if now.Sub(e.last) > accountDelay(e.failures)+throttleWindow {
		t.order.Remove(el)
		delete(t.keys, key)
		return nil
	}
	return e
}

// blocked reports whether a login for account from addr must wait, and how
// long.
func (t *throttle) blocked(account, addr string, now time.Time) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	wait := time.Duration(0)
	if e := t.lookup(accountKey(account, addr), now); e != nil {
		wait = max(wait, e.last.Add(accountDelay(e.failures)).Sub(now))
	}
	if e := t.lookup(addressKey(addr), now); e != nil && e.failures >= maxAddressFailures && now.Sub(e.first) < throttleWindow {
		wait = max(wait, e.first.Add(throttleWindow).Sub(now))
	}
	return wait > 0, wait
}

// fail counts a failed login of account from addr.
func (t *throttle) fail(account, addr string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.touch(accountKey(account, addr), now)
	e.failures++
	e.last = now
	e = t.touch(addressKey(addr), now)
	if now.Sub(e.first) >= throttleWindow {
		e.first, e.failures = now, 0
	}
	e.failures++
	e.last = now
}

// touch returns the entry of key, made when missing, as the most recent.
func (t *throttle) touch(key string, now time.Time) *throttleEntry {
	if t.keys == nil {
		t.keys, t.order = map[string]*list.Element{}, list.New()
	}
	if e := t.lookup(key, now); e != nil {
		t.order.MoveToFront(t.keys[key])
		return e
	}
	for len(t.keys) >= maxThrottleKeys {
		oldest := t.order.Back()
		t.order.Remove(oldest)
		delete(t.keys, oldest.Value.(*throttleEntry).key)
	}
	e := &throttleEntry{key: key, first: now}
	t.keys[key] = t.order.PushFront(e)
	return e
}

// succeed forgets the failures of account from addr (the address's own
// count stays: a right password does not buy more guesses at other names).
func (t *throttle) succeed(account, addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if el, ok := t.keys[accountKey(account, addr)]; ok {
		t.order.Remove(el)
		delete(t.keys, accountKey(account, addr))
	}
}

// size returns the number of keys kept.
func (t *throttle) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.keys)
}
