package app

import (
	"context"
	"encoding/csv"
	"html"
	"math"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// mpShownAs reports whether a number shown on a page is want rounded to the
// digits shown: "72.4" shows 72.44, "1,234" shows 1234.4.
func mpShownAs(tb testing.TB, shown string, want float64) bool {
	tb.Helper()
	s := strings.NewReplacer(",", "", "\u202f", "").Replace(strings.TrimSpace(html.UnescapeString(shown)))
	got, err := strconv.ParseFloat(s, 64)
	if err != nil {
		tb.Fatalf("%q is not a number", shown)
	}
	decimals := 0
	if i := strings.IndexByte(s, '.'); i >= 0 {
		decimals = len(s) - i - 1
	}
	return math.Abs(got-want) <= 0.5*math.Pow10(-decimals)+1e-9
}

var (
	mpRowRE       = regexp.MustCompile(`(?s)<tr data-slug="([^"]+)">(.*?)</tr>`)
	mpValueRE     = regexp.MustCompile(`data-value="([A-Za-z0-9_]+)">([^<]*)<`)
	mpJSONBlockRE = regexp.MustCompile(`(?s)<script type="application/json" id="([^"]+)">(.*?)</script>`)
)

type mpShownRow struct {
	slug   string
	values map[string]string
}

// mpTableRows returns the members table's rows of a page, in order, with the
// numbers each marks with data-value.
func mpTableRows(page string) []mpShownRow {
	var out []mpShownRow
	for _, m := range mpRowRE.FindAllStringSubmatch(page, -1) {
		r := mpShownRow{slug: m[1], values: map[string]string{}}
		for _, v := range mpValueRE.FindAllStringSubmatch(m[2], -1) {
			r.values[v[1]] = v[2]
		}
		out = append(out, r)
	}
	return out
}

func mpGetMembers(tb testing.TB, a *App, query string) (*views.Members, string) {
	tb.Helper()
	status, body, _ := get(tb, a.Fiber(), "/api/v1/members"+query)
	if status != 200 {
		tb.Fatalf("GET /api/v1/members%s = %d: %s", query, status, body)
	}
	m := decode[views.Members](tb, body)
	status, page, _ := get(tb, a.Fiber(), "/members"+query)
	if status != 200 {
		tb.Fatalf("GET /members%s = %d", query, status)
	}
	return &m, page
}

// mpCheckMembersPage holds the page's rows against the API's: same members,
// same order, same numbers.
func mpCheckMembersPage(t *testing.T, m *views.Members, page string) {
	t.Helper()
	rows := mpTableRows(page)
	if got, want := len(rows), len(m.Members); got != want {
		t.Fatalf("page rows = %d, API rows = %d", got, want)
	}
	vals := pageValues(t, page)
	if got, want := vals["count"], float64(m.Count); got != want {
		t.Errorf("page count = %v, API count = %v", got, want)
	}
	if got, want := vals["total"], float64(m.Total); got != want {
		t.Errorf("page total = %v, API total = %v", got, want)
	}
	for i, r := range rows {
		api := m.Members[i]
		if r.slug != api.Slug {
			t.Errorf("row %d: page %s, API %s", i, r.slug, api.Slug)
			continue
		}
		for name, want := range map[string]float64{"health": api.Health, "T": api.T, "I": api.I, "M": api.M,
			"C": api.C, "K": api.K, "phi": api.Phi} {
			shown, ok := r.values[name]
			if !ok {
				t.Errorf("%s: page does not show %s", api.Slug, name)
			} else if !mpShownAs(t, shown, want) {
				t.Errorf("%s: page %s = %s, API = %v", api.Slug, name, shown, want)
			}
		}
	}
}

func TestMembersPageShowsTheAPINumbers(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	m, page := mpGetMembers(t, a, "")
	if m.Empty || m.At != demoEnd.Format(domain.DateLayout) {
		t.Fatalf("members at %q (empty %v), want the demo's last day", m.At, m.Empty)
	}
	if m.Total < 30 || m.Count != m.Total || len(m.Members) != m.Count {
		t.Fatalf("total %d, count %d, rows %d: want every scored member listed", m.Total, m.Count, len(m.Members))
	}
	if got, want := len(m.TrendDays), 26; got != want {
		t.Errorf("trend days = %d, want %d", got, want)
	}
	if got, want := m.TrendDays[len(m.TrendDays)-1], m.At; got != want {
		t.Errorf("last trend day = %s, want the day shown %s", got, want)
	}
	for _, d := range m.TrendDays[:len(m.TrendDays)-1] {
		if day, _ := domain.ParseDay(d); day.Weekday() != 0 {
			t.Errorf("trend day %s is not a Sunday", d)
		}
	}
	scored := 0
	for _, r := range m.Members {
		if len(r.Trend) != len(m.TrendDays) {
			t.Fatalf("%s: %d trend points for %d days", r.Slug, len(r.Trend), len(m.TrendDays))
		}
		if last := r.Trend[len(r.Trend)-1]; last == nil || *last != r.Health {
			t.Errorf("%s: last trend point %v, want the health shown %v", r.Slug, last, r.Health)
		}
		for _, p := range r.Trend {
			if p != nil {
				scored++
			}
		}
		if got, want := r.C, r.T*r.I*r.M; math.Abs(got-want) > 1e-9 {
			t.Errorf("%s: C = %v, T·I·M = %v", r.Slug, got, want)
		}
	}
	// The demo is scored over its last five weeks: six points a member.
	if scored < 5*len(m.Members) {
		t.Errorf("only %d trend points for %d members", scored, len(m.Members))
	}
	mpCheckMembersPage(t, m, page)
	if !strings.Contains(page, `href="/members.csv"`) {
		t.Error("page has no CSV link")
	}
	if got := strings.Count(page, `<polyline points="`); got < len(m.Members) {
		t.Errorf("%d sparklines for %d members", got, len(m.Members))
	}
	// The scores API lists the same members with the same numbers.
	_, body, _ := get(t, a.Fiber(), "/api/v1/scores")
	s := decode[views.Scores](t, body)
	if got, want := len(s.Members), len(m.Members); got != want {
		t.Errorf("scores list %d members, members list %d", got, want)
	}
}

func TestMembersFiltersAndSort(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	all, _ := mpGetMembers(t, a, "")
	bySlug := map[string]views.MembersRow{}
	for _, r := range all.Members {
		bySlug[r.Slug] = r
	}
	seg := all.Facets.Segments[0]
	for _, tc := range []struct {
		name  string
		query url.Values
		keep  func(views.MembersRow) bool
	}{
		{"segment", url.Values{"segment": {seg}}, func(r views.MembersRow) bool { return r.Segment == seg }},
		{"status", url.Values{"status": {domain.StatusAtRisk}}, func(r views.MembersRow) bool { return r.Status == domain.StatusAtRisk }},
		{"tier", url.Values{"tier": {"gold"}}, func(r views.MembersRow) bool { return r.Tier == "gold" }},
		{"no tier", url.Values{"tier": {views.MembersNoTier}}, func(r views.MembersRow) bool { return r.Tier == "" }},
		{"kind", url.Values{"kind": {"research"}}, func(r views.MembersRow) bool { return r.Kind == "research" }},
		{"segment and status", url.Values{"segment": {seg}, "status": {domain.StatusHealthy}},
			func(r views.MembersRow) bool { return r.Segment == seg && r.Status == domain.StatusHealthy }},
		{"text", url.Values{"q": {"QUILL"}}, func(r views.MembersRow) bool { return strings.Contains(strings.ToLower(r.Name), "quill") }},
		{"text in slug", url.Values{"q": {"prism-vis"}}, func(r views.MembersRow) bool { return strings.Contains(r.Slug, "prism-vis") }},
		{"SQL injection", url.Values{"q": {`' OR 1=1 --`}}, func(views.MembersRow) bool { return false }},
		{"SQL injection in a filter", url.Values{"segment": {`x' OR '1'='1`}}, func(views.MembersRow) bool { return false }},
		{"LIKE wildcards", url.Values{"q": {`%_`}}, func(views.MembersRow) bool { return false }},
		{"percent", url.Values{"q": {`%`}}, func(views.MembersRow) bool { return false }},
		{"ampersand", url.Values{"q": {`&`}}, func(r views.MembersRow) bool { return strings.Contains(r.Name, "&") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			query := "?" + tc.query.Encode()
			m, page := mpGetMembers(t, a, query)
			var want []string
			for _, r := range all.Members { // the default order is kept
				if tc.keep(r) {
					want = append(want, r.Slug)
				}
			}
			var got []string
			for _, r := range m.Members {
				got = append(got, r.Slug)
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("GET /api/v1/members%s = %v, want %v", query, got, want)
			}
			if got, want := m.Total, all.Total; got != want {
				t.Errorf("total = %d, want %d (filters do not change it)", got, want)
			}
			mpCheckMembersPage(t, m, page)
		})
	}
	for _, q := range []string{"?segment=" + url.QueryEscape(seg), "?status=at_risk"} {
		m, _ := mpGetMembers(t, a, q)
		if len(m.Members) == 0 || len(m.Members) == len(all.Members) {
			t.Errorf("%s lists %d of %d members: the demo should have some of each", q, len(m.Members), len(all.Members))
		}
	}

	// Sorting.
	sorted := func(query string, less func(a, b views.MembersRow) bool) {
		t.Helper()
		m, page := mpGetMembers(t, a, query)
		if got, want := len(m.Members), len(all.Members); got != want {
			t.Fatalf("%s lists %d members, want %d", query, got, want)
		}
		if !sort.SliceIsSorted(m.Members, func(i, j int) bool { return less(m.Members[i], m.Members[j]) }) {
			t.Errorf("%s: rows are out of order", query)
		}
		for i := 1; i < len(m.Members); i++ {
			if less(m.Members[i], m.Members[i-1]) {
				t.Errorf("%s: %s comes before %s", query, m.Members[i-1].Slug, m.Members[i].Slug)
				break
			}
		}
		mpCheckMembersPage(t, m, page)
	}
	sorted("", func(a, b views.MembersRow) bool { return a.Phi > b.Phi })
	sorted("?sort=health&order=asc", func(a, b views.MembersRow) bool { return a.Health < b.Health })
	sorted("?sort=health", func(a, b views.MembersRow) bool { return a.Health > b.Health })
	sorted("?sort=name", func(a, b views.MembersRow) bool { return strings.ToLower(a.Name) < strings.ToLower(b.Name) })
	sorted("?sort=K&order=asc", func(a, b views.MembersRow) bool { return a.K < b.K })
	sorted("?sort=change", func(a, b views.MembersRow) bool { return a.HealthChange > b.HealthChange })
	sorted("?sort=status", func(a, b views.MembersRow) bool {
		rank := map[string]int{domain.StatusAtRisk: 0, domain.StatusWatch: 1, domain.StatusHealthy: 2, domain.StatusNoData: 3}
		return rank[a.Status] < rank[b.Status]
	})

	// The column headers link to the sorted views, keeping the filters.
	_, page := mpGetMembers(t, a, "?segment="+url.QueryEscape(seg)+"&sort=health&order=asc")
	// Health sorts high to low first: that order is the default, left out.
	if want := `href="/members?segment=` + url.QueryEscape(seg) + `&amp;sort=health"`; !strings.Contains(page, want) {
		t.Errorf("the health header does not link to the reversed order: want %s", want)
	}
	if !strings.Contains(page, `aria-sort="ascending"`) {
		t.Error("the sorted column is not marked aria-sort")
	}

	// Bad values are the client's error, never a 500.
	for _, q := range []string{"?status=great", "?sort=password", "?order=sideways", "?kind=alien", "?at=yesterday",
		"?q=" + strings.Repeat("x", 300), "?format=xml"} {
		status, body, _ := get(t, a.Fiber(), "/api/v1/members"+q)
		if status != 400 {
			t.Errorf("GET /api/v1/members%s = %d, want 400 (%s)", q, status, body)
		}
	}
	if status, _, _ := get(t, a.Fiber(), "/members?sort=nope"); status != 400 {
		t.Errorf("GET /members?sort=nope = %d, want 400", status)
	}
	if status, _, _ := get(t, a.Fiber(), "/api/v1/members?at=1999-01-01"); status != 400 {
		t.Errorf("a day before 2000 = %d, want 400 (out of range, as every date parameter)", status)
	}
	// An earlier day is listed as of that day.
	earlier := demoEnd.AddDate(0, 0, -9).Format(domain.DateLayout)
	m, page := mpGetMembers(t, a, "?at="+earlier)
	if m.At != earlier {
		t.Errorf("at = %s, want %s", m.At, earlier)
	}
	mpCheckMembersPage(t, m, page)
}

func mpReadCSV(tb testing.TB, body string) [][]string {
	tb.Helper()
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		tb.Fatalf("CSV: %v\n%s", err, body)
	}
	return recs
}

