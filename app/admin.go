package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// The admin pages (admin role only; rules in app/routes.go) and their JSON twins:
//
//	GET  /admin/users                   accounts; form to add one
//	POST /admin/users                   add (name, role, password)
//	POST /admin/users/:name/role        change the role (role)
//	POST /admin/users/:name/disable     disable (and end its sessions)
//	POST /admin/users/:name/enable      enable
//	POST /admin/users/:name/delete      delete (audit entries stay)
//	POST /admin/users/:name/password    reset the password (app/account.go)
//	GET  /admin/tokens                  ingest tokens; form to create one
//	POST /admin/tokens                  create (name, allow): the secret is on this response only
//	POST /admin/tokens/:name/revoke     revoke
//	GET  /admin/audit                   the audit log, newest first (?actor, ?action, ?limit, ?before)
//
//	GET    /api/v1/admin/users          the accounts
//	POST   /api/v1/admin/users          {"name", "role", "password"} → 201
//	POST   /api/v1/admin/users/:name    {"role"?, "disabled"?}
//	DELETE /api/v1/admin/users/:name
//	GET    /api/v1/admin/tokens
//	POST   /api/v1/admin/tokens         {"name", "allow"?} → 201 with "secret", shown once
//	DELETE /api/v1/admin/tokens/:name   revoke
//	GET    /api/v1/admin/audit          ?actor, ?action, ?limit (≤ 1000), ?before (an id: the next page)
//
// Every change is audited, refused ones too. An admin cannot change or
// delete their own account (another admin can), and no change may leave no
// enabled admin.

// The admin forms' changes of one account (adminUserForm answers them).
func adminRoleForm(a *App, c *fiber.Ctx, name string) error {
	return a.setUserRole(c, name, c.FormValue("role"))
}

func adminDisableForm(a *App, c *fiber.Ctx, name string) error {
	return a.setUserDisabled(c, name, true)
}

func adminEnableForm(a *App, c *fiber.Ctx, name string) error {
	return a.setUserDisabled(c, name, false)
}

// --- the changes, shared by the forms and the JSON API ---

// adminFail audits a refused change and returns its error.
func (a *App) adminFail(c *fiber.Ctx, action, target string, err error) error {
	a.audit(c.UserContext(), viewerOf(c).Name, action, target, domain.ErrorMessage(err), false)
	return err
}

func (a *App) addUser(c *fiber.Ctx, name, role, password string) (*domain.User, error) {
	u, err := AddUser(c.UserContext(), a.db, name, role, password)
	if err != nil {
		return nil, a.adminFail(c, "user.create", name, err)
	}
	a.audit(c.UserContext(), viewerOf(c).Name, "user.create", u.Name, "role "+u.Role, true)
	return u, nil
}

// changeable returns the account name if the viewer may change it: not
// their own, and not the last enabled admin when the change would take
// admin rights away (keepsAdmin false).
func (a *App) changeable(ctx context.Context, v *viewer, name string, keepsAdmin bool) (*domain.User, error) {
	u, err := a.db.UserByName(ctx, name)
	if err != nil {
		return nil, err
	}
	if u.ID == v.ID || u.Name == v.Name {
		return nil, domain.ErrorKey(domain.EINVALID, "errors.admin.own_account", nil, "you cannot change or delete your own account: ask another admin")
	}
	if !keepsAdmin && u.Role == domain.RoleAdmin && !u.Disabled {
		n, err := a.db.CountAdmins(ctx)
		if err != nil {
			return nil, err
		}
		if n <= 1 {
			return nil, domain.ErrorKey(domain.ECONFLICT, "errors.admin.last_admin", domain.Facts{"Name": fmt.Sprintf("%q", name)}, "%q is the last enabled admin", name)
		}
	}
	return u, nil
}

