package app

import (
	"context"
	"fmt"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// The `ecopulse token …` commands: ingest tokens, as on /admin/tokens.

// TokenCreate runs `ecopulse token create`: it prints the secret once.
func TokenCreate(ctx context.Context, env *Env, name, allow string) error {
	return env.withDB(ctx, func(db *data.DB) error {
		t, secret, err := issueToken(ctx, db, env.Log, cliActor, name, allow)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "token %q (scope %s) created; it is shown only this once:\n%s\n", t.Name, t.Scope, secret)
		return nil
	})
}

// TokenRevoke runs `ecopulse token revoke`, audited as the page's revocation is.
func TokenRevoke(ctx context.Context, env *Env, name string) error {
	return env.withDB(ctx, func(db *data.DB) error {
		if err := revokeTokenAs(ctx, db, env.Log, cliActor, name); err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "token %q revoked\n", name)
		return nil
	})
}

// TokenList runs `ecopulse token list`.
func TokenList(ctx context.Context, env *Env) error {
	return env.withDB(ctx, func(db *data.DB) error {
		ts, err := db.Tokens(ctx)
		if err != nil {
			return err
		}
		for _, t := range ts {
			state := "live"
			if !t.Revoked.IsZero() {
				state = "revoked " + t.Revoked.Format(time.RFC3339)
			}
			fmt.Fprintf(env.Out, "%-24s %-8s %-30s %s\n", t.Name, t.Scope, domain.FormatAllowList(t.Allow), state)
		}
		return nil
	})
}
