// Command ecopulse is the EcoPulse ecosystem health dashboard: one binary that
// collects, scores and serves. Run `ecopulse --help` for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/ecopulse/ecopulse/domain"
)

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

// run runs the command named by args[0] (main_commands.go) with the rest of
// args; help, a missing or an unknown command print the usage.
func run(ctx context.Context, args []string, out, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return errors.New("no command given")
	}
	name, args := args[0], args[1:]
	switch name {
	case "-h", "--help", "help":
		fmt.Fprint(out, usage())
		return nil
	}
	for i := range commands {
		if cmd := &commands[i]; cmd.name == name {
			return cmd.run(&invocation{ctx: ctx, cmd: cmd, args: args, stdin: os.Stdin, out: out, stderr: stderr})
		}
	}
	fmt.Fprint(stderr, usage())
	return fmt.Errorf("unknown command %q", name)
}
