package app

import (
	"context"
	"sync"
	"time"
)

// jobGroup is the background work the application starts outside a
// request's lifetime: a run of a source started by hand, the scoring run at
// start and after an edit, a token's last-used time. Every goroutine of it
// gets the group's context, which shutdown cancels; shutdown then waits for
// them (bounded), so none outlives the store it writes to.
type jobGroup struct {
	ctx    context.Context // the jobs' context: cancelled by stop
	cancel context.CancelFunc

	mu      sync.Mutex // guards stopped and wg.Add against stop's Wait
	stopped bool
	wg      sync.WaitGroup
}

func newJobGroup() *jobGroup {
	g := &jobGroup{}
	g.ctx, g.cancel = context.WithCancel(context.Background())
	return g
}

// Go runs job in a goroutine of the group with the group's context. Once the
// group is stopped it runs nothing and reports false.
func (g *jobGroup) Go(job func(ctx context.Context)) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped {
		return false
	}
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		job(g.ctx)
	}()
	return true
}

// stop cancels the jobs' context and refuses new jobs. It returns a channel
// closed once every job of the group has returned.
func (g *jobGroup) stop() <-chan struct{} {
	g.mu.Lock()
	g.stopped = true
	g.mu.Unlock()
	g.cancel()
	done := make(chan struct{})
	go func() {
		g.wg.Wait()
		close(done)
	}()
	return done
}

// waitAll waits until every channel is closed or timeout passes, and
// reports whether they all were.
func waitAll(timeout time.Duration, chans ...<-chan struct{}) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for _, c := range chans {
		select {
		case <-c:
		case <-deadline.C:
			return false
		}
	}
	return true
}
