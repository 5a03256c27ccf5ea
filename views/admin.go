package views

import (
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// The admin pages (admin role only): accounts, ingest tokens, audit log.
// Every form posts with the session's CSRF token in a hidden field.

// adminNav is the admin pages' own menu.
var adminNav = []navLink{
	{Path: "/admin/users", Label: "Users"},
	{Path: "/admin/tokens", Label: "Ingest tokens"},
	{Path: "/admin/audit", Label: "Audit log"},
}

func adminNavWith(active string) []navLink {
	nav := make([]navLink, len(adminNav))
	for i, l := range adminNav {
		l.Active = l.Path == active
		nav[i] = l
	}
	return nav
}

// UserRow is an account as the users page lists it.
type UserRow struct {
	domain.User
	SSO bool `json:"sso"` // made by single sign-on: no password
}

// Path is the account's name escaped for a URL path.
func (u UserRow) Path() string { return url.PathEscape(u.Name) }

// Path is the token's name escaped for a URL path.
func (t TokenRow) Path() string { return url.PathEscape(t.Name) }

// AdminUsers is the content of /admin/users.
type AdminUsers struct {
	Users  []UserRow
	Me     string   // the admin looking: their own row offers no changes
	Roles  []string // the roles, least allowed first
	CSRF   string
	Notice string
	Error  string
	// Reset is a password just reset, shown on this one response only.
	Reset *ResetPassword
}

// ResetPassword is an account whose password an admin just reset, and the
// temporary password its owner must change at the next login.
type ResetPassword struct {
	Name     string
	Password string
}

// AdminNav is the admin menu, this page marked.
func (AdminUsers) AdminNav() []navLink { return adminNavWith("/admin/users") }

// AdminUsersPage writes /admin/users.
func (r *Renderer) AdminUsersPage(w io.Writer, p AdminUsers) error {
	if len(p.Roles) == 0 {
		p.Roles = []string{domain.RoleViewer, domain.RoleManager, domain.RoleAdmin}
	}
	return r.render(w, "admin-users", layoutData{Title: r.Tr()("adminpage.users"), Page: p})
}

// TokenRow is an ingest token as the tokens page lists it.
type TokenRow struct {
	Name     string `json:"name"`
	Scope    string `json:"scope"`
	Allow    string `json:"allow"` // comma-separated; "" = any address
	Created  string `json:"created_at"`
	LastUsed string `json:"last_used_at,omitempty"`
	Revoked  string `json:"revoked_at,omitempty"`
}

// TokenRows turns stored tokens into rows.
func TokenRows(ts []domain.Token) []TokenRow {
	out := make([]TokenRow, len(ts))
	for i, t := range ts {
		out[i] = TokenRow{Name: t.Name, Scope: t.Scope, Allow: domain.FormatAllowList(t.Allow),
			Created: stamp(t.CreatedAt), LastUsed: stamp(t.LastUsed), Revoked: stamp(t.Revoked)}
	}
	return out
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// AdminTokens is the content of /admin/tokens.
type AdminTokens struct {
	Tokens []TokenRow
	// Created is the token just made, with its secret: shown on this one
	// response and never again.
	Created *CreatedToken
	CSRF    string
	Notice  string
	Error   string
}

// CreatedToken is a new token's name and secret.
type CreatedToken struct {
	Name   string `json:"name"`
	Secret string `json:"secret"`
}

// AdminNav is the admin menu, this page marked.
func (AdminTokens) AdminNav() []navLink { return adminNavWith("/admin/tokens") }

// AdminTokensPage writes /admin/tokens.
func (r *Renderer) AdminTokensPage(w io.Writer, p AdminTokens) error {
	return r.render(w, "admin-tokens", layoutData{Title: r.Tr()("adminpage.tokens"), Page: p})
}

// AuditRow is an audit log entry as the audit page lists it.
type AuditRow struct {
	data.AuditEntry
	When string
}

// AdminAudit is the content of /admin/audit.
type AdminAudit struct {
	Entries []data.AuditEntry
	Actor   string // the filters shown in the form
	Action  string
	Limit   int   // entries per page
	Before  int64 // this page starts below this id (0: the newest)
	Next    int64 // ?before= of the next page (0: this is the last)
}

// NextPage is the URL of the next (older) page, with the same filters.
func (a AdminAudit) NextPage() string {
	q := url.Values{"before": {strconv.FormatInt(a.Next, 10)}, "limit": {strconv.Itoa(a.Limit)}}
	if a.Actor != "" {
		q.Set("actor", a.Actor)
	}
	if a.Action != "" {
		q.Set("action", a.Action)
	}
	return "/admin/audit?" + q.Encode()
}

// Rows returns the entries with their times formatted.
func (a AdminAudit) Rows() []AuditRow {
	out := make([]AuditRow, len(a.Entries))
	for i, e := range a.Entries {
		out[i] = AuditRow{AuditEntry: e, When: stamp(e.At)}
	}
	return out
}

// AdminNav is the admin menu, this page marked.
func (AdminAudit) AdminNav() []navLink { return adminNavWith("/admin/audit") }

// AdminAuditPage writes /admin/audit.
func (r *Renderer) AdminAuditPage(w io.Writer, p AdminAudit) error {
	return r.render(w, "admin-audit", layoutData{Title: r.Tr()("adminpage.audit"), Page: p})
}
