package views

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

func membersQueryOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseMembersQuery(t *testing.T) {
	q, err := ParseMembersQuery(membersQueryOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if q.Sort != "phi" || q.Order != "desc" {
		t.Errorf("defaults: sort %q order %q, want phi desc", q.Sort, q.Order)
	}
	if got := q.URL("/members"); got != "/members" {
		t.Errorf("default URL = %q, want /members", got)
	}
	q, err = ParseMembersQuery(membersQueryOf(map[string]string{"sort": "name", "segment": " NLP ", "q": `a&b=c`, "tier": MembersNoTier}))
	if err != nil {
		t.Fatal(err)
	}
	if q.Order != "asc" || q.Segment != "NLP" {
		t.Errorf("name sorts A–Z first: order %q; segment %q", q.Order, q.Segment)
	}
	if got, want := q.URL("/members"), "/members?q=a%26b%3Dc&segment=NLP&sort=name&tier=-"; got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
	// A round trip through the URL gives the same query.
	back, err := ParseMembersQuery(func(k string) string {
		vals := q.Values()
		return vals.Get(k)
	})
	if err != nil || back != q {
		t.Errorf("round trip: %+v (%v), want %+v", back, err, q)
	}
	if f := q.filter(); f.Tier == nil || *f.Tier != "" || f.Segment == nil || *f.Segment != "NLP" || f.Kind != nil {
		t.Errorf("filter = %+v", f)
	}
	for _, bad := range []map[string]string{
		{"status": "fine"}, {"sort": "secret"}, {"order": "up"}, {"kind": "robot"}, {"at": "2026-13-01"},
		{"q": strings.Repeat("é", 150)}, {"segment": strings.Repeat("s", 201)},
	} {
		if _, err := ParseMembersQuery(membersQueryOf(bad)); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%v: err %v, want EINVALID", bad, err)
		}
	}
}

func TestMembersTrendDays(t *testing.T) {
	for _, day := range []string{"2026-06-30", "2026-06-28", "2026-07-04"} {
		d, _ := domain.ParseDay(day)
		days := membersTrendDays(d, 26)
		if got, want := len(days), 26; got != want {
			t.Fatalf("%s: %d days, want %d", day, got, want)
		}
		if !days[25].Equal(d) {
			t.Errorf("%s: last day %s", day, days[25])
		}
		for i, x := range days[:25] {
			if x.Weekday() != time.Sunday {
				t.Errorf("%s: day %d (%s) is not a Sunday", day, i, x)
			}
			if !x.Before(days[i+1]) {
				t.Errorf("%s: days out of order at %d", day, i)
			}
		}
		if gap := d.Sub(days[24]); gap <= 0 || gap > 7*24*time.Hour {
			t.Errorf("%s: the last Sunday is %s before", day, gap)
		}
	}
}

func TestMembersCSVNeutralisesFormulas(t *testing.T) {
	m := &Members{At: "2026-06-30", Members: []MembersRow{
		{MemberRow: MemberRow{Slug: "a", Name: `=HYPERLINK("http://x","y")`, Segment: "+NLP", Tier: "@gold", Kind: "-k", Health: 50, HealthChange: -1.5, ValueFigures: ValueFigures{Phi: 0.25}}},
		{MemberRow: MemberRow{Slug: "b", Name: "\tTab", Segment: "\rCR", Health: math.NaN(), HealthChange: 2}},
		{MemberRow: MemberRow{Slug: "c", Name: "Plain, \"quoted\"", Health: 10}},
	}}
	var buf bytes.Buffer
	if err := WriteMembersCSV(&buf, m); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(recs), 4; got != want {
		t.Fatalf("%d records, want %d", got, want)
	}
	if got, want := strings.Join(recs[0], ","), strings.Join(MemberExportHeader(), ","); got != want {
		t.Errorf("header %q", got)
	}
	col := func(rec int, name string) string { return recs[rec][MemberExportColumnIndex(name)] }
	for _, c := range []struct{ got, want string }{
		{col(1, "name"), `'=HYPERLINK("http://x","y")`},
		{col(1, "segment"), "'+NLP"},
		{col(1, "tier"), "'@gold"},
		{col(1, "kind"), "'-k"},
		{col(1, "health_change"), "-1.5"}, // a number stays a number
		{col(2, "name"), "'\tTab"},
		{col(2, "segment"), "'\rCR"},
		{col(2, "health"), ""},     // NaN: empty
		{col(2, "phi_change"), ""}, // not computed for a day: empty, not 0
		{col(3, "name"), `Plain, "quoted"`},
		{col(1, "against"), "2026-06-23"},
	} {
		if c.got != c.want {
			t.Errorf("cell %q, want %q", c.got, c.want)
		}
	}
	if got, want := MembersCSVName(m), "ecopulse-members-2026-06-30.csv"; got != want {
		t.Errorf("file name %q, want %q", got, want)
	}
}

