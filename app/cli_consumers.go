package app

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/ecopulse/ecopulse/data"
)

// The `ecopulse consumer …` commands: the same functions as the API-usage
// page and its JSON twins (app/consumers.go), as actor cli.

// ConsumerList runs `ecopulse consumer list [--unmapped] [--json]`.
func ConsumerList(ctx context.Context, env *Env, q data.ConsumerQuery, asJSON bool) error {
	return env.withDB(ctx, func(db *data.DB) error {
		p, err := consumerPage(ctx, db, q)
		if err != nil {
			return err
		}
		if asJSON {
			return printJSON(env, p)
		}
		w := tabwriter.NewWriter(env.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "KEY\tMEMBER\tCALLS\tFIRST SEEN\tLAST SEEN")
		for _, r := range p.Consumers {
			member := r.Member
			if member == "" {
				member = "(unmapped)"
			}
			fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\n", oneLineText(r.Key), member, r.Calls, orDash(r.FirstSeen), orDash(r.LastSeen))
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if shown := p.Offset + len(p.Consumers); shown < p.Total {
			fmt.Fprintf(env.Out, "… and %d more (--offset %d)\n", p.Total-shown, shown)
		}
		return nil
	})
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// ConsumerMap runs `ecopulse consumer map KEY SLUG` (SLUG "" unmaps) and,
// with pattern set, `ecopulse consumer map --pattern P SLUG`.
func ConsumerMap(ctx context.Context, env *Env, key, pattern, member string, all bool) error {
	return ConsumerMapSecret(ctx, env, key, pattern, member, all, false)
}

// ConsumerMapSecret is ConsumerMap; with secret, key is the raw secret
// (`ecopulse consumer map --secret KEY SLUG`), hashed as the access logs do.
func ConsumerMapSecret(ctx context.Context, env *Env, key, pattern, member string, all, secret bool) error {
	return env.withDB(ctx, func(db *data.DB) error {
		if secret {
			var err error
			if key, err = secretConsumerKey(ctx, db, env.Config.Sources, key); err != nil {
				return err
			}
		}
		if pattern != "" {
			n, err := consumersMapPattern(ctx, db, "cli", pattern, member, all)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Out, "%d consumers matching %q mapped to %q; the days they touch are scored again on the next scoring run\n", n, pattern, member)
			return nil
		}
		if err := consumerMap(ctx, db, "cli", key, member); err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "consumer %q mapped to %q; the days it touches are scored again on the next scoring run\n", key, member)
		return nil
	})
}

// ConsumerMapAddress runs `ecopulse consumer map --address RANGE SLUG`.
func ConsumerMapAddress(ctx context.Context, env *Env, address, member string) error {
	return env.withDB(ctx, func(db *data.DB) error {
		n, err := mapAddressRange(ctx, db, env.Config.Sources, "cli", address, member)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "%d consumers with an address in %s mapped to %q; new ones in the range follow at each scoring run\n", n, address, member)
		return nil
	})
}
