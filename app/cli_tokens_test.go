package app

import (
	"context"
	"strings"
	"testing"
)

// TestTokenCommandsAreAuditedLikeThePage: `ecopulse token create|revoke`
// take the admin page's one path, so the audit log names the command as
// actor for what it did and for what it was refused, and never holds the
// secret it printed.
func TestTokenCommandsAreAuditedLikeThePage(t *testing.T) {
	ctx := context.Background()
	env, db, out := commandEnv(t)
	if err := TokenCreate(ctx, env, "gateway-1", "10.0.0.0/8"); err != nil {
		t.Fatal(err)
	}
	secret := strings.TrimSpace(out.String()[strings.LastIndex(strings.TrimSpace(out.String()), "\n")+1:])
	if !strings.HasPrefix(secret, "ep_") {
		t.Fatalf("no secret printed: %q", out.String())
	}
	if err := TokenCreate(ctx, env, "bad name!", ""); err == nil {
		t.Fatal("a token name with a space and a ! was accepted")
	}
	if err := TokenRevoke(ctx, env, "gateway-1"); err != nil {
		t.Fatal(err)
	}
	if err := TokenRevoke(ctx, env, "no-such-token"); err == nil {
		t.Fatal("revoking an unknown token succeeded")
	}

	created := auditOf(t, db, "token.create")
	if !hasAudit(created, cliActor, "gateway-1", true) || !hasAudit(created, cliActor, "bad name!", false) {
		t.Errorf("token.create entries = %+v, want the command's creation and its refusal", created)
	}
	revoked := auditOf(t, db, "token.revoke")
	if !hasAudit(revoked, cliActor, "gateway-1", true) || !hasAudit(revoked, cliActor, "no-such-token", false) {
		t.Errorf("token.revoke entries = %+v, want the command's revocation and its refusal", revoked)
	}
	for _, e := range append(created, revoked...) {
		if strings.Contains(e.Detail, secret) || strings.Contains(e.Target, secret) {
			t.Errorf("the audit log holds the secret: %+v", e)
		}
	}
}