func membersPtr(v float64) *float64 { return &v }

func TestMembersSpark(t *testing.T) {
	days := []string{"d0", "d1", "d2", "d3", "d4"}
	sp := newMembersSpark(days, []*float64{nil, membersPtr(50), membersPtr(60), nil, membersPtr(40)}, domain.StatusWatch)
	if got, want := len(sp.Lines), 1; got != want {
		t.Fatalf("lines = %d (%v), want %d: a run of one point draws no line", got, sp.Lines, want)
	}
	if !sp.HasDot || sp.Class != "watch" {
		t.Errorf("dot %v, class %q", sp.HasDot, sp.Class)
	}
	if !strings.Contains(sp.Label, "from 50.0 on d1 to 40.0 on d4") {
		t.Errorf("label %q", sp.Label)
	}
	// Coordinates stay inside the box.
	for _, pt := range strings.Fields(sp.Lines[0] + " " + sp.DotX + "," + sp.DotY) {
		var x, y float64
		if _, err := fmt.Sscanf(strings.Replace(pt, ",", " ", 1), "%g %g", &x, &y); err != nil || x < 0 || x > membersSparkW || y < 0 || y > membersSparkH {
			t.Errorf("point %q outside the sparkline", pt)
		}
	}
	if sp := newMembersSpark(days, make([]*float64, 5), ""); sp.HasDot || len(sp.Lines) != 0 || sp.Label != "no health history" {
		t.Errorf("empty trend: %+v", sp)
	}
}

func membersSample() Members {
	rows := []MembersRow{
		{MemberRow: MemberRow{Slug: "acme", Name: "Acme AI", Kind: "partner", Segment: "NLP", Tier: "gold", Health: 81.25, HealthChange: 1.26, Status: "healthy", ValueFigures: ValueFigures{C: 0.2, K: 1.1, Phi: 0.5}, PhiShare: 0.4}, Factors: Factors{T: 0.8, I: 0.5, M: 0.5},
			Trend: []*float64{nil, membersPtr(70), membersPtr(81.25)}},
		{MemberRow: MemberRow{Slug: "homely", Name: "Homely", Kind: "developer_org", Segment: "smart home", Health: 31.5, HealthChange: -4, Status: "at_risk", ValueFigures: ValueFigures{C: 0.01, K: 0.2, Phi: 0.01}, PhiShare: 0.01}, Factors: Factors{T: 0.5, I: 0.2, M: 0.1},
			Trend: []*float64{nil, nil, membersPtr(31.5)}},
	}
	return Members{At: "2026-06-30", Query: MembersQuery{Sort: "phi", Order: "desc"}, Total: 2, Count: 2,
		TrendDays: []string{"2026-06-21", "2026-06-28", "2026-06-30"}, Members: rows,
		Facets: MembersFacets{Segments: []string{"NLP", "smart home"}, Tiers: []string{"gold", MembersNoTier}, Kinds: []string{"developer_org", "partner"},
			Statuses: []string{"healthy", "watch", "at_risk", "no_data"}}}
}

