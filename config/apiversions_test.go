package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// TestAPIVersionsDeclarations: the file's api_versions load in order, and
// what cannot work is refused naming the declaration: a pattern that does
// not compile, a day that is not one, dates out of order, a name twice, a
// replacement not declared, a version with no pattern. Of two versions
// whose patterns match, the first declared owns the endpoint.
func TestAPIVersionsDeclarations(t *testing.T) {
	good := `api_versions:
  - name: v1
    endpoints: ['^/v1/', '^/legacy/']
    released: 2024-01-01
    deprecated: 2026-06-01
    sunset: 2026-12-31
    replacement: v2
  - name: v2
    endpoints: ['^/v2/', '^/(v1|legacy)/models/']
    released: 2026-03-01
alerts:
  sunset_days: 45
`
	c, err := Load(writeConfig(t, good))
	if err != nil {
		t.Fatal(err)
	}
	vs, err := c.APIVersions()
	if err != nil {
		t.Fatal(err)
	}
	if got := vs.Classify("/legacy/models/:id"); got != 0 {
		t.Errorf("/legacy/models/:id belongs to version %d, want v1: the first declared that matches", got)
	}
	if got := vs.Classify("/v3/chat"); got != -1 {
		t.Errorf("/v3/chat belongs to version %d, want none", got)
	}
	if got := vs.List[0].StatusOn(mustDay(t, "2026-06-01")); got != domain.VersionDeprecated {
		t.Errorf("v1 on its deprecation day: %s", got)
	}
	if c.SunsetWarningDays() != 45 {
		t.Errorf("sunset warning %d days, want 45", c.SunsetWarningDays())
	}
	c.Alerts.SunsetDays = 0
	if c.SunsetWarningDays() != DefaultSunsetDays {
		t.Errorf("with the rule off the page warns %d days ahead, want %d", c.SunsetWarningDays(), DefaultSunsetDays)
	}

	for name, c := range map[string]struct{ body, says string }{
		"bad pattern":      {"  - name: v1\n    endpoints: ['^/v1/(']\n", "does not compile"},
		"bad day":          {"  - name: v1\n    endpoints: ['^/v1/']\n    deprecated: June\n", "deprecated must be a day"},
		"sunset early":     {"  - name: v1\n    endpoints: ['^/v1/']\n    deprecated: 2026-06-01\n    sunset: 2026-05-31\n", "sunset is before deprecated"},
		"deprecated early": {"  - name: v1\n    endpoints: ['^/v1/']\n    released: 2026-06-02\n    deprecated: 2026-06-01\n", "deprecated is before released"},
		"sunset alone":     {"  - name: v1\n    endpoints: ['^/v1/']\n    sunset: 2026-05-31\n", "needs a deprecated day"},
		"twice":            {"  - name: v1\n    endpoints: ['^/v1/']\n  - name: v1\n    endpoints: ['^/v2/']\n", "declared twice"},
		"no pattern":       {"  - name: v1\n", "at least one pattern"},
		"no name":          {"  - endpoints: ['^/v1/']\n", "name is required"},
		"replacement":      {"  - name: v1\n    endpoints: ['^/v1/']\n    replacement: v3\n", "not another declared version"},
	} {
		_, err := Load(writeConfig(t, "api_versions:\n"+c.body))
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: Load gave %v, want an error saying %q", name, err, c.says)
		}
	}
	if _, err := Load(writeConfig(t, "alerts:\n  sunset_days: 181\n")); err == nil {
		t.Error("alerts.sunset_days 181 accepted: the page reads at most 180 days back")
	}
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustDay(t *testing.T, s string) time.Time {
	t.Helper()
	day, err := domain.ParseDay(s)
	if err != nil {
		t.Fatal(err)
	}
	return day
}
