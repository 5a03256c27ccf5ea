package main

import (
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
)

// TestAlertsCommandFlags: `ecopulse alerts` is in the command table, its
// help works, a bad --at is refused naming the flag, and a database with
// no scored day says what to do.
func TestAlertsCommandFlags(t *testing.T) {
	out, _, err := runCLI(t, "--help")
	if err != nil || !strings.Contains(out, "  alerts ") {
		t.Errorf("--help does not list alerts (%v)", err)
	}
	_, help, err := runCLI(t, "alerts", "--help")
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(help, "-at") || !strings.Contains(help, "-json") {
		t.Errorf("alerts --help: %v %q", err, help)
	}
	db := datatest.Target(t)
	if _, _, err := runCLI(t, "alerts", "--at", "31/12/2026", "--db", db); err == nil || !strings.HasPrefix(oneLine(err), "--at: ") {
		t.Errorf("alerts --at 31/12/2026: err = %v, want a refusal naming --at", err)
	}
	if _, _, err := runCLI(t, "alerts", "--db", db); err == nil || !strings.Contains(oneLine(err), "run ecopulse score") {
		t.Errorf("alerts on a database never scored: err = %v", err)
	}
}
