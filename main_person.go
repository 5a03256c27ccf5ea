package main

import (
	"errors"
	"flag"
	"fmt"
	"strconv"

	"github.com/ecopulse/ecopulse/app"
)

const personUsage = `Usage:
  ecopulse person list --unaffiliated [--from DATE] [--to DATE] [--json]
  ecopulse person assign SOURCE:LOGIN MEMBER [--from DATE] [--to DATE]   (or a person's number for SOURCE:LOGIN)
  ecopulse person domain add DOMAIN MEMBER [--from DATE] [--to DATE]
  ecopulse person domain list [--json]
  ecopulse person domain delete ID

An assignment or a domain rule applies to the stored activity at once: it is attributed
again and the days it touches are scored again on the next scoring run. DATEs are
YYYY-MM-DD; --from defaults to since always, --to (the first day no longer affiliated) to
open. Assignments and the configuration's affiliation: people win over stored domain rules,
which fill the days they leave; a person the configuration lists gets its configured
affiliations back at the next start.
`

// personCommand runs `ecopulse person …`.
func personCommand(x *invocation) error {
	args := x.args
	sub := ""
	if len(args) > 0 {
		sub = args[0]
	}
	if sub == "domain" && len(args) > 1 {
		sub, args = "domain "+args[1], args[1:]
	}
	switch sub {
	case "list", "assign", "domain add", "domain list", "domain delete":
	default:
		fmt.Fprint(x.stderr, personUsage)
		if sub == "-h" || sub == "--help" {
			return flag.ErrHelp
		}
		return errors.New("person needs a subcommand: list, assign or domain add|list|delete")
	}
	fs := x.flagsFor("person "+sub, "", "People and the members they work for.\n\n"+personUsage)
	var unaffiliated, asJSON bool
	var from, to string
	switch sub {
	case "list":
		fs.BoolVar(&unaffiliated, "unaffiliated", false, "the contributors whose activity counts for no member")
		fs.BoolVar(&asJSON, "json", false, "print JSON (the shape of /api/v1/people/unaffiliated)")
		fs.StringVar(&from, "from", "", "first day `YYYY-MM-DD` (default: the community page's range)")
		fs.StringVar(&to, "to", "", "last day `YYYY-MM-DD`")
	case "assign", "domain add":
		fs.StringVar(&from, "from", "", "first day `YYYY-MM-DD` (default: since always)")
		fs.StringVar(&to, "to", "", "first day `YYYY-MM-DD` no longer affiliated (default: open)")
	case "domain list":
		fs.BoolVar(&asJSON, "json", false, "print JSON (the shape of /api/v1/affiliation/domains)")
	}
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	want := map[string]int{"list": 0, "assign": 2, "domain add": 2, "domain list": 0, "domain delete": 1}[sub]
	if len(pos) != want {
		fs.Usage()
		return fmt.Errorf("person %s takes %d arguments, not %d", sub, want, len(pos))
	}
	if sub == "list" && !unaffiliated {
		fs.Usage()
		return errors.New("person list lists the unaffiliated contributors: add --unaffiliated")
	}
	env, err := x.env()
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		return app.PersonUnaffiliated(x.ctx, env, from, to, asJSON)
	case "assign":
		in, err := app.ParseWho(pos[0])
		if err != nil {
			return err
		}
		in.Member, in.From, in.To = pos[1], from, to
		return app.PersonAssign(x.ctx, env, in)
	case "domain add":
		return app.DomainRuleAdd(x.ctx, env, app.DomainRuleInput{Domain: pos[0], Member: pos[1], From: from, To: to})
	case "domain list":
		return app.DomainRuleList(x.ctx, env, asJSON)
	default: // domain delete
		id, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("id: want a rule's number (person domain list), not %q", pos[0])
		}
		return app.DomainRuleDelete(x.ctx, env, id)
	}
}
