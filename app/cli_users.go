package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// The `ecopulse user …` commands: accounts, changed as on /admin/users
// (never leaving no enabled admin; sessions end), audited as actor cli.

// UserAdd runs `ecopulse user add NAME --role ROLE` with the password given.
func UserAdd(ctx context.Context, env *Env, name, role, password string) error {
	return env.withDB(ctx, func(db *data.DB) error {
		u, err := AddUser(ctx, db, name, role, password)
		if err != nil {
			return err
		}
		if err := db.Audit(ctx, data.AuditEntry{Actor: "cli", Action: "user.create", Target: u.Name, Detail: "role " + u.Role, OK: true}); err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "user %q (%s) created\n", u.Name, u.Role)
		return nil
	})
}

// UserList runs `ecopulse user list`: every account with its role, how it
// signs in and whether it is disabled.
func UserList(ctx context.Context, env *Env) error {
	return env.withDB(ctx, func(db *data.DB) error {
		users, err := db.Users(ctx)
		if err != nil {
			return err
		}
		sso, err := db.SSOUserNames(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			signIn, state := "password", "active"
			if sso[u.Name] {
				signIn = "sso"
			}
			if u.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(env.Out, "%-24s %-8s %-9s %-9s created %s\n", u.Name, u.Role, signIn, state, u.CreatedAt.Format("2006-01-02"))
		}
		return nil
	})
}

// UserSetRole runs `ecopulse user role NAME ROLE`.
func UserSetRole(ctx context.Context, env *Env, name, role string) error {
	return userChange(ctx, env, name, "user.role", role == domain.RoleAdmin, func(db *data.DB, u *domain.User) (string, error) {
		return u.Role + " → " + role, db.SetUserRole(ctx, name, role)
	})
}

// UserSetPassword runs `ecopulse user passwd NAME` with the password given
// (read from a prompt or stdin by main): the account keeps its role, any
// must-change flag is cleared, and its sessions end.
func UserSetPassword(ctx context.Context, env *Env, name, password string) error {
	return env.withDB(ctx, func(db *data.DB) error {
		u, err := setPasswordCLI(ctx, db, name, password)
		if err != nil {
			return err
		}
		if err := endUserSessions(ctx, db, u.ID); err != nil {
			return err
		}
		if err := db.Audit(ctx, data.AuditEntry{Actor: "cli", Action: "user.password", Target: name, Detail: "set; sessions ended", OK: true}); err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "user %q: password changed, sessions ended\n", name)
		return nil
	})
}

// UserSetDisabled runs `ecopulse user disable NAME` (disabled true) and
// `ecopulse user enable NAME`.
func UserSetDisabled(ctx context.Context, env *Env, name string, disabled bool) error {
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	return userChange(ctx, env, name, action, !disabled, func(db *data.DB, u *domain.User) (string, error) {
		return "", db.SetUserDisabled(ctx, name, disabled)
	})
}

// UserDelete runs `ecopulse user delete NAME`; the audit log keeps the
// account's entries.
func UserDelete(ctx context.Context, env *Env, name string) error {
	return userChange(ctx, env, name, "user.delete", false, func(db *data.DB, u *domain.User) (string, error) {
		return "role " + u.Role, db.DeleteUser(ctx, name)
	})
}

// userChange applies a change to an account from the command line: never
// leaving no enabled admin, ending the account's sessions, audited as "cli".
func userChange(ctx context.Context, env *Env, name, action string, keepsAdmin bool, change func(*data.DB, *domain.User) (string, error)) error {
	return env.withDB(ctx, func(db *data.DB) error {
		u, err := db.UserByName(ctx, name)
		if err != nil {
			return err
		}
		if !keepsAdmin && u.Role == domain.RoleAdmin && !u.Disabled {
			n, err := db.CountAdmins(ctx)
			if err != nil {
				return err
			}
			if n <= 1 {
				return domain.Errorf(domain.ECONFLICT, "%q is the last enabled admin: add or enable another admin first", name)
			}
		}
		detail, err := change(db, u)
		if err != nil {
			return err
		}
		if err := endUserSessions(ctx, db, u.ID); err != nil {
			return err
		}
		if err := db.Audit(ctx, data.AuditEntry{Actor: "cli", Action: action, Target: name, Detail: detail, OK: true}); err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "user %q: %s done\n", name, strings.TrimPrefix(action, "user."))
		return nil
	})
}
