// Package collectors defines how EcoPulse reads its sources: a Source reads
// what is new since its stored cursor and commits rows and cursor together;
// the Runner records each run and retries transient failures with backoff.
// Each source family lives in a sub-package.
package collectors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// Source collects from one configured source.
type Source interface {
	// Collect reads what is new since the source's cursor (env.DB.Cursor of
	// env.Name) and stores it, committing the rows and the moved cursor in
	// the same transaction, so that a crash at any moment neither loses nor
	// double-counts. It returns what it read, stored and rejected.
	Collect(ctx context.Context, env Env) (Stats, error)
}

// Env is what a source gets for one run.
type Env struct {
	DB   *data.DB
	Name string // the source's configured name: its cursor and run records use it
	Log  *slog.Logger
	Now  func() time.Time
}

// Stats counts one run's items.
type Stats struct {
	Read     int64
	Stored   int64
	Rejected int64
	Cursor   string // the cursor after the run, for the run record
}

// Add sums two stats; the later cursor wins when set.
func (s Stats) Add(o Stats) Stats {
	s.Read += o.Read
	s.Stored += o.Stored
	s.Rejected += o.Rejected
	if o.Cursor != "" {
		s.Cursor = o.Cursor
	}
	return s
}

// TransientError marks a failure worth retrying (a 5xx, a timeout, a rate
// limit), optionally with how long the source asked us to wait.
type TransientError struct {
	Err        error
	RetryAfter time.Duration
}

func (e *TransientError) Error() string { return e.Err.Error() }
func (e *TransientError) Unwrap() error { return e.Err }

// Transient wraps err as retryable after at least retryAfter (0: backoff decides).
func Transient(err error, retryAfter time.Duration) error {
	if err == nil {
		return nil
	}
	return &TransientError{Err: err, RetryAfter: retryAfter}
}

// IsTransient reports whether err is retryable, and the wait it asks for.
func IsTransient(err error) (bool, time.Duration) {
	var t *TransientError
	if errors.As(err, &t) {
		return true, t.RetryAfter
	}
	return false, 0
}

// Runner runs sources, records every run and retries transient failures.
type Runner struct {
	DB       *data.DB
	Log      *slog.Logger
	Now      func() time.Time
	Attempts int           // tries per run, default 4
	Backoff  time.Duration // first wait, doubled each retry (with jitter), default 2 s
	MaxWait  time.Duration // cap on one wait, default 2 min
	// Sleep waits d or until ctx is done; tests replace it to run without delays.
	Sleep func(ctx context.Context, d time.Duration) error
}

func (r *Runner) defaults() {
	if r.Attempts <= 0 {
		r.Attempts = 4
	}
	if r.Backoff <= 0 {
		r.Backoff = 2 * time.Second
	}
	if r.MaxWait <= 0 {
		r.MaxWait = 2 * time.Minute
	}
	if r.Sleep == nil {
		r.Sleep = Sleep
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Log == nil {
		r.Log = slog.Default()
	}
}

// Sleep waits d, or until ctx is done (its error then). It is the one real
// wait of collectors, their HTTP client and the alert notifier; tests put a
// recording function of the same shape in its place.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Run runs src once (with retries) under a run record and returns the record.
// What an attempt committed before failing stays committed: its cursor moved
// with it, so the retry goes on from there.
func (r *Runner) Run(ctx context.Context, name string, src Source) (*domain.CollectorRun, error) {
	r.defaults()
	run := &domain.CollectorRun{Source: name, StartedAt: r.Now()}
	if err := r.DB.StartRun(ctx, run); err != nil {
		return nil, err
	}
	env := Env{DB: r.DB, Name: name, Log: r.Log.With("source", name), Now: r.Now}
	var total Stats
	var err error
	for attempt := 1; ; attempt++ {
		var st Stats
		st, err = src.Collect(ctx, env)
		total = total.Add(st)
		if err == nil || ctx.Err() != nil {
			break
		}
		retry, after := IsTransient(err)
		if !retry || attempt >= r.Attempts {
			break
		}
		wait := r.backoff(attempt, after)
		env.Log.Warn("collector attempt failed; retrying", "attempt", attempt, "wait", wait, "err", err)
		if serr := r.Sleep(ctx, wait); serr != nil {
			err = serr
			break
		}
	}
	run.ItemsRead, run.ItemsStored, run.ItemsRejected, run.Cursor = total.Read, total.Stored, total.Rejected, total.Cursor
	run.Status = domain.RunSucceeded
	if err != nil {
		run.Status = domain.RunFailed
		run.Error = err.Error()
	}
	run.EndedAt = r.Now()
	// The run record is written even when ctx was cancelled (shutdown).
	if ferr := r.DB.FinishRun(context.WithoutCancel(ctx), run); ferr != nil {
		return run, errors.Join(err, ferr)
	}
	if err != nil {
		return run, fmt.Errorf("source %s: %w", name, err)
	}
	return run, nil
}

// backoff returns the wait before retry n: the source's own wait when it
// gave one, else exponential from Backoff with ±25% jitter, capped.
func (r *Runner) backoff(n int, asked time.Duration) time.Duration {
	if asked > 0 {
		return min(asked, r.MaxWait)
	}
	d := r.Backoff << (n - 1)
	d = time.Duration(float64(d) * (0.75 + rand.Float64()/2))
	return min(d, r.MaxWait)
}
