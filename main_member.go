package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/ecopulse/ecopulse/app"
)

const memberUsage = `Usage:
  ecopulse member add SLUG --name NAME --kind KIND [--segment S] [--tier T] [--joined YYYY-MM-DD]
                      [--domain D]… [--github-org ORG]… [--key-pattern P]…
  ecopulse member edit SLUG [--name NAME] [--kind KIND] [--segment S] [--tier T] [--joined YYYY-MM-DD]
                      [--domain D]… [--github-org ORG]… [--key-pattern P]…   (lists given replace the stored ones)
  ecopulse member list [--json]
  ecopulse member archive SLUG [--on YYYY-MM-DD]   (default today; history kept, scoring stops that day)
  ecopulse member restore SLUG
  ecopulse member merge SLUG --into KEEP           (SLUG's history, ties and mappings move to KEEP)

KIND is partner, developer_org, research or internal. Members can also be declared in the
registry file (members: section, or a members CSV) and managed on the /members pages.
`

// listFlag collects a repeatable flag; each value may hold several entries
// separated by commas.
type listFlag struct {
	vals []string
	set  bool
}

func (l *listFlag) String() string { return strings.Join(l.vals, ",") }
func (l *listFlag) Set(v string) error {
	l.set = true
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			l.vals = append(l.vals, s)
		}
	}
	return nil
}

// memberCommand runs `ecopulse member …`.
func memberCommand(x *invocation) error {
	args := x.args
	subs := []string{"add", "edit", "list", "archive", "restore", "merge"}
	if len(args) == 0 || !contains(subs, args[0]) {
		fmt.Fprint(x.stderr, memberUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return flag.ErrHelp
		}
		return errors.New("member needs a subcommand: " + strings.Join(subs, ", "))
	}
	sub := args[0]
	fs := x.flagsFor("member "+sub, "", "Manage the ecosystem's members.\n\n"+memberUsage)
	var in app.MemberInput
	var domains, orgs, keys listFlag
	set := map[string]bool{}
	str := func(p *string, name, usage string) {
		fs.Func(name, usage, func(v string) error { *p, set[name] = v, true; return nil })
	}
	var asJSON bool
	var on, into string
	switch sub {
	case "add", "edit":
		str(&in.Name, "name", "display `NAME`")
		str(&in.Kind, "kind", "`KIND`: partner, developer_org, research or internal")
		str(&in.Segment, "segment", "`SEGMENT` (market or technology)")
		str(&in.Tier, "tier", "partnership `TIER`")
		str(&in.Joined, "joined", "joined date `YYYY-MM-DD` (default today)")
		fs.Var(&domains, "domain", "e-mail or web `DOMAIN` of its people (repeatable)")
		fs.Var(&orgs, "github-org", "GitHub `ORG` (repeatable)")
		fs.Var(&keys, "key-pattern", "API-key or consumer `PATTERN`, * as wildcard (repeatable)")
	case "list":
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	case "archive":
		fs.StringVar(&on, "on", "", "first day not scored, `YYYY-MM-DD` (default today)")
	case "merge":
		fs.StringVar(&into, "into", "", "the member to keep (`SLUG`)")
	}
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	wantPos := 1
	if sub == "list" {
		wantPos = 0
	}
	if len(pos) != wantPos {
		fs.Usage()
		if wantPos == 0 {
			return errors.New("member list takes no arguments")
		}
		return fmt.Errorf("member %s needs exactly one SLUG", sub)
	}
	env, err := x.env()
	if err != nil {
		return err
	}
	switch sub {
	case "add":
		in.Slug, in.Domains, in.GitHubOrgs, in.KeyPatterns = pos[0], domains.vals, orgs.vals, keys.vals
		return app.MemberAdd(x.ctx, env, in)
	case "edit":
		return app.MemberEdit(x.ctx, env, pos[0], func(cur *app.MemberInput) {
			for _, f := range []struct {
				name     string
				cur, new *string
			}{{"name", &cur.Name, &in.Name}, {"kind", &cur.Kind, &in.Kind}, {"segment", &cur.Segment, &in.Segment},
				{"tier", &cur.Tier, &in.Tier}, {"joined", &cur.Joined, &in.Joined}} {
				if set[f.name] {
					*f.cur = *f.new
				}
			}
			if domains.set {
				cur.Domains = domains.vals
			}
			if orgs.set {
				cur.GitHubOrgs = orgs.vals
			}
			if keys.set {
				cur.KeyPatterns = keys.vals
			}
		})
	case "list":
		return app.MemberList(x.ctx, env, asJSON)
	case "archive":
		return app.MemberArchive(x.ctx, env, pos[0], on)
	case "restore":
		return app.MemberRestore(x.ctx, env, pos[0])
	}
	if into == "" {
		return errors.New("member merge needs --into KEEP")
	}
	return app.MemberMerge(x.ctx, env, pos[0], into)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