func TestMembersCSVIsTheTable(t *testing.T) {
	db := seededDB(t)
	a := newTestApp(t, db)
	all, _ := mpGetMembers(t, a, "")
	// Names a spreadsheet would run as formulas.
	formulas := []string{`=HYPERLINK("http://evil.example","x")`, `+1+1`, `-2+3`, `@SUM(A1:A9)`, "\tTabbed", "\rReturn"}
	for i, f := range formulas {
		renameMember(t, db, all.Members[i].Slug, f)
	}
	for _, query := range []string{"", "?sort=health&order=asc", "?status=at_risk", "?segment=" + url.QueryEscape(all.Facets.Segments[1]) + "&q=a"} {
		_, body, _ := get(t, a.Fiber(), "/api/v1/members"+query)
		m := decode[views.Members](t, body)
		sep := "?"
		if query != "" {
			sep = "&"
		}
		status, csvBody, hdr := get(t, a.Fiber(), "/members.csv"+query)
		if status != 200 {
			t.Fatalf("GET /members.csv%s = %d", query, status)
		}
		if ct := strings.Join(hdr["Content-Type"], ""); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("content type %q", ct)
		}
		if cd := strings.Join(hdr["Content-Disposition"], ""); !strings.Contains(cd, "attachment") || !strings.Contains(cd, m.At) {
			t.Errorf("content disposition %q", cd)
		}
		_, apiCSV, _ := get(t, a.Fiber(), "/api/v1/members"+query+sep+"format=csv")
		if apiCSV != csvBody {
			t.Errorf("/api/v1/members?format=csv differs from /members.csv for %q", query)
		}
		recs := mpReadCSV(t, csvBody)
		if got, want := len(recs), len(m.Members)+1; got != want {
			t.Fatalf("%q: CSV has %d lines, want a header and %d rows", query, got, len(m.Members))
		}
		col := map[string]int{}
		for i, h := range recs[0] {
			col[h] = i
		}
		for i, r := range m.Members {
			rec := recs[i+1]
			if got, want := rec[col["slug"]], r.Slug; got != want {
				t.Errorf("CSV row %d = %s, JSON row = %s", i, got, want)
			}
			for name, want := range map[string]float64{"health": r.Health, "health_change": r.HealthChange, "T": r.T, "I": r.I,
				"M": r.M, "C": r.C, "K": r.K, "phi": r.Phi, "phi_share": r.PhiShare} {
				got, err := strconv.ParseFloat(rec[col[name]], 64)
				if err != nil || got != want {
					t.Errorf("CSV %s of %s = %q, JSON = %v", name, r.Slug, rec[col[name]], want)
				}
			}
			name := rec[col["name"]]
			if name != r.Name && name != "'"+r.Name {
				t.Errorf("CSV name %q, JSON name %q", name, r.Name)
			}
			for _, cell := range rec {
				if cell != "" && strings.ContainsRune("=+@\t\r", rune(cell[0])) {
					t.Errorf("CSV cell %q of %s can run as a formula", cell, r.Slug)
				}
				if cell != "" && cell[0] == '-' {
					if _, err := strconv.ParseFloat(cell, 64); err != nil {
						t.Errorf("CSV cell %q of %s starts with - and is no number", cell, r.Slug)
					}
				}
			}
		}
	}
	// The renamed members are there, neutralised.
	_, csvBody, _ := get(t, a.Fiber(), "/members.csv")
	names := map[string]bool{}
	for _, rec := range mpReadCSV(t, csvBody)[1:] {
		names[rec[views.MemberExportColumnIndex("name")]] = true
	}
	for _, f := range formulas {
		if !names["'"+f] {
			t.Errorf("CSV lacks the neutralised name %q", "'"+f)
		}
	}
}

