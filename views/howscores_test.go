package views

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/docs"
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

// TestScoringTranslationHasTheSameSections: docs/scoring.zh-CN.md has the
// headings of docs/scoring.md, as many, at the same levels, in the same
// order — the Chinese page's links go to a section by its position — and
// a translation that differs is refused rather than mislinked.
func TestScoringTranslationHasTheSameSections(t *testing.T) {
	levels := func(src []byte) []int {
		doc, err := renderMarkdown(src)
		if err != nil {
			t.Fatal(err)
		}
		var out []int
		for _, s := range doc.Sections {
			out = append(out, s.Level)
		}
		return out
	}
	en, zh := levels(docs.Scoring), levels(docs.ScoringZH)
	if !slices.Equal(en, zh) {
		t.Errorf("heading levels of docs/scoring.md %v, of docs/scoring.zh-CN.md %v", en, zh)
	}
	if !bytes.HasPrefix(docs.ScoringZH, []byte("# ")) {
		t.Error("docs/scoring.zh-CN.md does not start with its title, as docs/scoring.md does")
	}
	if _, err := howScoresDocZH(); err != nil {
		t.Fatal(err)
	}

	orig, err := renderMarkdown([]byte("# T\n\n## One\n\n### Two\n\n## Three\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		"# T\n\n## 一\n\n### 二\n\n## 三\n\n## 多出的一节\n", // a section more
		"# T\n\n## 一\n\n### 二\n",                     // a section fewer
		"# T\n\n## 一\n\n## 二\n\n## 三\n",              // a level changed
	} {
		if _, err := renderMarkdownLike([]byte(bad), orig); err == nil {
			t.Errorf("a translation with other headings is accepted:\n%s", bad)
		}
	}
	good, err := renderMarkdownLike([]byte("# T\n\n## 一\n\n### 二\n\n## 三\n"), orig)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(good.HTML), `<h3 id="two">二</h3>`) || good.anchors["三"] != "three" {
		t.Errorf("the translation's headings do not take the original's ids: %s", good.HTML)
	}
}

// TestHowScoresPageInChinese: the Chinese page's body is the Chinese
// document, its table of contents the Chinese headings, and every term
// links to a section of that body; the English page keeps the English.
func TestHowScoresPageInChinese(t *testing.T) {
	var b bytes.Buffer
	if err := newTestRenderer(t).In(LangChinese).HowScoresPage(&b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		`<h2 id="health">健康度</h2>`, `<h2 id="what-changed">变化原因</h2>`, "生态健康度有两种口径",
		`<li><a href="#configuration">配置</a></li>`,
		"φ_i = ½ Σ_j K_ij (C_i + C_j),    Σ_i φ_i = R", "<code>health.weights.api</code>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the Chinese page lacks %q", want)
		}
	}
	for _, english := range []string{"Absolute quality says how good a member is", "Ecosystem health is kept two ways", ">What changed<", ">Configuration<"} {
		if strings.Contains(page, english) {
			t.Errorf("the Chinese page still says %q", english)
		}
	}
	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(`<h[23] id="([^"]+)">`).FindAllStringSubmatch(page, -1) {
		ids[m[1]] = true
	}
	links := regexp.MustCompile(`<dt><a href="/how-scores-work#([^"]+)">`).FindAllStringSubmatch(page, -1)
	if len(links) != len(termDefs) {
		t.Errorf("%d term links on the Chinese page, %d terms", len(links), len(termDefs))
	}
	for _, m := range links {
		if !ids[m[1]] {
			t.Errorf("a term links to #%s, which is no section of the Chinese page", m[1])
		}
	}

	b.Reset()
	if err := newTestRenderer(t).HowScoresPage(&b); err != nil {
		t.Fatal(err)
	}
	if en := b.String(); !strings.Contains(en, "Ecosystem health is kept two ways") || strings.Contains(en, "生态健康度有两种口径") {
		t.Error("the English page is not the English document")
	}
}
