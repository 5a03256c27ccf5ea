package app

import (
	"html"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

var (
	summaryLineRE   = regexp.MustCompile(`<li data-summary-line>([^<]*)</li>`)
	distCountRE     = regexp.MustCompile(`data-count="([a-z_]+)">([0-9]+)<`)
	attentionItemRE = regexp.MustCompile(`(?s)<li data-slug="([^"]+)">.*?<span class="reason small" data-reason-kind="([^"]*)">(.*?)</span>\s*</li>`)
	sinceRE         = regexp.MustCompile(`<p class="muted small story-since" data-since>([^<]*)</p>`)
)

// overviewAt returns /api/v1/overview with a query, and the page of the
// same query.
func overviewAt(t *testing.T, a *App, query string) (views.Overview, string) {
	t.Helper()
	status, body, _ := get(t, a.Fiber(), "/api/v1/overview"+query)
	if status != 200 {
		t.Fatalf("GET /api/v1/overview%s = %d: %s", query, status, body)
	}
	status, page, _ := get(t, a.Fiber(), "/"+query)
	if status != 200 {
		t.Fatalf("GET /%s = %d", query, status)
	}
	return decode[views.Overview](t, body), page
}

// scoresOn returns /api/v1/scores of a day, its members by slug.
func scoresOn(t *testing.T, a *App, day string) (views.Scores, map[string]views.ScoreRow) {
	t.Helper()
	status, body, _ := get(t, a.Fiber(), "/api/v1/scores?at="+day)
	if status != 200 {
		t.Fatalf("GET /api/v1/scores?at=%s = %d: %s", day, status, body)
	}
	s := decode[views.Scores](t, body)
	if s.At != day {
		t.Fatalf("/api/v1/scores?at=%s answered %s", day, s.At)
	}
	by := map[string]views.ScoreRow{}
	for _, m := range s.Members {
		by[m.Slug] = m
	}
	return s, by
}

// TestOverviewStoryOnThePageIsTheAPIs: the page's summary, status
// distribution and attention list are /api/v1/overview's, the distribution
// counts the day's scores (/api/v1/scores), and each reason is the member's
// stored change in words.
func TestOverviewStoryOnThePageIsTheAPIs(t *testing.T) {
	db := seededDB(t)
	a := newTestApp(t, db)
	o, page := overviewAt(t, a, "")

	// The summary: three sentences, the API's, in order.
	var lines []string
	for _, m := range summaryLineRE.FindAllStringSubmatch(page, -1) {
		lines = append(lines, html.UnescapeString(m[1]))
	}
	if len(o.Summary.Lines) != 3 || strings.Join(lines, "\n") != strings.Join(o.Summary.Lines, "\n") {
		t.Errorf("page summary = %q, API %q", lines, o.Summary.Lines)
	}
	if !strings.HasPrefix(o.Summary.Lines[0], "Ecosystem health is "+strconv.FormatFloat(math.Round(o.Health*10)/10, 'f', 1, 64)+"/100") {
		t.Errorf("summary line 1 %q does not start with the health %v", o.Summary.Lines[0], o.Health)
	}

	// The distribution counts the day's scores, and the share of R at risk
	// is the at-risk members' φ over R.
	sc, _ := scoresOn(t, a, o.At)
	want := map[string]int{}
	var phiAtRisk float64
	for _, m := range sc.Members {
		want[m.Status]++
		if m.Status == domain.StatusAtRisk {
			phiAtRisk += m.Phi
		}
	}
	d := o.Distribution
	if d.Healthy != want[domain.StatusHealthy] || d.Watch != want[domain.StatusWatch] || d.AtRisk != want[domain.StatusAtRisk] ||
		d.NoData != want[domain.StatusNoData] || d.Scored != len(sc.Members) {
		t.Errorf("distribution %+v, the day's scores count %v", d, want)
	}
	if d.AtRisk == 0 || d.Healthy == 0 {
		t.Fatalf("the seeded day has %d members at risk and %d healthy: the test needs both", d.AtRisk, d.Healthy)
	}
	if d.AtRiskShareOfR == nil || math.Abs(*d.AtRiskShareOfR-phiAtRisk/sc.Ecosystem.R) > 1e-9 {
		t.Errorf("share of R at risk = %v, want Σφ at risk / R = %v", d.AtRiskShareOfR, phiAtRisk/sc.Ecosystem.R)
	}
	shown := map[string]int{}
	for _, m := range distCountRE.FindAllStringSubmatch(page, -1) {
		shown[m[1]], _ = strconv.Atoi(m[2])
	}
	if shown[domain.StatusHealthy] != d.Healthy || shown[domain.StatusWatch] != d.Watch || shown[domain.StatusAtRisk] != d.AtRisk {
		t.Errorf("page distribution %v, API %+v", shown, d)
	}
	vals := pageValues(t, page)
	if got, want := vals["at_risk_share"], math.Round(*d.AtRiskShareOfR*1000)/10; got != want {
		t.Errorf("page share of R at risk = %v%%, API %v%%", got, want)
	}
	if o.HealthMean == nil || math.Abs(vals["health_mean"]-*o.HealthMean) > 0.05+1e-9 {
		t.Errorf("page member mean = %v, API %v", vals["health_mean"], o.HealthMean)
	}

	// The attention list: at risk, then watch, the API's order and reasons;
	// each reason is the member's stored main change in words.
	items := attentionItemRE.FindAllStringSubmatch(page, -1)
	if len(items) != len(o.Attention) || len(o.Attention) == 0 {
		t.Fatalf("page lists %d members needing attention, API %d", len(items), len(o.Attention))
	}
	day, _ := domain.ParseDay(o.At)
	stored, err := db.ScoresOn(t.Context(), day)
	if err != nil {
		t.Fatal(err)
	}
	bySlug := map[string]domain.MemberScore{}
	for _, m := range stored {
		bySlug[m.Slug] = m.Score
	}
	fromChanges, last := 0, domain.StatusAtRisk
	for i, m := range o.Attention {
		if items[i][1] != m.Slug || items[i][2] != m.ReasonKind || html.UnescapeString(items[i][3]) != m.Reason {
			t.Errorf("attention %d on the page: %s %s %q; API %s %s %q", i+1, items[i][1], items[i][2], items[i][3], m.Slug, m.ReasonKind, m.Reason)
		}
		if m.Status != domain.StatusAtRisk && m.Status != domain.StatusWatch {
			t.Errorf("%s (%s) needs no attention", m.Slug, m.Status)
		}
		if m.Status == domain.StatusAtRisk && last == domain.StatusWatch {
			t.Errorf("%s, at risk, is listed after a member on watch", m.Slug)
		}
		last = m.Status
		s := bySlug[m.Slug]
		if len(s.Changes) > 0 {
			fromChanges++
			if m.ReasonKind != s.Changes[0].Kind || m.Reason != s.Changes[0].Text() {
				t.Errorf("%s: reason %s %q, stored main change %s %q", m.Slug, m.ReasonKind, m.Reason, s.Changes[0].Kind, s.Changes[0].Text())
			}
		} else if m.ReasonKind != domain.ReasonLowDimension && m.ReasonKind != domain.ReasonNoActivity {
			t.Errorf("%s: no stored change, yet reason %s %q", m.Slug, m.ReasonKind, m.Reason)
		}
	}
	if fromChanges == 0 {
		t.Error("no member needing attention has a stored change: the reasons were not read from them")
	}
}

// TestOverviewPeriodSetsTheComparisonDay: ?period= chooses the day every
// change is computed against — health, the member mean, the members that
// moved — on the page and in the JSON; a day that was not scored gives no
// change, never a change of 0; an unknown period is a 400.
func TestOverviewPeriodSetsTheComparisonDay(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	for _, c := range []struct {
		period string
		days   int
	}{{"", 7}, {"week", 7}, {"month", 28}} {
		query := ""
		if c.period != "" {
			query = "?period=" + c.period
		}
		o, page := overviewAt(t, a, query)
		at, _ := domain.ParseDay(o.At)
		before := at.AddDate(0, 0, -c.days).Format(domain.DateLayout)
		if o.ComparedWith != before || o.PeriodDays != c.days || o.ChangeMissing != "" || o.ChangePartial != "" {
			t.Errorf("period %q: compared with %q (%d days; missing %q, partial %q), want %s",
				c.period, o.ComparedWith, o.PeriodDays, o.ChangeMissing, o.ChangePartial, before)
			continue
		}
		now, nowBy := scoresOn(t, a, o.At)
		then, thenBy := scoresOn(t, a, before)
		if got, want := o.HealthChange, now.Ecosystem.Health-then.Ecosystem.Health; math.Abs(got-want) > 1e-9 {
			t.Errorf("period %q: health change %v, scores say %v", c.period, got, want)
		}
		if m := sinceRE.FindStringSubmatch(page); m == nil || !strings.Contains(m[1], before) {
			t.Errorf("period %q: the page does not say the changes are against %s: %v", c.period, before, m)
		}
		if !strings.Contains(page, "against "+before) {
			t.Errorf("period %q: the page's deltas are not against %s", c.period, before)
		}

		// The movers, from the two days' scores: a band changed, or a fall
		// of more than FallPoints.
		rank := map[string]int{domain.StatusHealthy: 0, domain.StatusWatch: 1, domain.StatusAtRisk: 2}
		wantMovers := map[string]bool{}
		for slug, m := range nowBy {
			p, ok := thenBy[slug]
			_, bandNow := rank[m.Status]
			_, bandThen := rank[p.Status]
			if ok && bandNow && bandThen && (m.Status != p.Status || m.Health-p.Health < -views.FallPoints) {
				wantMovers[slug] = true
			}
		}
		got := map[string]bool{}
		for _, m := range o.Summary.Movers {
			got[m.Slug] = true
			if p := thenBy[m.Slug]; m.StatusBefore != p.Status || math.Abs(m.HealthBefore-p.Health) > 1e-9 {
				t.Errorf("period %q: %s before = %s %v, scores of %s say %s %v", c.period, m.Slug, m.StatusBefore, m.HealthBefore, before, p.Status, p.Health)
			}
		}
		if len(got) != len(wantMovers) {
			t.Errorf("period %q: movers %v, want %v", c.period, got, wantMovers)
		}
		for slug := range wantMovers {
			if !got[slug] {
				t.Errorf("period %q: %s moved but is not named", c.period, slug)
			}
		}
		if len(o.Summary.Movers) > 0 && !strings.Contains(o.Summary.Lines[1], o.Summary.Movers[0].Name) {
			t.Errorf("period %q: summary line 2 %q does not name %s", c.period, o.Summary.Lines[1], o.Summary.Movers[0].Name)
		}
	}

	// The seeded scores go back five weeks: a quarter earlier was not
	// scored, so nothing is compared and no change reads as 0.
	o, page := overviewAt(t, a, "?period=quarter")
	if o.ComparedWith != "" || o.ChangeMissing == "" || o.HealthMeanChange != nil || len(o.Summary.Movers) != 0 || o.Summary.OverdueBefore != nil {
		t.Errorf("quarter: compared with %q, missing %q, mean change %v, %d movers", o.ComparedWith, o.ChangeMissing, o.HealthMeanChange, len(o.Summary.Movers))
	}
	if !strings.Contains(o.Summary.Lines[0], "not compared") {
		t.Errorf("quarter: summary line 1 %q does not say it is not compared", o.Summary.Lines[0])
	}
	kpi := page[strings.Index(page, `data-value="health"`):]
	kpi = kpi[:strings.Index(kpi, "</p>\n")+200]
	if strings.Contains(kpi, "▲") || strings.Contains(kpi, "▼") || strings.Contains(kpi, "→") || !strings.Contains(kpi, "not compared: ") {
		t.Errorf("quarter: the health card shows a change: %s", kpi)
	}

	for _, bad := range []string{"?period=year", "?period=WEEK", "?period=7"} {
		for _, path := range []string{"/api/v1/overview", "/"} {
			if status, body, _ := get(t, a.Fiber(), path+bad); status != 400 {
				t.Errorf("GET %s%s = %d, want 400: %.200s", path, bad, status, body)
			}
		}
	}
}
