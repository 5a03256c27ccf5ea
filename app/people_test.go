package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// peopleFixture is a store with two members, scored over the first
// week of March 2026, and community activity nobody is affiliated for:
// Octo (three days), Dee (whose e-mail is at beta.example) and Zed.
func peopleFixture(t *testing.T) (config.Config, *data.DB) {
	t.Helper()
	ctx := context.Background()
	cfg := config.Default()
	cfg.DB = datatest.Target(t)
	db := datatest.Open(t, cfg.DB)
	for _, slug := range []string{"alpha", "beta"} {
		if err := db.CreateMember(ctx, &domain.Member{Slug: slug, Name: strings.ToUpper(slug), Kind: domain.KindPartner, JoinedOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.CreatePerson(ctx, &domain.Person{Name: "Dee", Email: "dee@beta.example"}, domain.Identity{Source: "github", Login: "dee"}); err != nil {
		t.Fatal(err)
	}
	var acts []domain.Activity
	add := func(actor string, day int) {
		acts = append(acts, domain.Activity{Source: "github", ExternalID: fmt.Sprint(actor, day), Kind: domain.ActReply,
			At: time.Date(2026, 3, day, 10, 0, 0, 0, time.UTC), Actor: actor, Thread: "t1"})
	}
	for _, d := range []int{2, 3, 4} {
		add("Octo", d)
	}
	add("dee", 3)
	add("zed", 5)
	if _, err := db.AddActivities(ctx, acts); err != nil {
		t.Fatal(err)
	}
	s := NewScorer(db, cfg.Scoring, quietLogger())
	if _, err := s.ScoreRange(ctx, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 7, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	return cfg, db
}

// scoreOf returns a member's score on a day.
func scoreOf(t *testing.T, db *data.DB, slug string, day time.Time) domain.MemberScore {
	t.Helper()
	rows, err := db.ScoresOn(context.Background(), day)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Slug == slug {
			return r.Score
		}
	}
	t.Fatalf("%s is not scored on %s", slug, day.Format(domain.DateLayout))
	return domain.MemberScore{}
}

func TestPeopleAreAssignedThroughTheAPIAndTheCommands(t *testing.T) {
	ctx := context.Background()
	cfg, db := peopleFixture(t)
	a := newTestApp(t, db)
	a.scoreEntry = 0 // no background scoring: the test runs it and reads the marks it leaves
	send := managerJSON(t, a)
	viewer := loginAs(t, a, domain.RoleViewer)
	mar4 := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)
	before := scoreOf(t, db, "alpha", mar4)
	// Scoring marks the Sundays after the activity's days (their windows
	// hold it): the days an assignment marks are the others.
	marked := map[string]bool{}
	for _, d := range markedDays(t, db, nil) {
		marked[d] = true
	}

	status, body := sendJSON(t, a, viewer, "GET", "/api/v1/people/unaffiliated?from=2026-03-01&to=2026-03-07", nil)
	un := decode[struct{ People []data.ActorCount }](t, body)
	if status != 200 || len(un.People) != 3 || un.People[0] != (data.ActorCount{Source: "github", Login: "Octo", Activities: 3, FirstSeen: "2026-03-02", LastSeen: "2026-03-04"}) {
		t.Fatalf("unaffiliated: %d %s", status, body)
	}

	// Bad input: 400 (404 for a login nobody has) naming the field, nothing stored.
	for _, c := range []struct {
		body, field string
		status      int
	}{
		{`{"source":"github","login":"octo","member":"nobody"}`, "member", 400},
		{`{"source":"github","login":"octo","member":""}`, "member", 400},
		{`{"login":"octo","member":"alpha"}`, "source", 400},
		{`{"source":"github","member":"alpha"}`, "login", 400},
		{`{"source":"github","login":"octo","member":"alpha","from":"2026-02-30"}`, "from", 400},
		{`{"source":"github","login":"octo","member":"alpha","from":"2026-03-05","to":"2026-03-01"}`, "to", 400},
		{`{"source":"github","login":"nobody-at-all","member":"alpha"}`, "login", 404},
	} {
		status, body := send("POST", "/api/v1/people/assign", c.body)
		if msg := decode[map[string]string](t, body)["error"]; status != c.status || !strings.HasPrefix(msg, c.field+":") {
			t.Errorf("%s: %d %q, want %d naming %s", c.body, status, msg, c.status, c.field)
		}
	}
	if _, err := db.PersonByIdentity(ctx, "github", "octo"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("a refused assignment stored a person: %v", err)
	}
	if status, _ := sendJSON(t, a, viewer, "POST", "/api/v1/people/assign", map[string]string{"source": "github", "login": "octo", "member": "alpha"}); status != 403 {
		t.Fatalf("a viewer assigning: %d", status)
	}

	status, body = send("POST", "/api/v1/people/assign", `{"source":"github","login":"Octo","member":"alpha","from":"2026-01-01"}`)
	res := decode[data.AssignResult](t, body)
	if status != 200 || !res.Created || res.Activities != 3 || res.FirstDay != "2026-03-02" {
		t.Fatalf("assign: %d %s", status, body)
	}
	alpha, _ := db.MemberBySlug(ctx, "alpha")
	if _, m, err := db.ResolveActor(ctx, "github", "octo", mar4); err != nil || m != alpha.ID {
		t.Fatalf("octo resolves to member %d, %v; want alpha (%d)", m, err, alpha.ID)
	}
	weeks, err := db.MemberCommunityWeeks(ctx, alpha.ID, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if n := communityContributions(weeks); n != 3 {
		t.Fatalf("alpha's community contributions: %d, want octo's 3 (%+v)", n, weeks)
	}
	if got := strings.Join(markedDays(t, db, marked), ","); got != "2026-03-02,2026-03-03,2026-03-04,2026-03-05,2026-03-06,2026-03-07" {
		t.Fatalf("days the assignment marked for rescoring: %s (want the scored days from octo's first activity on)", got)
	}
	if err := a.Scorer().Run(ctx, time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC), 0); err != nil {
		t.Fatal(err)
	}
	if after := scoreOf(t, db, "alpha", mar4); after.Dimensions == before.Dimensions {
		t.Fatalf("alpha's score on 2026-03-04 ignores octo's activity: %+v", after)
	}

	// A domain rule attributes the people of the domain.
	for _, c := range []struct {
		body, field string
		status      int
	}{
		{`{"domain":"nodot","member":"beta"}`, "domain", 400},
		{`{"domain":"beta.example","member":"nobody"}`, "member", 400},
		{`{"domain":"beta.example","member":"beta","to":"2026-13-01"}`, "to", 400},
	} {
		status, body := send("POST", "/api/v1/affiliation/domains", c.body)
		if msg := decode[map[string]string](t, body)["error"]; status != c.status || !strings.HasPrefix(msg, c.field+":") {
			t.Errorf("%s: %d %q, want %d naming %s", c.body, status, msg, c.status, c.field)
		}
	}
	if status, _ := sendJSON(t, a, viewer, "POST", "/api/v1/affiliation/domains", map[string]string{"domain": "beta.example", "member": "beta"}); status != 403 {
		t.Fatalf("a viewer adding a rule: %d", status)
	}
	status, body = send("POST", "/api/v1/affiliation/domains", `{"domain":"@Beta.Example","member":"beta","from":"2026-01-01"}`)
	rule := decode[DomainRuleResult](t, body)
	if status != 201 || rule.Rule.Domain != "beta.example" || rule.Activities != 1 {
		t.Fatalf("add a domain rule: %d %s", status, body)
	}
	beta, _ := db.MemberBySlug(ctx, "beta")
	if _, m, _ := db.ResolveActor(ctx, "github", "dee", mar4); m != beta.ID {
		t.Fatalf("dee resolves to member %d, want beta (%d)", m, beta.ID)
	}
	if status, body = send("POST", "/api/v1/affiliation/domains", `{"domain":"beta.example","member":"alpha","from":"2026-06-01"}`); status != 409 {
		t.Fatalf("an overlapping rule: %d %s", status, body)
	}

	// The commands take the same path.
	var out bytes.Buffer
	env := &Env{Config: cfg, Log: quietLogger(), Out: &out, Now: func() time.Time { return time.Date(2026, 3, 8, 0, 0, 0, 0, time.UTC) }}
	if err := PersonUnaffiliated(ctx, env, "2026-03-01", "2026-03-07", true); err != nil {
		t.Fatal(err)
	}
	if un := decode[struct{ People []data.ActorCount }](t, out.String()); len(un.People) != 1 || un.People[0].Login != "zed" {
		t.Fatalf("unaffiliated after the assignments: %s", out.String())
	}
	in, err := ParseWho("github:zed")
	if err != nil {
		t.Fatal(err)
	}
	in.Member = "beta"
	if err := PersonAssign(ctx, env, in); err != nil {
		t.Fatal(err)
	}
	if _, m, _ := db.ResolveActor(ctx, "github", "zed", time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)); m != beta.ID {
		t.Fatalf("zed resolves to member %d after the command", m)
	}
	if _, err := ParseWho("zed"); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("a login without its source: %v", err)
	}
	if err := DomainRuleAdd(ctx, env, DomainRuleInput{Domain: "alpha.example", Member: "alpha", From: "2026-02-01"}); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := DomainRuleList(ctx, env, true); err != nil {
		t.Fatal(err)
	}
	var listed struct{ Rules []DomainRuleRecord }
	if err := json.Unmarshal(out.Bytes(), &listed); err != nil || len(listed.Rules) != 2 || listed.Rules[0].Domain != "alpha.example" || listed.Rules[0].From != "2026-02-01" {
		t.Fatalf("rules listed: %s, %v", out.String(), err)
	}
	status, body = send("GET", "/api/v1/affiliation/domains", "")
	if status != 200 || !strings.Contains(body, `"domain":"alpha.example"`) {
		t.Fatalf("rules over the API: %d %s", status, body)
	}
	if status, body = send("DELETE", "/api/v1/affiliation/domains/x", ""); status != 400 || !strings.Contains(body, "id:") {
		t.Fatalf("delete rule x: %d %s", status, body)
	}
	if status, _ = send("DELETE", "/api/v1/affiliation/domains/999", ""); status != 404 {
		t.Fatalf("delete a missing rule: %d", status)
	}
	status, body = send("DELETE", fmt.Sprintf("/api/v1/affiliation/domains/%d", rule.Rule.ID), "")
	if status != 200 || decode[DomainRuleResult](t, body).Activities != 1 {
		t.Fatalf("delete the beta rule: %d %s", status, body)
	}
	if _, m, _ := db.ResolveActor(ctx, "github", "dee", mar4); m != 0 {
		t.Fatalf("dee still resolves to member %d once the rule is gone", m)
	}

	for _, e := range []struct {
		actor, action, target string
		ok                    bool
	}{
		{domain.RoleManager, "person.assign", "github:octo", true},
		{domain.RoleManager, "person.assign", "github:nobody-at-all", false},
		{"cli", "person.assign", "github:zed", true},
		{domain.RoleManager, "affiliation.domain.add", "@Beta.Example", true},
		{domain.RoleManager, "affiliation.domain.add", "nodot", false},
		{"cli", "affiliation.domain.add", "alpha.example", true},
		{domain.RoleManager, "affiliation.domain.delete", fmt.Sprintf("rule %d (beta.example)", rule.Rule.ID), true},
	} {
		if !auditHas(t, a, e.actor, e.action, e.target, e.ok) {
			t.Errorf("no audit entry %+v", e)
		}
	}
}