func TestMembersPageRenders(t *testing.T) {
	m := membersSample()
	m.Query.Segment = "robotics" // bookmarked, no member has it today
	var buf bytes.Buffer
	if err := newTestRenderer(t).MembersPage(&buf, m); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{
		`<tr data-slug="acme">`,
		`<span data-value="health">81.3</span>`,
		`<span data-value="T">0.800</span>`,
		`<option value="robotics" selected>robotics</option>`,
		`<option value="-">no tier</option>`,
		`href="/members.csv?segment=robotics"`,
		`<a href="/members?segment=robotics&amp;sort=health" data-sort="health">Health</a>`,
		`aria-sort="descending"`,
		`<svg class="spark"`,
		`<a href="/members/acme">Acme AI</a>`,
		`developer org`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	specs := pageChartSpecs(t, html)
	scatter, ok := specs["chart-members-scatter-data"]
	if !ok || scatter.NoData {
		t.Fatalf("no scatter chart: %+v", specs)
	}
	var slugs []string
	list, _ := scatter.Option["series"].([]any)
	for _, s := range list {
		for _, it := range s.(map[string]any)["data"].([]any) {
			slugs = append(slugs, it.(map[string]any)["slug"].(string))
		}
	}
	if got, want := strings.Join(slugs, ","), "acme,homely"; got != want {
		t.Errorf("scatter slugs %s, want %s", got, want)
	}

	// Hostile names and values reach the page as text only.
	for i := range m.Members {
		m.Members[i].Name = hostileNames[i]
		m.Members[i].Segment = hostileNames[(i+1)%len(hostileNames)]
	}
	m.Query.Q = hostileNames[1]
	buf.Reset()
	if err := newTestRenderer(t).MembersPage(&buf, m); err != nil {
		t.Fatal(err)
	}
	html = buf.String()
	for _, bad := range []string{"<script>alert", "<img src=x", `"><img`} {
		if strings.Contains(html, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	pageChartSpecs(t, html) // fails on a raw < or > in a block
}

func TestMembersPageEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := newTestRenderer(t).MembersPage(&buf, Members{Empty: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "No scores yet") || strings.Contains(buf.String(), "data-chart=") {
		t.Error("empty members page should say there are no scores and draw nothing")
	}
	m := membersSample()
	m.Members, m.Count = []MembersRow{}, 0
	m.Query.Status = "at_risk"
	buf.Reset()
	if err := newTestRenderer(t).MembersPage(&buf, m); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "No member matches these filters.") {
		t.Error("an empty result does not say so")
	}
	if s := pageChartSpecs(t, buf.String())["chart-members-scatter-data"]; !s.NoData {
		t.Error("scatter of no member should be noData")
	}
}

func TestMembersSortIsStable(t *testing.T) {
	rows := []MembersRow{
		{MemberRow: MemberRow{Slug: "b", Name: "B", Health: 50, ValueFigures: ValueFigures{Phi: 1}}},
		{MemberRow: MemberRow{Slug: "a", Name: "A", Health: 50, ValueFigures: ValueFigures{Phi: 2}}},
		{MemberRow: MemberRow{Slug: "n", Name: "N", Health: math.NaN(), ValueFigures: ValueFigures{Phi: 0}}},
		{MemberRow: MemberRow{Slug: "c", Name: "c", Health: 70, ValueFigures: ValueFigures{Phi: 0.5}}},
	}
	sortMembersRows(rows, MembersQuery{Sort: "health", Order: "desc"})
	var got []string
	for _, r := range rows {
		got = append(got, r.Slug)
	}
	if want := "c,a,b,n"; strings.Join(got, ",") != want {
		t.Errorf("health desc = %v, want %s (ties by φ, missing last)", got, want)
	}
	sortMembersRows(rows, MembersQuery{Sort: "name", Order: "asc"})
	got = got[:0]
	for _, r := range rows {
		got = append(got, r.Slug)
	}
	if want := "a,b,c,n"; strings.Join(got, ",") != want {
		t.Errorf("name asc = %v, want %s (case-insensitive)", got, want)
	}
}

func TestMemberMilestoneStates(t *testing.T) {
	d := func(s string) time.Time { t, _ := domain.ParseDay(s); return t }
	day := d("2026-06-30")
	for _, c := range []struct {
		due, done, want string
	}{
		{"2026-06-10", "2026-06-09", memberMsDone},
		{"2026-06-10", "2026-06-10", memberMsDone},
		{"2026-06-10", "2026-06-12", memberMsLate},
		{"2026-06-10", "", memberMsOverdue},
		{"2026-06-10", "2026-07-02", memberMsOverdue}, // done after the day shown: still open on it
		{"2026-06-30", "", memberMsUpcoming},
		{"2026-07-10", "", memberMsUpcoming},
	} {
		ms := domain.Milestone{DueOn: d(c.due)}
		if c.done != "" {
			ms.DoneOn = d(c.done)
		}
		if got := memberMilestoneState(ms, day); got != c.want {
			t.Errorf("due %s done %q: %s, want %s", c.due, c.done, got, c.want)
		}
	}
}

func TestMembersPagesParse(t *testing.T) {
	pages, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"members", "member", "network"} {
		tpl, ok := pages[name]
		if !ok {
			t.Fatalf("page %q missing", name)
		}
		if tpl.Lookup("content") == nil || tpl.Lookup("chart") == nil {
			t.Errorf("page %q lacks content or chart", name)
		}
	}
}
