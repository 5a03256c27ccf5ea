package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/ecopulse/ecopulse/app"
)

const initUsage = `Usage: ecopulse init [DIR]

Write a commented starter configuration (ecopulse.yaml) and registry templates
(registry.yaml, members.csv) into DIR (default the current directory), and print
the next steps. An existing file is never overwritten: then nothing is written.
`

// initCommand runs `ecopulse init [DIR]` (app/cli_init.go). It opens no
// database and reads no configuration — it writes the first one — so it
// takes no flags but --help.
func initCommand(x *invocation) error {
	args := x.args
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	fs.SetOutput(x.stderr)
	fs.Usage = func() { fmt.Fprint(x.stderr, initUsage) }
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		fs.Usage()
		return errors.New("init takes at most one directory")
	}
	dir := "."
	if len(pos) == 1 {
		dir = pos[0]
	}
	return app.Init(dir, x.out)
}