func TestMemberPageShowsTheAPINumbers(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	all, _ := mpGetMembers(t, a, "")
	for _, row := range []views.MembersRow{all.Members[0], all.Members[len(all.Members)/2]} {
		slug := row.Slug
		status, body, _ := get(t, a.Fiber(), "/api/v1/members/"+slug)
		if status != 200 {
			t.Fatalf("GET /api/v1/members/%s = %d: %s", slug, status, body)
		}
		d := decode[views.MemberDetail](t, body)
		if d.Member.Slug != slug || d.Score == nil || d.Median == nil {
			t.Fatalf("%s: member %q, score %v, median %v", slug, d.Member.Slug, d.Score, d.Median)
		}
		if got, want := d.Score.Health, row.Health; got != want {
			t.Errorf("%s: health %v, the list says %v", slug, got, want)
		}
		if got, want := len(d.History), 26; got != want {
			t.Errorf("%s: %d history points, want %d", slug, got, want)
		}
		if h := d.History[len(d.History)-1].Health; h == nil || *h != d.Score.Health {
			t.Errorf("%s: last history point %v, want %v", slug, h, d.Score.Health)
		}
		if got, want := len(d.Usage.Days), 28; got != want {
			t.Errorf("%s: %d usage days, want %d", slug, got, want)
		}
		var calls int64
		for _, day := range d.Usage.Days {
			calls += day.Calls
		}
		if calls != d.Usage.Totals.Calls {
			t.Errorf("%s: days sum to %d calls, totals %d", slug, calls, d.Usage.Totals.Calls)
		}
		// The usage totals equal the API usage endpoint's for the same range.
		_, ubody, _ := get(t, a.Fiber(), "/api/v1/api-usage?member="+slug+"&from="+d.Usage.From+"&to="+d.Usage.To)
		u := decode[struct{ Totals domain.UsageTotals }](t, ubody)
		if u.Totals.Calls != d.Usage.Totals.Calls || u.Totals.Errors5xx != d.Usage.Totals.Errors5xx || u.Totals.Errors4xx != d.Usage.Totals.Errors4xx {
			t.Errorf("%s: usage %+v, /api/v1/api-usage %+v", slug, d.Usage.Totals, u.Totals)
		}
		var ms views.MemberMilestoneCounts
		for _, p := range d.Projects {
			if p.Status == domain.ProjectCancelled {
				continue
			}
			ms.Done += p.Counts.Done
			ms.Late += p.Counts.Late
			ms.Overdue += p.Counts.Overdue
			ms.Upcoming += p.Counts.Upcoming
		}
		if ms != d.Milestones {
			t.Errorf("%s: milestones %+v, projects sum to %+v", slug, d.Milestones, ms)
		}
		for i, tie := range d.Ties {
			if !(tie.K > 0) || (i > 0 && tie.K > d.Ties[i-1].K) {
				t.Errorf("%s: ties out of order or empty: %+v", slug, d.Ties)
				break
			}
		}

		status, page, _ := get(t, a.Fiber(), "/members/"+slug)
		if status != 200 {
			t.Fatalf("GET /members/%s = %d", slug, status)
		}
		vals := map[string]string{}
		for _, m := range mpValueRE.FindAllStringSubmatch(page, -1) {
			vals[m[1]] = m[2]
		}
		want := map[string]float64{
			"health": d.Score.Health, "T": d.Score.T, "I": d.Score.I, "M": d.Score.M, "C": d.Score.C, "K": d.Score.K, "phi": d.Score.Phi,
			"projects": float64(len(d.Projects)), "ties": float64(len(d.Ties)),
		}
		if len(d.Projects) > 0 {
			want["done"], want["late"] = float64(d.Milestones.Done), float64(d.Milestones.Late)
			want["overdue"], want["upcoming"] = float64(d.Milestones.Overdue), float64(d.Milestones.Upcoming)
		}
		if d.Usage.Totals.Calls > 0 {
			want["calls"] = float64(d.Usage.Totals.Calls)
			want["errors_4xx"] = float64(d.Usage.Totals.Errors4xx)
			want["errors_5xx"] = float64(d.Usage.Totals.Errors5xx)
			want["p50"], want["p95"], want["p99"] = *d.Usage.LatencyMS.P50, *d.Usage.LatencyMS.P95, *d.Usage.LatencyMS.P99 // the demo measures latency
		}
		if d.Community.Contributions > 0 {
			want["contributions"] = float64(d.Community.Contributions)
			want["new_contributors"] = float64(d.Community.NewContributors)
		}
		for name, v := range want {
			shown, ok := vals[name]
			if !ok {
				t.Errorf("%s: page does not show %s", slug, name)
			} else if !mpShownAs(t, shown, v) {
				t.Errorf("%s: page %s = %s, API = %v", slug, name, shown, v)
			}
		}
		for _, tie := range d.Ties {
			if !strings.Contains(page, `<tr data-tie="`+tie.Slug+`"><td><a href="/members/`+tie.Slug+`">`) {
				t.Errorf("%s: tie with %s does not link to its page", slug, tie.Slug)
			}
		}
		blocks := 0
		for _, b := range mpJSONBlockRE.FindAllStringSubmatch(page, -1) {
			blocks++
			if strings.ContainsAny(b[2], "<>") {
				t.Errorf("%s: chart block %s holds a raw < or >", slug, b[1])
			}
		}
		if blocks < 6 {
			t.Errorf("%s: %d chart blocks, want gauge, history, radar, usage, milestones, community and ties", slug, blocks)
		}
	}
	// A range: the JSON follows from/to.
	slug := all.Members[0].Slug
	status, body, _ := get(t, a.Fiber(), "/api/v1/members/"+slug+"?from=2026-06-01&to=2026-06-07")
	if status != 200 {
		t.Fatalf("range: %d %s", status, body)
	}
	d := decode[views.MemberDetail](t, body)
	if d.Usage.From != "2026-06-01" || d.Usage.To != "2026-06-07" || len(d.Usage.Days) != 7 {
		t.Errorf("range: usage %s..%s with %d days", d.Usage.From, d.Usage.To, len(d.Usage.Days))
	}
	for _, q := range []string{"?from=2026-06-10&to=2026-06-01", "?from=2024-01-01&to=2026-06-01", "?at=nope"} {
		if status, body, _ := get(t, a.Fiber(), "/api/v1/members/"+slug+q); status != 400 {
			t.Errorf("GET /api/v1/members/%s%s = %d, want 400 (%s)", slug, q, status, body)
		}
	}
}

