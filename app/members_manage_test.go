package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// managerJSON sends a raw JSON body (none when empty) as a manager.
func managerJSON(tb testing.TB, a *App) func(method, target, body string) (int, string) {
	s := loginAs(tb, a, domain.RoleManager)
	return func(method, target, body string) (int, string) {
		tb.Helper()
		if body == "" {
			return sendJSON(tb, a, s, method, target, nil)
		}
		return sendJSON(tb, a, s, method, target, json.RawMessage(body))
	}
}

func TestMembersAreManagedThroughTheJSONAPI(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t, datatest.MustOpenDB(t))
	send := managerJSON(t, a)

	status, body := send("POST", "/api/v1/members",
		`{"slug":"acme","name":"Acme AI","kind":"partner","segment":"NLP","tier":"gold","joined":"2025-01-15","domains":["Acme.com"],"key_patterns":["acme-*"]}`)
	if status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	rec := decode[MemberRecord](t, body)
	if rec.Slug != "acme" || rec.Joined != "2025-01-15" || strings.Join(rec.Domains, ",") != "acme.com" || rec.ArchivedOn != nil {
		t.Fatalf("created record: %+v", rec)
	}

	for _, c := range []struct {
		body, field string
		status      int
	}{
		{`{"slug":"bad slug","name":"X","kind":"partner"}`, "slug", 400},
		{`{"slug":"x","name":"","kind":"partner"}`, "name", 400},
		{`{"slug":"x","name":"X","kind":"vendor"}`, "kind", 400},
		{`{"slug":"x","name":"X","kind":"partner","joined":"2025-02-30"}`, "joined", 400},
		{`{"slug":"x","name":"X","kind":"partner","domains":["no such thing"]}`, "domains", 400},
		{`{"slug":"acme","name":"Again","kind":"partner"}`, "slug", 409},
	} {
		status, body := send("POST", "/api/v1/members", c.body)
		msg := decode[map[string]string](t, body)["error"]
		if status != c.status || !strings.HasPrefix(msg, c.field+":") {
			t.Errorf("%s: %d %q, want %d naming %s", c.body, status, msg, c.status, c.field)
		}
	}
	if n, _ := a.db.CountMembers(ctx); n != 1 {
		t.Fatalf("refused members were stored: %d members", n)
	}

	status, body = send("PUT", "/api/v1/members/acme", `{"name":"Acme","kind":"partner","tier":"platinum","joined":"2025-01-15"}`)
	if status != http.StatusOK || decode[MemberRecord](t, body).Tier != "platinum" {
		t.Fatalf("update: %d %s", status, body)
	}
	if status, body = send("PUT", "/api/v1/members/acme", `{"slug":"other","name":"Acme","kind":"partner"}`); status != 400 {
		t.Fatalf("renaming the slug: %d %s", status, body)
	}
	if status, body = send("PUT", "/api/v1/members/nobody", `{"name":"N","kind":"partner"}`); status != 404 {
		t.Fatalf("updating a missing member: %d %s", status, body)
	}

	status, body = send("POST", "/api/v1/members/acme/archive", `{"on":"2026-03-01"}`)
	if rec := decode[MemberRecord](t, body); status != 200 || rec.ArchivedOn == nil || *rec.ArchivedOn != "2026-03-01" {
		t.Fatalf("archive: %d %s", status, body)
	}
	if status, body = send("POST", "/api/v1/members/acme/restore", ``); status != 200 || decode[MemberRecord](t, body).ArchivedOn != nil {
		t.Fatalf("restore: %d %s", status, body)
	}

	if status, body = send("POST", "/api/v1/members", `{"slug":"acme-old","name":"Acme (old)","kind":"partner","joined":"2024-01-01","domains":["acme-old.com"]}`); status != 201 {
		t.Fatalf("create acme-old: %d %s", status, body)
	}
	status, body = send("POST", "/api/v1/members/acme-old/merge", `{"into":"acme"}`)
	if status != 200 || decode[data.MergeResult](t, body).Kept != "acme" {
		t.Fatalf("merge: %d %s", status, body)
	}
	kept, _ := a.db.MemberBySlug(ctx, "acme")
	if !strings.Contains(strings.Join(kept.Domains, ","), "acme-old.com") {
		t.Fatalf("kept member's hints: %v", kept.Domains)
	}

	// Every change was audited, the refused ones too.
	entries, err := a.db.AuditLog(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, e := range entries {
		if strings.HasPrefix(e.Action, "member.") {
			counts[e.Action+map[bool]string{true: "", false: "!"}[e.OK]]++
		}
	}
	if counts["member.create"] != 2 || counts["member.create!"] != 6 || counts["member.update"] != 1 || counts["member.update!"] != 2 ||
		counts["member.archive"] != 1 || counts["member.restore"] != 1 || counts["member.merge"] != 1 {
		t.Fatalf("audit entries: %v", counts)
	}
}