func (a *App) setUserRole(c *fiber.Ctx, name, role string) error {
	ctx := c.UserContext()
	if domain.RoleRank(role) == 0 {
		return a.adminFail(c, "user.role", name, domain.ErrorKey(domain.EINVALID, "errors.user.role", domain.Facts{"Role": fmt.Sprintf("%q", role)}, "unknown role %q (viewer, manager or admin)", role))
	}
	u, err := a.changeable(ctx, viewerOf(c), name, role == domain.RoleAdmin)
	if err != nil {
		return a.adminFail(c, "user.role", name, err)
	}
	if err := a.db.SetUserRole(ctx, name, role); err != nil {
		return a.adminFail(c, "user.role", name, err)
	}
	a.endSessionsOf(ctx, u.ID)
	a.audit(ctx, viewerOf(c).Name, "user.role", name, u.Role+" → "+role, true)
	return nil
}

func (a *App) setUserDisabled(c *fiber.Ctx, name string, disabled bool) error {
	ctx := c.UserContext()
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	u, err := a.changeable(ctx, viewerOf(c), name, !disabled)
	if err != nil {
		return a.adminFail(c, action, name, err)
	}
	if err := a.db.SetUserDisabled(ctx, name, disabled); err != nil {
		return a.adminFail(c, action, name, err)
	}
	if disabled {
		a.endSessionsOf(ctx, u.ID)
	}
	a.audit(ctx, viewerOf(c).Name, action, name, "", true)
	return nil
}

func (a *App) deleteUser(c *fiber.Ctx, name string) error {
	ctx := c.UserContext()
	u, err := a.changeable(ctx, viewerOf(c), name, false)
	if err != nil {
		return a.adminFail(c, "user.delete", name, err)
	}
	if err := a.db.DeleteUser(ctx, name); err != nil {
		return a.adminFail(c, "user.delete", name, err)
	}
	a.endSessionsOf(ctx, u.ID)
	a.audit(ctx, viewerOf(c).Name, "user.delete", name, "role "+u.Role, true)
	return nil
}

// endSessionsOf logs an account out everywhere: sessions carry the role they
// were opened with, so a change of role, disabling or deleting must end them.
func (a *App) endSessionsOf(ctx context.Context, uid int64) {
	if err := endUserSessions(ctx, a.db, uid); err != nil {
		a.log.Error("end sessions", "err", err)
	}
}

// endUserSessions deletes every session of an account (found by its
// indexed user_id column: no session is decoded).
func endUserSessions(ctx context.Context, db *data.DB, uid int64) error {
	_, err := db.Sessions().EndUserSessions(ctx, uid, "")
	return err
}

// tokenNameRE keeps token names usable in URLs and logs.
var tokenNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func (a *App) createToken(c *fiber.Ctx, name, allow string) (*domain.Token, string, error) {
	return issueToken(c.UserContext(), a.db, a.log, viewerOf(c).Name, name, allow)
}

func (a *App) revokeToken(c *fiber.Ctx, name string) error {
	return revokeTokenAs(c.UserContext(), a.db, a.log, viewerOf(c).Name, name)
}

// param returns a path parameter, percent-decoded.
func param(c *fiber.Ctx, name string) (string, error) {
	s, err := url.PathUnescape(c.Params(name))
	if err != nil {
		return "", domain.Errorf(domain.EINVALID, "bad %s in the path", name)
	}
	return s, nil
}

// --- pages ---

// pageCSRF returns the session's CSRF token for a page's forms (the gate
// has made it).
func (a *App) pageCSRF(c *fiber.Ctx) (string, error) {
	sess, err := a.session(c)
	if err != nil {
		return "", err
	}
	tok, _ := sess.Get(sessCSRF).(string)
	return tok, nil
}

func (a *App) userRows(ctx context.Context) ([]views.UserRow, error) {
	users, err := a.db.Users(ctx)
	if err != nil {
		return nil, err
	}
	sso, err := a.db.SSOUserNames(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]views.UserRow, len(users))
	for i, u := range users {
		rows[i] = views.UserRow{User: u, SSO: sso[u.Name]}
	}
	return rows, nil
}

func (a *App) renderAdminUsers(c *fiber.Ctx, status int, failure error) error {
	return a.renderAdminUsersWith(c, status, failure, nil)
}

