package app

import (
	"context"
	"log/slog"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// issueToken creates an ingest token for actor (a user's name, or cliActor)
// and audits the change, a refused one too, never with the secret: the one
// path of /admin/tokens, its API and `ecopulse token create`.
func issueToken(ctx context.Context, db *data.DB, log *slog.Logger, actor, name, allow string) (*domain.Token, string, error) {
	refuse := func(target string, err error) (*domain.Token, string, error) {
		auditAs(ctx, db, log, data.AuditEntry{Actor: actor, Action: "token.create", Target: target, Detail: domain.ErrorMessage(err)})
		return nil, "", err
	}
	if !tokenNameRE.MatchString(name) {
		return refuse(clip(name, 64), domain.Errorf(domain.EINVALID,
			"a token name has 1–64 letters, digits, dots, dashes or underscores"))
	}
	prefixes, err := domain.ParseAllowList(allow)
	if err != nil {
		return refuse(name, err)
	}
	t := &domain.Token{Name: name, Scope: domain.ScopeIngest, Allow: prefixes}
	secret, err := db.CreateToken(ctx, t)
	if err != nil {
		return refuse(name, err)
	}
	detail := "scope " + t.Scope
	if len(prefixes) > 0 {
		detail += ", allow " + domain.FormatAllowList(prefixes)
	}
	auditAs(ctx, db, log, data.AuditEntry{Actor: actor, Action: "token.create", Target: name, Detail: detail, OK: true})
	return t, secret, nil
}

// revokeTokenAs revokes an ingest token for actor and audits it, a refused
// revocation too: the one path of the admin page, its API and
// `ecopulse token revoke`.
func revokeTokenAs(ctx context.Context, db *data.DB, log *slog.Logger, actor, name string) error {
	err := db.RevokeToken(ctx, name)
	entry := data.AuditEntry{Actor: actor, Action: "token.revoke", Target: clip(name, 64), OK: err == nil}
	if err != nil {
		entry.Detail = domain.ErrorMessage(err)
	}
	auditAs(ctx, db, log, entry)
	return err
}

// auditAs appends an entry to the audit log; a failure to audit is logged,
// never the caller's failure (the change itself is done).
func auditAs(ctx context.Context, db *data.DB, log *slog.Logger, e data.AuditEntry) {
	if err := db.Audit(context.WithoutCancel(ctx), e); err != nil {
		log.Error("audit log", "err", err)
	}
}