func TestMemberPageUnknownSlugIs404(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	for _, slug := range []string{"nobody", "NOBODY", "a%27%20OR%201%3D1", strings.Repeat("x", 80)} {
		status, body, hdr := get(t, a.Fiber(), "/api/v1/members/"+slug)
		if status != 404 {
			t.Errorf("GET /api/v1/members/%s = %d, want 404", slug, status)
		}
		if ct := strings.Join(hdr["Content-Type"], ""); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("GET /api/v1/members/%s: content type %q", slug, ct)
		}
		if e := decode[map[string]string](t, body); e["error"] == "" {
			t.Errorf("GET /api/v1/members/%s: no error message", slug)
		}
		status, page, _ := get(t, a.Fiber(), "/members/"+slug)
		if status != 404 || !strings.Contains(page, "404 · Not Found") {
			t.Errorf("GET /members/%s = %d, want the 404 page", slug, status)
		}
	}
}

// TestMemberWithoutAPIUsage adds a member that has made no call and checks
// that its page says so instead of drawing empty charts.
func TestMemberWithoutAPIUsage(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	quiet := &domain.Member{Slug: "quiet-labs", Name: "Quiet Labs", Kind: domain.KindResearch, Segment: "NLP", JoinedOn: demoEnd.AddDate(0, -2, 0)}
	if err := db.CreateMember(ctx, quiet); err != nil {
		t.Fatal(err)
	}
	if _, err := NewScorer(db, config.Default().Scoring, quietLogger()).ScoreDay(ctx, demoEnd); err != nil {
		t.Fatal(err)
	}
	a := newTestApp(t, db)
	status, body, _ := get(t, a.Fiber(), "/api/v1/members/quiet-labs")
	if status != 200 {
		t.Fatalf("GET /api/v1/members/quiet-labs = %d: %s", status, body)
	}
	d := decode[views.MemberDetail](t, body)
	if d.Score == nil {
		t.Fatal("the new member was not scored")
	}
	if d.Usage.Totals.Calls != 0 || len(d.Usage.Endpoints) != 0 || len(d.Usage.Consumers) != 0 {
		t.Errorf("usage of a member without consumers: %+v", d.Usage)
	}
	if _, ok := d.Score.Dimensions["api"]; ok {
		t.Errorf("a member without calls has an API dimension: %v", d.Score.Dimensions)
	}
	if len(d.Projects) != 0 || len(d.Ties) != 0 || d.Community.Contributions != 0 {
		t.Errorf("a new member has projects %d, ties %d, contributions %d", len(d.Projects), len(d.Ties), d.Community.Contributions)
	}
	status, page, _ := get(t, a.Fiber(), "/members/quiet-labs")
	if status != 200 {
		t.Fatalf("GET /members/quiet-labs = %d", status)
	}
	for _, want := range []string{"No API usage between", "No cooperation projects", "No community activity between",
		"No data in the scoring window for: api"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, `data-value="calls"`) || strings.Contains(page, `id="chart-member-calls"`) {
		t.Error("page draws API usage for a member without calls")
	}
	// The list shows the member, without API traffic in T.
	m, _ := mpGetMembers(t, a, "?q=quiet")
	if len(m.Members) != 1 || m.Members[0].Slug != "quiet-labs" {
		t.Errorf("search for the new member: %+v", m.Members)
	}
}