// renderAdminUsersNotice shows the users page with a password just reset.
func (a *App) renderAdminUsersNotice(c *fiber.Ctx, reset *views.ResetPassword) error {
	return a.renderAdminUsersWith(c, fiber.StatusOK, nil, reset)
}

func (a *App) renderAdminUsersWith(c *fiber.Ctx, status int, failure error, reset *views.ResetPassword) error {
	users, err := a.userRows(c.UserContext())
	if err != nil {
		return err
	}
	csrf, err := a.pageCSRF(c)
	if err != nil {
		return err
	}
	p := views.AdminUsers{Users: users, Me: viewerOf(c).Name, CSRF: csrf, Reset: reset}
	if failure != nil {
		st, msg := a.statusIn(c, failure)
		if st >= 500 {
			return failure
		}
		status, p.Error = st, msg
	}
	c.Status(status)
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).AdminUsersPage(b, p) })
}

func (a *App) adminUsersPage(c *fiber.Ctx) error { return a.renderAdminUsers(c, fiber.StatusOK, nil) }

// adminDone answers a successful form: back to the page (POST, redirect, GET).
func adminDone(c *fiber.Ctx, page string) error { return c.Redirect(page, fiber.StatusSeeOther) }

func (a *App) adminAddUserForm(c *fiber.Ctx) error {
	if _, err := a.addUser(c, c.FormValue("name"), c.FormValue("role"), c.FormValue("password")); err != nil {
		return a.renderAdminUsers(c, 0, err)
	}
	return adminDone(c, "/admin/users")
}

func (a *App) adminUserForm(change func(a *App, c *fiber.Ctx, name string) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		name, err := param(c, "name")
		if err == nil {
			err = change(a, c, name)
		}
		if err != nil {
			return a.renderAdminUsers(c, 0, err)
		}
		return adminDone(c, "/admin/users")
	}
}

func (a *App) renderAdminTokens(c *fiber.Ctx, status int, created *views.CreatedToken, failure error) error {
	ts, err := a.db.Tokens(c.UserContext())
	if err != nil {
		return err
	}
	csrf, err := a.pageCSRF(c)
	if err != nil {
		return err
	}
	p := views.AdminTokens{Tokens: views.TokenRows(ts), Created: created, CSRF: csrf}
	if failure != nil {
		st, msg := a.statusIn(c, failure)
		if st >= 500 {
			return failure
		}
		status, p.Error = st, msg
	}
	c.Status(status)
	c.Set(fiber.HeaderCacheControl, "no-store") // it may hold a secret
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).AdminTokensPage(b, p) })
}

func (a *App) adminTokensPage(c *fiber.Ctx) error {
	return a.renderAdminTokens(c, fiber.StatusOK, nil, nil)
}

func (a *App) adminCreateTokenForm(c *fiber.Ctx) error {
	t, secret, err := a.createToken(c, c.FormValue("name"), c.FormValue("allow"))
	if err != nil {
		return a.renderAdminTokens(c, 0, nil, err)
	}
	return a.renderAdminTokens(c, fiber.StatusCreated, &views.CreatedToken{Name: t.Name, Secret: secret}, nil)
}

func (a *App) adminRevokeTokenForm(c *fiber.Ctx) error {
	name, err := param(c, "name")
	if err == nil {
		err = a.revokeToken(c, name)
	}
	if err != nil {
		return a.renderAdminTokens(c, 0, nil, err)
	}
	return adminDone(c, "/admin/tokens")
}

// auditFilter reads ?actor, ?action, ?limit and ?before.
func auditFilter(c *fiber.Ctx) (data.AuditFilter, error) {
	f := data.AuditFilter{Actor: c.Query("actor"), Action: c.Query("action")}
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > data.AuditMaxLimit {
			return f, domain.Errorf(domain.EINVALID, "limit must be a number from 1 to %d", data.AuditMaxLimit)
		}
		f.Limit = n
	}
	if s := c.Query("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			return f, domain.Errorf(domain.EINVALID, "before must be an entry id (a positive number)")
		}
		f.Before = n
	}
	if len(f.Actor) > data.AuditFieldMax || len(f.Action) > data.AuditFieldMax {
		return f, domain.Errorf(domain.EINVALID, "actor and action filters have at most %d characters", data.AuditFieldMax)
	}
	return f, nil
}

