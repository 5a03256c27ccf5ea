package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
)

// The bodies of the ecopulse commands live in cli_*.go, one file per
// command family, beside no page handler: a command opens the store, calls
// the function its page or JSON twin calls (as actor "cli"), and prints.
// main parses the command line and builds their Env.

// Env is what every command gets: configuration, logger and output.
type Env struct {
	Config config.Config
	Log    *slog.Logger
	Out    io.Writer
	Now    func() time.Time
}

// withDB opens the configured database (migrating it), runs fn on it and
// closes it, for every command.
func (e *Env) withDB(ctx context.Context, fn func(*data.DB) error) error {
	db, err := data.Open(ctx, e.Config.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(db)
}

// cliActor is who the audit log names for what a command did: the
// commands run with the database file's access, not as an account.
const cliActor = "cli"

// oneLineText keeps a stored value on its line of a terminal table.
func oneLineText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// printJSON prints v as indented JSON: what a command's --json prints.
func printJSON(env *Env, v any) error {
	enc := json.NewEncoder(env.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
