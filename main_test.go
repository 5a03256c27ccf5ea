package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
)

func runCLI(tb testing.TB, args ...string) (string, string, error) {
	tb.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), err
}

func TestHelpWorksEverywhere(t *testing.T) {
	out, _, err := runCLI(t, "--help")
	if err != nil {
		t.Fatalf("--help: %v", err)
	}
	for _, cmd := range []string{"serve", "demo", "score", "collect", "snapshot", "export", "migrate", "backup"} {
		if !strings.Contains(out, "  "+cmd+" ") {
			t.Errorf("--help does not list %s", cmd)
		}
		_, help, err := runCLI(t, cmd, "--help")
		if !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%s --help: err = %v, want flag.ErrHelp (exit 0)", cmd, err)
		}
		if !strings.Contains(help, "Usage: ecopulse "+cmd) || !strings.Contains(help, "-db") {
			t.Errorf("%s --help says %q", cmd, help)
		}
	}
}

func TestFailuresAreOneLine(t *testing.T) {
	for _, args := range [][]string{
		{"frobnicate"},
		{"score", "--at", "31/12/2026", "--db", filepath.Join(t.TempDir(), "x.db")},
		{"backup"},
		{"serve", "--log-format", "xml", "--db", filepath.Join(t.TempDir(), "x.db")},
		{"demo", "--config", filepath.Join(t.TempDir(), "missing.yaml")},
	} {
		_, _, err := runCLI(t, args...)
		if err == nil {
			t.Errorf("%v succeeded", args)
			continue
		}
		if msg := oneLine(err); msg == "" || strings.Contains(msg, "\n") {
			t.Errorf("%v: reason %q is not one line", args, msg)
		}
	}
}

// TestDemoThenScoreJSONHoldsTheModel runs the commands a person would:
// migrate, demo, then score --json, and checks the printed numbers satisfy
// C = T·I·M, R = Σ C·K and Σ φ = R.
func TestDemoThenScoreJSONHoldsTheModel(t *testing.T) {
	db := datatest.Target(t)
	out, _, err := runCLI(t, "migrate", "--db", db)
	if err != nil || !strings.Contains(out, "schema version") {
		t.Fatalf("migrate: %v %q", err, out)
	}
	if _, _, err := runCLI(t, "demo", "--db", db); err != nil {
		t.Fatalf("demo: %v", err)
	}
	if _, _, err := runCLI(t, "demo", "--db", db); err == nil {
		t.Error("a second demo into a filled database succeeded")
	}
	out, _, err = runCLI(t, "score", "--json", "--db", db)
	if err != nil {
		t.Fatalf("score --json: %v", err)
	}
	var s struct {
		Ecosystem struct{ R, Health float64 }
		Members   []struct {
			Slug          string
			T, I, M, C, K float64
			Phi           float64 `json:"phi"`
		}
		Edges []struct {
			A, B string
			K    float64 `json:"k"`
		}
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("score --json printed %q: %v", out[:min(len(out), 200)], err)
	}
	if len(s.Members) < 30 {
		t.Fatalf("%d members scored", len(s.Members))
	}
	var r, phi float64
	for _, m := range s.Members {
		if math.Abs(m.C-m.T*m.I*m.M) > 1e-12 {
			t.Errorf("%s: C = %v ≠ T·I·M = %v", m.Slug, m.C, m.T*m.I*m.M)
		}
		r += m.C * m.K
		phi += m.Phi
	}
	if math.Abs(r-s.Ecosystem.R) > 1e-9 || math.Abs(phi-s.Ecosystem.R) > 1e-9 {
		t.Errorf("R = %v, Σ C·K = %v, Σ φ = %v", s.Ecosystem.R, r, phi)
	}
	// The demo's last closed week can be frozen once, and exported.
	out, _, err = runCLI(t, "snapshot", "--db", db)
	if err != nil || !strings.Contains(out, "snapshot of") {
		t.Fatalf("snapshot: %v %q", err, out)
	}
	if _, _, err := runCLI(t, "snapshot", "--db", db); err == nil || !strings.Contains(oneLine(err), "never rewritten") {
		t.Errorf("second snapshot of the week: %v", err)
	}
	csvOut, _, err := runCLI(t, "export", "--format", "csv", "--db", db)
	if err != nil || strings.Count(csvOut, "\n") < 31 {
		t.Errorf("export csv: %v, %d lines", err, strings.Count(csvOut, "\n"))
	}
	xlsx := filepath.Join(t.TempDir(), "week.xlsx")
	if _, _, err := runCLI(t, "export", "--format", "xlsx", "-o", xlsx, "--db", db); err != nil {
		t.Fatalf("export xlsx: %v", err)
	}
	if b, err := os.ReadFile(xlsx); err != nil || !bytes.HasPrefix(b, []byte("PK")) {
		t.Errorf("the XLSX export is not a zip file: %v", err)
	}
	if out, _, err := runCLI(t, "export", "--series", "3", "--db", db); err != nil || !strings.HasPrefix(out, `"scope","week","day","slug"`) {
		t.Errorf("export --series: %v %q", err, out[:min(len(out), 80)])
	}
	if _, _, err := runCLI(t, "export", "--series", "3", "--against", "2026-W01", "--db", db); err == nil {
		t.Errorf("export --series with --against: no error")
	}
	if datatest.Postgres() {
		return // backup copies SQLite databases (TestBackupCommandOnPostgresSaysHow)
	}
	backup := filepath.Join(t.TempDir(), "copy.db")
	if _, _, err := runCLI(t, "backup", backup, "--db", db); err != nil {
		t.Fatalf("backup: %v", err)
	}
	out, _, err = runCLI(t, "score", "--db", backup)
	if err != nil || !strings.Contains(out, "R = ") {
		t.Errorf("score on the backup: %v %q", err, out)
	}
}

