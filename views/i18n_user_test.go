package views

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/domain"
)

// TestUserLanguagesAreTheInterfaces: the store accepts as a user's setting
// exactly the languages the interface speaks (domain cannot import views,
// so it keeps its own list).
func TestUserLanguagesAreTheInterfaces(t *testing.T) {
	if !slices.Equal(domain.UserLanguages, Langs) {
		t.Errorf("domain.UserLanguages = %v, views.Langs = %v", domain.UserLanguages, Langs)
	}
}

// switchHrefs returns the language switch's links of a page, by language.
func switchHrefs(t *testing.T, page string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`<a href="([^"]*)" hreflang="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		out[m[2]] = m[1]
	}
	return out
}

// TestLanguageSwitchKeepsTheQuery: the switch shows the same page in the
// other language — a comparison's two weeks, the overview's period stay —
// with lang replaced rather than repeated, the parameters in the order the
// page cache's key sorts them, and a hostile query escaped.
func TestLanguageSwitchKeepsTheQuery(t *testing.T) {
	render := func(r *Renderer) string {
		t.Helper()
		var buf bytes.Buffer
		if err := r.Error(&buf, 404, "gone"); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	for _, c := range []struct {
		lang, query, other, want string
	}{
		{LangEnglish, "", LangChinese, "?lang=zh-CN"},
		{LangChinese, "b=2026-W05&a=2026-W01", LangEnglish, "?a=2026-W01&amp;b=2026-W05&amp;lang=en"},
		{LangChinese, "period=month&lang=zh-CN", LangEnglish, "?lang=en&amp;period=month"},
		{LangEnglish, "q=a+b&tag=x&tag=y", LangChinese, "?lang=zh-CN&amp;q=a&#43;b&amp;tag=x&amp;tag=y"},
		{LangEnglish, `q="><script>alert(1)</script>`, LangChinese, "?lang=zh-CN&amp;q=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E"},
	} {
		page := render(newTestRenderer(t).WithQuery(c.query).In(c.lang))
		hrefs := switchHrefs(t, page)
		if got := hrefs[c.other]; got != c.want {
			t.Errorf("%s page of ?%s: the %s link is %q, want %q", c.lang, c.query, c.other, got, c.want)
		}
		if _, linked := hrefs[c.lang]; linked {
			t.Errorf("%s page of ?%s links to its own language", c.lang, c.query)
		}
		if strings.Contains(page, "<script>alert") {
			t.Errorf("?%s reached the page unescaped", c.query)
		}
	}
}

// TestAccountPageOffersTheLanguages: the account page's language form
// selects the user's setting (or the browser's), names each language in
// its own words, speaks the page's language, and stays away while a reset
// password must be changed first.
func TestAccountPageOffersTheLanguages(t *testing.T) {
	render := func(r *Renderer, p AccountPassword) string {
		t.Helper()
		var buf bytes.Buffer
		if err := r.AccountPasswordPage(&buf, p); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	zh := render(newTestRenderer(t).In(LangChinese), AccountPassword{Name: "mei", Language: LangChinese, LanguageNotice: "语言设置已保存。"})
	for _, w := range []string{`<title>我的账号 · EcoPulse</title>`, `<h2>界面语言</h2>`, `action="/account/language"`,
		`<option value="">跟随浏览器</option>`, `<option value="en" lang="en">English</option>`,
		`<option value="zh-CN" selected lang="zh-CN">简体中文</option>`, "语言设置已保存。"} {
		if !strings.Contains(zh, w) {
			t.Errorf("the Chinese account page lacks %q", w)
		}
	}
	en := render(newTestRenderer(t), AccountPassword{Name: "ann"})
	for _, w := range []string{`<h1>Your account</h1>`, `<option value="" selected>Browser default</option>`, `<option value="zh-CN" lang="zh-CN">简体中文</option>`} {
		if !strings.Contains(en, w) {
			t.Errorf("the English account page lacks %q", w)
		}
	}
	if must := render(newTestRenderer(t), AccountPassword{Name: "ann", MustChange: true}); strings.Contains(must, "/account/language") {
		t.Error("the language form shows while the password must be changed first")
	}
}
