package app

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// langAs sends a request as s with extra headers (no test session of the
// app's own), and returns the response and its body.
func langAs(t *testing.T, a *App, s testSession, method, target string, header map[string]string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		form.Set(csrfField, s.csrf)
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, c := range s.cookies {
		req.AddCookie(c)
	}
	for k, v := range header {
		if k == "Cookie" && req.Header.Get(k) != "" { // added to the session's
			v = req.Header.Get(k) + "; " + v
		}
		req.Header.Set(k, v)
	}
	resp, err := a.Fiber().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// setCookie returns the response's Set-Cookie of name, or nil.
func setCookie(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func storedLanguage(t *testing.T, a *App, name string) string {
	t.Helper()
	u, err := a.db.UserByName(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	return u.Language
}

const (
	htmlChinese = `<html lang="zh-CN"`
	htmlEnglish = `<html lang="en"`
)

// TestUserLanguageWinsOverTheBrowser: a user whose setting is zh-CN reads
// Chinese pages whatever their browser and their switch's cookie say — a
// refusal too — while another user of the same role, served from the same
// page cache, keeps their browser's English; the header's switch (?lang=en)
// shows English and saves it as the setting, which then wins over a
// Chinese browser.
func TestUserLanguageWinsOverTheBrowser(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	if _, err := AddUser(t.Context(), a.db, "ann", domain.RoleViewer, testPassword("ann")); err != nil {
		t.Fatal(err)
	}
	mei := loginAs(t, a, domain.RoleViewer)
	ann := loginWith(t, a, "ann", testPassword("ann"))
	english := map[string]string{"Accept-Language": "en-US,en;q=0.9", "Cookie": langCookie + "=en"}
	chinese := map[string]string{"Accept-Language": "zh-CN,zh;q=0.9"}

	if status, body := sendJSON(t, a, mei, "PUT", "/api/v1/me/language", map[string]string{"language": "zh-CN"}); status != 200 || decode[map[string]string](t, body)["language"] != "zh-CN" {
		t.Fatalf("PUT /api/v1/me/language zh-CN: %d %s", status, body)
	}
	if _, body := langAs(t, a, mei, "GET", "/api/v1/me", nil, nil); decode[map[string]string](t, body)["language"] != "zh-CN" {
		t.Errorf("/api/v1/me = %s, want the language", body)
	}
	for round := range 2 { // the second round is served from the page cache
		resp, body := langAs(t, a, mei, "GET", "/members", english, nil)
		if resp.StatusCode != 200 || !strings.Contains(body, htmlChinese) || !strings.Contains(body, ">成员</a>") {
			t.Fatalf("round %d: the user with zh-CN got %d, not the Chinese page (X-Cache %s)", round, resp.StatusCode, resp.Header.Get(cacheHeader))
		}
		if got := resp.Header.Get("Content-Language"); got != "zh-CN" {
			t.Errorf("round %d: Content-Language %q", round, got)
		}
		resp, body = langAs(t, a, ann, "GET", "/members", english, nil)
		if !strings.Contains(body, htmlEnglish) || strings.Contains(body, ">成员</a>") {
			t.Fatalf("round %d: a viewer without a setting got the Chinese page (X-Cache %s)", round, resp.Header.Get(cacheHeader))
		}
		if _, body = langAs(t, a, ann, "GET", "/members", chinese, nil); !strings.Contains(body, htmlChinese) {
			t.Errorf("round %d: a viewer without a setting lost their browser's Chinese", round)
		}
	}
	// The gate's refusal (a viewer on a manager's page) speaks it too.
	if resp, body := langAs(t, a, mei, "GET", "/allocation", english, nil); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, htmlChinese) {
		t.Errorf("refused page: %d, not in Chinese", resp.StatusCode)
	}
	if storedLanguage(t, a, "ann") != "" {
		t.Error("browsing changed the setting of a user who chose none")
	}

	// The switch: English now, remembered on the account and on the device.
	resp, body := langAs(t, a, mei, "GET", "/members?lang=en", chinese, nil)
	if !strings.Contains(body, htmlEnglish) {
		t.Fatal("?lang=en did not show the English page")
	}
	if c := setCookie(resp, langCookie); c == nil || c.Value != "en" {
		t.Errorf("?lang=en set the cookie %+v", c)
	}
	if got := storedLanguage(t, a, "viewer"); got != "en" {
		t.Fatalf("?lang=en while logged in: setting %q, want en", got)
	}
	if _, body := langAs(t, a, mei, "GET", "/members", map[string]string{"Accept-Language": "zh-CN", "Cookie": langCookie + "=zh-CN"}, nil); !strings.Contains(body, htmlEnglish) {
		t.Error("the saved English lost to a Chinese browser and cookie")
	}
	// A language the catalogues do not speak changes nothing.
	langAs(t, a, mei, "GET", "/members?lang=fr", chinese, nil)
	if got := storedLanguage(t, a, "viewer"); got != "en" {
		t.Errorf("?lang=fr stored %q", got)
	}
}

// TestAccountLanguageForm: the account page chooses the language — the
// answer is already in it, with the switch's cookie set to match — and
// "the browser's" drops both the setting and the cookie, so that the
// browser's language rules again; a language the interface lacks is
// refused with the page's error, the setting kept. The JSON twin takes
// null as the browser's too.
func TestAccountLanguageForm(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	mei := loginAs(t, a, domain.RoleViewer)
	english := map[string]string{"Accept-Language": "en-US"}

	_, page := langAs(t, a, mei, "GET", accountPasswordPath, english, nil)
	if !strings.Contains(page, `action="/account/language"`) || !strings.Contains(page, `<option value="" selected>Browser default</option>`) {
		t.Fatal("the account page lacks the language form, or does not select the browser's")
	}
	resp, page := langAs(t, a, mei, "POST", accountLanguagePath, english, url.Values{"language": {"zh-CN"}})
	if resp.StatusCode != 200 || !strings.Contains(page, htmlChinese) || !strings.Contains(page, "语言设置已保存。") ||
		!strings.Contains(page, `<option value="zh-CN" selected lang="zh-CN">简体中文</option>`) {
		t.Fatalf("choosing zh-CN: %d, the answer is not the Chinese page with the setting selected", resp.StatusCode)
	}
	if c := setCookie(resp, langCookie); c == nil || c.Value != "zh-CN" {
		t.Errorf("choosing zh-CN set the cookie %+v", c)
	}
	if got := storedLanguage(t, a, "viewer"); got != "zh-CN" {
		t.Fatalf("stored %q", got)
	}

	resp, page = langAs(t, a, mei, "POST", accountLanguagePath, english, url.Values{"language": {"fr"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, `role="alert"`) || !strings.Contains(page, htmlChinese) {
		t.Errorf("choosing fr: %d, want 400 and the (still Chinese) page with the error", resp.StatusCode)
	}
	if got := storedLanguage(t, a, "viewer"); got != "zh-CN" {
		t.Errorf("a refused language changed the setting to %q", got)
	}

	resp, page = langAs(t, a, mei, "POST", accountLanguagePath, map[string]string{"Accept-Language": "en-US", "Cookie": langCookie + "=zh-CN"}, url.Values{"language": {""}})
	if resp.StatusCode != 200 || !strings.Contains(page, htmlEnglish) {
		t.Errorf("choosing the browser's (English): %d, not the English page", resp.StatusCode)
	}
	if c := setCookie(resp, langCookie); c == nil || c.Value != "" || c.Expires.After(time.Now()) {
		t.Errorf("choosing the browser's left the switch's cookie: %+v", c)
	}
	if got := storedLanguage(t, a, "viewer"); got != "" {
		t.Errorf("choosing the browser's stored %q", got)
	}

	if status, _ := sendJSON(t, a, mei, "PUT", "/api/v1/me/language", map[string]string{"language": "de"}); status != http.StatusBadRequest {
		t.Errorf("PUT de: %d, want 400", status)
	}
	if status, _ := sendJSON(t, a, mei, "PUT", "/api/v1/me/language", map[string]string{"language": "en"}); status != 200 || storedLanguage(t, a, "viewer") != "en" {
		t.Errorf("PUT en: %d, stored %q", status, storedLanguage(t, a, "viewer"))
	}
	if status, body := sendJSON(t, a, mei, "PUT", "/api/v1/me/language", map[string]any{"language": nil}); status != 200 || storedLanguage(t, a, "viewer") != "" {
		t.Errorf("PUT null: %d %s, stored %q", status, body, storedLanguage(t, a, "viewer"))
	}
	// Without the CSRF token: refused by the gate, nothing stored.
	if status, _ := sendJSON(t, a, testSession{cookies: mei.cookies}, "PUT", "/api/v1/me/language", map[string]string{"language": "zh-CN"}); status != http.StatusForbidden || storedLanguage(t, a, "viewer") != "" {
		t.Errorf("without CSRF token: %d, want 403", status)
	}
}

// TestLanguageSwitchKeepsThePageQuery: the header's links show the same
// page — its period, its comparison's weeks — in the other language, from
// the page cache too.
func TestLanguageSwitchKeepsThePageQuery(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	for round := range 2 {
		_, body := langGet(t, a, "/?period=month&lang=en", nil)
		if !strings.Contains(body, `<a href="?lang=zh-CN&amp;period=month" hreflang="zh-CN"`) {
			t.Errorf("round %d: the overview's switch drops its period", round)
		}
		_, body = langGet(t, a, "/snapshots/compare?b=2025-W20&a=2025-W10&lang=zh-CN", nil)
		if !strings.Contains(body, htmlChinese) || !strings.Contains(body, `<a href="?a=2025-W10&amp;b=2025-W20&amp;lang=en" hreflang="en"`) {
			t.Errorf("round %d: the comparison's switch drops its weeks", round)
		}
	}
}
