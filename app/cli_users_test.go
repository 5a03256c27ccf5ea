package app

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

func TestAdminUserCommands(t *testing.T) {
	db := datatest.MustOpenDB(t)
	a := newTestApp(t, db)
	viewer := loginAs(t, a, domain.RoleViewer)
	var out bytes.Buffer
	env := &Env{Config: config.Default(), Log: quietLogger(), Out: &out}
	env.Config.DB = db.Path()
	ctx := t.Context()
	if err := UserSetRole(ctx, env, "viewer", domain.RoleManager); err != nil {
		t.Fatal(err)
	}
	if status, _ := sendJSON(t, a, viewer, "GET", "/api/v1/me", nil); status != http.StatusUnauthorized {
		t.Errorf("the session outlived a change of role from the command line: %d", status)
	}
	if err := UserSetDisabled(ctx, env, "viewer", true); err != nil {
		t.Fatal(err)
	}
	if err := UserSetDisabled(ctx, env, "admin", true); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("disable the last admin: %v, want ECONFLICT", err)
	}
	if err := UserDelete(ctx, env, "admin"); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("delete the last admin: %v, want ECONFLICT", err)
	}
	if err := UserDelete(ctx, env, "manager"); err != nil {
		t.Fatal(err)
	}
	if err := UserDelete(ctx, env, "nobody"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("delete nobody: %v", err)
	}
	out.Reset()
	if err := UserList(ctx, env); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.Contains(got, "viewer") || !strings.Contains(got, "disabled") || strings.HasPrefix(got, "manager ") || strings.Contains(got, "\nmanager ") {
		t.Errorf("list:\n%s", got)
	}
	for _, action := range []string{"user.role", "user.disable", "user.delete"} {
		if entries, _ := db.AuditQuery(ctx, data.AuditFilter{Actor: "cli", Action: action}); len(entries) != 1 {
			t.Errorf("audit %s: %d entries, want 1", action, len(entries))
		}
	}
}
