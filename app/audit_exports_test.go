package app

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// auditOf returns the audit entries of an action, newest first.
func auditOf(tb testing.TB, db *data.DB, action string) []data.AuditEntry {
	tb.Helper()
	es, err := db.AuditQuery(context.Background(), data.AuditFilter{Action: action})
	if err != nil {
		tb.Fatal(err)
	}
	return es
}

// hasAudit reports whether entries hold one by actor on target with ok.
func hasAudit(es []data.AuditEntry, actor, target string, ok bool) bool {
	for _, e := range es {
		if e.Actor == actor && e.Target == target && e.OK == ok {
			return true
		}
	}
	return false
}

// README: "logins, exports, user and token changes and hand-started
// collector runs go to the audit log". Every download through the pages
// and the API is one entry, served or refused.
func TestDownloadsAreAudited(t *testing.T) {
	db := seededDB(t)
	mustTakeSnapshot(t, db, closedWeek)
	a := newTestApp(t, db) // requests as the manager
	for _, target := range []string{"/members.csv?segment=robotics", "/api/v1/members?format=csv",
		"/api/v1/snapshots/" + closedWeek + "?format=csv", "/api/v1/snapshots/" + closedWeek + "?format=xlsx",
		"/api/v1/snapshots/" + closedWeek + "?format=json", "/api/v1/snapshots/2026-W20?format=csv",
		"/api/v1/snapshots/" + closedWeek + "?format=pdf"} {
		get(t, a.Fiber(), target)
	}
	es := auditOf(t, db, "export")
	for _, want := range []struct {
		target string
		ok     bool
	}{
		{"members.csv", true},
		{closedWeek + ".csv", true}, {closedWeek + ".xlsx", true}, {closedWeek + ".json", true},
		{"2026-W20.csv", false}, // no snapshot of that week
		{closedWeek + ".pdf", false},
	} {
		if !hasAudit(es, domain.RoleManager, want.target, want.ok) {
			t.Errorf("no audit entry export %s ok=%v by the manager in %+v", want.target, want.ok, es)
		}
	}
	n := 0
	for _, e := range es {
		if e.Target == "members.csv" {
			n++
			if e.OK && !strings.Contains(e.Detail, "rows") {
				t.Errorf("members.csv entry %q does not say what was exported", e.Detail)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d members.csv entries, want 2 (page and API)", n)
	}
	// The plain snapshot JSON is an API read, not a download.
	before := len(auditOf(t, db, "export"))
	get(t, a.Fiber(), "/api/v1/snapshots/"+closedWeek)
	if after := len(auditOf(t, db, "export")); after != before {
		t.Errorf("reading /api/v1/snapshots/%s wrote %d export entries", closedWeek, after-before)
	}
}

func TestRunNowIsAudited(t *testing.T) {
	srv := fakeGitHub(t)
	db := datatest.MustOpenDB(t)
	a, err := New(configWithGitHub(t, srv.URL), db, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	withTestAccounts(t, a)
	for _, target := range []string{"/api/v1/sources/sdk/run", "/sources/nope/run"} {
		resp := do(t, a.Fiber(), httptest.NewRequest("POST", target, nil))
		resp.Body.Close()
	}
	es := auditOf(t, db, "source.run")
	if !hasAudit(es, domain.RoleManager, "sdk", true) || !hasAudit(es, domain.RoleManager, "nope", false) {
		t.Errorf("run-now audit entries %+v, want sdk started and nope refused", es)
	}
	// Let the started run finish before the database closes.
	for i := 0; i < 400 && a.sources[0].running.Load(); i++ {
		time.Sleep(25 * time.Millisecond)
	}

	// `ecopulse collect` is a hand-started run too.
	var out strings.Builder
	env := &Env{Config: configWithGitHub(t, srv.URL), Log: quietLogger(), Out: &out, Now: time.Now}
	env.Config.DB = db.Path()
	if err := Collect(context.Background(), env, []string{"sdk"}); err != nil {
		t.Fatalf("collect: %v\n%s", err, out.String())
	}
	if es := auditOf(t, db, "source.run"); !hasAudit(es, cliActor, "sdk", true) {
		t.Errorf("collect: audit entries %+v, want one by cli", es)
	}
}

func TestExportAndImportCommandsAreAudited(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	mustTakeSnapshot(t, db, closedWeek)
	env, _ := snapshotEnv(t, db, demoEnd)
	dir := t.TempDir()
	if err := Export(ctx, env, closedWeek, "xlsx", filepath.Join(dir, "w.xlsx")); err != nil {
		t.Fatal(err)
	}
	if err := Export(ctx, env, "", "csv", "-"); err != nil {
		t.Fatal(err)
	}
	if err := Export(ctx, env, "2026-W20", "csv", filepath.Join(dir, "missing.csv")); err == nil {
		t.Fatal("export of a week without snapshot succeeded")
	}
	es := auditOf(t, db, "export")
	for _, want := range []struct {
		target string
		ok     bool
	}{{closedWeek + ".xlsx", true}, {closedWeek + ".csv", true}, {"2026-W20.csv", false}} {
		if !hasAudit(es, cliActor, want.target, want.ok) {
			t.Errorf("no audit entry export %s ok=%v by cli in %+v", want.target, want.ok, es)
		}
	}

	log := filepath.Join(dir, "access.log")
	line := `203.0.113.7 - - [29/Jun/2026:10:00:00 +0000] "GET /v1/models HTTP/1.1" 200 123 "-" "curl/8"` + "\n"
	if err := os.WriteFile(log, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := ImportAccessLog(ctx, env, []string{log}, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.log")
	if err := ImportAccessLog(ctx, env, []string{missing}, ImportOptions{}); err == nil {
		t.Fatal("import of a missing file succeeded")
	}
	es = auditOf(t, db, "import")
	if !hasAudit(es, cliActor, log, true) || !hasAudit(es, cliActor, missing, false) {
		t.Errorf("import audit entries %+v, want the import and the failed one", es)
	}
}
