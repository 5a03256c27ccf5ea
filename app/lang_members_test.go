package app

import (
	"regexp"
	"strings"
	"testing"
)

// TestMembersListInChinese: the members list's words built in Go — its
// title, the scatter's summary, series and axis, the sparklines' labels
// and each row's reason — are Chinese on the Chinese page, while the
// English page and the JSON keep the English reasons.
func TestMembersListInChinese(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	_, zh := langGet(t, a, "/members", map[string]string{"Accept-Language": "zh-CN"})
	_, en := langGet(t, a, "/members", map[string]string{"Accept-Language": "en-US"})
	for _, w := range []string{"<title>成员", "个成员：健康", `"name":"风险"`, "健康度从 "} {
		if !strings.Contains(zh, w) {
			t.Errorf("the Chinese list lacks %q", w)
		}
	}
	for _, w := range []string{"members shown:", "health from ", `"name":"at risk"`} {
		if strings.Contains(zh, w) {
			t.Errorf("the Chinese list still says %q", w)
		}
		if !strings.Contains(en, w) {
			t.Errorf("the English list lacks %q", w)
		}
	}
	reason := regexp.MustCompile(`<td class="small reason" data-reason-kind="[a-z_]+">([^<]+)</td>`)
	zhReasons, enReasons := reason.FindAllStringSubmatch(zh, -1), reason.FindAllStringSubmatch(en, -1)
	if len(zhReasons) == 0 || len(zhReasons) != len(enReasons) {
		t.Fatalf("%d Chinese and %d English reasons", len(zhReasons), len(enReasons))
	}
	han := regexp.MustCompile(`\p{Han}`)
	for i, m := range zhReasons {
		if !han.MatchString(m[1]) {
			t.Errorf("reason %d in Chinese is %q (English %q)", i, m[1], enReasons[i][1])
		}
	}
	_, js := langGet(t, a, "/api/v1/members", map[string]string{"Accept-Language": "zh-CN"})
	for _, m := range enReasons[:1] {
		if !strings.Contains(js, strings.ReplaceAll(m[1], "&#39;", `'`)) && !strings.Contains(js, m[1]) {
			t.Errorf("the JSON does not keep the English reason %q", m[1])
		}
	}
}
