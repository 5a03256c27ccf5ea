package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/ecopulse/ecopulse/app"
	"github.com/ecopulse/ecopulse/data"
)

const consumerUsage = `Usage:
  ecopulse consumer list [--unmapped] [--search TEXT] [--limit N] [--offset N] [--json]
  ecopulse consumer map KEY SLUG                   (SLUG "" unmaps)
  ecopulse consumer map --secret SECRET SLUG       (the consumer whose API key is SECRET, hashed as the access logs do)
  ecopulse consumer map --pattern 'acme-*' SLUG [--all]   (unmapped consumers only, unless --all)
  ecopulse consumer map --address 203.0.113.0/24 SLUG     (consumers identified by client address; kept as a rule)

A mapping takes effect at once and carries the consumer's stored history: the days it
touches are scored again on the next scoring run. Members' key patterns (ecopulse member
edit SLUG --key-pattern P) map new consumers automatically.
`

// consumerCommand runs `ecopulse consumer …`.
func consumerCommand(x *invocation) error {
	args := x.args
	if len(args) == 0 || (args[0] != "list" && args[0] != "map") {
		fmt.Fprint(x.stderr, consumerUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return flag.ErrHelp
		}
		return errors.New("consumer needs a subcommand: list or map")
	}
	sub := args[0]
	fs := x.flagsFor("consumer "+sub, "", "API consumers and the members they belong to.\n\n"+consumerUsage)
	var q data.ConsumerQuery
	var asJSON, all, secret bool
	var pattern, address string
	if sub == "list" {
		fs.BoolVar(&q.Unmapped, "unmapped", false, "only consumers not mapped to a member")
		fs.StringVar(&q.Search, "search", "", "only keys or names containing `TEXT`")
		fs.IntVar(&q.Limit, "limit", data.DefaultConsumerPage, fmt.Sprintf("at most `N` consumers (1 to %d)", data.MaxConsumerPage))
		fs.IntVar(&q.Offset, "offset", 0, "skip the first `N`")
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	} else {
		fs.StringVar(&pattern, "pattern", "", "map every consumer whose key matches `PATTERN` (* any run, ? one character)")
		fs.BoolVar(&all, "all", false, "with --pattern: remap consumers already mapped too")
		fs.StringVar(&address, "address", "", "map the consumers identified by a client address in `RANGE` (203.0.113.7, 203.0.113.0/24; at most 65,536 addresses); kept as a rule")
		fs.BoolVar(&secret, "secret", false, "KEY is the consumer's raw secret (an API key or Authorization value): map the consumer it is stored as")
	}
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	switch {
	case sub == "list" && len(pos) != 0:
		fs.Usage()
		return errors.New("consumer list takes no arguments")
	case sub == "map" && address != "" && (pattern != "" || secret || len(pos) != 1):
		fs.Usage()
		return errors.New("consumer map --address RANGE takes SLUG only")
	case sub == "map" && pattern == "" && address == "" && len(pos) != 2:
		fs.Usage()
		return errors.New("consumer map needs KEY and SLUG")
	case sub == "map" && pattern != "" && len(pos) != 1:
		fs.Usage()
		return errors.New("consumer map --pattern P needs SLUG")
	case secret && pattern != "":
		return errors.New("consumer map takes --secret or --pattern, not both")
	}
	env, err := x.env()
	if err != nil {
		return err
	}
	if sub == "list" {
		return app.ConsumerList(x.ctx, env, q, asJSON)
	}
	if pattern != "" {
		return app.ConsumerMap(x.ctx, env, "", pattern, pos[0], all)
	}
	if address != "" {
		return app.ConsumerMapAddress(x.ctx, env, address, pos[0])
	}
	return app.ConsumerMapSecret(x.ctx, env, pos[0], "", pos[1], false, secret)
}
