package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ecopulse/ecopulse/app"
	"golang.org/x/term"
)

// userCommand runs `ecopulse user add NAME --role ROLE`. The password comes
// from a prompt without echo on a terminal, else from the first line of stdin.
func userCommand(x *invocation) error {
	args := x.args
	const userUsage = "Usage: ecopulse user add NAME --role viewer|manager|admin | list | passwd NAME | role NAME ROLE | disable NAME | enable NAME | delete NAME\n"
	if len(args) == 0 {
		fmt.Fprint(x.stderr, userUsage)
		return errors.New("user needs a subcommand: add, list, passwd, role, disable, enable or delete")
	}
	if args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(x.stderr, userUsage)
		return flag.ErrHelp
	}
	if args[0] == "passwd" {
		return userPasswd(x, args[1:])
	}
	if args[0] != "add" {
		sub := args[0]
		fs := x.flagsFor("user "+sub, " [NAME [ROLE]]", "Manage accounts (audited; the last enabled admin cannot be removed).")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		want := map[string]int{"list": 0, "role": 2, "disable": 1, "enable": 1, "delete": 1}
		n, ok := want[sub]
		if !ok {
			fmt.Fprint(x.stderr, userUsage)
			return fmt.Errorf("unknown user subcommand %q", sub)
		}
		if len(pos) != n {
			fmt.Fprint(x.stderr, userUsage)
			return fmt.Errorf("user %s takes %d argument(s)", sub, n)
		}
		env, err := x.env()
		if err != nil {
			return err
		}
		switch sub {
		case "list":
			return app.UserList(x.ctx, env)
		case "role":
			return app.UserSetRole(x.ctx, env, pos[0], pos[1])
		case "disable", "enable":
			return app.UserSetDisabled(x.ctx, env, pos[0], sub == "disable")
		}
		return app.UserDelete(x.ctx, env, pos[0])
	}
	fs := x.flagsFor("user add", " NAME", "Add an account. The password is read from a prompt (without echo) or, when stdin is not a terminal, from its first line.")
	role := fs.String("role", "viewer", "`ROLE`: viewer, manager or admin")
	name, password, err := nameAndPassword(x, args[1:], "user add")
	if err != nil {
		return err
	}
	env, err := x.env()
	if err != nil {
		return err
	}
	return app.UserAdd(x.ctx, env, name, *role, password)
}

// nameAndPassword parses the one NAME of a user command and reads the
// password from a prompt or stdin.
func nameAndPassword(x *invocation, args []string, what string) (string, string, error) {
	pos, err := parse(x.fs, args)
	if err != nil {
		return "", "", err
	}
	if len(pos) != 1 {
		x.fs.Usage()
		return "", "", fmt.Errorf("%s needs exactly one NAME", what)
	}
	password, err := readPassword(x.stdin, x.stderr)
	return pos[0], password, err
}

// userPasswd runs `ecopulse user passwd NAME`: a new password from a prompt
// or stdin, like user add; the account's sessions end.
func userPasswd(x *invocation, args []string) error {
	x.flagsFor("user passwd", " NAME", "Set an account's password (its sessions end; audited). The password is read from a prompt (without echo) or, when stdin is not a terminal, from its first line.")
	name, password, err := nameAndPassword(x, args, "user passwd")
	if err != nil {
		return err
	}
	env, err := x.env()
	if err != nil {
		return err
	}
	return app.UserSetPassword(x.ctx, env, name, password)
}

// readPassword reads a password: twice from a prompt without echo on a
// terminal, else the first line of stdin.
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
