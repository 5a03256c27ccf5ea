// Command ecopulse is the EcoPulse ecosystem health dashboard: one binary that
// collects, scores and serves. Run `ecopulse --help` for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/ecopulse/ecopulse/app"
	"github.com/ecopulse/ecopulse/data"
)

const usage = `EcoPulse — ecosystem health analytics for a platform's partners, developers and projects.

Usage:
  ecopulse <command> [flags] [arguments]

Commands:
  serve     serve the dashboard and run the scheduled jobs (--addr HOST:PORT, --demo)
  demo      fill an empty database with the demo ecosystem and score its history
  score     compute scores now (--at YYYY-MM-DD for one day, --json to print them)
  collect   run collectors now (all configured sources, or the ones named: collect SOURCE…)
  migrate   apply pending database migrations
  backup    write a consistent copy of the database to FILE (safe while serving)
  token     create, list or revoke ingest tokens (token create --name NAME [--allow CIDRS])

Flags every command takes:
  --db PATH          SQLite database file (default ecopulse.db, or $ECOPULSE_DB)
  --config FILE      YAML configuration (see ecopulse.example.yaml)
  --log-format FMT   text (default) or json

Run 'ecopulse <command> --help' for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintf(os.Stderr, "ecopulse: %s\n", oneLine(err))
		os.Exit(1)
	}
}

// oneLine gives a failure's reason on one line: the user-facing message of an
// application error, the error text otherwise.
func oneLine(err error) string {
	var e *data.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return strings.ReplaceAll(err.Error(), "\n", " ")
}

// common holds the flags every command takes.
type common struct {
	db, config, logFormat string
}

func newFlags(name, args, summary string, stderr io.Writer) (*flag.FlagSet, *common) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &common{}
	fs.StringVar(&c.db, "db", "", "SQLite database `PATH` (default ecopulse.db, or $ECOPULSE_DB)")
	fs.StringVar(&c.config, "config", "", "YAML configuration `FILE`")
	fs.StringVar(&c.logFormat, "log-format", "text", "log format: text or json")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: ecopulse %s [flags]%s\n\n%s\n\nFlags:\n", name, args, summary)
		fs.PrintDefaults()
	}
	return fs, c
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

func (c *common) env(out, stderr io.Writer) (*app.Env, error) {
	cfg, err := app.LoadConfig(c.config)
	if err != nil {
		return nil, err
	}
	if c.db != "" {
		cfg.DB = c.db
	}
	var h slog.Handler
	switch c.logFormat {
	case "text":
		h = slog.NewTextHandler(stderr, nil)
	case "json":
		h = slog.NewJSONHandler(stderr, nil)
	default:
		return nil, fmt.Errorf("--log-format must be text or json, not %q", c.logFormat)
	}
	return &app.Env{Config: cfg, Log: slog.New(h), Out: out, Now: time.Now}, nil
}

func run(ctx context.Context, args []string, out, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "-h", "--help", "help":
		fmt.Fprint(out, usage)
		return nil
	case "serve":
		fs, c := newFlags(cmd, "", "Serve the dashboard and the JSON API, and run the collectors and the scoring job on schedule.", stderr)
		var opt app.ServeOptions
		fs.StringVar(&opt.Addr, "addr", "", "listen address `HOST:PORT` (default 127.0.0.1:8080, or $ECOPULSE_ADDR)")
		fs.BoolVar(&opt.Demo, "demo", false, "seed an empty database with the demo ecosystem and keep adding live traffic")
		if err := noArgs(fs, args); err != nil {
			return err
		}
		env, err := c.env(out, stderr)
		if err != nil {
			return err
		}
		return app.Serve(ctx, env, opt)
	case "demo":
		fs, c := newFlags(cmd, "", "Fill an empty database with the deterministic demo ecosystem (180 days) and score its history.", stderr)
		if err := noArgs(fs, args); err != nil {
			return err
		}
		env, err := c.env(out, stderr)
		if err != nil {
			return err
		}
		return app.Demo(ctx, env)
	case "score":
		fs, c := newFlags(cmd, "", "Compute and store scores: by default today's, after filling in missing history; --at scores one day.", stderr)
		at := fs.String("at", "", "score this `DATE` (YYYY-MM-DD)")
		asJSON := fs.Bool("json", false, "print the scores as JSON (the shape of /api/v1/scores)")
		if err := noArgs(fs, args); err != nil {
			return err
		}
		opt := app.ScoreOptions{JSON: *asJSON}
		if *at != "" {
			d, err := data.ParseDay(*at)
			if err != nil {
				return err
			}
			opt.At = d
		}
		env, err := c.env(out, stderr)
		if err != nil {
			return err
		}
		return app.Score(ctx, env, opt)
	case "collect":
		fs, c := newFlags(cmd, " [SOURCE…]", "Run the configured sources now (all, or the ones named), each under a run record, then score today.", stderr)
		names, err := parse(fs, args)
		if err != nil {
			return err
		}
		env, err := c.env(out, stderr)
		if err != nil {
			return err
		}
		return app.Collect(ctx, env, names)
	case "migrate":
		fs, c := newFlags(cmd, "", "Apply pending database migrations and print the schema version.", stderr)
		if err := noArgs(fs, args); err != nil {
			return err
		}
		env, err := c.env(out, stderr)
		if err != nil {
			return err
		}
		return app.Migrate(ctx, env)
	case "backup":
		fs, c := newFlags(cmd, " FILE", "Write a consistent copy of the database to FILE (SQLite VACUUM INTO); safe while serving.\nRestore: stop ecopulse and copy FILE over the database file.", stderr)
		pos, err := parse(fs, args)
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			fs.Usage()
			return errors.New("backup needs exactly one FILE")
		}
		env, err := c.env(out, stderr)
		if err != nil {
			return err
		}
		return app.Backup(ctx, env, pos[0])
	case "token":
		return tokenCommand(ctx, args, out, stderr)
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func tokenCommand(ctx context.Context, args []string, out, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "list" && args[0] != "revoke") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprint(stderr, tokenUsage)
			return flag.ErrHelp
		}
		fmt.Fprint(stderr, tokenUsage)
		return errors.New("token needs a subcommand: create, list or revoke")
	}
	sub := args[0]
	fs, c := newFlags("token "+sub, "", "Ingest tokens authorise POST /api/v1/ingest/...; a token is shown once and stored hashed.", stderr)
	name := fs.String("name", "", "token `NAME`")
	allow := fs.String("allow", "", "comma-separated source addresses or `CIDRS` allowed to use the token (default: any)")
	if err := noArgs(fs, args[1:]); err != nil {
		return err
	}
	env, err := c.env(out, stderr)
	if err != nil {
		return err
	}
	switch sub {
	case "create":
		if *name == "" {
			return errors.New("token create needs --name")
		}
		return app.TokenCreate(ctx, env, *name, *allow)
	case "revoke":
		if *name == "" {
			return errors.New("token revoke needs --name")
		}
		return app.TokenRevoke(ctx, env, *name)
	}
	return app.TokenList(ctx, env)
}

const tokenUsage = `Usage:
  ecopulse token create --name NAME [--allow CIDRS]   create an ingest token (shown once)
  ecopulse token list                                list tokens
  ecopulse token revoke --name NAME                  revoke a token
`

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
