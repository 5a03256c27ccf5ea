package views

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// TestThemeIsSetBeforePaint: theme.js, which sets <html data-theme>, is a
// blocking script in <head> ahead of the stylesheet (no defer, no async),
// so the first paint is in the chosen theme; the page declares both colour
// schemes; and the file is served from StaticFS (the CSP allows no inline
// script).
func TestThemeIsSetBeforePaint(t *testing.T) {
	html := renderOverviewHTML(t, pageSampleOverview())
	head := html[:strings.Index(html, "</head>")]
	tag := regexp.MustCompile(`<script src="/static/theme.js"([^>]*)></script>`).FindStringSubmatchIndex(head)
	if tag == nil {
		t.Fatal("the page does not load /static/theme.js in <head>")
	}
	if attrs := head[tag[2]:tag[3]]; strings.Contains(attrs, "defer") || strings.Contains(attrs, "async") {
		t.Errorf("theme.js is loaded with %q: it would run after the first paint", attrs)
	}
	if css := strings.Index(head, "app.css"); css < tag[0] {
		t.Error("the stylesheet comes before theme.js")
	}
	if !strings.Contains(head, `<meta name="color-scheme" content="light dark">`) {
		t.Error("the page does not declare both colour schemes")
	}
	if strings.Contains(head, "<script>") {
		t.Error("an inline script in <head>: the CSP would block it")
	}
	js, err := fs.ReadFile(StaticFS(), "theme.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"localStorage", "prefers-color-scheme", "data-theme"} {
		if !strings.Contains(string(js), want) {
			t.Errorf("theme.js does not use %s", want)
		}
	}
	// Both buttons are named for screen readers with a short word.
	for _, want := range []string{`class="nav-toggle" aria-controls="site-nav" aria-expanded="false" aria-label=`, `class="theme-toggle" aria-label=`} {
		if !strings.Contains(html, want) {
			t.Errorf("the header lacks %s", want)
		}
	}
}
