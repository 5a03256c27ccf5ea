package app

import (
	"context"
	"database/sql"
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