func TestNetworkHasEveryScoredMember(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	_, body, _ := get(t, a.Fiber(), "/api/v1/scores")
	s := decode[views.Scores](t, body)
	status, body, _ := get(t, a.Fiber(), "/api/v1/network")
	if status != 200 {
		t.Fatalf("GET /api/v1/network = %d: %s", status, body)
	}
	n := decode[views.Network](t, body)
	if n.At != s.At {
		t.Errorf("network at %s, scores at %s", n.At, s.At)
	}
	nodes := map[string]views.NetworkNode{}
	for _, nd := range n.Nodes {
		if _, dup := nodes[nd.Slug]; dup {
			t.Errorf("node %s twice", nd.Slug)
		}
		nodes[nd.Slug] = nd
	}
	if got, want := len(nodes), len(s.Members); got != want {
		t.Errorf("nodes = %d, scored members = %d", got, want)
	}
	for _, m := range s.Members {
		nd, ok := nodes[m.Slug]
		if !ok {
			t.Errorf("scored member %s is no node", m.Slug)
			continue
		}
		if nd.C != m.C || nd.K != m.K || nd.Status != m.Status {
			t.Errorf("%s: node C %v K %v %s, scores C %v K %v %s", m.Slug, nd.C, nd.K, nd.Status, m.C, m.K, m.Status)
		}
	}
	positive := 0
	for _, e := range s.Edges {
		if e.K > 0 {
			positive++
		}
	}
	if got, want := len(n.Edges), positive; got != want || got == 0 {
		t.Errorf("edges = %d, ties with k > 0 = %d", got, want)
	}
	degree := map[string]int{}
	for _, e := range n.Edges {
		if !(e.K > 0) {
			t.Errorf("edge %s–%s has k = %v", e.A, e.B, e.K)
		}
		if _, ok := nodes[e.A]; !ok {
			t.Errorf("edge to unknown node %s", e.A)
		}
		if _, ok := nodes[e.B]; !ok {
			t.Errorf("edge to unknown node %s", e.B)
		}
		degree[e.A]++
		degree[e.B]++
	}
	for slug, nd := range nodes {
		if nd.Degree != degree[slug] {
			t.Errorf("%s: degree %d, edges %d", slug, nd.Degree, degree[slug])
		}
	}

	// The page: its counts, and a graph whose every node carries its slug.
	status, page, _ := get(t, a.Fiber(), "/network")
	if status != 200 {
		t.Fatalf("GET /network = %d", status)
	}
	vals := pageValues(t, page)
	if vals["nodes"] != float64(len(n.Nodes)) || vals["edges"] != float64(len(n.Edges)) {
		t.Errorf("page shows %v nodes and %v edges, API %d and %d", vals["nodes"], vals["edges"], len(n.Nodes), len(n.Edges))
	}
	graph := mpNetworkSpec(t, page)
	if graph["links"] != "member" {
		t.Errorf("graph block links = %v, want member", graph["links"])
	}
	series := graph["option"].(map[string]any)["series"].([]any)[0].(map[string]any)
	if series["type"] != "graph" || series["layout"] != "force" {
		t.Errorf("series type %v, layout %v", series["type"], series["layout"])
	}
	items := series["data"].([]any)
	if len(items) != len(n.Nodes) {
		t.Fatalf("graph nodes = %d, want %d", len(items), len(n.Nodes))
	}
	for i, item := range items {
		if slug := item.(map[string]any)["slug"]; slug != n.Nodes[i].Slug {
			t.Errorf("graph node %d slug = %v, want %s", i, slug, n.Nodes[i].Slug)
		}
	}
	if links := series["links"].([]any); len(links) != len(n.Edges) {
		t.Errorf("graph links = %d, want %d", len(links), len(n.Edges))
	}

	// A segment: its members and the ties among them only.
	seg := n.Segments[0]
	_, body, _ = get(t, a.Fiber(), "/api/v1/network?segment="+url.QueryEscape(seg))
	sn := decode[views.Network](t, body)
	if len(sn.Nodes) == 0 || len(sn.Nodes) >= len(n.Nodes) {
		t.Errorf("segment %s: %d of %d nodes", seg, len(sn.Nodes), len(n.Nodes))
	}
	in := map[string]bool{}
	for _, nd := range sn.Nodes {
		if nd.Segment != seg {
			t.Errorf("segment %s: node %s is in %s", seg, nd.Slug, nd.Segment)
		}
		in[nd.Slug] = true
	}
	for _, e := range sn.Edges {
		if !in[e.A] || !in[e.B] {
			t.Errorf("segment %s: edge %s–%s leaves the segment", seg, e.A, e.B)
		}
	}
	_, page, _ = get(t, a.Fiber(), "/network?segment="+url.QueryEscape(seg))
	if vals := pageValues(t, page); vals["nodes"] != float64(len(sn.Nodes)) {
		t.Errorf("segment page shows %v nodes, API %d", vals["nodes"], len(sn.Nodes))
	}
	_, body, _ = get(t, a.Fiber(), "/api/v1/network?segment=%27%20OR%201%3D1%20--")
	if e := decode[views.Network](t, body); len(e.Nodes) != 0 {
		t.Errorf("unknown segment lists %d nodes", len(e.Nodes))
	}
}

