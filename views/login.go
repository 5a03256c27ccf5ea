package views

import "io"

// LoginPage is what the login form shows.
type LoginPage struct {
	Error    string // why the last attempt failed
	Name     string // the name tried, kept in the form
	Next     string // where to go after logging in (a local path)
	CSRF     string
	DemoHint string // "demo / demo" under serve --demo: a read-only viewer
	SSO      bool   // single sign-on is configured: offer "Sign in with SSO"
}

// Login writes the login page.
func (r *Renderer) Login(w io.Writer, p LoginPage) error {
	return r.render(w, "login", layoutData{Title: r.Tr()("login.log_in"), Page: p, Bare: true})
}
