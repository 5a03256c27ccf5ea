package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInitCommandWritesTheStarterFiles: `ecopulse init DIR` writes them and
// says what to do next; a second run refuses, naming the files.
func TestInitCommandWritesTheStarterFiles(t *testing.T) {
	dir := t.TempDir()
	out, _, err := runCLI(t, "init", dir)
	if err != nil || !strings.Contains(out, "Next steps") {
		t.Fatalf("init: %v\n%s", err, out)
	}
	for _, name := range []string{"ecopulse.yaml", "registry.yaml", "members.csv"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s not written: %v", name, err)
		}
	}
	if _, _, err := runCLI(t, "init", dir); err == nil || !strings.Contains(oneLine(err), filepath.Join(dir, "ecopulse.yaml")) {
		t.Errorf("a second init: %v, want a refusal naming the files", err)
	}
	if _, _, err := runCLI(t, "init", dir, "other"); err == nil {
		t.Error("init with two directories succeeded")
	}
}