func mpNetworkSpec(tb testing.TB, page string) map[string]any {
	tb.Helper()
	for _, b := range mpJSONBlockRE.FindAllStringSubmatch(page, -1) {
		if b[1] == "chart-network-data" {
			return decode[map[string]any](tb, b[2])
		}
	}
	tb.Fatal("no network chart block")
	return nil
}

// TestMembersPagesEscapeHostileNames renames members to script payloads and
// checks the members list, a member page and the network show them as text.
func TestMembersPagesEscapeHostileNames(t *testing.T) {
	db := seededDB(t)
	a := newTestApp(t, db)
	all, _ := mpGetMembers(t, a, "")
	payloads := []string{`</script><script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `__f__function(){alert(1)}__f__`}
	for i, p := range payloads {
		renameMember(t, db, all.Members[i].Slug, p)
	}
	for _, target := range []string{"/members", "/members/" + all.Members[1].Slug, "/members/" + all.Members[0].Slug, "/network", "/members?q=" + url.QueryEscape(payloads[0])} {
		status, page, _ := get(t, a.Fiber(), target)
		if status != 200 {
			t.Fatalf("GET %s = %d", target, status)
		}
		for _, bad := range []string{"<script>alert(1)", "<img src=x"} {
			if strings.Contains(page, bad) {
				t.Errorf("%s contains %q unescaped", target, bad)
			}
		}
		for _, b := range mpJSONBlockRE.FindAllStringSubmatch(page, -1) {
			if strings.ContainsAny(b[2], "<>") {
				t.Errorf("%s: chart block %s holds a raw < or >", target, b[1])
			}
		}
		if regexp.MustCompile(`<script>[^<]`).MatchString(page) {
			t.Errorf("%s has an inline script", target)
		}
	}
	_, page, _ := get(t, a.Fiber(), "/members")
	if !strings.Contains(page, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the hostile name is not shown as text on /members")
	}
}

func BenchmarkMembersPage(b *testing.B) {
	a := newTestApp(b, seededDB(b))
	mpBenchGet(b, a, "/members")
}

func BenchmarkMembersPageFiltered(b *testing.B) {
	a := newTestApp(b, seededDB(b))
	mpBenchGet(b, a, "/members?segment=NLP&q=a&sort=health")
}

func BenchmarkMemberPage(b *testing.B) {
	a := newTestApp(b, seededDB(b))
	mpBenchGet(b, a, "/members/quillstone")
}

func BenchmarkNetworkPage(b *testing.B) {
	a := newTestApp(b, seededDB(b))
	mpBenchGet(b, a, "/network")
}

// mpBenchGet times a page through app.Fiber().Test, logged in.
func mpBenchGet(b *testing.B, a *App, target string) {
	b.Helper()
	if status, _, _ := get(b, a.Fiber(), target); status != 200 {
		b.Fatalf("GET %s = %d", target, status)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp := do(b, a.Fiber(), httptest.NewRequest("GET", target, nil))
		if resp.StatusCode != 200 {
			b.Fatalf("GET %s = %d", target, resp.StatusCode)
		}
		resp.Body.Close()
	}
}

// TestMembersPagesWithoutScores: before the first scoring run the pages say
// so, and a member's page still shows who it is.
func TestMembersPagesWithoutScores(t *testing.T) {
	db := datatest.MustOpenDB(t)
	m := &domain.Member{Slug: "early-bird", Name: "Early Bird", Kind: domain.KindPartner, Segment: "NLP", JoinedOn: demoEnd}
	if err := db.CreateMember(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	a := newTestApp(t, db)
	for _, target := range []string{"/members", "/network"} {
		status, page, _ := get(t, a.Fiber(), target)
		if status != 200 || !strings.Contains(page, "No scores yet") {
			t.Errorf("GET %s = %d, want a page that says there are no scores yet", target, status)
		}
	}
	_, body, _ := get(t, a.Fiber(), "/api/v1/members")
	if l := decode[views.Members](t, body); !l.Empty || len(l.Members) != 0 {
		t.Errorf("members without scores: empty %v, %d rows", l.Empty, len(l.Members))
	}
	_, body, _ = get(t, a.Fiber(), "/api/v1/network")
	if n := decode[views.Network](t, body); !n.Empty || len(n.Nodes) != 0 {
		t.Errorf("network without scores: empty %v, %d nodes", n.Empty, len(n.Nodes))
	}
	status, page, _ := get(t, a.Fiber(), "/members/early-bird")
	if status != 200 || !strings.Contains(page, "Early Bird") || !strings.Contains(page, "No score on") {
		t.Errorf("GET /members/early-bird = %d, want its page without a score", status)
	}
	if status, _, _ := get(t, a.Fiber(), "/members.csv"); status != 200 {
		t.Errorf("GET /members.csv without scores = %d", status)
	}
}
