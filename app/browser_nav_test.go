package app

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/ecopulse/ecopulse/domain"
)

// TestBrowserAdminLinkOnlyForAdmins checks the header's "Admin" entry: an
// administrator sees it and it opens the accounts page; a manager does not
// see it (and the route refuses them anyway: TestRouteRoleMatrix).
func TestBrowserAdminLinkOnlyForAdmins(t *testing.T) {
	db := seededDB(t)
	base := serveTestApp(t, newTestApp(t, db))
	for _, tc := range []struct {
		role  string
		links int
	}{{domain.RoleAdmin, 1}, {domain.RoleManager, 0}} {
		t.Run(tc.role, func(t *testing.T) {
			b := loggedInBrowser(t, base, tc.role)
			if got, want := evalInt(t, b, `document.querySelectorAll('#whoami a.whoami-admin').length`), tc.links; got != want {
				t.Fatalf("admin links for %s = %d, want %d", tc.role, got, want)
			}
			// Every user reaches their own password from the header.
			if got := evalString(t, b, `(document.querySelector('#whoami a.whoami-account') || {}).pathname || ''`); got != "/account/password" {
				t.Errorf("the header's password link for %s goes to %q", tc.role, got)
			}
			if tc.links == 0 {
				return
			}
			if err := chromedp.Do(b.ctx,
				chromedp.Click(chromedp.CSS(`#whoami a.whoami-admin`)),
				chromedp.WaitVisible(chromedp.CSS(`body[data-ready]`)),
			); err != nil {
				t.Fatal(err)
			}
			if got, want := evalString(t, b, `location.pathname`), "/admin/users"; got != want {
				t.Errorf("the admin link opened %s, want %s", got, want)
			}
			if errs := b.takeErrors(); len(errs) > 0 {
				t.Errorf("console errors: %v", errs)
			}
		})
	}
}
