package app

import (
	"bufio"
	"bytes"
	"html"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/docs"
	"github.com/ecopulse/ecopulse/views"
)

// TestHowScoresWorkRendersTheDocumentedSections: /how-scores-work is
// docs/scoring.md as a page — every section of the document is a heading
// with an anchor, its tables are tables, its formulas are there — the terms
// link into it, and it is one click from the overview and a member's page.
func TestHowScoresWorkRendersTheDocumentedSections(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	status, page, _ := get(t, a.Fiber(), "/how-scores-work")
	if status != 200 {
		t.Fatalf("GET /how-scores-work = %d", status)
	}
	text := html.UnescapeString(page)

	// Every second- and third-level heading of the document.
	var headings []string
	sc := bufio.NewScanner(bytes.NewReader(docs.Scoring))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") || strings.HasPrefix(line, "### ") {
			headings = append(headings, line)
		}
	}
	if len(headings) < 10 {
		t.Fatalf("docs/scoring.md has %d sections", len(headings))
	}
	ids := map[string]bool{}
	shown := map[string]bool{} // "## title" of each heading on the page, as text
	tag := regexp.MustCompile(`<[^>]+>`)
	for _, m := range regexp.MustCompile(`<h([23]) id="([^"]+)">(.*?)</h[23]>`).FindAllStringSubmatch(page, -1) {
		ids[m[2]] = true
		shown[strings.Repeat("#", int(m[1][0]-'0'))+" "+html.UnescapeString(tag.ReplaceAllString(m[3], ""))] = true
	}
	for _, h := range headings {
		if !shown[strings.ReplaceAll(h, "`", "")] {
			t.Errorf("section %q is not a heading with an anchor on the page", h)
		}
	}
	for _, want := range []string{
		"What changed", "Ecosystem health is kept two ways", "member mean", "contribution-weighted",
		"C_i = T_i · I_i · M_i", "φ_i = ½ Σ_j K_ij (C_i + C_j)", "`usage_drop`",
	} {
		want = strings.ReplaceAll(want, "`", "")
		if !strings.Contains(strings.NewReplacer("<code>", "", "</code>", "", "<strong>", "", "</strong>", "").Replace(text), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if n := strings.Count(page, "<table>"); n < 5 {
		t.Errorf("%d tables on the page; the document has more", n)
	}
	if strings.Contains(page, "<h1>Scoring</h1>") || strings.Count(page, "<h1") != 1 {
		t.Error("the page has more than its own title")
	}
	// Each term's link goes to a section of the page.
	for _, m := range regexp.MustCompile(`<dt><a href="/how-scores-work#([^"]+)">`).FindAllStringSubmatch(page, -1) {
		if !ids[m[1]] {
			t.Errorf("a term links to #%s, which is no section of the page", m[1])
		}
	}
	if !strings.Contains(page, `data-term="R"`) || !strings.Contains(page, `data-term="health_mean"`) {
		t.Error("the page lacks the one-line terms")
	}

	// One click from the overview and from a member's page.
	_, overview, _ := get(t, a.Fiber(), "/")
	_, member, _ := get(t, a.Fiber(), "/members/"+firstMemberSlug(t, a))
	for name, p := range map[string]string{"overview": overview, "member page": member} {
		if !strings.Contains(p, `href="/how-scores-work"`) {
			t.Errorf("the %s does not link to /how-scores-work", name)
		}
	}

	// Like every page, not for anonymous visitors.
	resp, err := a.Fiber().Test(httptest.NewRequest("GET", "/how-scores-work", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == 200 {
		t.Error("an anonymous visitor reads /how-scores-work")
	}
}

// firstMemberSlug is a scored member of the app's latest day.
func firstMemberSlug(t *testing.T, a *App) string {
	t.Helper()
	_, body, _ := get(t, a.Fiber(), "/api/v1/overview")
	o := decode[struct {
		Top []struct{ Slug string } `json:"top_members"`
	}](t, body)
	if len(o.Top) == 0 {
		t.Fatal("no member scored")
	}
	return o.Top[0].Slug
}

// TestEveryScoreIsDescribedWhereItIsShown: the overview, a member's page,
// the members list and a snapshot carry the one-line description of every
// score and KPI they show.
func TestEveryScoreIsDescribedWhereItIsShown(t *testing.T) {
	db := seededDB(t)
	mustTakeSnapshot(t, db, closedWeek)
	a := newTestApp(t, db)
	slug := firstMemberSlug(t, a)
	for _, c := range []struct {
		path string
		keys []string
	}{
		{"/", []string{"health", "health_mean", "R", "at_risk_share", "status", "member_health", "phi", "phi_share"}},
		{"/?period=month", []string{"health", "health_mean", "R"}},
		{"/members/" + slug, []string{"member_health", "C", "T", "I", "M", "K", "phi", "reason", "api", "projects", "community", "cooperation"}},
		{"/members", []string{"member_health", "T", "I", "M", "C", "K", "phi", "reason"}},
		{"/snapshots/" + closedWeek, []string{"T", "I", "M", "C", "K", "phi", "reason"}},
	} {
		status, page, _ := get(t, a.Fiber(), c.path)
		if status != 200 {
			t.Fatalf("GET %s = %d", c.path, status)
		}
		text := html.UnescapeString(page)
		for _, k := range c.keys {
			if d := views.ScoreTerm(k, views.OptionsOf(a.cfg.Scoring).Bands); !strings.Contains(text, d.Text) {
				t.Errorf("%s shows %s without its description %q", c.path, k, d.Text)
			}
		}
	}
}

// TestHowScoresWorkInChinese: asked in Chinese, /how-scores-work is
// docs/scoring.zh-CN.md — each of its headings is on the page, no English
// sentence of docs/scoring.md is — and every term links to one of its
// sections; asked in English, the same route still serves the English.
func TestHowScoresWorkInChinese(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	_, zh := langGet(t, a, "/how-scores-work", map[string]string{"Accept-Language": "zh-CN"})
	_, en := langGet(t, a, "/how-scores-work", map[string]string{"Accept-Language": "en-US"})

	ids := map[string]bool{}
	shown := map[string]bool{}
	tag := regexp.MustCompile(`<[^>]+>`)
	for _, m := range regexp.MustCompile(`<h([23]) id="([^"]+)">(.*?)</h[23]>`).FindAllStringSubmatch(zh, -1) {
		ids[m[2]] = true
		shown[strings.Repeat("#", int(m[1][0]-'0'))+" "+html.UnescapeString(tag.ReplaceAllString(m[3], ""))] = true
	}
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(docs.ScoringZH))
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "## ") || strings.HasPrefix(line, "### ") {
			n++
			if !shown[strings.ReplaceAll(line, "`", "")] {
				t.Errorf("section %q is not a heading of the Chinese page", line)
			}
		}
	}
	if n < 10 {
		t.Fatalf("docs/scoring.zh-CN.md has %d sections", n)
	}
	for _, sentence := range []string{"Ecosystem health is kept two ways", "Absolute quality says how good a member is"} {
		if strings.Contains(zh, sentence) {
			t.Errorf("the Chinese page says %q", sentence)
		}
		if !strings.Contains(en, sentence) {
			t.Errorf("the English page lacks %q", sentence)
		}
	}
	links := regexp.MustCompile(`<dt><a href="/how-scores-work#([^"]+)">`).FindAllStringSubmatch(zh, -1)
	if len(links) == 0 {
		t.Fatal("no term links on the Chinese page")
	}
	for _, m := range links {
		if !ids[m[1]] {
			t.Errorf("a term links to #%s, which is no section of the Chinese page", m[1])
		}
	}
}
