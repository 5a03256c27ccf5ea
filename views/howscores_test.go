package views

import (
	"strings"
	"testing"
)

// TestRenderMarkdownLeavesRawHTMLOut: the page renders markdown with raw
// HTML disabled — a tag in the source is not passed to the page, a
// javascript: link is emptied — and keeps tables and heading anchors.
func TestRenderMarkdownLeavesRawHTMLOut(t *testing.T) {
	src := "# Title\n\n## A section\n\n<script>alert(1)</script>\n\nText with <img src=x onerror=alert(2)> inline.\n\n" +
		"[click](javascript:alert(3))\n\n| a | b |\n| --- | --- |\n| <b>x</b> | 2 |\n"
	doc, err := renderMarkdown([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	html := string(doc.HTML)
	for _, bad := range []string{"<script", "<img", "onerror", "javascript:", "<b>", "<h1"} {
		if strings.Contains(html, bad) {
			t.Errorf("rendered markdown contains %q:\n%s", bad, html)
		}
	}
	for _, want := range []string{`<h2 id="a-section">A section</h2>`, "<table>", "<td>2</td>", "Text with"} {
		if !strings.Contains(html, want) {
			t.Errorf("rendered markdown lacks %q:\n%s", want, html)
		}
	}
	if len(doc.Sections) != 1 || doc.Sections[0].Text != "A section" || doc.anchors["A section"] != "a-section" {
		t.Errorf("sections = %+v", doc.Sections)
	}
}

// TestEveryTermLinksToItsSection: each score's one-line description links
// to a section of docs/scoring.md that exists, and says something.
func TestEveryTermLinksToItsSection(t *testing.T) {
	doc, err := howScoresDoc()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, s := range doc.Sections {
		ids[s.ID] = true
	}
	for _, d := range termDefs {
		term := termOf(d.Key, DefaultBands())
		id, ok := strings.CutPrefix(term.Href, HowScoresPath+"#")
		if !ok || !ids[id] {
			t.Errorf("term %s links to %q: no section %q in docs/scoring.md", d.Key, term.Href, d.Section)
		}
		if len(term.Text) < 20 || strings.Contains(term.Text, "\n") {
			t.Errorf("term %s: %q is not a one-line description", d.Key, term.Text)
		}
	}
	for _, key := range []string{"health", "health_mean", "R", "phi", "phi_share", "C", "K", "T", "I", "M", "api", "projects", "community", "cooperation"} {
		if termOf(key, DefaultBands()).Label == key {
			t.Errorf("no description of %s", key)
		}
	}
}
