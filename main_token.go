package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/ecopulse/ecopulse/app"
)

func tokenCommand(x *invocation) error {
	args := x.args
	if len(args) == 0 || (args[0] != "create" && args[0] != "list" && args[0] != "revoke") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprint(x.stderr, tokenUsage)
			return flag.ErrHelp
		}
		fmt.Fprint(x.stderr, tokenUsage)
		return errors.New("token needs a subcommand: create, list or revoke")
	}
	sub := args[0]
	fs := x.flagsFor("token "+sub, "", "Ingest tokens authorise POST /api/v1/ingest/...; a token is shown once and stored hashed.")
	name := fs.String("name", "", "token `NAME`")
	allow := fs.String("allow", "", "comma-separated source addresses or `CIDRS` allowed to use the token (default: any)")
	if err := noArgs(fs, args[1:]); err != nil {
		return err
	}
	env, err := x.env()
	if err != nil {
		return err
	}
	switch sub {
	case "create":
		if *name == "" {
			return errors.New("token create needs --name")
		}
		return app.TokenCreate(x.ctx, env, *name, *allow)
	case "revoke":
		if *name == "" {
			return errors.New("token revoke needs --name")
		}
		return app.TokenRevoke(x.ctx, env, *name)
	}
	return app.TokenList(x.ctx, env)
}

const tokenUsage = `Usage:
  ecopulse token create --name NAME [--allow CIDRS]   create an ingest token (shown once)
  ecopulse token list                                list tokens
  ecopulse token revoke --name NAME                  revoke a token
`
