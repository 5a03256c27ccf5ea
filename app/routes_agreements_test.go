package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

var agrJSONBlockRE = regexp.MustCompile(`(?s)<script type="application/json" id="([^"]+)">(.*?)</script>`)

// agrSend sends a request with a body through the app's test session (a
// manager, with the CSRF token) and returns the status and body.
func agrSend(t *testing.T, a *App, method, target, contentType, body string) (int, string, http.Header) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	resp := do(t, a.Fiber(), req)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header
}

func agrJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// agrMembers returns two member slugs of the demo.
func agrMembers(t *testing.T, db *data.DB) (string, string) {
	t.Helper()
	ms, err := db.Members(context.Background())
	if err != nil || len(ms) < 2 {
		t.Fatalf("members: %v", err)
	}
	return ms[0].Slug, ms[1].Slug
}

func agrCount(t *testing.T, db *data.DB) int {
	t.Helper()
	n, err := db.CountProjects(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAgreementCreateAndEditThroughTheAPI(t *testing.T) {
	db := seededDB(t)
	a := newTestApp(t, db)
	m1, m2 := agrMembers(t, db)
	in := views.AgreementInput{Slug: "speech-pilot", Name: "Speech pilot", Scope: "ASR for call centres", Terms: "12 months, shared IP",
		Status: "active", StartOn: "2026-05-01", EndOn: "2027-04-30",
		Parties: []views.AgreementPartyInput{{Member: m1, Role: "lead"}, {Member: m2, Role: "partner"}},
		Milestones: []views.AgreementMilestoneInput{
			{Title: "Data sharing agreement", DueOn: "2026-05-15", DoneOn: "2026-05-14"},
			{Title: "Pilot", DueOn: "2026-06-20"},
			{Title: "Launch", DueOn: "2026-09-01"},
		}}
	status, body, hdr := agrSend(t, a, "POST", "/api/v1/projects", "application/json", agrJSON(t, in))
	if status != http.StatusCreated {
		t.Fatalf("POST /api/v1/projects = %d: %s", status, body)
	}
	if got, want := hdr.Get("Location"), "/api/v1/projects/speech-pilot"; got != want {
		t.Errorf("Location %q, want %q", got, want)
	}
	d := decode[views.ProjectDetail](t, body)
	if d.Project.Source != data.SourceUI || d.Project.Name != "Speech pilot" || len(d.Parties) != 2 || len(d.Milestones) != 3 {
		t.Fatalf("created %+v, %d parties, %d milestones", d.Project, len(d.Parties), len(d.Milestones))
	}
	// On the demo's last day the pilot is overdue (10 days), the first done on time.
	states := map[string]string{}
	for _, m := range d.Milestones {
		states[m.Title] = m.State
		if m.Source != data.SourceUI {
			t.Errorf("milestone %q source %q, want ui", m.Title, m.Source)
		}
	}
	if states["Data sharing agreement"] != "done" || states["Pilot"] != "overdue" || states["Launch"] != "upcoming" {
		t.Errorf("states %v", states)
	}
	status, body, _ = get(t, a.Fiber(), "/api/v1/projects/speech-pilot")
	if status != 200 {
		t.Fatalf("GET = %d", status)
	}
	if got := decode[views.ProjectDetail](t, body); got.Project.Terms != "12 months, shared IP" || got.Parties[0].Role == "" {
		t.Errorf("stored %+v %+v", got.Project, got.Parties)
	}
	log, err := db.AuditLog(context.Background(), 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) == 0 || log[0].Action != "agreement.save" || log[0].Target != "speech-pilot" || log[0].Actor != domain.RoleManager || !log[0].OK {
		t.Errorf("audit log %+v", log)
	}
	// The same slug again is a conflict.
	if status, body, _ := agrSend(t, a, "POST", "/api/v1/projects", "application/json", agrJSON(t, in)); status != http.StatusConflict {
		t.Errorf("second POST = %d, want 409: %s", status, body)
	}

	// Edit: the pilot is done, the launch goes, a party role changes, the
	// slug changes.
	var pilot int64
	for _, m := range d.Milestones {
		if m.Title == "Pilot" {
			pilot = m.ID
		}
	}
	in.Slug, in.Name = "speech-pilot-eu", "Speech pilot (EU)"
	in.Parties[1].Role = "integrator"
	in.Milestones = []views.AgreementMilestoneInput{
		{Title: "Data sharing agreement", DueOn: "2026-05-15", DoneOn: "2026-05-14"},
		{ID: pilot, Title: "Pilot in two countries", DueOn: "2026-06-20", DoneOn: "2026-06-25"},
	}
	status, body, _ = agrSend(t, a, "PUT", "/api/v1/projects/speech-pilot", "application/json", agrJSON(t, in))
	if status != 200 {
		t.Fatalf("PUT = %d: %s", status, body)
	}
	d = decode[views.ProjectDetail](t, body)
	if d.Project.Slug != "speech-pilot-eu" || len(d.Milestones) != 2 || d.Parties[1].Role != "integrator" && d.Parties[0].Role != "integrator" {
		t.Errorf("edited %+v %+v %+v", d.Project, d.Parties, d.Milestones)
	}
	for _, m := range d.Milestones {
		if m.Title == "Pilot in two countries" && (m.ID != pilot || m.State != "late") {
			t.Errorf("edited pilot %+v, want id %d, late", m, pilot)
		}
	}
	if status, _, _ := get(t, a.Fiber(), "/api/v1/projects/speech-pilot"); status != 404 {
		t.Errorf("the old slug answers %d, want 404", status)
	}
	if status, body, _ := agrSend(t, a, "PUT", "/api/v1/projects/nothing-here", "application/json", agrJSON(t, in)); status != 404 {
		t.Errorf("PUT of an unknown agreement = %d, want 404: %s", status, body)
	}
	// The projects list counts it.
	status, body, _ = get(t, a.Fiber(), "/api/v1/projects?member="+m1)
	if status != 200 || !strings.Contains(body, `"speech-pilot-eu"`) {
		t.Errorf("the list of %s lacks the agreement: %d", m1, status)
	}
}

func TestAgreementWritesNeedAManagerAndTheCSRFToken(t *testing.T) {
	db := seededDB(t)
	a := newTestApp(t, db)
	m1, _ := agrMembers(t, db)
	before := agrCount(t, db)
	body := agrJSON(t, views.AgreementInput{Slug: "x-pilot", Name: "X", Status: "active", StartOn: "2026-01-01",
		Parties: []views.AgreementPartyInput{{Member: m1}}})
	send := func(s testSession, header bool, method, target, ct, body string) int {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		for _, c := range s.cookies {
			req.AddCookie(c)
		}
		if header {
			req.Header.Set(csrfHeader, s.csrf)
		}
		resp, err := a.Fiber().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	viewer := loginAs(t, a, domain.RoleViewer)
	manager := loginAs(t, a, domain.RoleManager)
	form := url.Values{"slug": {"x-pilot"}, "name": {"X"}, "status": {"active"}, "start_on": {"2026-01-01"}, "party_member": {m1}, "party_role": {""}}.Encode()
	for _, tc := range []struct {
		name         string
		s            testSession
		header       bool
		method, path string
		ct, body     string
		want         int
	}{
		{"viewer, API", viewer, true, "POST", "/api/v1/projects", "application/json", body, 403},
		{"viewer, form", viewer, true, "POST", "/projects/new", "application/x-www-form-urlencoded", form, 403},
		{"viewer, edit", viewer, true, "PUT", "/api/v1/projects/x-pilot", "application/json", body, 403},
		{"manager without the token, API", manager, false, "POST", "/api/v1/projects", "application/json", body, 403},
		{"manager without the token, form", manager, false, "POST", "/projects/new", "application/x-www-form-urlencoded", form, 403},
		{"anonymous", testSession{}, false, "POST", "/api/v1/projects", "application/json", body, 401},
	} {
		if got := send(tc.s, tc.header, tc.method, tc.path, tc.ct, tc.body); got != tc.want {
			t.Errorf("%s: %s %s = %d, want %d", tc.name, tc.method, tc.path, got, tc.want)
		}
	}
	if got := agrCount(t, db); got != before {
		t.Errorf("%d projects after refused writes, want %d", got, before)
	}
	for _, path := range []string{"/projects/new", "/projects/" + "x/edit"} {
		req := httptest.NewRequest("GET", path, nil)
		viewer.apply(req)
		resp, _ := a.Fiber().Test(req, -1)
		if resp.StatusCode != 403 {
			t.Errorf("a viewer GET %s = %d, want 403", path, resp.StatusCode)
		}
	}
	// The form posts with the token as a field, as a browser without JS does.
	status, _, _ := get(t, a.Fiber(), "/projects/new")
	if status != 200 {
		t.Fatalf("GET /projects/new = %d", status)
	}
	vals, _ := url.ParseQuery(form)
	vals.Set("csrf", manager.csrf)
	if got := send(manager, false, "POST", "/projects/new", "application/x-www-form-urlencoded", vals.Encode()); got != http.StatusSeeOther {
		t.Errorf("form with the token field = %d, want 303", got)
	}
	if got := agrCount(t, db); got != before+1 {
		t.Errorf("%d projects, want %d", got, before+1)
	}
}

func TestAgreementBadInputIs400AndStoresNothing(t *testing.T) {
	db := seededDB(t)
	a := newTestApp(t, db)
	m1, m2 := agrMembers(t, db)
	good := func() views.AgreementInput {
		return views.AgreementInput{Slug: "bad-input", Name: "Bad input", Status: "planned", StartOn: "2026-07-01", EndOn: "2026-12-31",
			Parties:    []views.AgreementPartyInput{{Member: m1, Role: "lead"}, {Member: m2}},
			Milestones: []views.AgreementMilestoneInput{{Title: "One", DueOn: "2026-08-01"}}}
	}
	before := agrCount(t, db)
	for _, tc := range []struct {
		name string
		edit func(*views.AgreementInput)
		want string
	}{
		{"end before start", func(in *views.AgreementInput) { in.EndOn = "2026-06-01" }, "the end date (2026-06-01) is before the start date (2026-07-01)"},
		{"unknown member", func(in *views.AgreementInput) { in.Parties[1].Member = "no-such-member" }, `unknown member "no-such-member"`},
		{"duplicate party", func(in *views.AgreementInput) { in.Parties[1].Member = m1 }, `member "` + m1 + `" is listed twice`},
		{"bad start date", func(in *views.AgreementInput) { in.StartOn = "2026-13-01" }, `the start date "2026-13-01" is not a date`},
		{"bad due date", func(in *views.AgreementInput) { in.Milestones[0].DueOn = "1 August" }, `milestone "One": the due date "1 August" is not a date`},
		{"bad done date", func(in *views.AgreementInput) { in.Milestones[0].DoneOn = "2026-08-32" }, `the done date "2026-08-32" is not a date`},
		{"milestone before the start", func(in *views.AgreementInput) { in.Milestones[0].DueOn = "2026-01-01" }, "is due (2026-01-01) before the agreement starts"},
		{"milestone without a due date", func(in *views.AgreementInput) { in.Milestones[0].DueOn = "" }, "the due date is required"},
		{"no name", func(in *views.AgreementInput) { in.Name = " " }, "the name is required"},
		{"bad slug", func(in *views.AgreementInput) { in.Slug = "Bad Slug" }, `the slug "Bad Slug" must be lower-case`},
		{"reserved slug", func(in *views.AgreementInput) { in.Slug = "new" }, `the slug "new" is reserved`},
		{"unknown status", func(in *views.AgreementInput) { in.Status = "signed" }, `unknown status "signed"`},
		{"no party", func(in *views.AgreementInput) { in.Parties = nil }, "at least one party"},
		{"foreign milestone id", func(in *views.AgreementInput) { in.Milestones[0].ID = 1 }, "is not a milestone of this agreement"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := good()
			tc.edit(&in)
			status, body, _ := agrSend(t, a, "POST", "/api/v1/projects", "application/json", agrJSON(t, in))
			if status != 400 {
				t.Fatalf("status %d, want 400: %s", status, body)
			}
			e := decode[struct {
				Error    string
				Problems []string
			}](t, body)
			if !strings.Contains(e.Error, tc.want) || len(e.Problems) == 0 {
				t.Errorf("error %q, problems %q; want it to say %q", e.Error, e.Problems, tc.want)
			}
			if got := agrCount(t, db); got != before {
				t.Errorf("%d projects, want %d: something was stored", got, before)
			}
		})
	}
	for name, body := range map[string]string{
		"not JSON":      "slug=x",
		"unknown field": `{"slug":"x","nmae":"typo"}`,
		"wrong type":    `{"slug":"x","parties":"all"}`,
		"empty":         ``,
	} {
		status, resp, _ := agrSend(t, a, "POST", "/api/v1/projects", "application/json", body)
		if status != 400 || strings.Contains(resp, "views.") || strings.Contains(resp, "Go struct") {
			t.Errorf("%s: %d %s, want 400 without internals", name, status, resp)
		}
	}
	// An edit that fails leaves the agreement as it was.
	status, body, _ := agrSend(t, a, "POST", "/api/v1/projects", "application/json", agrJSON(t, good()))
	if status != 201 {
		t.Fatalf("create = %d: %s", status, body)
	}
	bad := good()
	bad.Name, bad.EndOn = "Renamed", "2026-01-01"
	if status, _, _ := agrSend(t, a, "PUT", "/api/v1/projects/bad-input", "application/json", agrJSON(t, bad)); status != 400 {
		t.Errorf("bad edit = %d, want 400", status)
	}
	_, body, _ = get(t, a.Fiber(), "/api/v1/projects/bad-input")
	if d := decode[views.ProjectDetail](t, body); d.Project.Name != "Bad input" || d.Project.EndOn != "2026-12-31" {
		t.Errorf("a refused edit changed %+v", d.Project)
	}
}

func TestAgreementFormRegistersAndShowsProblems(t *testing.T) {
	db := seededDB(t)
	a := newTestApp(t, db)
	m1, m2 := agrMembers(t, db)
	status, page, _ := get(t, a.Fiber(), "/projects/new")
	if status != 200 || !strings.Contains(page, `name="party_member"`) || !strings.Contains(page, `value="`+m1+`"`) {
		t.Fatalf("GET /projects/new = %d, no party select", status)
	}
	before := agrCount(t, db)
	form := url.Values{
		"name": {"Vision <b>pilot</b>"}, "slug": {"vision-form"}, "status": {"active"}, "start_on": {"2026-04-01"}, "end_on": {"2026-03-01"},
		"scope": {"retail shelves"}, "terms": {""},
		"party_member": {m1, m2, ""}, "party_role": {"lead", "partner", ""},
		"ms_id": {"", "", ""}, "ms_title": {"Kick-off", "Pilot", ""}, "ms_due": {"2026-04-10", "2026-05-40", ""}, "ms_done": {"", "", ""},
	}
	status, page, _ = agrSend(t, a, "POST", "/projects/new", "application/x-www-form-urlencoded", form.Encode())
	if status != 400 {
		t.Fatalf("bad form = %d, want 400", status)
	}
	for _, want := range []string{"The agreement was not saved", "the end date (2026-03-01) is before the start date (2026-04-01)",
		`the due date &#34;2026-05-40&#34; is not a date`, `value="Vision &lt;b&gt;pilot&lt;/b&gt;"`, `>retail shelves</textarea>`,
		`value="Pilot"`, `value="2026-05-40"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the form shown again lacks %q", want)
		}
	}
	if !strings.Contains(page, `value="`+m2+`" selected`) {
		t.Error("the form shown again lost the second party")
	}
	if got := agrCount(t, db); got != before {
		t.Fatalf("a refused form stored a project")
	}
	form.Set("end_on", "2026-12-31")
	form["ms_due"] = []string{"2026-04-10", "2026-05-30", ""}
	status, _, hdr := agrSend(t, a, "POST", "/projects/new", "application/x-www-form-urlencoded", form.Encode())
	if status != http.StatusSeeOther || hdr.Get("Location") != "/projects/vision-form" {
		t.Fatalf("good form = %d to %q, want 303 to /projects/vision-form", status, hdr.Get("Location"))
	}
	status, page, _ = get(t, a.Fiber(), "/projects/vision-form")
	if status != 200 || !strings.Contains(page, "Vision &lt;b&gt;pilot&lt;/b&gt;") || !strings.Contains(page, "entered in EcoPulse") {
		t.Errorf("the new agreement's page: %d", status)
	}

	// Edit through the form: the stored milestones come back with their ids;
	// clearing one removes it.
	status, page, _ = get(t, a.Fiber(), "/projects/vision-form/edit")
	if status != 200 || !strings.Contains(page, `action="/projects/vision-form/edit"`) || !strings.Contains(page, `value="Kick-off"`) {
		t.Fatalf("edit form = %d", status)
	}
	_, body, _ := get(t, a.Fiber(), "/api/v1/projects/vision-form")
	d := decode[views.ProjectDetail](t, body)
	ids := map[string]string{}
	for _, m := range d.Milestones {
		ids[m.Title] = strconv.FormatInt(m.ID, 10)
	}
	edit := url.Values{
		"name": {"Vision pilot"}, "slug": {"vision-form"}, "status": {"completed"}, "start_on": {"2026-04-01"}, "end_on": {"2026-12-31"},
		"party_member": {m1, ""}, "party_role": {"lead", ""},
		"ms_id": {ids["Kick-off"], ids["Pilot"]}, "ms_title": {"Kick-off", ""}, "ms_due": {"2026-04-10", ""}, "ms_done": {"2026-04-09", ""},
	}
	status, _, _ = agrSend(t, a, "POST", "/projects/vision-form/edit", "application/x-www-form-urlencoded", edit.Encode())
	if status != http.StatusSeeOther {
		t.Fatalf("edit = %d, want 303", status)
	}
	_, body, _ = get(t, a.Fiber(), "/api/v1/projects/vision-form")
	d = decode[views.ProjectDetail](t, body)
	if d.Project.Status != "completed" || len(d.Parties) != 1 || len(d.Milestones) != 1 || d.Milestones[0].DoneOn != "2026-04-09" {
		t.Errorf("after the edit: %+v %+v %+v", d.Project, d.Parties, d.Milestones)
	}
}

// TestAgreementPagesEscapeHostileText stores hostile names, terms and
// milestone titles through the API: every page shows them as text.
func TestAgreementPagesEscapeHostileText(t *testing.T) {
	db := seededDB(t)
	a := newTestApp(t, db)
	m1, _ := agrMembers(t, db)
	hostile := []string{`</script><script>alert(1)</script>`, `"><img src=x onerror=alert(2)>`, `__f__function(){alert(3)}__f__`}
	in := views.AgreementInput{Slug: "hostile", Name: hostile[0], Scope: hostile[1], Terms: hostile[2], Status: "active", StartOn: "2026-05-01",
		Parties:    []views.AgreementPartyInput{{Member: m1, Role: hostile[1]}},
		Milestones: []views.AgreementMilestoneInput{{Title: hostile[0], DueOn: "2026-06-01"}, {Title: hostile[1], DueOn: "2026-06-02", DoneOn: "2026-06-01"}}}
	if status, body, _ := agrSend(t, a, "POST", "/api/v1/projects", "application/json", agrJSON(t, in)); status != 201 {
		t.Fatalf("create = %d: %s", status, body)
	}
	for _, path := range []string{"/projects", "/projects/hostile", "/projects/hostile/edit", "/projects?status=active"} {
		status, page, _ := get(t, a.Fiber(), path)
		if status != 200 {
			t.Fatalf("GET %s = %d", path, status)
		}
		for _, bad := range []string{"<script>alert", "<img src=x", `onerror=alert(2)>`} {
			if strings.Contains(page, bad) {
				t.Errorf("%s holds the raw %q", path, bad)
			}
		}
		if strings.Contains(page, "__f__function") && !strings.Contains(page, "__f__function(){alert(3)}__f__</p>") &&
			!strings.Contains(page, "__f__function(){alert(3)}__f__</textarea>") {
			t.Errorf("%s holds the __f__ payload outside text", path)
		}
		for _, m := range agrJSONBlockRE.FindAllStringSubmatch(page, -1) {
			if strings.ContainsAny(m[2], "<>") {
				t.Errorf("%s: chart block %s holds a raw < or >", path, m[1])
			}
		}
	}
	_, page, _ := get(t, a.Fiber(), "/projects/hostile")
	if !strings.Contains(page, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the hostile name is not shown as text")
	}
}
