package app

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// sqlPayloads are SQL metacharacters and oversized or odd input.
var sqlPayloads = []string{
	`' OR 1=1 --`,
	`%`,
	`_`,
	`\`,
	`"; DROP TABLE members; --`,
	"a\x00b",
	strings.Repeat("x", 1500), // a URL longer than this is refused before routing (431)
	`'); DELETE FROM users; --`,
}

// queryParams are the filter, search, sort and date parameters any GET
// route reads (a route ignores those it does not know).
var queryParams = []string{"q", "segment", "tier", "kind", "status", "sort", "order", "member", "format",
	"at", "from", "to", "week", "top", "limit", "actor", "action", "range", "page", "next", "slug", "name", "source", "project"}

// tableCounts counts the rows of every table (sessions aside: the gate
// saves the session of every request).
func tableCounts(tb testing.TB, db *data.DB, raw *sql.DB) map[string]int64 {
	tb.Helper()
	tables := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'sessions'`
	if db.Backend() == "postgres" {
		tables = `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'sessions'`
	}
	rows, err := raw.Query(tables)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	out := map[string]int64{}
	for _, n := range names {
		var c int64
		if err := raw.QueryRow(`SELECT COUNT(*) FROM "` + n + `"`).Scan(&c); err != nil {
			tb.Fatal(err)
		}
		out[n] = c
	}
	return out
}

// TestSQLMetacharactersInEveryParameter sends SQL metacharacters, NUL bytes
// and very long strings in every path and query parameter of every GET
// route: no 500, no change to the database, and searches match literally.
func TestSQLMetacharactersInEveryParameter(t *testing.T) {
	db := seededDB(t)
	freezeTestSnapshot(t, db)
	a := newTestApp(t, db)
	raw := rawSQL(t, db)
	admin := loginAs(t, a, domain.RoleAdmin)
	before := tableCounts(t, db, raw)
	routes := getRoutes(t, a, testRouteValues(t, db))
	requests := 0
	try := func(target string) {
		t.Helper()
		requests++
		status, _, body := fetch(t, a, admin, target)
		if status >= 500 {
			t.Errorf("GET %s = %d: %.200s", clip(target, 120), status, body)
		}
	}
	for _, route := range routes {
		if route == "/metrics" || strings.HasPrefix(route, "/static/") {
			continue
		}
		// Find the parameters the route reads: those whose benign value
		// changes its answer.
		_, _, plain := fetch(t, a, admin, route)
		var used []string
		for _, q := range queryParams {
			if _, _, b := fetch(t, a, admin, route+"?"+q+"=zz"); b != plain {
				used = append(used, q)
			}
		}
		for _, p := range sqlPayloads {
			for _, q := range used {
				try(route + "?" + q + "=" + url.QueryEscape(p))
			}
			// Every parameter at once, too.
			v := url.Values{}
			for _, q := range queryParams {
				v.Set(q, clip(p, 100)) // the request line must stay under 4 KB
			}
			try(route + "?" + v.Encode())
		}
	}
	// Path parameters.
	for _, p := range sqlPayloads {
		e := url.PathEscape(p)
		for _, target := range []string{"/members/" + e, "/api/v1/members/" + e, "/snapshots/" + e, "/api/v1/snapshots/" + e} {
			try(target)
		}
	}
	t.Logf("%d requests", requests)
	after := tableCounts(t, db, raw)
	for table, n := range before {
		if table == "audit_log" {
			continue // downloads (?format=csv) are audited: checked below
		}
		if after[table] != n {
			t.Errorf("table %s: %d rows before, %d after", table, n, after[table])
		}
	}
	if added := after["audit_log"] - before["audit_log"]; added > 0 {
		es, err := db.AuditQuery(context.Background(), data.AuditFilter{Limit: int(added)})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.Action != "export" {
				t.Errorf("audit entry %+v written by GET requests, want only downloads", e)
			}
		}
	}
	if _, err := raw.Exec(`SELECT 1 FROM members LIMIT 1`); err != nil {
		t.Errorf("members table: %v", err)
	}

	// Sane results: a search matches its text literally, wildcards included.
	all := membersFound(t, a, admin, "")
	if len(all) == 0 {
		t.Fatal("no member listed")
	}
	for _, p := range []string{`%`, `_`, `\`, `' OR 1=1 --`, `"; DROP TABLE members; --`} {
		if got := membersFound(t, a, admin, p); len(got) != 0 {
			t.Errorf("search %q found %d members, want 0 (no name contains it)", p, len(got))
		}
	}
	// …and still finds real names.
	name := all[0]
	if got := membersFound(t, a, admin, name[:min(len(name), 5)]); len(got) == 0 {
		t.Errorf("search %q found nothing", name[:5])
	}
	// The audit filter matches literally too.
	for _, p := range []string{`%`, `_`, `' OR 1=1 --`} {
		status, _, body := fetch(t, a, admin, "/api/v1/admin/audit?action="+url.QueryEscape(p))
		var got struct{ Entries []data.AuditEntry }
		if status != 200 || json.Unmarshal([]byte(body), &got) != nil || len(got.Entries) != 0 {
			t.Errorf("audit action %q: status %d, %d entries, want 200 and none", p, status, len(got.Entries))
		}
	}
}

// membersFound returns the names /api/v1/members lists for a search.
func membersFound(tb testing.TB, a *App, s testSession, q string) []string {
	tb.Helper()
	status, _, body := fetch(tb, a, s, "/api/v1/members?q="+url.QueryEscape(q))
	if status != 200 {
		tb.Fatalf("search %q: %d %s", q, status, body)
	}
	var m struct {
		Members []struct {
			Name string `json:"name"`
		} `json:"members"`
	}
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, x := range m.Members {
		out = append(out, x.Name)
	}
	return out
}
