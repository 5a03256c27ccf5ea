package main

import (
	"errors"
	"flag"
	"strings"
	"testing"
)

// TestEveryCommandHasHelp: every command of the table is listed by
// `ecopulse help` at the start of a line, and answers --help with its usage
// and exit status 0 — families of subcommands included.
func TestEveryCommandHasHelp(t *testing.T) {
	help, _, err := runCLI(t, "help")
	if err != nil {
		t.Fatalf("help: %v", err)
	}
	for _, c := range commands {
		if !strings.Contains(help, "\n  "+c.name+" ") {
			t.Errorf("help does not list %s:\n%s", c.name, help)
		}
		_, usage, err := runCLI(t, c.name, "--help")
		if !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%s --help: err = %v, want flag.ErrHelp (exit 0)", c.name, err)
		}
		if !strings.Contains(usage, "ecopulse "+c.name) {
			t.Errorf("%s --help prints no usage of it: %q", c.name, usage)
		}
	}
	if _, usage, err := runCLI(t, "nosuch"); err == nil || usage != help {
		t.Errorf("an unknown command: err = %v, usage printed %q", err, usage)
	}
}
