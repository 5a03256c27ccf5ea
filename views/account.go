package views

import "io"

// AccountPassword is the content of /account/password: a user changes
// their own password (and must, after an admin's reset).
type AccountPassword struct {
	Name       string // whose password
	MustChange bool   // reset by an admin (or the first admin): nothing else opens before
	Next       string // where to go after the change (a local path)
	CSRF       string
	Notice     string
	Error      string
}

// AccountPasswordPage writes /account/password.
func (r *Renderer) AccountPasswordPage(w io.Writer, p AccountPassword) error {
	return r.render(w, "account-password", layoutData{Title: r.Tr()("account.change_password"), Page: p, Bare: p.MustChange})
}