// TestBackupCommandOnPostgresSaysHow: PostgreSQL is backed up with its
// own tools; `ecopulse backup` says which, fails, and writes nothing.
func TestBackupCommandOnPostgresSaysHow(t *testing.T) {
	if !datatest.Postgres() {
		t.Skip("a PostgreSQL database's backup: set " + datatest.PostgresEnv)
	}
	backup := filepath.Join(t.TempDir(), "copy.db")
	_, _, err := runCLI(t, "backup", backup, "--db", datatest.Target(t))
	if err == nil || !strings.Contains(oneLine(err), "pg_dump") || !strings.Contains(oneLine(err), "PITR") {
		t.Errorf("backup of a PostgreSQL database: %v, want a refusal naming pg_dump and PITR", err)
	}
	if _, err := os.Stat(backup); !os.IsNotExist(err) {
		t.Errorf("backup of a PostgreSQL database wrote %s (%v)", backup, err)
	}
}

func TestImportAccessLogPrintsASummary(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	lines := `83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0"
83.149.9.216 - - [17/May/2015:10:05:43 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-dashboard3.png HTTP/1.1" 404 171717 "-" "Mozilla/5.0"
this line is not an access log line
`
	if err := os.WriteFile(log, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	db := datatest.Target(t)
	// --nice 0: the test process keeps its priority (TestImportLowersItsPriority
	// checks the default in a process of its own).
	out, _, err := runCLI(t, "import", "accesslog", "--nice", "0", "--json", log, "--db", db)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	var sum struct{ Files, Lines, Stored, Rejected int }
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("import --json printed %q: %v", out, err)
	}
	if sum.Files != 1 || sum.Lines != 3 || sum.Stored != 2 || sum.Rejected != 1 {
		t.Errorf("summary = %+v, want 1 file, 3 lines, 2 stored, 1 rejected", sum)
	}
	// A second import of the same file resumes at its end: nothing new.
	out, _, err = runCLI(t, "import", "accesslog", "--nice", "0", "--json", log, "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Stored != 0 {
		t.Errorf("re-import stored %+v (%v), want nothing", sum, err)
	}
}
