package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/app"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// A command is one verb of the command line: its entry in `ecopulse help`,
// what its --help says, and how it runs.
type command struct {
	name    string
	summary string // its entry in `ecopulse help`; later lines continue it
	usage   string // what `ecopulse NAME --help` says it does
	args    string // its positional arguments in the usage line: " FILE"
	nargs   int    // how many positional arguments it takes (anyArgs: any number)
	run     func(x *invocation) error
}

// anyArgs is the nargs of a command that takes any number of arguments.
const anyArgs = -1

// commands are the verbs, in the order `ecopulse help` lists them. The
// families of subcommands (user, member, consumer, person, token) and init
// parse their own arguments (main_*.go).
var commands = []command{
	{name: "init", summary: "write a starter configuration and registry templates into DIR (default .): init [DIR]", run: initCommand},
	{name: "serve", summary: "serve the dashboard and run the scheduled jobs (--addr HOST:PORT, --demo)",
		usage: "Serve the dashboard and the JSON API, and run the collectors and the scoring job on schedule.", run: runServe},
	{name: "demo", summary: "fill an empty database with the demo ecosystem and score its history",
		usage: "Fill an empty database with the deterministic demo ecosystem (180 days) and score its history.", run: runDemo},
	{name: "score", summary: "compute scores now (--at YYYY-MM-DD for one day, --from DATE --to DATE for a range,\n" +
		"--json to print them); days whose inputs changed are scored again however old",
		usage: "Compute and store scores: by default today's, after filling in missing history; --at scores one day.", run: runScore},
	{name: "import", summary: "import accesslog FILE…: backfill API usage from access logs (resumable; --json summary)",
		usage: "Import access logs (plain or .gz) into the API usage rollups. An interrupted import resumes where it stopped, without double counting.",
		args:  " FILE…", run: runImport},
	{name: "collect", summary: "run collectors now (all configured sources, or the ones named: collect SOURCE…)",
		usage: "Run the configured sources now (all, or the ones named), each under a run record, then score today.",
		args:  " [SOURCE…]", nargs: anyArgs, run: runCollect},
	{name: "snapshot", summary: "freeze a closed ISO week's scores (--week YYYY-Www; default the last closed week)",
		usage: "Freeze the scores of a closed ISO week (its Sunday). A snapshot is never rewritten: a second run for the same week is refused.", run: runSnapshot},
	{name: "export", summary: "export a week's snapshot: --week YYYY-Www --format csv|xlsx|json [-o FILE]\n" +
		"                             [--against YYYY-Www: the two weeks compared | --series N: the last N weeks]",
		usage: "Export a week's snapshot as CSV, XLSX (a Summary sheet, the data and a chart) or JSON; with --against WEEK,\n" +
			"the snapshot of --week (default the latest) compared with WEEK's, as /snapshots/compare; with --series N, R,\n" +
			"ecosystem health and each member's health and φ over the last N weeks (the XLSX charts R and health).", run: runExport},
	{name: "allocate", summary: "benefit allocation statement: --period 2026-W48|2026-11|2026-Q4 --pool AMOUNT [--currency CNY]\n" +
		"[--rule shapley|contribution|equal|weights] [--agreement SLUG] [--format text|json|csv|xlsx] [-o FILE]",
		usage: "Split a pool of money among the members for a period by a rule (docs/allocation.md), as /allocation does:\n" +
			"amounts in the currency's minor unit add up exactly to the pool. A closed period's statement never changes.", run: runAllocate},
	{name: "developers", summary: "the developer funnel of the API consumers first seen in a range (--from DATE --to DATE, default\n" +
		"the 84 days to the latest scored day; --json prints what GET /api/v1/developers answers)",
		usage: "The developer funnel (docs/developers.md), as /developers shows it: stages, time to first success, weekly cohorts.", run: runDevelopers},
	{name: "migrate", summary: "apply pending database migrations",
		usage: "Apply pending database migrations and print the schema version.", run: runMigrate},
	{name: "backup", summary: "write a consistent copy of the SQLite database to FILE (safe while serving)",
		usage: "Write a consistent copy of the SQLite database to FILE (SQLite VACUUM INTO); safe while serving.\nRestore: stop ecopulse and copy FILE over the database file.\n" +
			"A PostgreSQL database is backed up with pg_dump or continuous archiving (PITR); backup says so and fails.",
		args: " FILE", nargs: 1, run: runBackup},
	{name: "copy", summary: "copy the SQLite database (--db) into an empty PostgreSQL database: copy --to postgres://USER@HOST/DB",
		usage: "Copy every table of the SQLite database (--db) into an empty PostgreSQL database (--to), migrated first, ids kept,\n" +
			"in one transaction: rows per table and the sums of the floating-point columns are checked before it commits, so a\n" +
			"failed copy leaves the target empty. A target with data is refused. The password comes from the URL or $PGPASSWORD.\n" +
			"Stop writers of the SQLite database first: rows written during the copy are not copied.",
		run: runCopy},
	{name: "user", summary: "accounts: user add NAME --role ROLE (password from a prompt or stdin), user list,\n" +
		"user passwd NAME, user role NAME ROLE, user disable NAME, user enable NAME, user delete NAME", run: userCommand},
	{name: "member", summary: "members: member add SLUG --name NAME --kind KIND [--segment S] [--tier T] [--joined DATE],\n" +
		"member edit SLUG …, member list [--json], member archive SLUG [--on DATE],\n" +
		"member restore SLUG, member merge SLUG --into KEEP", run: memberCommand},
	{name: "rejected", summary: "what a source could not accept, and why: rejected SOURCE [--json]",
		usage: "What a source could not accept, and why: counts per reason and the newest records (push ingest is the source push, imports import).",
		args:  " SOURCE", nargs: 1, run: runRejected},
	{name: "alerts", summary: "the alerts open on a day (--at YYYY-MM-DD, default the latest scored day; --json)",
		usage: "The alerts open on a day (default: the latest scored day), whatever people did about them; --json prints what GET /api/v1/alerts?at=DATE answers.",
		run:   alertsCommand},
	{name: "api-versions", summary: "API versions: calls and shares, members at risk at each sunset (--at YYYY-MM-DD; --json)",
		usage: "The API versions declared in the configuration as /api-versions shows them (docs/api-versions.md); --json prints what GET /api/v1/api-versions?at=DATE answers.",
		run:   apiVersionsCommand},
	{name: "consumer", summary: "API consumers: consumer list [--unmapped] [--json], consumer map KEY SLUG,\n" +
		"consumer map --pattern 'acme-*' SLUG", run: consumerCommand},
	{name: "person", summary: "people: person list --unaffiliated [--json], person assign SOURCE:LOGIN MEMBER [--from DATE]\n" +
		"[--to DATE], person domain add DOMAIN MEMBER [--from DATE], person domain list", run: personCommand},
	{name: "forget", summary: "erase a person's identifying data (forget LOGIN | SOURCE:LOGIN | EMAIL); counts stay",
		usage: "Erase a person's identifying data: name, e-mail and logins become a pseudonym everywhere; member attribution and all counts stay. PERSON is a login, SOURCE:LOGIN or an e-mail address.",
		args:  " PERSON", nargs: 1, run: runForget},
	{name: "token", summary: "create, list or revoke ingest tokens (token create --name NAME [--allow CIDRS])", run: tokenCommand},
	{name: "config", summary: "print the effective configuration as YAML, secrets masked (--keys lists every setting,\n" +
		"--check checks it against the database and fails on a problem)",
		usage: "Print the effective configuration as YAML (defaults < --config file < ECOPULSE_* environment < --set), secrets masked.", run: runConfig},
}

