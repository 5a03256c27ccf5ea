package app

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// langGet fetches target as the test session, with extra headers.
func langGet(t *testing.T, a *App, target string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp := do(t, a.Fiber(), req)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// TestPagesSpeakTheNegotiatedLanguage: Accept-Language picks Chinese, the
// switch's ?lang= overrides it and is remembered, and the page cache keeps
// each language's page apart — a Chinese reader never gets the English page
// another reader's request left in the cache, nor the other way round.
func TestPagesSpeakTheNegotiatedLanguage(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	for i := 0; i < 2; i++ { // the second round is served from the cache
		resp, body := langGet(t, a, "/members", map[string]string{"Accept-Language": "zh-CN,zh;q=0.9"})
		if resp.StatusCode != 200 || !strings.Contains(body, `<html lang="zh-CN"`) || !strings.Contains(body, ">成员</a>") {
			t.Fatalf("round %d, Accept-Language zh-CN: status %d, not the Chinese page", i, resp.StatusCode)
		}
		if got := resp.Header.Get("Content-Language"); got != "zh-CN" {
			t.Errorf("Content-Language = %q", got)
		}
		resp, body = langGet(t, a, "/members", map[string]string{"Accept-Language": "en-US"})
		if !strings.Contains(body, `<html lang="en"`) || strings.Contains(body, ">成员</a>") {
			t.Fatalf("round %d, Accept-Language en-US: not the English page (X-Cache %s)", i, resp.Header.Get(cacheHeader))
		}
	}

	// The switch: ?lang=zh-CN wins over the browser's English and sets the
	// cookie that the next requests carry.
	resp, body := langGet(t, a, "/?lang=zh-CN", map[string]string{"Accept-Language": "en-US"})
	if !strings.Contains(body, `<html lang="zh-CN"`) {
		t.Fatal("?lang=zh-CN did not give the Chinese page")
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == langCookie {
			cookie = c
		}
	}
	if cookie == nil || cookie.Value != "zh-CN" || !cookie.HttpOnly {
		t.Fatalf("the switch's cookie = %+v", cookie)
	}
	_, body = langGet(t, a, "/members", map[string]string{"Accept-Language": "en-US", "Cookie": cookie.String() + "; " + sessionCookieHeader(t, a)})
	if !strings.Contains(body, `<html lang="zh-CN"`) {
		t.Error("the remembered choice did not win over Accept-Language")
	}
	// Before a login, the cookie alone remembers it.
	if _, body = langGet(t, a, "/login", map[string]string{"Accept-Language": "en-US", "Cookie": cookie.String()}); !strings.Contains(body, `<html lang="zh-CN"`) {
		t.Error("the cookie did not win over Accept-Language on the login page")
	}
	// A value the catalogues do not speak is ignored, and sets nothing: the
	// page stays in the language chosen above (also the test user's setting
	// now, app/lang_user_test.go).
	resp, body = langGet(t, a, "/?lang=fr", map[string]string{"Accept-Language": "en-US"})
	if !strings.Contains(body, `<html lang="zh-CN"`) || setCookie(resp, langCookie) != nil {
		t.Error("?lang=fr changed the language or set the cookie")
	}
	// The login page, before any session, speaks it too.
	resp, body = langGet(t, a, "/login", map[string]string{"Accept-Language": "zh-CN"})
	if resp.StatusCode != 200 || !strings.Contains(body, `<html lang="zh-CN"`) {
		t.Errorf("login page: status %d, not in Chinese", resp.StatusCode)
	}
}

// sessionCookieHeader is the test session's cookies as a Cookie header.
func sessionCookieHeader(t *testing.T, a *App) string {
	t.Helper()
	s, ok := testSessions.Load(a.Fiber())
	if !ok {
		t.Fatal("no test session")
	}
	var parts []string
	for _, c := range s.(testSession).cookies {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}
