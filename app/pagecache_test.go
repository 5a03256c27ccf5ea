package app

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/views"
)

func getAs(tb testing.TB, a *App, s testSession, target string) (int, string, string) {
	tb.Helper()
	req := httptest.NewRequest("GET", target, nil)
	s.apply(req)
	resp, err := a.Fiber().Test(req, -1)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("X-Cache")
}

func TestPageCacheServesRepeatsAndFollowsWrites(t *testing.T) {
	db := seededDB(t)
	a := newTestApp(t, db)
	viewer := loginAs(t, a, "viewer")
	manager := loginAs(t, a, "manager")

	_, first, c1 := getAs(t, a, viewer, "/")
	_, second, c2 := getAs(t, a, viewer, "/")
	if c1 != "miss" || c2 != "hit" || first != second {
		t.Fatalf("repeat of / : X-Cache %q then %q (same body %v), want miss then hit", c1, c2, first == second)
	}
	if _, _, c := getAs(t, a, manager, "/"); c != "miss" {
		t.Errorf("another role's first request: X-Cache %q, want miss (roles have their own entries)", c)
	}
	if _, _, c := getAs(t, a, viewer, "/?at=2026-06-29"); c != "miss" {
		t.Errorf("another query string: X-Cache %q, want miss", c)
	}

	// A write in this process changes what pages show: the next view is built anew.
	s, err := views.BuildScores(context.Background(), db, demoEnd)
	if err != nil {
		t.Fatal(err)
	}
	renameMember(t, db, s.Members[0].Slug, "Renamed Partner Ltd")
	_, body, c := getAs(t, a, viewer, "/")
	if c != "miss" || !strings.Contains(body, "Renamed Partner Ltd") {
		t.Errorf("after a write: X-Cache %q, new name shown %v", c, strings.Contains(body, "Renamed Partner Ltd"))
	}

	// Errors, per-user answers and downloads are never kept.
	for _, target := range []string{"/members/no-such-member", "/api/v1/me", "/sources"} {
		getAs(t, a, viewer, target)
		if _, _, c := getAs(t, a, viewer, target); c == "hit" {
			t.Errorf("GET %s was served from the cache", target)
		}
	}
	// Session and audit writes (a login) do not empty the cache.
	getAs(t, a, viewer, "/api/v1/overview")
	loginAs(t, a, "admin")
	if _, _, c := getAs(t, a, viewer, "/api/v1/overview"); c != "hit" {
		t.Errorf("after a login: X-Cache %q, want hit", c)
	}
}
