package app

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestNotFoundPagesInChinese: a missing member's page and an unknown path
// say so in Chinese to a Chinese reader, and in English to an English one,
// while the JSON API's error body keeps the English message.
func TestNotFoundPagesInChinese(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	zhHeader := map[string]string{"Accept-Language": "zh-CN"}
	resp, zh := langGet(t, a, "/members/nope", zhHeader)
	if resp.StatusCode != 404 || !strings.Contains(zh, "成员 &#34;nope&#34; 不存在") || strings.Contains(zh, "no member") {
		t.Errorf("the Chinese missing member page: %d, without the Chinese not-found message", resp.StatusCode)
	}
	if _, en := langGet(t, a, "/members/nope", map[string]string{"Accept-Language": "en-US"}); !strings.Contains(en, "no member &#34;nope&#34;") {
		t.Error("the English missing member page lacks its English message")
	}
	if resp, page := langGet(t, a, "/no-such-page", zhHeader); resp.StatusCode != 404 || !strings.Contains(page, "页面不存在") {
		t.Errorf("an unknown page in Chinese: %d, without 页面不存在", resp.StatusCode)
	}
	resp, js := langGet(t, a, "/api/v1/members/nope", zhHeader)
	var body struct{ Error string }
	if err := json.Unmarshal([]byte(js), &body); err != nil {
		t.Fatalf("the API's error body: %v: %s", err, js)
	}
	if resp.StatusCode != 404 || body.Error != `no member "nope"` {
		t.Errorf("the API's error: %d %q, want 404 and the English message", resp.StatusCode, body.Error)
	}
}

// TestMemberFormProblemsInChinese: a member form refused in Chinese lists
// the domain's problem in Chinese, with what was typed kept as typed; in
// English, the English problem.
func TestMemberFormProblemsInChinese(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	mgr := loginAs(t, a, domain.RoleManager)
	post := func(lang string) (int, string) {
		form := url.Values{"slug": {"acme"}, "name": {"Acme <AI>"}, "kind": {"vendor"}, "joined": {"2025-01-15"}}
		return postFormIn(t, a, mgr, "/members/new", form, lang)
	}
	status, zh := post("zh-CN")
	if status != 400 || !strings.Contains(zh, "类型：成员 &#34;acme&#34; 的类型 &#34;vendor&#34; 未知") || !strings.Contains(zh, "Acme &lt;AI&gt;") {
		t.Errorf("the Chinese form: %d, without the Chinese problem or the name as typed", status)
	}
	if strings.Contains(zh, "has unknown kind") {
		t.Error("the Chinese form still says the English problem")
	}
	if status, en := post("en-US"); status != 400 || !strings.Contains(en, "kind: member &#34;acme&#34; has unknown kind &#34;vendor&#34;") {
		t.Errorf("the English form: %d, without the English problem", status)
	}
}

// TestAgreementFormProblemsInChinese: an agreement form refused in Chinese
// lists its problems in Chinese (the JSON API returns ValidateAgreement's
// English problems, unchanged).
func TestAgreementFormProblemsInChinese(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	mgr := loginAs(t, a, domain.RoleManager)
	form := url.Values{"slug": {"deal"}, "name": {"Deal"}, "status": {"active"}, "start_on": {"2026-04-01"}, "end_on": {"2026-03-01"},
		"party_member": {"ghost"}, "party_role": {"lead"}}
	status, zh := postFormIn(t, a, mgr, "/projects/new", form, "zh-CN")
	for _, want := range []string{"结束日期（2026-03-01）早于开始日期（2026-04-01）", "未知成员 &#34;ghost&#34;"} {
		if status != 400 || !strings.Contains(zh, want) {
			t.Errorf("the Chinese agreement form: %d, without %q", status, want)
		}
	}
	if strings.Contains(zh, "unknown member") {
		t.Error("the Chinese agreement form still says an English problem")
	}
}

// postFormIn posts a form as s with the browser's language lang.
func postFormIn(t *testing.T, a *App, s testSession, target string, form url.Values, lang string) (int, string) {
	t.Helper()
	form.Set("csrf", s.csrf)
	req := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", lang)
	s.apply(req)
	resp, err := a.Fiber().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestPasswordProblemsInChinese: the password page refuses a mismatched
// repetition in Chinese, and its audit entry keeps the English.
func TestPasswordProblemsInChinese(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	s := loginAs(t, a, domain.RoleViewer)
	form := url.Values{"current": {"whatever"}, "new": {"one new password"}, "repeat": {"another one"}}
	status, zh := postFormIn(t, a, s, "/account/password", form, "zh-CN")
	if status != 400 || !strings.Contains(zh, "两次输入的新密码不一致") || strings.Contains(zh, "repetition differ") {
		t.Errorf("the Chinese password page: %d, without the Chinese problem", status)
	}
	entries, err := a.db.AuditQuery(t.Context(), data.AuditFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		found = found || (e.Action == "user.password" && e.Detail == "the new password and its repetition differ")
	}
	if !found {
		t.Error("the audit log lacks the English refusal")
	}
}
