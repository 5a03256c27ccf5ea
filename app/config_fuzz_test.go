package app

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ecopulse/ecopulse/config"
)

// FuzzLoadConfig loads arbitrary bytes as a configuration file: LoadConfig
// never panics, and either refuses the file or returns a configuration
// that Validate accepts and that builds an app's sources and schedules.
// The seed corpus (testdata/fuzz/FuzzLoadConfig) holds the example
// configuration and malformed ones.
func FuzzLoadConfig(f *testing.F) {
	example, err := os.ReadFile(filepath.Join("..", "ecopulse.example.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add([]byte("auth:\n  oidc:\n    issuer: https://login.example.com\n    client_id: eco\n    redirect_url: https://eco.example.com/login/oidc/callback\n    default_role: viewer\n"))
	f.Add([]byte("auth:\n  rate_limits:\n    login: {max: -1, window: 0s}\n"))
	// One file per fuzzing process (its inputs run one after the other).
	path := filepath.Join(f.TempDir(), "ecopulse.yaml")
	f.Fuzz(func(t *testing.T, body []byte) {
		if err := os.WriteFile(path, body, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := config.Load(path)
		if err != nil {
			return // refused: fine, as long as nothing panicked
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("LoadConfig accepted a configuration that Validate refuses: %v", err)
		}
		if _, err := buildSources(c.Sources); err != nil {
			t.Fatalf("accepted sources do not build: %v", err)
		}
	})
}
