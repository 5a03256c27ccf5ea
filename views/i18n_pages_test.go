package views

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// renderIn renders one page with a renderer of the language lang.
func renderIn(t *testing.T, lang string, page func(*Renderer, *bytes.Buffer) error) string {
	t.Helper()
	var buf bytes.Buffer
	if err := page(newTestRenderer(t).In(lang), &buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// checkPage fails for each of want the page lacks and each of unwanted it
// holds.
func checkPage(t *testing.T, name, html string, want, unwanted []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(html, w) {
			t.Errorf("%s lacks %q", name, w)
		}
	}
	for _, u := range unwanted {
		if strings.Contains(html, u) {
			t.Errorf("%s shows %q", name, u)
		}
	}
}

// TestAlertInboxInChinese: the inbox's own words, its tabs and the rule and
// status names the page model gives in English come from the catalogue; the
// alert's message, collected text, stays as it is. English is unchanged.
func TestAlertInboxInChinese(t *testing.T) {
	opened := time.Date(2025, 6, 20, 0, 0, 0, 0, time.UTC)
	a := data.Alert{ID: 7, Rule: RuleHealthDrop, Member: "acme-ai", MemberName: "Acme AI", Message: "Health fell 12 points",
		State: "open", Status: data.AlertStatusOpen, FirstSeen: opened, OpenedOn: opened}
	in := AlertInbox{Query: AlertQuery{State: AlertStateActive}, Total: 1, Alerts: []AlertRow{alertRow(a)},
		Counts: map[string]int{data.AlertStatusOpen: 1}}
	p := NewAlertsPage(in, nil, nil, true, "tok")
	page := func(r *Renderer, b *bytes.Buffer) error { return r.AlertsPage(b, p) }

	checkPage(t, "the English inbox", renderIn(t, LangEnglish, page),
		[]string{`<span class="badge alert-rule">Health drop</span>`, `data-state-tab>Needs action <span`, `data-acknowledge>Acknowledge</button>`,
			`<span data-value="total">1</span> alert</h2>`, `data-status-badge>open</span>`, `<option value="">every rule</option>`},
		nil)
	checkPage(t, "the Chinese inbox", renderIn(t, LangChinese, page),
		[]string{`<span class="badge alert-rule">健康度下降</span>`, `data-state-tab>需处理 <span`, `data-acknowledge>确认</button>`,
			`<span data-value="total">1</span> 条告警</h2>`, `data-status-badge>未处理</span>`, `<option value="">全部规则</option>`,
			`>Health fell 12 points</a>`, `>Acme AI</a>`},
		[]string{"Health drop", "Needs action", "Acknowledge", "every rule", "Assignee", "every member"})
}

// TestAdminUsersInChinese: the account list's words, its roles and its
// confirmations come from the catalogue, and a user's name filled into a
// message is escaped like any other data.
func TestAdminUsersInChinese(t *testing.T) {
	p := AdminUsers{Me: "root", CSRF: "tok", Roles: []string{domain.RoleViewer, domain.RoleManager, domain.RoleAdmin},
		Users: []UserRow{{User: domain.User{Name: `eve"><script>x</script>`, Role: domain.RoleManager, CreatedAt: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)}}}}
	page := func(r *Renderer, b *bytes.Buffer) error { return r.AdminUsersPage(b, p) }

	en := renderIn(t, LangEnglish, page)
	zh := renderIn(t, LangChinese, page)
	checkPage(t, "the English accounts", en,
		[]string{`<td>manager</td>`, `>Set role</button>`, `data-confirm="Disable eve&#34;&gt;&lt;script&gt;x&lt;/script&gt;? Their sessions end at once."`},
		nil)
	checkPage(t, "the Chinese accounts", zh,
		[]string{`<td>管理员</td>`, `>设置角色</button>`, `data-confirm="要停用 eve&#34;&gt;&lt;script&gt;x&lt;/script&gt; 吗？其会话将立即结束。"`, `aria-current="page">用户</a>`},
		[]string{"Set role", "Disable", "Add an account", "<script>"})
}
