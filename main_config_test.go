package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
)

// TestConfigCommandPrintsTheEffectiveConfigMasked runs `ecopulse config`
// with a file, a variable and --set flags: the YAML shows each layer's
// value, names where they came from, and never a secret.
func TestConfigCommandPrintsTheEffectiveConfigMasked(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "ecopulse.yaml")
	body := "backfill_days: 30\nscoring:\n  window_days: 14\nalerts:\n  webhook:\n    url: https://hooks.slack.com/services/T0/B0/FILESECRET\n"
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ECOPULSE_SCORING_WINDOW_DAYS", "21")
	t.Setenv("ECOPULSE_SHUTDOWN_TIMEOUT", "40s")
	out, _, err := runCLI(t, "config", "--config", file, "--set", "shutdown_timeout=45s", "--set", "alerts.health_below=50",
		"--db", filepath.Join(dir, "x.db"))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	for _, want := range []string{
		"backfill_days: 30",                  // file
		"window_days: 21",                    // environment over file
		"shutdown_timeout: 45s",              // --set over environment
		"health_below: 50",                   // --set over defaults
		"db: " + filepath.Join(dir, "x.db"),  // --db last
		`url: "https://hooks.slack.com/***"`, // secret masked
		"# from the environment: ECOPULSE_SCORING_WINDOW_DAYS ECOPULSE_SHUTDOWN_TIMEOUT",
		"# from --set: shutdown_timeout alerts.health_below",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("config output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "FILESECRET") || strings.Contains(out, "T0/B0") {
		t.Errorf("config output shows the webhook's secret:\n%s", out)
	}
	// A secret from the environment is masked the same way.
	t.Setenv("ECOPULSE_ALERTS_WEBHOOK_URL", "https://hooks.example.com/hook/ENVSECRET?sig=QSECRET")
	out, _, err = runCLI(t, "config", "--config", file)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	if strings.Contains(out, "ENVSECRET") || strings.Contains(out, "QSECRET") || !strings.Contains(out, `url: "https://hooks.example.com/***"`) {
		t.Errorf("a webhook URL from the environment is not masked:\n%s", out)
	}

	out, _, err = runCLI(t, "config", "--keys")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ECOPULSE_SCHEDULES_SCORE", "ECOPULSE_SCORING_WINDOW_DAYS", "ECOPULSE_SHUTDOWN_TIMEOUT", "list (file only)"} {
		if !strings.Contains(out, want) {
			t.Errorf("config --keys lacks %q", want)
		}
	}
}

// TestSetAndEnvironmentReachEveryCommand: --set is a flag of every
// command, and a bad variable fails any command with its name.
func TestSetAndEnvironmentReachEveryCommand(t *testing.T) {
	for _, cmd := range []string{"serve", "demo", "score", "collect", "snapshot", "export", "migrate", "backup", "config"} {
		_, help, _ := runCLI(t, cmd, "--help")
		for _, flag := range []string{"-set", "-log-level", "-log-format", "-config", "-db"} {
			if !strings.Contains(help, flag) {
				t.Errorf("%s --help lacks %s", cmd, flag)
			}
		}
	}
	dir := t.TempDir()
	viaSet := filepath.Join(dir, "via-set.db")
	if _, _, err := runCLI(t, "migrate", "--set", "db="+viaSet); err != nil {
		t.Fatalf("migrate --set db=…: %v", err)
	}
	if _, err := os.Stat(viaSet); err != nil {
		t.Errorf("migrate --set db=%s did not create it: %v", viaSet, err)
	}
	// --db names one setting and wins over --set.
	viaDB := filepath.Join(dir, "via-db.db")
	if _, _, err := runCLI(t, "migrate", "--set", "db="+filepath.Join(dir, "loser.db"), "--db", viaDB); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "loser.db")); err == nil {
		t.Error("--set db= won over --db")
	}

	t.Setenv("ECOPULSE_SHUTDOWN_TIMEOUT", "soon")
	_, _, err := runCLI(t, "migrate", "--db", viaDB)
	if err == nil || !strings.Contains(oneLine(err), "ECOPULSE_SHUTDOWN_TIMEOUT") {
		t.Errorf("a bad $ECOPULSE_SHUTDOWN_TIMEOUT: err = %v, want it named", err)
	}
	t.Setenv("ECOPULSE_SHUTDOWN_TIMEOUT", "")
	if _, _, err := runCLI(t, "migrate", "--db", viaDB, "--set", "no.such.key=1"); err == nil || !strings.Contains(oneLine(err), "no.such.key") {
		t.Errorf("--set of an unknown key: err = %v", err)
	}
	if _, _, err := runCLI(t, "migrate", "--db", viaDB, "--set", "novalue"); err == nil {
		t.Error("--set without = was accepted")
	}
}

// TestJSONLogsAreJSONLines: with --log-format json every line a command
// logs on stderr is a JSON object (slog's default logger included).
func TestJSONLogsAreJSONLines(t *testing.T) {
	db := datatest.Target(t)
	_, stderr, err := runCLI(t, "score", "--db", db, "--log-format", "json", "--log-level", "debug")
	if err != nil {
		t.Fatalf("score: %v", err)
	}
	lines := 0
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if line == "" {
			continue
		}
		lines++
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Errorf("stderr line is not JSON: %q", line)
		} else if v["msg"] == nil || v["level"] == nil {
			t.Errorf("log line without msg or level: %q", line)
		}
	}
	if lines == 0 {
		t.Fatal("score logged nothing")
	}
	if _, _, err := runCLI(t, "migrate", "--db", db, "--log-level", "loud"); err == nil {
		t.Error("--log-level loud was accepted")
	}
}

// TestConfigCommandHidesTheDBPassword: a PostgreSQL URL in $ECOPULSE_DB is
// printed by `ecopulse config` without its password, and a configuration
// file with one is refused by every command, saying where it belongs.
func TestConfigCommandHidesTheDBPassword(t *testing.T) {
	t.Setenv("ECOPULSE_DB", "postgres://ecopulse:Hunter2Secret@db.internal:5432/ecopulse?sslmode=disable")
	out, _, err := runCLI(t, "config")
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	if strings.Contains(out, "Hunter2Secret") || !strings.Contains(out, "postgres://ecopulse:***@db.internal:5432/ecopulse") {
		t.Errorf("config with a password in $ECOPULSE_DB printed:\n%s", out)
	}

	t.Setenv("ECOPULSE_DB", "")
	file := filepath.Join(t.TempDir(), "ecopulse.yaml")
	if err := os.WriteFile(file, []byte("db: postgres://ecopulse:Hunter2Secret@db.internal/ecopulse\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"config", "migrate"} {
		_, stderr, err := runCLI(t, cmd, "--config", file)
		if err == nil {
			t.Fatalf("%s with a password in the file's db succeeded", cmd)
		}
		msg := oneLine(err)
		if strings.Contains(msg+stderr, "Hunter2Secret") || !strings.Contains(msg, "$ECOPULSE_DB") || !strings.Contains(msg, "$PGPASSWORD") {
			t.Errorf("%s: the refusal %q does not say where the password goes, or repeats it", cmd, msg)
		}
	}
}