const usageHead = `EcoPulse — ecosystem health analytics for a platform's partners, developers and projects.

Usage:
  ecopulse <command> [flags] [arguments]

Commands:
`

const usageTail = `
Flags every command takes:
  --db PATH|URL      the database: a SQLite file, or a postgres://USER@HOST/DB URL
                     (default ecopulse.db, or $ECOPULSE_DB); a PostgreSQL password
                     comes from the URL in $ECOPULSE_DB or --db, or $PGPASSWORD,
                     never from the configuration file
  --config FILE      YAML configuration (see ecopulse.example.yaml)
  --set KEY=VALUE    override a setting, e.g. --set scoring.window_days=14 (repeatable)
  --log-format FMT   text (default) or json
  --log-level LEVEL  debug, info (default), warn or error

Every setting of the configuration file can also be set by an environment
variable ECOPULSE_<KEY> (scoring.window_days: ECOPULSE_SCORING_WINDOW_DAYS).
Precedence: defaults < --config file < environment < --set < --db / --addr.

Run 'ecopulse <command> --help' for a command's flags.
`

// usage is what `ecopulse help` prints: the commands of the table, each
// summary's later lines indented under its first.
func usage() string {
	var b strings.Builder
	b.WriteString(usageHead)
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-9s %s\n", c.name, strings.ReplaceAll(c.summary, "\n", "\n"+strings.Repeat(" ", 12)))
	}
	b.WriteString(usageTail)
	return b.String()
}

