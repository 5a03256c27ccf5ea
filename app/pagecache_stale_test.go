package app

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/data"
)

// staleRig is a page cache whose data version the test moves by hand —
// this process's writes (local) apart from the other processes' (foreign)
// — in front of a handler that says which version it built, and whose
// builds the test can hold.
type staleRig struct {
	t              *testing.T
	local, foreign atomic.Uint64
	now            atomic.Int64 // the cache's clock, Unix nanoseconds
	pc             *pageCache
	f              *fiber.App
	held           chan string // a held build's key
	release        chan struct{}
	waited         chan string // a request that waits for a build
}

func newStaleRig(t *testing.T) *staleRig {
	r := &staleRig{t: t, waited: make(chan string, 8)}
	r.local.Store(1)
	r.now.Store(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	r.pc = newPageCache(time.Minute, 0, 1<<20, func(data.DataKind) (uint64, uint64) { return r.local.Load(), r.foreign.Load() })
	r.pc.now = func() time.Time { return time.Unix(0, r.now.Load()).UTC() }
	r.f = testCacheApp(r.pc, func(c *fiber.Ctx) error {
		return c.SendString(fmt.Sprint("page at ", r.local.Load()+r.foreign.Load()))
	})
	r.pc.onWait = func(key string) { r.waited <- key }
	return r
}

// hold makes the next build wait for release, and reports its key on held.
func (r *staleRig) hold() {
	r.held, r.release = make(chan string, 1), make(chan struct{})
	var once atomic.Bool
	r.pc.onBuild = func(key string) {
		if once.CompareAndSwap(false, true) {
			r.held <- key
			<-r.release
		}
	}
}

func (r *staleRig) get() cacheResponse {
	return testCacheGet(r.t, r.f, "/page", "viewer", "who")
}

// startBuild sends a GET that starts the held build of the current
// version, and returns where its response will come.
func (r *staleRig) startBuild() chan cacheResponse {
	r.hold()
	out := make(chan cacheResponse, 1)
	go func() { out <- r.get() }()
	<-r.held
	return out
}

// getDuringBuild sends a GET while a build is held and returns its
// response, and whether it waited for the build (the build is released
// then, so that it can end).
func (r *staleRig) getDuringBuild() (cacheResponse, bool) {
	out := make(chan cacheResponse, 1)
	go func() { out <- r.get() }()
	select {
	case resp := <-out:
		return resp, false
	case <-r.waited:
		close(r.release)
		r.release = nil
		return <-out, true
	}
}

func (r *staleRig) end(build chan cacheResponse) cacheResponse {
	if r.release != nil {
		close(r.release)
	}
	return <-build
}

func expect(t *testing.T, what string, got cacheResponse, cache, body string) {
	t.Helper()
	if got.status != http.StatusOK || got.header.Get(cacheHeader) != cache || got.body != body {
		t.Errorf("%s: %d, X-Cache %q, body %q; want X-Cache %q, body %q", what, got.status, got.header.Get(cacheHeader), got.body, cache, body)
	}
}

// After another process's write, the requests that come while the first
// one builds the new version are served the page they were served before,
// instead of all waiting for the build; after this process's own write
// they wait (a request that follows a write sees it); an expired page is
// never served.
func TestPageCacheServesTheLastPageWhileAnotherProcessWriteIsBuilt(t *testing.T) {
	r := newStaleRig(t)
	expect(t, "first", r.get(), cacheMiss, "page at 1")

	r.foreign.Add(1) // an import in another process committed
	build := r.startBuild()
	during, waited := r.getDuringBuild()
	if waited {
		t.Errorf("after another process's write, a request waited for the build")
	}
	expect(t, "during the build after another process's write", during, cacheStale, "page at 1")
	expect(t, "the build", r.end(build), cacheMiss, "page at 2")
	expect(t, "after the build", r.get(), cacheHit, "page at 2")

	r.local.Add(1) // this process wrote
	build = r.startBuild()
	during, waited = r.getDuringBuild()
	if !waited {
		t.Errorf("after this process's write, a request did not wait for the build")
	}
	expect(t, "during the build after this process's write", during, cacheHit, "page at 3")
	expect(t, "the build", r.end(build), cacheMiss, "page at 3")

	// Both: this process's write is in the version, so no page before it.
	r.foreign.Add(1)
	r.local.Add(1)
	build = r.startBuild()
	if _, waited = r.getDuringBuild(); !waited {
		t.Errorf("after writes of both, a request did not wait for the build")
	}
	r.end(build)

	// An expired page is not served, however the version moved.
	r.foreign.Add(1)
	r.now.Add(int64(time.Minute))
	build = r.startBuild()
	if _, waited = r.getDuringBuild(); !waited {
		t.Errorf("a page past its time was served during a build")
	}
	r.end(build)
}
