// Command ecopulse is the EcoPulse ecosystem health dashboard: one binary that
// collects, scores and serves. Run `ecopulse --help` for the commands.
package main

import (
	"bufio"
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

	"golang.org/x/term"

	"github.com/ecopulse/ecopulse/app"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/domain"
)

const usage = `EcoPulse — ecosystem health analytics for a platform's partners, developers and projects.

Usage:
  ecopulse <command> [flags] [arguments]

Commands:
  init      write a starter configuration and registry templates into DIR (default .): init [DIR]
  serve     serve the dashboard and run the scheduled jobs (--addr HOST:PORT, --demo)
  demo      fill an empty database with the demo ecosystem and score its history
  score     compute scores now (--at YYYY-MM-DD for one day, --from DATE --to DATE for a range,
            --json to print them); days whose inputs changed are scored again however old
  import    import accesslog FILE…: backfill API usage from access logs (resumable; --json summary)
  collect   run collectors now (all configured sources, or the ones named: collect SOURCE…)
  snapshot  freeze a closed ISO week's scores (--week YYYY-Www; default the last closed week)
  export    export a week's snapshot: --week YYYY-Www --format csv|xlsx|json [-o FILE]
  migrate   apply pending database migrations
  backup    write a consistent copy of the database to FILE (safe while serving)
  user      accounts: user add NAME --role ROLE (password from a prompt or stdin), user list,
            user passwd NAME, user role NAME ROLE, user disable NAME, user enable NAME, user delete NAME
  member    members: member add SLUG --name NAME --kind KIND [--segment S] [--tier T] [--joined DATE],
            member edit SLUG …, member list [--json], member archive SLUG [--on DATE],
            member restore SLUG, member merge SLUG --into KEEP
  rejected  what a source could not accept, and why: rejected SOURCE [--json]
  alerts    the alerts open on a day (--at YYYY-MM-DD, default the latest scored day; --json)
  consumer  API consumers: consumer list [--unmapped] [--json], consumer map KEY SLUG,
            consumer map --pattern 'acme-*' SLUG
  person    people: person list --unaffiliated [--json], person assign SOURCE:LOGIN MEMBER [--from DATE]
            [--to DATE], person domain add DOMAIN MEMBER [--from DATE], person domain list
  forget    erase a person's identifying data (forget LOGIN | SOURCE:LOGIN | EMAIL); counts stay
  token     create, list or revoke ingest tokens (token create --name NAME [--allow CIDRS])
  config    print the effective configuration as YAML, secrets masked (--keys lists every setting,
            --check checks it against the database and fails on a problem)

Flags every command takes:
  --db PATH          SQLite database file (default ecopulse.db, or $ECOPULSE_DB)
  --config FILE      YAML configuration (see ecopulse.example.yaml)
  --set KEY=VALUE    override a setting, e.g. --set scoring.window_days=14 (repeatable)
  --log-format FMT   text (default) or json
  --log-level LEVEL  debug, info (default), warn or error

Every setting of the configuration file can also be set by an environment
variable ECOPULSE_<KEY> (scoring.window_days: ECOPULSE_SCORING_WINDOW_DAYS).
Precedence: defaults < --config file < environment < --set < --db / --addr.

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
	var e *domain.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return strings.ReplaceAll(err.Error(), "\n", " ")
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

func newFlags(name, args, summary string, stderr io.Writer) (*flag.FlagSet, *common) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &common{}
	fs.StringVar(&c.db, "db", "", "SQLite database `PATH` (default ecopulse.db, or $ECOPULSE_DB)")
	fs.StringVar(&c.config, "config", "", "YAML configuration `FILE`")
	fs.Var(&c.sets, "set", "override a setting: `KEY=VALUE` (repeatable; `ecopulse config --keys` lists the keys)")
	fs.StringVar(&c.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&c.logLevel, "log-level", "info", "log `LEVEL`: debug, info, warn or error")
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

// overrides are the settings applied over the configuration file.
func (c *common) overrides() config.Overrides {
	return config.Overrides{Environ: os.Environ(), Sets: c.sets}
}

func (c *common) env(out, stderr io.Writer) (*app.Env, error) {
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
		h = slog.NewTextHandler(stderr, opts)
	case "json":
		h = slog.NewJSONHandler(stderr, opts)
	default:
		return nil, fmt.Errorf("--log-format must be text or json, not %q", c.logFormat)
	}
	log := slog.New(h)
	// Code that logs through slog's default (or the log package) writes in
	// the same format: with --log-format json every log line is JSON.
	slog.SetDefault(log)
	return &app.Env{Config: cfg, Log: log, Out: out, Now: time.Now}, nil
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
		from := fs.String("from", "", "with --to: score every day from `DATE` (YYYY-MM-DD)")
		to := fs.String("to", "", "with --from: score every day up to `DATE` (YYYY-MM-DD)")
		asJSON := fs.Bool("json", false, "print the scores as JSON (the shape of /api/v1/scores)")
		if err := noArgs(fs, args); err != nil {
			return err
		}
		opt := app.ScoreOptions{JSON: *asJSON}
		if (*from == "") != (*to == "") || (*from != "" && *at != "") {
			return errors.New("score takes --from and --to together, or --at, or neither")
		}
		for _, f := range []struct {
			flag, v string
			dst     *time.Time
		}{{"--at", *at, &opt.At}, {"--from", *from, &opt.From}, {"--to", *to, &opt.To}} {
			if f.v == "" {
				continue
			}
			d, err := domain.ParseDay(f.v)
			if err != nil {
				return fmt.Errorf("%s: %s", f.flag, oneLine(err))
			}
			*f.dst = d
		}
		env, err := c.env(out, stderr)
		if err != nil {
			return err
		}
		return app.Score(ctx, env, opt)
	case "import":
		if len(args) == 0 || args[0] != "accesslog" {
			fmt.Fprint(stderr, "Usage: ecopulse import accesslog [flags] FILE…\n")
			if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
				return flag.ErrHelp
			}
			return errors.New("import needs a kind: accesslog")
		}
		fs, c := newFlags("import accesslog", " FILE…", "Import access logs (plain or .gz) into the API usage rollups. An interrupted import resumes where it stopped, without double counting.", stderr)
		var opt app.ImportOptions
		fs.StringVar(&opt.Format, "format", "", "log `FORMAT`: combined (the default), log_format, kong or json")
		fs.StringVar(&opt.LogFormat, "nginx-format", "", "nginx log_format `STRING` (with --format log_format)")
		fs.StringVar(&opt.Source, "source", "", "read the files as the configured accesslog source `NAME` does: its format, consumer options and hash key")
		fs.StringVar(&opt.ConsumerFrom, "consumer-from", "", "the consumer of a line: remote_user, header:NAME, field:NAME, ip (hashed with $ECOPULSE_HASH_KEY) or `none`")
		fs.BoolVar(&opt.JSON, "json", false, "print the summary as one JSON object (with first_day, last_day, consumers, mapped, unmapped)")
		files, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if len(files) == 0 {
			fs.Usage()
			return errors.New("import accesslog needs at least one FILE")
		}
		env, err := c.env(out, stderr)
		if err != nil {
			return err
		}
		if c.logFormat != "json" { // a progress bar would break a stream of JSON lines
			opt.Progress = stderr
		}
		return app.ImportAccessLog(ctx, env, files, opt)
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
	case "snapshot":
		fs, c := newFlags(cmd, "", "Freeze the scores of a closed ISO week (its Sunday). A snapshot is never rewritten: a second run for the same week is refused.", stderr)
		week := fs.String("week", "", "ISO `WEEK` as YYYY-Www (default: the last closed week)")
		if err := noArgs(fs, args); err != nil {
			return err
		}
		env, err := c.env(out, stderr)
		if err != nil {
			return err
		}
		return app.Snapshot(ctx, env, *week)
	case "export":
		fs, c := newFlags(cmd, "", "Export a week's snapshot as CSV, XLSX (a data sheet and a chart sheet) or JSON.", stderr)
		week := fs.String("week", "", "ISO `WEEK` as YYYY-Www (default: the latest snapshot)")
		format := fs.String("format", "csv", "`FORMAT`: csv, xlsx or json")
		output := fs.String("o", "-", "output `FILE` (- for standard output)")
		if err := noArgs(fs, args); err != nil {
			return err
		}
		env, err := c.env(out, stderr)
		if err != nil {
			return err
		}
		return app.Export(ctx, env, *week, *format, *output)
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
	case "config":
		fs, c := newFlags(cmd, "", "Print the effective configuration as YAML (defaults < --config file < ECOPULSE_* environment < --set), secrets masked.", stderr)
		keys := fs.Bool("keys", false, "list every setting with its environment variable and type instead")
		check := fs.Bool("check", false, "check the configuration against the database (unknown members, sources that cannot start); exit non-zero on a problem")
		if err := noArgs(fs, args); err != nil {
			return err
		}
		env, err := c.env(out, stderr)
		if err != nil {
			return err
		}
		if *check {
			return app.ConfigCheck(ctx, env)
		}
		return app.ShowConfig(env, app.ConfigOptions{Keys: *keys, File: c.config, Overrides: c.overrides()})
	case "token":
		return tokenCommand(ctx, args, out, stderr)
	case "user":
		return userCommand(ctx, args, os.Stdin, out, stderr)
	case "init":
		return initCommand(args, out, stderr)
	case "member":
		return memberCommand(ctx, args, out, stderr)
	case "consumer":
		return consumerCommand(ctx, args, out, stderr)
	case "person":
		return personCommand(ctx, args, out, stderr)
	case "alerts":
		return alertsCommand(ctx, args, out, stderr)
	case "rejected":
		fs, c := newFlags(cmd, " SOURCE", "What a source could not accept, and why: counts per reason and the newest records (push ingest is the source push, imports import).", stderr)
		asJSON := fs.Bool("json", false, "print JSON (the shape of /api/v1/sources/SOURCE/rejected)")
		pos, err := parse(fs, args)
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			fs.Usage()
			return errors.New("rejected needs exactly one SOURCE")
		}
		env, err := c.env(out, stderr)
		if err != nil {
			return err
		}
		return app.RejectedList(ctx, env, pos[0], *asJSON)
	case "forget":
		fs, c := newFlags(cmd, " PERSON", "Erase a person's identifying data: name, e-mail and logins become a pseudonym everywhere; member attribution and all counts stay. PERSON is a login, SOURCE:LOGIN or an e-mail address.", stderr)
		pos, err := parse(fs, args)
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			fs.Usage()
			return errors.New("forget needs exactly one PERSON")
		}
		env, err := c.env(out, stderr)
		if err != nil {
			return err
		}
		return app.Forget(ctx, env, pos[0])
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

// userCommand runs `ecopulse user add NAME --role ROLE`. The password comes
// from a prompt without echo on a terminal, else from the first line of stdin.
func userCommand(ctx context.Context, args []string, stdin *os.File, out, stderr io.Writer) error {
	const userUsage = "Usage: ecopulse user add NAME --role viewer|manager|admin | list | passwd NAME | role NAME ROLE | disable NAME | enable NAME | delete NAME\n"
	if len(args) == 0 {
		fmt.Fprint(stderr, userUsage)
		return errors.New("user needs a subcommand: add, list, passwd, role, disable, enable or delete")
	}
	if args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, userUsage)
		return flag.ErrHelp
	}
	if args[0] == "passwd" {
		return userPasswd(ctx, args[1:], stdin, out, stderr)
	}
	if args[0] != "add" {
		sub := args[0]
		fs, c := newFlags("user "+sub, " [NAME [ROLE]]", "Manage accounts (audited; the last enabled admin cannot be removed).", stderr)
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		want := map[string]int{"list": 0, "role": 2, "disable": 1, "enable": 1, "delete": 1}
		n, ok := want[sub]
		if !ok {
			fmt.Fprint(stderr, userUsage)
			return fmt.Errorf("unknown user subcommand %q", sub)
		}
		if len(pos) != n {
			fmt.Fprint(stderr, userUsage)
			return fmt.Errorf("user %s takes %d argument(s)", sub, n)
		}
		env, err := c.env(out, stderr)
		if err != nil {
			return err
		}
		switch sub {
		case "list":
			return app.UserList(ctx, env)
		case "role":
			return app.UserSetRole(ctx, env, pos[0], pos[1])
		case "disable", "enable":
			return app.UserSetDisabled(ctx, env, pos[0], sub == "disable")
		}
		return app.UserDelete(ctx, env, pos[0])
	}
	fs, c := newFlags("user add", " NAME", "Add an account. The password is read from a prompt (without echo) or, when stdin is not a terminal, from its first line.", stderr)
	role := fs.String("role", "viewer", "`ROLE`: viewer, manager or admin")
	name, password, err := nameAndPassword(fs, args[1:], "user add", stdin, stderr)
	if err != nil {
		return err
	}
	env, err := c.env(out, stderr)
	if err != nil {
		return err
	}
	return app.UserAdd(ctx, env, name, *role, password)
}

// nameAndPassword parses the one NAME of a user command and reads the
// password from a prompt or stdin.
func nameAndPassword(fs *flag.FlagSet, args []string, what string, stdin *os.File, stderr io.Writer) (string, string, error) {
	pos, err := parse(fs, args)
	if err != nil {
		return "", "", err
	}
	if len(pos) != 1 {
		fs.Usage()
		return "", "", fmt.Errorf("%s needs exactly one NAME", what)
	}
	password, err := readPassword(stdin, stderr)
	return pos[0], password, err
}

// userPasswd runs `ecopulse user passwd NAME`: a new password from a prompt
// or stdin, like user add; the account's sessions end.
func userPasswd(ctx context.Context, args []string, stdin *os.File, out, stderr io.Writer) error {
	fs, c := newFlags("user passwd", " NAME", "Set an account's password (its sessions end; audited). The password is read from a prompt (without echo) or, when stdin is not a terminal, from its first line.", stderr)
	name, password, err := nameAndPassword(fs, args, "user passwd", stdin, stderr)
	if err != nil {
		return err
	}
	env, err := c.env(out, stderr)
	if err != nil {
		return err
	}
	return app.UserSetPassword(ctx, env, name, password)
}

func readPassword(stdin *os.File, stderr io.Writer) (string, error) {
	if term.IsTerminal(int(stdin.Fd())) {
		fmt.Fprint(stderr, "Password: ")
		p, err := term.ReadPassword(int(stdin.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stderr, "Again: ")
		again, err := term.ReadPassword(int(stdin.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		if string(p) != string(again) {
			return "", errors.New("the passwords differ")
		}
		return string(p), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("no password on stdin")
	}
	return strings.TrimRight(line, "\r\n"), nil
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
