package app

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	_ "modernc.org/sqlite"
)

// TestPagesDoNotWaitForWriters holds the database's write lock from another
// connection — as an import or a collector in another process does — and
// checks that pages and the JSON API still answer: a page view must never
// need the write lock (it would queue behind the writer and could fail
// with "database is locked").
func TestPagesDoNotWaitForWriters(t *testing.T) {
	db := seededDB(t)
	a := newTestApp(t, db)
	// Warm up: the first request of a session may save it once.
	get(t, a.Fiber(), "/api/v1/overview")

	other, err := sql.Open("sqlite", "file:"+db.Path()+"?_pragma=busy_timeout(50)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := context.Background()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "ROLLBACK")

	for _, target := range []string{"/", "/api/v1/overview", "/api/v1/scores", "/members", "/api/v1/sources"} {
		req := httptest.NewRequest("GET", target, nil)
		if s, ok := testSessions.Load(a.Fiber()); ok {
			s.(testSession).apply(req)
		}
		// A handler that needed the write lock would wait busy_timeout (10 s).
		resp, err := a.Fiber().Test(req, 5000)
		if err != nil {
			t.Errorf("GET %s while another connection writes: %v", target, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s while another connection writes: status %d", target, resp.StatusCode)
		}
	}
}

// TestSessionSlideDoesNotHoldUpOtherRequests: when a session's idle expiry is
// due to slide while another connection holds the write lock, one request
// saves it (and waits); the session's other requests go on at once, and the
// slide's wait ends in a page, not an error.
func TestSessionSlideDoesNotHoldUpOtherRequests(t *testing.T) {
	db := seededDB(t)
	a := newTestApp(t, db)
	get(t, a.Fiber(), "/api/v1/overview") // the session is created and saved
	a.touchEvery = 0                      // from now on every request is due to slide it

	other, err := sql.Open("sqlite", "file:"+db.Path()+"?_pragma=busy_timeout(50)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := context.Background()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	locked := true
	unlock := func() {
		if locked {
			conn.ExecContext(ctx, "ROLLBACK")
			locked = false
		}
	}
	defer unlock()

	request := func(target string) *http.Request {
		req := httptest.NewRequest("GET", target, nil)
		if s, ok := testSessions.Load(a.Fiber()); ok {
			s.(testSession).apply(req)
		}
		return req
	}
	sliding := make(chan struct{})
	a.slideHook = func() { close(sliding); a.slideHook = nil }
	first := make(chan error, 1)
	go func() {
		resp, err := a.Fiber().Test(request("/api/v1/overview"), -1)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != 200 {
				err = fmt.Errorf("status %d", resp.StatusCode)
			}
		}
		first <- err
	}()
	<-sliding // the first request is saving the session and waits for the lock

	// The same session's next request must not wait for that save.
	resp, err := a.Fiber().Test(request("/api/v1/scores"), 3000)
	if err != nil {
		t.Fatalf("a request while the session's slide waits for the write lock: %v", err)
	}
	resp.Body.Close()
	if got, want := resp.StatusCode, 200; got != want {
		t.Errorf("status %d, want %d", got, want)
	}
	unlock()
	if err := <-first; err != nil {
		t.Errorf("the request that slid the session: %v", err)
	}
}
