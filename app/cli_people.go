package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// The `ecopulse person …` commands: the same functions as the JSON API and
// the community page (app/people.go), as actor cli.

// PersonUnaffiliated runs `ecopulse person list --unaffiliated [--from
// DATE] [--to DATE] [--json]`: the range defaults to the community page's.
func PersonUnaffiliated(ctx context.Context, env *Env, from, to string, asJSON bool) error {
	f, t, err := span(from, to)
	if err != nil {
		return err
	}
	return env.withDB(ctx, func(db *data.DB) error {
		// The command lists every one of them, a page at a time.
		rp := views.RangeParams{From: f, To: t, Now: env.Now()}
		u, err := views.BuildUnaffiliated(ctx, db, rp, views.UnaffiliatedPageMax, 0)
		for err == nil && u.Next != nil {
			var more *views.Unaffiliated
			if more, err = views.BuildUnaffiliated(ctx, db, rp, views.UnaffiliatedPageMax, *u.Next); err == nil {
				u.People, u.Next = append(u.People, more.People...), more.Next
			}
		}
		if err != nil {
			return err
		}
		u.Limit = len(u.People)
		if asJSON {
			return printJSON(env, u)
		}
		fmt.Fprintf(env.Out, "%d unaffiliated contributors from %s to %s\n", len(u.People), u.From, u.To)
		w := tabwriter.NewWriter(env.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "SOURCE:LOGIN\tACTIVITIES\tFIRST SEEN\tLAST SEEN")
		for _, p := range u.People {
			fmt.Fprintf(w, "%s:%s\t%d\t%s\t%s\n", oneLineText(p.Source), oneLineText(p.Login), p.Activities, p.FirstSeen, p.LastSeen)
		}
		return w.Flush()
	})
}

// ParseWho reads SOURCE:LOGIN (github:octocat), or a person's number.
func ParseWho(who string) (AssignInput, error) {
	if id, err := strconv.ParseInt(who, 10, 64); err == nil && id > 0 {
		return AssignInput{Person: id}, nil
	}
	source, login, ok := strings.Cut(who, ":")
	if !ok || strings.TrimSpace(source) == "" || strings.TrimSpace(login) == "" {
		return AssignInput{}, domain.Errorf(domain.EINVALID, "login: want SOURCE:LOGIN (github:octocat) or a person's number, not %q", who)
	}
	return AssignInput{Source: source, Login: login}, nil
}

// PersonAssign runs `ecopulse person assign SOURCE:LOGIN MEMBER [--from
// DATE] [--to DATE]`.
func PersonAssign(ctx context.Context, env *Env, in AssignInput) error {
	return env.withDB(ctx, func(db *data.DB) error {
		res, err := personAssign(ctx, db, "cli", in)
		if err != nil {
			return err
		}
		created := ""
		if res.Created {
			created = " (a new person)"
		}
		fmt.Fprintf(env.Out, "%s%s assigned to %q %s: %d activities re-attributed; the days they touch are scored again on the next scoring run\n",
			in.who(), created, res.Member, spanText(res.From, res.To), res.Activities)
		return nil
	})
}

// DomainRuleAdd runs `ecopulse person domain add DOMAIN MEMBER [--from
// DATE] [--to DATE]`.
func DomainRuleAdd(ctx context.Context, env *Env, in DomainRuleInput) error {
	return env.withDB(ctx, func(db *data.DB) error {
		res, err := domainRuleAdd(ctx, db, "cli", in)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "domain rule %d: people with an e-mail at %s belong to %q %s (where no explicit affiliation says otherwise): %d activities re-attributed\n",
			res.Rule.ID, res.Rule.Domain, res.Rule.Member, spanText(res.Rule.From, res.Rule.To), res.Activities)
		return nil
	})
}

// DomainRuleList runs `ecopulse person domain list [--json]`.
func DomainRuleList(ctx context.Context, env *Env, asJSON bool) error {
	return env.withDB(ctx, func(db *data.DB) error {
		rules, err := domainRules(ctx, db)
		if err != nil {
			return err
		}
		if asJSON {
			return printJSON(env, map[string]any{"rules": rules})
		}
		w := tabwriter.NewWriter(env.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tDOMAIN\tMEMBER\tFROM\tTO")
		for _, r := range rules {
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", r.ID, r.Domain, r.Member, r.From, orDash(r.To))
		}
		return w.Flush()
	})
}

// DomainRuleDelete runs `ecopulse person domain delete ID`.
func DomainRuleDelete(ctx context.Context, env *Env, id int64) error {
	return env.withDB(ctx, func(db *data.DB) error {
		res, err := domainRuleDelete(ctx, db, "cli", id)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "domain rule %d (%s to %q) deleted: %d activities re-attributed\n", id, res.Rule.Domain, res.Rule.Member, res.Activities)
		return nil
	})
}