// auditPage reads one page of the audit log, and the id to ask for the
// next (0: this is the last page).
func (a *App) auditPage(c *fiber.Ctx) (data.AuditFilter, []data.AuditEntry, int64, error) {
	f, err := auditFilter(c)
	if err != nil {
		return f, nil, 0, err
	}
	if f.Limit == 0 {
		f.Limit = data.AuditDefaultLimit
	}
	entries, err := a.db.AuditQuery(c.UserContext(), f)
	if err != nil {
		return f, nil, 0, err
	}
	var next int64
	if len(entries) == f.Limit {
		next = entries[len(entries)-1].ID
	}
	return f, entries, next, nil
}

func (a *App) adminAuditPage(c *fiber.Ctx) error {
	f, entries, next, err := a.auditPage(c)
	if err != nil {
		return err
	}
	p := views.AdminAudit{Entries: entries, Actor: f.Actor, Action: f.Action, Limit: f.Limit, Before: f.Before, Next: next}
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).AdminAuditPage(b, p) })
}

// --- JSON ---

// decodeJSON reads a request's JSON object into v, refusing unknown fields.
// The body comes through the bounded reader (app/body.go): c.Body() would
// un-gzip it with no bound.
func decodeJSON(c *fiber.Ctx, v any) error {
	body, err := requestBody(c)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return domain.Errorf(domain.EINVALID, "invalid JSON body: %v", err)
	}
	return nil
}

func (a *App) adminUsersJSON(c *fiber.Ctx) error {
	rows, err := a.userRows(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"users": rows})
}

func (a *App) adminAddUserJSON(c *fiber.Ctx) error {
	var in struct {
		Name     string `json:"name"`
		Role     string `json:"role"`
		Password string `json:"password"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	u, err := a.addUser(c, in.Name, in.Role, in.Password)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(u)
}

func (a *App) adminChangeUserJSON(c *fiber.Ctx) error {
	name, err := param(c, "name")
	if err != nil {
		return err
	}
	var in struct {
		Role     *string `json:"role"`
		Disabled *bool   `json:"disabled"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Role == nil && in.Disabled == nil {
		return domain.Errorf(domain.EINVALID, `nothing to change: send "role" and/or "disabled"`)
	}
	if in.Role != nil {
		if err := a.setUserRole(c, name, *in.Role); err != nil {
			return err
		}
	}
	if in.Disabled != nil {
		if err := a.setUserDisabled(c, name, *in.Disabled); err != nil {
			return err
		}
	}
	u, err := a.db.UserByName(c.UserContext(), name)
	if err != nil {
		return err
	}
	return c.JSON(u)
}

func (a *App) adminDeleteUserJSON(c *fiber.Ctx) error {
	name, err := param(c, "name")
	if err != nil {
		return err
	}
	if err := a.deleteUser(c, name); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"deleted": name})
}

func (a *App) adminTokensJSON(c *fiber.Ctx) error {
	ts, err := a.db.Tokens(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"tokens": views.TokenRows(ts)})
}

func (a *App) adminCreateTokenJSON(c *fiber.Ctx) error {
	var in struct {
		Name  string `json:"name"`
		Allow string `json:"allow"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	t, secret, err := a.createToken(c, in.Name, in.Allow)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{
		"name": t.Name, "scope": t.Scope, "allow": domain.FormatAllowList(t.Allow), "secret": secret,
		"note": "the secret is shown only this once",
	})
}

func (a *App) adminRevokeTokenJSON(c *fiber.Ctx) error {
	name, err := param(c, "name")
	if err != nil {
		return err
	}
	if err := a.revokeToken(c, name); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"revoked": name})
}

func (a *App) adminAuditJSON(c *fiber.Ctx) error {
	_, entries, next, err := a.auditPage(c)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []data.AuditEntry{}
	}
	out := fiber.Map{"entries": entries}
	if next != 0 {
		out["next_before"] = next
	}
	return c.JSON(out)
}
