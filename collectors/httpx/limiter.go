package httpx

import (
	"context"
	"sync"
	"time"
)

// Limiter spaces requests at a fixed interval: at most one request per
// Interval, the first one at once. It keeps no goroutine and reads no clock
// of its own: the caller passes the time, so tests drive it with a fake
// clock.
type Limiter struct {
	Interval time.Duration

	mu   sync.Mutex
	next time.Time // earliest start of the next request
}

// PerMinute returns a Limiter allowing n requests a minute (nil if n ≤ 0:
// no pacing).
func PerMinute(n int) *Limiter {
	if n <= 0 {
		return nil
	}
	return &Limiter{Interval: time.Minute / time.Duration(n)}
}

// Reserve books the next request slot at or after now and returns how long
// the caller must wait before sending it.
func (l *Limiter) Reserve(now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.next.Before(now) {
		l.next = now
	}
	wait := l.next.Sub(now)
	l.next = l.next.Add(l.Interval)
	return wait
}

// Wait reserves a slot and sleeps until it comes.
func (l *Limiter) Wait(ctx context.Context, now func() time.Time, sleep SleepFunc) error {
	if l == nil {
		return nil
	}
	if d := l.Reserve(now()); d > 0 {
		return sleep(ctx, d)
	}
	return ctx.Err()
}
