package views

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/domain"
)

// The menu follows the viewer's role: the allocation statements, a
// managers' page, are in the menu of managers and admins, in both
// languages, and not in a viewer's (nor on a page with no viewer).
func TestMenuFollowsTheRole(t *testing.T) {
	r := newTestRenderer(t)
	for _, c := range []struct {
		role, lang string
		want       bool
	}{
		{"", LangEnglish, false},
		{domain.RoleViewer, LangEnglish, false},
		{domain.RoleManager, LangEnglish, true},
		{domain.RoleAdmin, LangEnglish, true},
		{domain.RoleManager, LangChinese, true},
		{domain.RoleViewer, LangChinese, false},
	} {
		var b bytes.Buffer
		if err := r.In(c.lang).WithRole(c.role).Error(&b, 404, "no such page"); err != nil {
			t.Fatal(err)
		}
		html := b.String()
		nav := html[strings.Index(html, `id="site-nav"`):]
		nav = nav[:strings.Index(nav, "</nav>")]
		if got := strings.Contains(nav, `href="/allocation"`); got != c.want {
			t.Errorf("role %q, %s: /allocation in the menu = %v, want %v", c.role, c.lang, got, c.want)
		}
		if !strings.Contains(nav, `href="/projects"`) {
			t.Errorf("role %q, %s: the menu lacks /projects", c.role, c.lang)
		}
		if c.want && !strings.Contains(nav, TrIn(c.lang)("nav.allocation")+"</a>") {
			t.Errorf("role %q, %s: the allocation entry is not named %q", c.role, c.lang, TrIn(c.lang)("nav.allocation"))
		}
	}
}
