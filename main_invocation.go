package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/app"
	"github.com/ecopulse/ecopulse/config"
)

// invocation is one run of a command: what it was given, and the flags
// every command takes once its flag set is started (flags, flagsFor).
type invocation struct {
	ctx         context.Context
	cmd         *command
	args        []string // the arguments after the command's name
	stdin       *os.File
	out, stderr io.Writer

	fs     *flag.FlagSet
	common *common
}

// common holds the flags every command takes.
type common struct {
	db, config, logFormat, logLevel string
	sets                            setFlags
}

// setFlags collects repeated --set KEY=VALUE flags, in order.
type setFlags []string

func (s *setFlags) String() string { return strings.Join(*s, " ") }
func (s *setFlags) Set(v string) error {
	if !strings.Contains(v, "=") {
		return fmt.Errorf("want KEY=VALUE, such as scoring.window_days=14")
	}
	*s = append(*s, v)
	return nil
}

// flags starts the command's flag set, named and described as the command
// table says.
func (x *invocation) flags() *flag.FlagSet {
	return x.flagsFor(x.cmd.name, x.cmd.args, x.cmd.usage)
}

// flagsFor starts a flag set with the flags every command takes; name,
// args and about make its --help (a subcommand's: "token create").
func (x *invocation) flagsFor(name, args, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(x.stderr)
	c := &common{}
	fs.StringVar(&c.db, "db", "", "the database: a SQLite file `PATH` or a postgres:// URL (default ecopulse.db, or $ECOPULSE_DB)")
	fs.StringVar(&c.config, "config", "", "YAML configuration `FILE`")
	fs.Var(&c.sets, "set", "override a setting: `KEY=VALUE` (repeatable; `ecopulse config --keys` lists the keys)")
	fs.StringVar(&c.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&c.logLevel, "log-level", "info", "log `LEVEL`: debug, info, warn or error")
	fs.Usage = func() {
		fmt.Fprintf(x.stderr, "Usage: ecopulse %s [flags]%s\n\n%s\n\nFlags:\n", name, args, about)
		fs.PrintDefaults()
	}
	x.fs, x.common = fs, c
	return fs
}

// positional parses args — flags may come before or after the positional
// arguments — and checks that there are as many as the command table says
// (nargs), printing the usage when not.
func (x *invocation) positional(args []string) ([]string, error) {
	if x.cmd.nargs == 0 {
		return nil, noArgs(x.fs, args)
	}
	pos, err := parse(x.fs, args)
	if err != nil {
		return nil, err
	}
	if x.cmd.nargs != anyArgs && len(pos) != x.cmd.nargs {
		x.fs.Usage()
		return nil, fmt.Errorf("%s needs exactly one %s", x.cmd.name, strings.TrimSpace(x.cmd.args))
	}
	return pos, nil
}

// open parses the command's arguments (positional) and opens its
// environment (env): the way every command without checks of its own
// between the two starts.
func (x *invocation) open() (*app.Env, []string, error) {
	pos, err := x.positional(x.args)
	if err != nil {
		return nil, nil, err
	}
	env, err := x.env()
	return env, pos, err
}

// parse parses flags that may come before or after positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// noArgs parses args, which must hold flags only.
func noArgs(fs *flag.FlagSet, args []string) error {
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		fs.Usage()
		return fmt.Errorf("%s takes no arguments, got %q", fs.Name(), pos)
	}
	return nil
}

// overrides are the settings applied over the configuration file.
func (c *common) overrides() config.Overrides {
	return config.Overrides{Environ: os.Environ(), Sets: c.sets}
}

// env loads the configuration the common flags name and sets up the
// logger: what every command runs with (the app's commands open the store
// it names).
func (x *invocation) env() (*app.Env, error) {
	c := x.common
	cfg, err := config.LoadWith(c.config, c.overrides())
	if err != nil {
		return nil, err
	}
	if c.db != "" {
		cfg.DB = c.db
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level must be debug, info, warn or error, not %q", c.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	switch c.logFormat {
	case "text":
		h = slog.NewTextHandler(x.stderr, opts)
	case "json":
		h = slog.NewJSONHandler(x.stderr, opts)
	default:
		return nil, fmt.Errorf("--log-format must be text or json, not %q", c.logFormat)
	}
	log := slog.New(h)
	// Code that logs through slog's default (or the log package) writes in
	// the same format: with --log-format json every log line is JSON.
	slog.SetDefault(log)
	return &app.Env{Config: cfg, Log: log, Out: x.out, Now: time.Now}, nil
}