// markedDays returns the days marked for rescoring, but those in skip.
func markedDays(t *testing.T, db *data.DB, skip map[string]bool) []string {
	t.Helper()
	marks, err := db.RescoreDays(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range marks {
		if d := m.Day.Format(domain.DateLayout); !skip[d] {
			out = append(out, d)
		}
	}
	return out
}

// communityContributions sums a member's contributions over weeks.
func communityContributions(weeks []data.CommunityWeek) int {
	n := 0
	for _, w := range weeks {
		n += w.Contributions
	}
	return n
}

func TestCommunityPageOffersAssignmentToManagersOnly(t *testing.T) {
	ctx := context.Background()
	_, db := peopleFixture(t)
	// A login and a member name that try to break out of the page.
	hostile := `<script>alert(1)</script>"x`
	if _, err := db.AddActivities(ctx, []domain.Activity{{Source: "github", ExternalID: "h1", Kind: domain.ActReply,
		At: time.Date(2026, 3, 6, 10, 0, 0, 0, time.UTC), Actor: hostile, Thread: "t1"}}); err != nil {
		t.Fatal(err)
	}
	renameMember(t, db, "beta", `Beta <img src=x onerror=alert(2)>`)
	a := newTestApp(t, db)
	a.scoreEntry = 0
	mgr, viewer := loginAs(t, a, domain.RoleManager), loginAs(t, a, domain.RoleViewer)
	page := func(s testSession) string {
		req := httptest.NewRequest("GET", "/community?from=2026-03-01&to=2026-03-07", nil)
		s.apply(req)
		resp, err := a.Fiber().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("community page: %d", resp.StatusCode)
		}
		return string(b)
	}
	p := page(mgr)
	for _, want := range []string{`action="/community/assign"`, `action="/community/domains"`, `name="login" value="Octo"`,
		`<option value="alpha">ALPHA</option>`, `<td class="nowrap">2026-03-02</td>`, `name="back" value="/community?from=2026-03-01&amp;to=2026-03-07"`} {
		if !strings.Contains(p, want) {
			t.Errorf("a manager's community page lacks %s", want)
		}
	}
	if strings.Contains(p, hostile) || strings.Contains(p, "<img src=x") || !strings.Contains(p, "&lt;script&gt;") {
		t.Error("a hostile login or member name reaches the page unescaped")
	}
	if strings.Contains(p, mgr.csrf) {
		t.Error("the page (cached per role) carries the manager's CSRF token")
	}
	if v := page(viewer); strings.Contains(v, `action="/community/assign"`) || strings.Contains(v, `action="/community/domains"`) || !strings.Contains(v, "Octo") {
		t.Error("a viewer's community page offers the forms, or lacks the unaffiliated list")
	}

	status, loc, body := postForm(t, a, mgr, "/community/assign", url.Values{"source": {"github"}, "login": {"Octo"}, "member": {"alpha"},
		"from": {"2026-02-01"}, "back": {"/community?from=2026-03-01&to=2026-03-07"}})
	if status != 303 || loc != "/community?from=2026-03-01&to=2026-03-07" {
		t.Fatalf("assign from the page: %d → %q %s", status, loc, body)
	}
	if _, m, _ := db.ResolveActor(ctx, "github", "octo", time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)); m == 0 {
		t.Fatal("the page's assignment did not attribute octo")
	}
	if status, loc, _ = postForm(t, a, mgr, "/community/domains", url.Values{"domain": {"beta.example"}, "member": {"beta"}, "back": {"https://evil.example/"}}); status != 303 || loc != "/community" {
		t.Fatalf("a domain rule from the page: %d → %q", status, loc)
	}
	if rules, _ := db.DomainRules(ctx); len(rules) != 1 {
		t.Fatalf("rules stored: %+v", rules)
	}
	if status, _, body = postForm(t, a, mgr, "/community/assign", url.Values{"source": {"github"}, "login": {"zed"}, "member": {"nobody"}}); status != 400 || !strings.Contains(body, "member:") {
		t.Fatalf("a bad assignment from the page: %d", status)
	}
	if status, _, _ = postForm(t, a, viewer, "/community/assign", url.Values{"source": {"github"}, "login": {"zed"}, "member": {"alpha"}}); status != 403 {
		t.Fatalf("a viewer assigning from the page: %d", status)
	}
	if status, _, _ = postForm(t, a, viewer, "/community/domains", url.Values{"domain": {"x.example"}, "member": {"alpha"}}); status != 403 {
		t.Fatalf("a viewer adding a rule from the page: %d", status)
	}
}

