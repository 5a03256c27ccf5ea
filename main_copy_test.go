package main

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
)

// TestCopyCommandChecksItsArguments: copy is listed, its --help works,
// and it refuses what it cannot do before touching any database.
func TestCopyCommandChecksItsArguments(t *testing.T) {
	out, _, _ := runCLI(t, "--help")
	if !strings.Contains(out, "  copy ") {
		t.Error("--help does not list copy")
	}
	_, help, err := runCLI(t, "copy", "--help")
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(help, "-to") || !strings.Contains(help, "PGPASSWORD") {
		t.Errorf("copy --help: %v %q", err, help)
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "ecopulse.db")
	if _, _, err := runCLI(t, "migrate", "--db", src); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"copy", "--db", src}, "needs --to"},
		{[]string{"copy", "--db", src, "--to", filepath.Join(dir, "other.db")}, "--to must be a postgres:// URL"},
		{[]string{"copy", "--db", filepath.Join(dir, "missing.db"), "--to", "postgres://ecopulse@127.0.0.1:1/x"}, "no SQLite database"},
		{[]string{"copy", "--db", "postgres://ecopulse:Hunter2Secret@127.0.0.1:1/x", "--to", "postgres://ecopulse@127.0.0.1:1/y"}, "copy reads a SQLite database"},
	} {
		_, stderr, err := runCLI(t, c.args...)
		if err == nil || !strings.Contains(oneLine(err), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		} else if strings.Contains(oneLine(err)+stderr, "Hunter2Secret") {
			t.Errorf("%v: the password was printed: %s", c.args, oneLine(err))
		}
	}
}

// TestCopyCommandFillsPostgresOnce copies a SQLite database made with the
// commands into a fresh PostgreSQL one: the progress bar and the summary
// go out, the copy answers `member list` as the original does, and a
// second copy into it is refused.
func TestCopyCommandFillsPostgresOnce(t *testing.T) {
	if !datatest.Postgres() {
		t.Skip("copy needs PostgreSQL: set " + datatest.PostgresEnv)
	}
	src := filepath.Join(t.TempDir(), "ecopulse.db")
	for _, slug := range []string{"acme", "globex", "initech"} {
		if _, _, err := runCLI(t, "member", "add", slug, "--name", strings.ToUpper(slug), "--kind", "partner", "--joined", "2026-01-05", "--db", src); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := runCLI(t, "member", "merge", "acme", "--into", "initech", "--db", src); err != nil {
		t.Fatal(err)
	}
	target := datatest.Target(t)
	out, stderr, err := runCLI(t, "copy", "--db", src, "--to", target)
	if err != nil {
		t.Fatalf("copy: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "copied ") || !strings.Contains(stderr, "members") || !strings.Contains(stderr, "3/3 rows") {
		t.Errorf("copy printed %q, progress %q", out, stderr)
	}
	want, _, err := runCLI(t, "member", "list", "--json", "--db", src)
	if err != nil {
		t.Fatal(err)
	}
	// The copy is reached through $ECOPULSE_DB, and through db: in a
	// configuration file (a URL without a password).
	t.Setenv("ECOPULSE_DB", target)
	got, _, err := runCLI(t, "member", "list", "--json")
	if err != nil || got != want || !strings.Contains(got, "initech") {
		t.Errorf("member list on the copy: %v\n%s\nwant\n%s", err, got, want)
	}
	t.Setenv("ECOPULSE_DB", "")
	file := filepath.Join(t.TempDir(), "ecopulse.yaml")
	if err := os.WriteFile(file, []byte("db: "+target+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, _, err := runCLI(t, "member", "list", "--json", "--config", file); err != nil || got != want {
		t.Errorf("member list on the copy named by the configuration file: %v\n%s", err, got)
	}
	if _, _, err := runCLI(t, "copy", "--db", src, "--to", target); err == nil || !strings.Contains(oneLine(err), "not empty") {
		t.Errorf("a second copy: %v, want a refusal of a database that is not empty", err)
	}
}
