package domain_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPurePartsLinkNoDatabase proves the house rule the domain package
// exists for: the scoring model, the push decoder and the domain types link
// no database driver and not the store, so they can be tested, fuzzed and
// reused without one.
func TestPurePartsLinkNoDatabase(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list dependencies: %v", err)
	}
	for _, pkg := range []string{"../domain", "../metrics", "../collectors/push"} {
		out, err := exec.Command(goBin, "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == "database/sql" || strings.HasPrefix(dep, "modernc.org/") ||
				strings.HasPrefix(dep, "github.com/jackc/") || dep == "github.com/ecopulse/ecopulse/data" {
				t.Errorf("%s depends on %s", pkg, dep)
			}
		}
	}
}