// TestUnaffiliatedIsPaged: the list comes a page at a time, busiest first,
// with the total and the next page's offset; the pages together are the
// whole list, and a page size out of bounds is a 400.
func TestUnaffiliatedIsPaged(t *testing.T) {
	_, db := peopleFixture(t)
	a := newTestApp(t, db)
	viewer := loginAs(t, a, domain.RoleViewer)
	type page struct {
		People               []data.ActorCount
		Total, Limit, Offset int
		Next                 *int
	}
	const q = "/api/v1/people/unaffiliated?from=2026-03-01&to=2026-03-07"
	status, body := sendJSON(t, a, viewer, "GET", q, nil)
	all := decode[page](t, body)
	if status != 200 || all.Total != 3 || len(all.People) != 3 || all.Limit != 200 || all.Next != nil {
		t.Fatalf("the default page: %d %s", status, body)
	}
	var got []data.ActorCount
	for offset := 0; ; {
		status, body := sendJSON(t, a, viewer, "GET", fmt.Sprintf("%s&limit=2&offset=%d", q, offset), nil)
		p := decode[page](t, body)
		if status != 200 || p.Total != 3 || len(p.People) > 2 || p.Offset != offset {
			t.Fatalf("page at %d: %d %s", offset, status, body)
		}
		got = append(got, p.People...)
		if p.Next == nil {
			break
		}
		offset = *p.Next
	}
	if !reflect.DeepEqual(got, all.People) {
		t.Errorf("the pages hold %+v, the whole list %+v", got, all.People)
	}
	for _, bad := range []string{"&limit=1001", "&limit=-1", "&offset=-2", "&limit=x"} {
		if status, body := sendJSON(t, a, viewer, "GET", q+bad, nil); status != 400 {
			t.Errorf("%s: %d %s, want 400", bad, status, body)
		}
	}
}
