package views

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// versionsFixture stores three weeks of calls ending at: "acme" moves from
// v1 to v2 in its middle week, "laggard" stays on v1, "gone" called v1 in
// the first week only, a stray key calls v1 and /health every day. v1 is
// deprecated at−10 and sunset at+5 (warning 14 days).
func versionsFixture(t *testing.T) (*data.DB, *domain.APIVersions, time.Time) {
	t.Helper()
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 21, 0, 0, 0, 0, time.UTC)
	ids := map[string]int64{}
	for _, slug := range []string{"acme", "laggard", "gone", ""} {
		c := &domain.APIConsumer{Key: "key-" + slug, Name: "key-" + slug}
		if slug != "" {
			m := &domain.Member{Slug: slug, Name: strings.ToUpper(slug), Kind: domain.KindPartner, JoinedOn: at.AddDate(-1, 0, 0)}
			if err := db.CreateMember(ctx, m); err != nil {
				t.Fatal(err)
			}
			c.MemberID = m.ID
		}
		if err := db.UpsertConsumer(ctx, c); err != nil {
			t.Fatal(err)
		}
		ids[slug] = c.ID
	}
	var rs []domain.UsageRollup
	add := func(d int, slug, ep string, n int64) {
		rs = append(rs, domain.UsageRollup{Bucket: at.AddDate(0, 0, -d).Add(10 * time.Hour), ConsumerID: ids[slug], Endpoint: ep, StatusClass: 2, Calls: n})
	}
	for d := 20; d >= 0; d-- {
		if d == 3 {
			continue // nobody called: a gap, not a 0
		}
		switch {
		case d >= 14:
			add(d, "acme", "/v1/chat", 10)
		case d >= 7:
			add(d, "acme", "/v1/chat", 5)
			add(d, "acme", "/v2/chat", 5)
		default:
			add(d, "acme", "/v2/chat", 10)
		}
		add(d, "laggard", "/v1/files/:id", 3)
		if d >= 14 {
			add(d, "gone", "/v1/chat", 1)
		}
		add(d, "", "/v1/chat", 2)
		add(d, "", "/health", 1)
	}
	if err := db.AddUsage(ctx, rs); err != nil {
		t.Fatal(err)
	}
	vs, err := domain.NewAPIVersions([]domain.APIVersion{
		{Name: "v1", Patterns: []*regexp.Regexp{regexp.MustCompile(`^/v1/`)}, Deprecated: at.AddDate(0, 0, -10), Sunset: at.AddDate(0, 0, 5), Replacement: "v2"},
		{Name: "v2", Patterns: []*regexp.Regexp{regexp.MustCompile(`^/v2/`)}, Released: at.AddDate(0, 0, -30)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return db, vs, at
}

// TestAPIVersionsBurndownTrendAndAdoption: the burndown counts each member
// once a week however often it called; a week without calls is a null
// share, not a 0; a day without calls is a gap in every adoption series;
// the weekly trend follows the member's migration.
func TestAPIVersionsBurndownTrendAndAdoption(t *testing.T) {
	db, vs, at := versionsFixture(t)
	v, err := BuildAPIVersions(context.Background(), db, vs, APIVersionsQuery{At: at, SunsetDays: 14})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Burndown) != 1 || v.Burndown[0].Version != "v1" {
		t.Fatalf("burndown %+v, want v1's", v.Burndown)
	}
	weeks := v.Burndown[0].Weeks
	n := len(weeks)
	// The last three weeks: at−20…at−14 (acme, laggard, gone), at−13…at−7
	// (acme, laggard), at−6…at (laggard).
	if got := []int{weeks[n-3].Members, weeks[n-2].Members, weeks[n-1].Members}; fmt.Sprint(got) != "[3 2 1]" {
		t.Errorf("members still calling v1 in the last three weeks: %v, want [3 2 1]", got)
	}
	if weeks[n-1].Week != at.AddDate(0, 0, -6).Format(domain.DateLayout) {
		t.Errorf("the last week starts %s, want %s", weeks[n-1].Week, at.AddDate(0, 0, -6).Format(domain.DateLayout))
	}
	var acme, gone *APIVersionMember
	for i := range v.Members {
		switch v.Members[i].Slug {
		case "acme":
			acme = &v.Members[i]
		case "gone":
			gone = &v.Members[i]
		}
	}
	if acme == nil || gone == nil {
		t.Fatalf("members %+v", v.Members)
	}
	// acme: v1 deprecated at−10, so of its calls at−10…at−7 (5 of 10 a day)
	// 20 count; week at−13…at−7 has 70 calls, of which 20.
	if tr := acme.Trend[len(acme.Trend)-2]; tr.Share == nil || *tr.Share != 20.0/70 {
		t.Errorf("acme's deprecated share in week %s: %v, want 20/70", tr.Week, tr.Share)
	}
	if tr := gone.Trend[len(gone.Trend)-1]; tr.Share != nil || tr.Calls != 0 {
		t.Errorf("gone made no call in the last week: %+v, want a null share", tr)
	}
	if gone.DeprecatedShare == nil || *gone.DeprecatedShare != 0 {
		t.Errorf("gone's calls were all before the deprecation: share %v, want 0", gone.DeprecatedShare)
	}
	gap := len(v.Adoption.Days) - 1 - 3
	if v.Adoption.Days[gap] != at.AddDate(0, 0, -3).Format(domain.DateLayout) {
		t.Fatalf("day %d is %s", gap, v.Adoption.Days[gap])
	}
	for _, s := range v.Adoption.Series {
		if s.Shares[gap] != nil {
			t.Errorf("%s on a day without calls: %v, want null", s.Name, *s.Shares[gap])
		}
		if s.Shares[gap+1] == nil {
			t.Errorf("%s on a day with calls: null", s.Name)
		}
	}
	// At risk: called v1 within the 14 days ending at (acme last at−7;
	// gone last at−14, a day too early), listed first, the larger
	// deprecated share first.
	var order []string
	for _, m := range v.Members {
		order = append(order, fmt.Sprint(m.Slug, m.SunsetRisk))
	}
	if got := strings.Join(order, " "); got != "laggard[v1] acme[v1] gone[]" {
		t.Errorf("members: %s", got)
	}
}

var (
	versionRowRE = regexp.MustCompile(`<tr data-version="([^"]+)">(?s:.*?)data-calls="(\d+)"(?s:.*?)data-share="([^"]*)"`)
	memberRowRE  = regexp.MustCompile(`<tr data-slug="([^"]+)">(?s:.*?)data-deprecated-calls="(\d+)"(?s:.*?)data-deprecated-share="([^"]*)"`)
	atRiskRE     = regexp.MustCompile(`data-at-risk="([^"]+)"`)
)

// TestAPIVersionsPageShowsTheJSONNumbers: every number of /api-versions is
// the one its JSON twin answers: versions' calls and shares, members'
// deprecated calls and shares, who is at risk, and the adoption chart's
// points (the shares in percent, gaps kept).
func TestAPIVersionsPageShowsTheJSONNumbers(t *testing.T) {
	db, vs, at := versionsFixture(t)
	v, err := BuildAPIVersions(context.Background(), db, vs, APIVersionsQuery{At: at, SunsetDays: 14})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := newTestRenderer(t).APIVersionsPage(&b, v); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	rows := versionRowRE.FindAllStringSubmatch(html, -1)
	if len(rows) != len(v.Versions) {
		t.Fatalf("%d version rows, want %d", len(rows), len(v.Versions))
	}
	for i, r := range rows {
		w := v.Versions[i]
		if r[1] != w.Name || r[2] != strconv.FormatInt(w.Calls, 10) || r[3] != fmt.Sprint(*w.Share) {
			t.Errorf("row %s: calls %s share %s; JSON %d %v", r[1], r[2], r[3], w.Calls, *w.Share)
		}
	}
	mrows := memberRowRE.FindAllStringSubmatch(html, -1)
	if len(mrows) != len(v.Members) {
		t.Fatalf("%d member rows, want %d", len(mrows), len(v.Members))
	}
	for i, r := range mrows {
		m := v.Members[i]
		if r[1] != m.Slug || r[2] != strconv.FormatInt(m.DeprecatedCalls, 10) || r[3] != fmt.Sprint(*m.DeprecatedShare) {
			t.Errorf("member row %s: %s, %s; JSON %d %v", r[1], r[2], r[3], m.DeprecatedCalls, *m.DeprecatedShare)
		}
	}
	var risk []string
	for _, m := range atRiskRE.FindAllStringSubmatch(html, -1) {
		risk = append(risk, m[1])
	}
	var want []string
	for _, s := range v.Sunsets {
		for _, m := range s.Members {
			want = append(want, m.Slug)
		}
	}
	if fmt.Sprint(risk) != fmt.Sprint(want) || len(want) == 0 {
		t.Errorf("at risk on the page %v, in the JSON %v", risk, want)
	}
	opt := specOf(t, html, "chart-version-adoption")
	series, _ := opt["series"].([]any)
	if len(series) != len(v.Adoption.Series) {
		t.Fatalf("%d adoption series, want %d", len(series), len(v.Adoption.Series))
	}
	for i, s := range series {
		pts, _ := s.(map[string]any)["data"].([]any)
		for d, p := range pts {
			j := v.Adoption.Series[i].Shares[d]
			switch {
			case j == nil && p != nil:
				t.Errorf("%s on %s: %v on the chart, null in the JSON", v.Adoption.Series[i].Name, v.Adoption.Days[d], p)
			case j != nil && (p == nil || math.Abs(*j*100-p.(float64)) > 0.05+1e-9): // one decimal on the chart
				t.Errorf("%s on %s: %v on the chart, %v in the JSON", v.Adoption.Series[i].Name, v.Adoption.Days[d], p, *j)
			}
		}
		if s.(map[string]any)["stack"] != "versions" {
			t.Errorf("series %d is not stacked", i)
		}
	}
}

// TestAPIVersionsWithoutDeclarations: with no version declared the page
// says how to declare them, the JSON has empty lists (not null) and every
// call is unversioned; the member page has no version mix.
func TestAPIVersionsWithoutDeclarations(t *testing.T) {
	db, _, at := versionsFixture(t)
	v, err := BuildAPIVersions(context.Background(), db, nil, APIVersionsQuery{At: at, SunsetDays: 30})
	if err != nil {
		t.Fatal(err)
	}
	if v.Declared || v.Versions == nil || len(v.Versions) != 0 || v.Sunsets == nil || v.Burndown == nil || v.UnversionedCalls != v.Calls || v.Calls == 0 {
		t.Errorf("undeclared: %+v", v)
	}
	var b bytes.Buffer
	if err := newTestRenderer(t).APIVersionsPage(&b, v); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "No API version is declared") || strings.Contains(b.String(), "chart-version-adoption") {
		t.Error("the page without declarations should say how to declare them, and draw nothing")
	}
	d, err := BuildMember(context.Background(), db, metrics.DefaultConfig(), MemberParams{Slug: "acme", At: at})
	if err != nil {
		t.Fatal(err)
	}
	if d.Usage.Versions != nil {
		t.Errorf("version mix without declarations: %+v", d.Usage.Versions)
	}
}

// TestMemberPageShowsItsVersionMix: over the page's usage range, the
// member's calls by version (deprecated ones marked), in the JSON and on
// the page alike.
func TestMemberPageShowsItsVersionMix(t *testing.T) {
	db, vs, at := versionsFixture(t)
	// at−13 … at−7: acme made 5 v1 and 5 v2 calls a day.
	d, err := BuildMember(context.Background(), db, metrics.DefaultConfig(),
		MemberParams{Slug: "acme", At: at, From: at.AddDate(0, 0, -13), To: at.AddDate(0, 0, -7), Versions: vs})
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(d.Usage.Versions)
	if got != "[{v1 deprecated 35 0.5} {v2 current 35 0.5}]" {
		t.Errorf("acme's mix %s", got)
	}
	var b bytes.Buffer
	if err := newTestRenderer(t).MemberPage(&b, *d); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{`<span data-version="v1" data-share="0.5">v1 50.0% <span class="badge status-watch">deprecated</span>`, `<span data-version="v2" data-share="0.5">v2 50.0%</span>`} {
		if !strings.Contains(html, want) {
			t.Errorf("the member page lacks %s", want)
		}
	}
}
