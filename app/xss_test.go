package app

import (
	"context"
	"database/sql"
	"io"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// Hostile input, as a collector, a partner's registry, a webhook or an
// error message could bring it in. Every field that reaches a page gets one.
var xssPayloads = []string{
	`</script><script>window.__xss=1</script>`,
	`"><img src=x onerror=window.__xss=2>`,
	`javascript:alert(1)`,
	`{{.}}`,
	`__f__function(){window.__xss=4}__f__`,
}

// rawSQL opens a second handle on the app's store, for tests that must
// write what no store method writes (hostile text in every column).
func rawSQL(tb testing.TB, db *data.DB) *sql.DB {
	tb.Helper()
	return datatest.Raw(tb, db)
}

func execSQL(tb testing.TB, raw *sql.DB, q string, args ...any) {
	tb.Helper()
	if _, err := raw.Exec(q, args...); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
}

// snapshotWeek is the closed week of the test ecosystem that tests freeze.
const snapshotWeek = "2026-W26"

// freezeTestSnapshot freezes snapshotWeek (scores of its Sunday).
func freezeTestSnapshot(tb testing.TB, db *data.DB) {
	tb.Helper()
	sunday, err := data.WeekSunday(snapshotWeek)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.FreezeSnapshot(context.Background(), snapshotWeek, sunday, demoEnd); err != nil && domain.ErrorCode(err) != domain.ECONFLICT {
		tb.Fatal(err)
	}
}

// getRoutes returns a concrete URL for every GET route the app registers:
// path parameters get values that exist (a member slug, a snapshot week, a
// source name), so that the pages behind them are really rendered.
func getRoutes(tb testing.TB, a *App, values map[string]string) []string {
	tb.Helper()
	seen := map[string]bool{}
	var out []string
	for _, r := range a.Fiber().GetRoutes(true) {
		if r.Method != "GET" || seen[r.Path] {
			continue
		}
		seen[r.Path] = true
		switch {
		case strings.HasPrefix(r.Path, "/login/oidc"): // redirects to an identity provider
			continue
		case strings.HasPrefix(r.Path, "/static"):
			out = append(out, "/static/app.js")
			continue
		}
		p := paramRE.ReplaceAllStringFunc(r.Path, func(name string) string {
			if v, ok := values[strings.TrimPrefix(name, ":")]; ok {
				return v
			}
			return "x"
		})
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// testRouteValues returns values for path parameters that exist in db.
func testRouteValues(tb testing.TB, db *data.DB) map[string]string {
	tb.Helper()
	ms, err := db.Members(context.Background())
	if err != nil || len(ms) == 0 {
		tb.Fatalf("members: %v", err)
	}
	return map[string]string{"slug": ms[0].Slug, "week": snapshotWeek, "name": "demo"}
}

// fetch sends a GET with a session and returns status, content type and body.
func fetch(tb testing.TB, a *App, s testSession, target string) (int, string, string) {
	tb.Helper()
	req := httptest.NewRequest("GET", target, nil)
	s.apply(req)
	resp, err := a.Fiber().Test(req, -1)
	if err != nil {
		tb.Fatalf("GET %.200s: %v", target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

// seedHostileText puts a payload into every text field that reaches a page.
func seedHostileText(tb testing.TB, db *data.DB) {
	tb.Helper()
	raw := rawSQL(tb, db)
	p := func(i int) string { return xssPayloads[i%len(xssPayloads)] }
	rows, err := raw.Query(`SELECT id FROM members ORDER BY id`)
	if err != nil {
		tb.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	for i, id := range ids {
		execSQL(tb, raw, `UPDATE members SET name = ?, segment = ?, tier = ? WHERE id = ?`,
			p(i)+" member "+string(rune('a'+i%26)), p(i+1), p(i+2), id)
	}
	execSQL(tb, raw, `UPDATE projects SET name = ? || ' #' || id, scope = ?, terms = ?`, p(0), p(1), p(2))
	execSQL(tb, raw, `UPDATE milestones SET title = ? || ' #' || id`, p(3))
	execSQL(tb, raw, `UPDATE activities SET title = ? WHERE id % 3 = 0`, p(4))
	execSQL(tb, raw, `UPDATE activities SET title = ? WHERE id % 3 = 1`, p(0))
	execSQL(tb, raw, `UPDATE activities SET actor = ? || CAST(id % 7 AS TEXT) WHERE bot = FALSE AND id % 5 = 0`, p(1))
	execSQL(tb, raw, `UPDATE api_consumers SET name = ? || ' ' || id`, p(2))
	now := time.Now().Unix()
	for i := range xssPayloads {
		execSQL(tb, raw, `INSERT INTO collector_runs (source, started_at, ended_at, status, error) VALUES (?, ?, ?, 'failed', ?)`,
			p(i), now-60, now-30, p(i+1))
	}
	execSQL(tb, raw, `INSERT INTO collector_runs (source, started_at, ended_at, status, error) VALUES ('demo', ?, ?, 'failed', ?)`, now-20, now-10, p(0))
	var slug string
	if err := raw.QueryRow(`SELECT slug FROM members ORDER BY id LIMIT 1`).Scan(&slug); err != nil {
		tb.Fatal(err)
	}
	for i := range xssPayloads {
		execSQL(tb, raw, `INSERT INTO alerts (rule, subject, member, message, state, first_seen, last_seen) VALUES ('health_below', ?, ?, ?, 'open', ?, ?)`,
			slug+"/"+string(rune('a'+i)), slug, p(i), now-3600, now)
		execSQL(tb, raw, `INSERT INTO alerts (rule, subject, member, message, state, first_seen, last_seen, resolved_at) VALUES ('source_stale', ?, '', ?, 'resolved', ?, ?, ?)`,
			p(i), p(i+1), now-7200, now-3600, now-1800)
	}
	freezeTestSnapshot(tb, db)
}

// jsURLRE finds a javascript: URL in an attribute that a browser follows.
var jsURLRE = regexp.MustCompile(`(?i)\b(?:href|src|action|formaction|xlink:href)\s*=\s*["']?\s*javascript:`)

var jsonBlockRE = regexp.MustCompile(`(?s)<script type="application/json" id="([^"]+)">(.*?)</script>`)

// checkNoLivePayload fails when a page carries a payload in a form a
// browser would run.
func checkNoLivePayload(tb testing.TB, target, ctype, body string) {
	tb.Helper()
	if !strings.HasPrefix(ctype, "text/html") && !strings.HasPrefix(ctype, "application/json") {
		return // downloads (CSV, XLSX) are not rendered by the browser
	}
	for _, bad := range []string{"<script>window.__xss", "<img src=x onerror"} {
		if strings.Contains(body, bad) {
			tb.Errorf("%s (%s) contains %q unescaped", target, ctype, bad)
		}
	}
	if m := jsURLRE.FindString(body); m != "" {
		tb.Errorf("%s (%s) has a javascript: URL: %s", target, ctype, m)
	}
	// __f__…__f__ becomes code only when go-echarts renders it; anywhere the
	// function text appears, it must still be inside its markers (a string).
	if n, m := strings.Count(body, "function(){window.__xss=4}"), strings.Count(body, "__f__function(){window.__xss=4}__f__"); n != m {
		tb.Errorf("%s: the __f__ payload lost its markers (%d of %d)", target, n-m, n)
	}
	if strings.HasPrefix(ctype, "text/html") {
		for _, b := range jsonBlockRE.FindAllStringSubmatch(body, -1) {
			if strings.ContainsAny(b[2], "<>") {
				tb.Errorf("%s: JSON block %s holds a raw < or >", target, b[1])
			}
		}
	}
}

// TestXSSPayloadsInEveryFieldAreInert stores payloads in every text field
// that reaches a page and checks the HTML (and JSON) of every GET route.
func TestXSSPayloadsInEveryFieldAreInert(t *testing.T) {
	db := seededDB(t)
	seedHostileText(t, db)
	a := newTestApp(t, db)
	admin := loginAs(t, a, domain.RoleAdmin)
	vals := testRouteValues(t, db)
	seenText := false
	for _, target := range getRoutes(t, a, vals) {
		status, ctype, body := fetch(t, a, admin, target)
		if status >= 500 {
			t.Errorf("GET %s = %d", target, status)
		}
		checkNoLivePayload(t, target, ctype, body)
		seenText = seenText || strings.Contains(body, "&lt;/script&gt;&lt;script&gt;window.__xss=1&lt;/script&gt;")
	}
	// Pages with payloads in their query and path parameters.
	for _, p := range xssPayloads {
		for _, target := range []string{"/members?q=", "/members?segment=", "/network?segment=", "/admin/audit?actor=", "/login?next=", "/members/", "/snapshots/"} {
			status, ctype, body := fetch(t, a, admin, target+urlEscape(p))
			if status >= 500 {
				t.Errorf("GET %s%s = %d", target, p, status)
			}
			checkNoLivePayload(t, target+p, ctype, body)
		}
	}
	if !seenText {
		t.Error("no page shows a payload as text: the payloads did not reach the pages")
	}
}

func urlEscape(s string) string {
	return strings.NewReplacer("%", "%25", "&", "%26", "#", "%23", "?", "%3F", " ", "%20", "+", "%2B", "/", "%2F").Replace(s)
}

// TestXSSBrowserRunsNoPayload opens the main pages with every field
// hostile in headless Chromium: no payload may run.
func TestXSSBrowserRunsNoPayload(t *testing.T) {
	db := seededDB(t)
	seedHostileText(t, db)
	a := newTestApp(t, db)
	b, base := browseApp(t, a, domain.RoleAdmin)
	pages := append(browserPages(t, a, db), "/members?q="+urlEscape(xssPayloads[0]), "/admin/audit?actor="+urlEscape(xssPayloads[1]))
	for _, p := range pages {
		if err := chromedp.Do(b.ctx,
			chromedp.Navigate(base+p),
			chromedp.WaitVisible(chromedp.CSS("body[data-ready]")),
		); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if xss := evalString(t, b, `String(window.__xss)`); xss != "undefined" {
			t.Errorf("%s: an injected script ran: window.__xss = %s", p, xss)
		}
		if n := evalInt(t, b, `document.querySelectorAll('img[src="x"], script:not([src]):not([type="application/json"])').length`); n != 0 {
			t.Errorf("%s: %d injected elements in the DOM", p, n)
		}
	}
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Logf("console errors: %v", errs)
	}
}
