package app

import (
	"strings"
	"testing"
)

// TestAllocationVersionsDevelopersSpeakTheNegotiatedLanguage: the
// operating pages — benefit allocation, API versions, the developer
// funnel — are rendered in the request's language (each twice, the second
// from the page cache), while their JSON twins answer the same bytes in
// either language.
func TestAllocationVersionsDevelopersSpeakTheNegotiatedLanguage(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	zh := map[string]string{"Accept-Language": "zh-CN,zh;q=0.9"}
	en := map[string]string{"Accept-Language": "en-US"}
	for _, c := range []struct{ path, chinese, english string }{
		{"/allocation", "<h2>分配表</h2>", "<h2>Statement</h2>"},
		{"/api-versions", "<h2>API 版本 · 截至", "<h2>API versions · as of"},
		{"/developers", "<h2>开发者漏斗 · ", "<h2>Developer funnel · "},
	} {
		for round := 0; round < 2; round++ {
			resp, body := langGet(t, a, c.path, zh)
			if resp.StatusCode != 200 || !strings.Contains(body, c.chinese) || strings.Contains(body, c.english) {
				t.Errorf("%s in Chinese, round %d: status %d, lacks %q or shows %q", c.path, round, resp.StatusCode, c.chinese, c.english)
			}
			resp, body = langGet(t, a, c.path, en)
			if resp.StatusCode != 200 || !strings.Contains(body, c.english) || strings.Contains(body, c.chinese) {
				t.Errorf("%s in English, round %d: status %d, lacks %q or shows %q", c.path, round, resp.StatusCode, c.english, c.chinese)
			}
		}
	}
	for _, path := range []string{"/api/v1/api-versions", "/api/v1/developers"} {
		_, inEnglish := langGet(t, a, path, en)
		_, inChinese := langGet(t, a, path, zh)
		if inEnglish != inChinese || !strings.HasPrefix(inEnglish, "{") {
			t.Errorf("%s differs by language:\n%s\n%s", path, inEnglish, inChinese)
		}
	}
}