func runServe(x *invocation) error {
	fs := x.flags()
	var opt app.ServeOptions
	fs.StringVar(&opt.Addr, "addr", "", "listen address `HOST:PORT` (default 127.0.0.1:8080, or $ECOPULSE_ADDR)")
	fs.BoolVar(&opt.Demo, "demo", false, "seed an empty database with the demo ecosystem and keep adding live traffic")
	env, _, err := x.open()
	if err != nil {
		return err
	}
	return app.Serve(x.ctx, env, opt)
}

func runDemo(x *invocation) error {
	x.flags()
	env, _, err := x.open()
	if err != nil {
		return err
	}
	return app.Demo(x.ctx, env)
}

// runScore checks the dates it is given before it loads the configuration.
func runScore(x *invocation) error {
	fs := x.flags()
	at := fs.String("at", "", "score this `DATE` (YYYY-MM-DD)")
	from := fs.String("from", "", "with --to: score every day from `DATE` (YYYY-MM-DD)")
	to := fs.String("to", "", "with --from: score every day up to `DATE` (YYYY-MM-DD)")
	asJSON := fs.Bool("json", false, "print the scores as JSON (the shape of /api/v1/scores)")
	if _, err := x.positional(x.args); err != nil {
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
	env, err := x.env()
	if err != nil {
		return err
	}
	return app.Score(x.ctx, env, opt)
}

// importNice is the nice value an import runs at by default: an import is
// batch work, often cron'd on the machine that serves the dashboards, and
// yields the CPU to the server's requests (docs/benchmarks-notes.md).
const importNice = 10

// runImport runs `import accesslog FILE…`, the one kind of import.
func runImport(x *invocation) error {
	if len(x.args) == 0 || x.args[0] != "accesslog" {
		fmt.Fprint(x.stderr, "Usage: ecopulse import accesslog [flags] FILE…\n")
		if len(x.args) > 0 && (x.args[0] == "-h" || x.args[0] == "--help") {
			return flag.ErrHelp
		}
		return errors.New("import needs a kind: accesslog")
	}
	fs := x.flagsFor("import accesslog", x.cmd.args, x.cmd.usage)
	var opt app.ImportOptions
	fs.StringVar(&opt.Format, "format", "", "log `FORMAT`: combined (the default), log_format, kong or json")
	fs.StringVar(&opt.LogFormat, "nginx-format", "", "nginx log_format `STRING` (with --format log_format)")
	fs.StringVar(&opt.Source, "source", "", "read the files as the configured accesslog source `NAME` does: its format, consumer options and hash key")
	fs.StringVar(&opt.ConsumerFrom, "consumer-from", "", "the consumer of a line: remote_user, header:NAME, field:NAME, ip (hashed with $ECOPULSE_HASH_KEY) or `none`")
	fs.BoolVar(&opt.JSON, "json", false, "print the summary as one JSON object (with first_day, last_day, consumers, mapped, unmapped)")
	nice := fs.Int("nice", importNice, "run at this CPU nice `VALUE`, 0–19, so that a server on the same machine keeps its pages fast (0: as started)")
	files, err := parse(fs, x.args[1:])
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return errors.New("import accesslog needs at least one FILE")
	}
	if *nice < 0 || *nice > 19 {
		return domain.Errorf(domain.EINVALID, "import accesslog: --nice %d: want 0–19", *nice)
	}
	env, err := x.env()
	if err != nil {
		return err
	}
	if err := lowerPriority(*nice); err != nil {
		env.Log.Warn("import: unable to lower the CPU priority; importing at the priority it was started with", "nice", *nice, "err", err)
	}
	if x.common.logFormat != "json" { // a progress bar would break a stream of JSON lines
		opt.Progress = x.stderr
	}
	return app.ImportAccessLog(x.ctx, env, files, opt)
}

func runCollect(x *invocation) error {
	x.flags()
	env, names, err := x.open()
	if err != nil {
		return err
	}
	return app.Collect(x.ctx, env, names)
}

func runSnapshot(x *invocation) error {
	week := x.flags().String("week", "", "ISO `WEEK` as YYYY-Www (default: the last closed week)")
	env, _, err := x.open()
	if err != nil {
		return err
	}
	return app.Snapshot(x.ctx, env, *week)
}