func TestScoringRunRescoresDaysAMemberChangeTouched(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	for _, slug := range []string{"alpha", "bravo"} {
		if err := db.CreateMember(ctx, &domain.Member{Slug: slug, Name: slug, Kind: domain.KindPartner, JoinedOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
	s := NewScorer(db, config.Default().Scoring, quietLogger())
	d1, d2 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	if _, err := s.ScoreRange(ctx, d1, d2); err != nil {
		t.Fatal(err)
	}
	scored := func(day time.Time) string {
		rows, err := db.ScoresOn(ctx, day)
		if err != nil {
			t.Fatal(err)
		}
		var slugs []string
		for _, r := range rows {
			slugs = append(slugs, r.Slug)
		}
		return strings.Join(slugs, ",")
	}
	if got := scored(d2); !strings.Contains(got, "bravo") {
		t.Fatalf("before archiving, %s scores %q", d2.Format(domain.DateLayout), got)
	}
	if err := db.ArchiveMember(ctx, "bravo", d2); err != nil {
		t.Fatal(err)
	}
	// A run weeks later, with no backfill: only the marked day is old.
	if err := s.Run(ctx, d2.AddDate(0, 0, 30), 0); err != nil {
		t.Fatal(err)
	}
	if got := scored(d2); strings.Contains(got, "bravo") {
		t.Fatalf("the archived member is still scored on %s: %q", d2.Format(domain.DateLayout), got)
	}
	if got := scored(d1); !strings.Contains(got, "bravo") {
		t.Fatalf("history before the archive day was lost: %q", got)
	}
	if marks, _ := db.RescoreDays(ctx); len(marks) != 0 {
		t.Fatalf("marks left after the run: %v", marks)
	}
}

func TestMemberPagesAddEditArchiveAndMerge(t *testing.T) {
	ctx := context.Background()
	a := newTestApp(t, datatest.MustOpenDB(t))
	mgr := loginAs(t, a, domain.RoleManager)
	getAs := func(s testSession, target string) (int, string) {
		req := httptest.NewRequest("GET", target, nil)
		s.apply(req)
		resp, err := a.Fiber().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	status, page := getAs(mgr, "/members/new")
	if status != 200 || !strings.Contains(page, `action="/members/new"`) || !strings.Contains(page, `name="csrf"`) {
		t.Fatalf("GET /members/new: %d (the form, not a member called new)", status)
	}
	// A bad field shows the form again with the problem and what was typed.
	status, _, page = postForm(t, a, mgr, "/members/new", url.Values{"slug": {"acme"}, "name": {"Acme <AI>"}, "kind": {"vendor"}, "joined": {"2025-01-15"}})
	if status != 400 || !strings.Contains(page, "kind:") || !strings.Contains(page, "Acme &lt;AI&gt;") {
		t.Fatalf("bad kind: %d", status)
	}
	status, loc, _ := postForm(t, a, mgr, "/members/new", url.Values{"slug": {"acme"}, "name": {"Acme AI"}, "kind": {"partner"},
		"joined": {"2025-01-15"}, "domains": {"acme.com\r\nACME.cn"}, "key_patterns": {"acme-*"}})
	if status != 303 || loc != "/members/acme" {
		t.Fatalf("add: %d → %q", status, loc)
	}
	m, err := a.db.MemberBySlug(ctx, "acme")
	if err != nil || strings.Join(m.Domains, ",") != "acme.com,acme.cn" {
		t.Fatalf("stored: %+v %v", m, err)
	}
	if status, _, _ = postForm(t, a, mgr, "/members/new", url.Values{"slug": {"old-acme"}, "name": {"Old Acme"}, "kind": {"partner"}, "joined": {"2024-01-01"}}); status != 303 {
		t.Fatalf("add old-acme: %d", status)
	}
	status, page = getAs(mgr, "/members/acme/edit")
	if status != 200 || !strings.Contains(page, `value="Acme AI"`) || !strings.Contains(page, "data-confirm=") || !strings.Contains(page, `value="old-acme"`) {
		t.Fatalf("edit form: %d", status)
	}
	if status, loc, _ = postForm(t, a, mgr, "/members/acme/edit", url.Values{"name": {"Acme"}, "kind": {"partner"}, "tier": {"gold"}, "joined": {"2025-01-15"}}); status != 303 || loc != "/members/acme" {
		t.Fatalf("edit: %d → %q", status, loc)
	}
	if status, _, _ = postForm(t, a, mgr, "/members/acme/archive", url.Values{"on": {"2026-04-01"}}); status != 303 {
		t.Fatalf("archive: %d", status)
	}
	if m, _ = a.db.MemberBySlug(ctx, "acme"); m.Tier != "gold" || m.ArchivedOn.Format(domain.DateLayout) != "2026-04-01" {
		t.Fatalf("after edit and archive: %+v", m)
	}
	if status, _, _ = postForm(t, a, mgr, "/members/acme/restore", url.Values{}); status != 303 {
		t.Fatalf("restore: %d", status)
	}
	if status, loc, _ = postForm(t, a, mgr, "/members/old-acme/merge", url.Values{"into": {"acme"}}); status != 303 || loc != "/members/acme" {
		t.Fatalf("merge: %d → %q", status, loc)
	}
	if m, _ = a.db.MemberBySlug(ctx, "old-acme"); m.MergedInto != "acme" {
		t.Fatalf("merged member: %+v", m)
	}
	if status, _, page = postForm(t, a, mgr, "/members/acme/merge", url.Values{"into": {"acme"}}); status != 400 || !strings.Contains(page, "into:") {
		t.Fatalf("merging into itself: %d", status)
	}

	// Managers see the way in from the list and the member page; viewers
	// do not (and the gate refuses them the forms).
	viewer := loginAs(t, a, domain.RoleViewer)
	_, page = getAs(mgr, "/members/acme")
	if !strings.Contains(page, `href="/members/acme/edit"`) {
		t.Fatal("a manager's member page has no edit link")
	}
	_, page = getAs(viewer, "/members/acme")
	if strings.Contains(page, `/members/acme/edit`) {
		t.Fatal("a viewer's member page offers the edit link")
	}
	if status, _ = getAs(viewer, "/members/new"); status != 403 {
		t.Fatalf("viewer GET /members/new: %d", status)
	}
}
