package app

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
)

// TestPagesDoNotWaitForWriters holds the database's write lock from another
// connection — as an import or a collector in another process does
// (holdWriteLock) — and checks that pages and the JSON API still answer: a page view must never
// need the write lock (it would queue behind the writer and could fail
// with "database is locked").
func TestPagesDoNotWaitForWriters(t *testing.T) {
	db := seededDB(t)
	a := newTestApp(t, db)
	// Warm up: the first request of a session may save it once.
	get(t, a.Fiber(), "/api/v1/overview")

	defer holdWriteLock(t, db)()

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

	release := holdWriteLock(t, db)
	locked := true
	unlock := func() {
		if locked {
			release()
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

// holdWriteLock makes another connection hold, until release, what stops
// every write to db's store and lets reads through: on SQLite the
// database's write lock (BEGIN IMMEDIATE), as an import or a collector in
// another process holds it; on PostgreSQL, which has no such lock (its
// writers lock rows), a SHARE lock on every table, which makes any write
// wait.
func holdWriteLock(t *testing.T, db *data.DB) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := datatest.Raw(t, db).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lock := "BEGIN IMMEDIATE"
	if db.Backend() == "postgres" {
		var tables string
		if err := conn.QueryRowContext(ctx, `SELECT string_agg(quote_ident(table_name), ', ') FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`).Scan(&tables); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
			t.Fatal(err)
		}
		lock = "LOCK TABLE " + tables + " IN SHARE MODE"
	}
	if _, err := conn.ExecContext(ctx, lock); err != nil {
		t.Fatal(err)
	}
	return func() {
		conn.ExecContext(ctx, "ROLLBACK")
		conn.Close()
	}
}