func runExport(x *invocation) error {
	fs := x.flags()
	week := fs.String("week", "", "ISO `WEEK` as YYYY-Www (default: the latest snapshot)")
	format := fs.String("format", "csv", "`FORMAT`: csv, xlsx or json")
	output := fs.String("o", "-", "output `FILE` (- for standard output)")
	against := fs.String("against", "", "compare --week with this ISO `WEEK` (default: the snapshot before it)")
	series := fs.String("series", "", "export the last `N` weeks, 1–520, instead of one week")
	env, _, err := x.open()
	if err != nil {
		return err
	}
	switch {
	case *series != "" && *against != "":
		return domain.Errorf(domain.EINVALID, "export: --series and --against do not go together")
	case *series != "":
		n, err := views.ParseSeriesWeeks(*series)
		if err != nil {
			return err
		}
		return app.ExportSeries(x.ctx, env, n, *format, *output)
	case *against != "":
		return app.ExportCompare(x.ctx, env, *against, *week, *format, *output)
	}
	return app.Export(x.ctx, env, *week, *format, *output)
}

func runAllocate(x *invocation) error {
	fs := x.flags()
	var q views.AllocationQuery
	fs.StringVar(&q.Period, "period", "", "`PERIOD`: an ISO week (2026-W48), a month (2026-11) or a quarter (2026-Q4)")
	fs.StringVar(&q.Pool, "pool", "", "the `AMOUNT` to split (default: the agreement's pool)")
	fs.StringVar(&q.Currency, "currency", "", "ISO 4217 `CODE` (default CNY)")
	fs.StringVar(&q.Rule, "rule", "shapley", "`RULE`: shapley, contribution, equal or weights")
	fs.StringVar(&q.Agreement, "agreement", "", "agreement `SLUG` (equal and weights split among its parties)")
	format := fs.String("format", "text", "`FORMAT`: text, json, csv or xlsx")
	output := fs.String("o", "-", "output `FILE` (- for standard output)")
	env, _, err := x.open()
	if err != nil {
		return err
	}
	return app.Allocate(x.ctx, env, q, *format, *output)
}

func runDevelopers(x *invocation) error {
	fs := x.flags()
	from := fs.String("from", "", "first `DATE` (YYYY-MM-DD) of arrivals")
	to := fs.String("to", "", "last `DATE` (YYYY-MM-DD) of arrivals")
	asJSON := fs.Bool("json", false, "print JSON (the shape of /api/v1/developers)")
	env, _, err := x.open()
	if err != nil {
		return err
	}
	p, err := views.ParseRange(func(k string) string { return map[string]string{"from": *from, "to": *to}[k] })
	if err != nil {
		return err
	}
	return app.Developers(x.ctx, env, p, *asJSON)
}

func runMigrate(x *invocation) error {
	x.flags()
	env, _, err := x.open()
	if err != nil {
		return err
	}
	return app.Migrate(x.ctx, env)
}

func runBackup(x *invocation) error {
	x.flags()
	env, pos, err := x.open()
	if err != nil {
		return err
	}
	return app.Backup(x.ctx, env, pos[0])
}

func runConfig(x *invocation) error {
	fs := x.flags()
	keys := fs.Bool("keys", false, "list every setting with its environment variable and type instead")
	check := fs.Bool("check", false, "check the configuration against the database (unknown members, sources that cannot start); exit non-zero on a problem")
	env, _, err := x.open()
	if err != nil {
		return err
	}
	if *check {
		return app.ConfigCheck(x.ctx, env)
	}
	return app.ShowConfig(env, app.ConfigOptions{Keys: *keys, File: x.common.config, Overrides: x.common.overrides()})
}

func runRejected(x *invocation) error {
	asJSON := x.flags().Bool("json", false, "print JSON (the shape of /api/v1/sources/SOURCE/rejected)")
	env, pos, err := x.open()
	if err != nil {
		return err
	}
	return app.RejectedList(x.ctx, env, pos[0], *asJSON)
}

func runForget(x *invocation) error {
	x.flags()
	env, pos, err := x.open()
	if err != nil {
		return err
	}
	return app.Forget(x.ctx, env, pos[0])
}

// runCopy runs `copy --to URL`, with a progress bar on stderr unless the
// logs are JSON lines.
func runCopy(x *invocation) error {
	fs := x.flags()
	var opt app.CopyOptions
	fs.StringVar(&opt.To, "to", "", "the PostgreSQL database to fill: a postgres://USER@HOST/DB `URL` (password in the URL or $PGPASSWORD)")
	if _, err := x.positional(x.args); err != nil {
		return err
	}
	if opt.To == "" {
		fs.Usage()
		return errors.New("copy needs --to postgres://USER@HOST/DB")
	}
	env, err := x.env()
	if err != nil {
		return err
	}
	if x.common.logFormat != "json" {
		opt.Progress = x.stderr
	}
	return app.Copy(x.ctx, env, opt)
}
