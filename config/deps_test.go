package config_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestConfigSitsBelowTheApplication keeps the configuration a leaf of the
// house: of EcoPulse's own packages it may use only the domain, the scoring
// model and the collectors (whose settings it holds; the affiliation rules
// bring the store along), never the page builders or the application —
// which load it.
func TestConfigSitsBelowTheApplication(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list dependencies: %v", err)
	}
	out, err := exec.Command(goBin, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	const module = "github.com/ecopulse/ecopulse/"
	for _, dep := range strings.Fields(string(out)) {
		own, ok := strings.CutPrefix(dep, module)
		if !ok {
			continue
		}
		switch {
		case own == "config", own == "domain", own == "metrics", own == "data", strings.HasPrefix(own, "collectors/"):
		default:
			t.Errorf("config depends on %s", dep)
		}
	}
}
