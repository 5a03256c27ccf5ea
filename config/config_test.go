package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestExampleConfigIsTheDefaults keeps ecopulse.example.yaml honest: loading
// it must give exactly the built-in defaults.
func TestExampleConfigIsTheDefaults(t *testing.T) {
	got, err := Load(filepath.Join("..", "ecopulse.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if want := Default(); !reflect.DeepEqual(got, want) {
		t.Errorf("example config differs from the defaults:\n got %+v\nwant %+v", got, want)
	}
}

func TestConfigRejectsBadFiles(t *testing.T) {
	for name, body := range map[string]string{
		"unknown key":       "adress: x\n",
		"negative weight":   "scoring:\n  investment:\n    calls: -1\n",
		"bad duration":      "shutdown_timeout: soon\n",
		"zero timeout":      "shutdown_timeout: 0s\n",
		"short job lease":   "job_lease: 500ms\n",
		"negative backfill": "backfill_days: -3\n",
	} {
		path := filepath.Join(t.TempDir(), "c.yaml")
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(path); err == nil {
			t.Errorf("%s: Load accepted %q", name, body)
		}
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: err = %v", err)
	}
}

func TestConfigOverridesFromFileAndEnvironment(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte("shutdown_timeout: 3s\nscoring:\n  window_days: 14\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ECOPULSE_DB", "/tmp/other.db")
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.ShutdownTimeout, 3*time.Second; got != want {
		t.Errorf("shutdown_timeout = %v, want %v", got, want)
	}
	if got, want := c.Scoring.WindowDays, 14; got != want {
		t.Errorf("window_days = %d, want %d", got, want)
	}
	if got, want := c.Scoring.Investment.Calls, Default().Scoring.Investment.Calls; got != want {
		t.Errorf("a key left out lost its default: calls = %v, want %v", got, want)
	}
	if got, want := c.DB, "/tmp/other.db"; got != want {
		t.Errorf("db = %q, want $ECOPULSE_DB %q", got, want)
	}
}
