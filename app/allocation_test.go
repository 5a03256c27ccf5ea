package app

import (
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
	"github.com/ecopulse/ecopulse/views"
)

// allocationApp is the scored demo (2026-05-26 to 2026-06-30) with the
// snapshots of 2026-W22 to W26 taken as on 2026-07-01: June (W23–W26, by
// their Sundays) and Q2 are closed, 2026-W27 and July open.
func allocationApp(t *testing.T) (*App, *data.DB) {
	t.Helper()
	db := seededDB(t)
	ctx := context.Background()
	scorer := NewScorer(db, config.Default().Scoring, quietLogger())
	taken, err := catchUpSnapshots(ctx, db, scorer, demoEnd.AddDate(0, 0, 1), 6)
	if err != nil || len(taken) != 5 {
		t.Fatalf("snapshots: %d taken, %v; want W22 to W26", len(taken), err)
	}
	return newTestApp(t, db), db
}

func allocationURL(period, pool, rule, agreement string) string {
	v := url.Values{"period": {period}, "rule": {rule}}
	if pool != "" {
		v.Set("pool", pool)
	}
	if agreement != "" {
		v.Set("agreement", agreement)
	}
	return "/api/v1/allocation?" + v.Encode()
}

// expectedPhi sums φ per member over the statement's weeks, read from the
// snapshots (frozen weeks) and the day's scores (the others): not the
// builder's own sums.
func expectedPhi(t *testing.T, db *data.DB, a views.Allocation) (map[string]float64, float64) {
	t.Helper()
	ctx := context.Background()
	out, total := map[string]float64{}, 0.0
	for _, w := range a.Weeks {
		if w.Frozen {
			ms, err := db.SnapshotMembers(ctx, w.Week)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				out[m.Slug] += m.Phi
				total += m.Phi
			}
			continue
		}
		d, _ := domain.ParseDay(w.Day)
		ms, err := db.ScoresOn(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			out[m.Slug] += m.Score.Phi
			total += m.Score.Phi
		}
	}
	return out, total
}

// TestAllocationAddsUpForEveryRuleAndPeriod: for each kind of period, open
// and closed, and each rule, the amounts add up exactly to the pool, each
// member's parts to its amount, and Shapley amounts are pool·Σφ_i/ΣΣφ
// within one minor unit, Σφ read independently of the builder.
func TestAllocationAddsUpForEveryRuleAndPeriod(t *testing.T) {
	a, db := allocationApp(t)
	ags, err := db.Agreements(context.Background())
	if err != nil || len(ags) == 0 {
		t.Fatalf("agreements: %d, %v", len(ags), err)
	}
	ag := ags[0].Slug
	periods := []struct {
		name   string
		closed bool
	}{{"2026-W26", true}, {"2026-06", true}, {"2026-Q2", true}, {"2026-W27", false}, {"2026-07", false}}
	for _, p := range periods {
		for _, rule := range []string{"shapley", "contribution", "equal", "weights"} {
			agreement := ""
			if rule == "equal" || rule == "weights" {
				agreement = ag
			}
			status, body, _ := get(t, a.Fiber(), allocationURL(p.name, "100000.07", rule, agreement))
			if status != 200 {
				t.Fatalf("%s %s: status %d: %s", p.name, rule, status, body)
			}
			al := decode[views.Allocation](t, body)
			if al.Closed != p.closed || al.PoolMinor != 10_000_007 || al.Pool != "100000.07" || len(al.Members) == 0 {
				t.Fatalf("%s %s: closed %v pool %s (%d), %d members", p.name, rule, al.Closed, al.Pool, al.PoolMinor, len(al.Members))
			}
			var sum int64
			for _, m := range al.Members {
				sum += m.AmountMinor
				var parts int64
				for _, part := range m.Parts {
					parts += part.AmountMinor
				}
				if parts != m.AmountMinor || m.Amount != metrics.FormatMinor(m.AmountMinor, 2) {
					t.Errorf("%s %s %s: parts sum to %d, amount %s (%d)", p.name, rule, m.Slug, parts, m.Amount, m.AmountMinor)
				}
			}
			if sum != al.PoolMinor {
				t.Errorf("%s %s: amounts sum to %d, pool %d", p.name, rule, sum, al.PoolMinor)
			}
			if rule != "shapley" {
				continue
			}
			// Snapshots taken since ties are frozen explain φ by ties alone.
			ties := 0
			for _, m := range al.Members {
				for _, part := range m.Parts {
					if part.Kind == metrics.PartTie && part.PartnerName != "" {
						ties++
					} else {
						t.Errorf("%s %s: a %s part, want ties only", p.name, m.Slug, part.Kind)
					}
				}
			}
			if ties == 0 {
				t.Errorf("%s: no tie part in any statement", p.name)
			}
			phi, total := expectedPhi(t, db, al)
			for _, m := range al.Members {
				want := float64(al.PoolMinor) * phi[m.Slug] / total
				if math.Abs(float64(m.AmountMinor)-want) >= 1 {
					t.Errorf("%s %s: %d minor units, pool·Σφ/ΣΣφ = %.3f", p.name, m.Slug, m.AmountMinor, want)
				}
			}
		}
	}
}

// TestAllocationOfAClosedPeriodNeverChanges: June's statement (JSON and CSV)
// is byte for byte the same after late API traffic for a June day arrives
// and June is scored again to other numbers.
func TestAllocationOfAClosedPeriodNeverChanges(t *testing.T) {
	a, db := allocationApp(t)
	ctx := context.Background()
	target := allocationURL("2026-06", "100000", "shapley", "")
	_, before, _ := get(t, a.Fiber(), target)
	_, csvBefore, _ := get(t, a.Fiber(), target+"&format=csv")
	if !strings.Contains(before, `"closed":true`) {
		t.Fatalf("June is not closed: %s", before[:min(len(before), 300)])
	}
	cs, err := db.Consumers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var consumer int64
	for _, c := range cs {
		if c.MemberID != 0 {
			consumer = c.ID
			break
		}
	}
	late := []domain.UsageRollup{{Bucket: time.Date(2026, 6, 20, 12, 0, 0, 0, time.UTC), ConsumerID: consumer,
		Endpoint: "/v1/late", StatusClass: 5, Calls: 5_000_000, Bytes: 1}}
	if err := db.AddUsageWithCursor(ctx, late, "late-import", "", "done"); err != nil {
		t.Fatal(err)
	}
	if _, err := NewScorer(db, config.Default().Scoring, quietLogger()).ScoreRange(ctx, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), demoEnd); err != nil {
		t.Fatal(err)
	}
	snap, err := db.SnapshotOf(ctx, "2026-W26")
	if err != nil {
		t.Fatal(err)
	}
	now, err := db.EcosystemScoreOn(ctx, snap.Day)
	if err != nil || now.R == snap.R {
		t.Fatalf("the late traffic did not change the scores of %s (R %v, frozen %v, %v): the test proves nothing", snap.Day, now.R, snap.R, err)
	}
	_, after, _ := get(t, a.Fiber(), target)
	_, csvAfter, _ := get(t, a.Fiber(), target+"&format=csv")
	if after != before || csvAfter != csvBefore {
		t.Errorf("June's statement changed after a rescore:\n%s\nthen\n%s", before[:min(len(before), 400)], after[:min(len(after), 400)])
	}
}

var (
	pageAmountRE = regexp.MustCompile(`<tr data-slug="([a-z0-9-]+)">[\s\S]*?data-amount="([0-9.]+)"`)
	pagePartRE   = regexp.MustCompile(`data-part-amount="([0-9.]+)"`)
)

// TestAllocationPageShowsTheAPIsNumbers: every member's amount on the page
// is the API's, in the same order, and so are the parts' amounts.
func TestAllocationPageShowsTheAPIsNumbers(t *testing.T) {
	a, _ := allocationApp(t)
	q := "?period=2026-06&pool=250000&currency=USD&rule=shapley"
	status, page, _ := get(t, a.Fiber(), "/allocation"+q)
	if status != 200 {
		t.Fatalf("page: %d", status)
	}
	_, body, _ := get(t, a.Fiber(), "/api/v1/allocation"+q)
	al := decode[views.Allocation](t, body)
	rows := pageAmountRE.FindAllStringSubmatch(page, -1)
	if len(rows) != len(al.Members) {
		t.Fatalf("%d rows on the page, %d members in the API", len(rows), len(al.Members))
	}
	var apiParts []string
	for i, m := range al.Members {
		if rows[i][1] != m.Slug || rows[i][2] != m.Amount {
			t.Errorf("row %d: page %s %s, API %s %s", i, rows[i][1], rows[i][2], m.Slug, m.Amount)
		}
		for _, p := range m.Parts {
			apiParts = append(apiParts, p.Amount)
		}
	}
	var pageParts []string
	for _, m := range pagePartRE.FindAllStringSubmatch(page, -1) {
		pageParts = append(pageParts, m[1])
	}
	if fmt.Sprint(pageParts) != fmt.Sprint(apiParts) {
		t.Errorf("parts on the page %v, in the API %v", pageParts, apiParts)
	}
	if !strings.Contains(page, `id="chart-allocation"`) {
		t.Error("the page has no amounts chart")
	}
}

// TestAllocationRefusesBadInput: each bad parameter is a 400 that says what
// is wrong; an unknown agreement a 404; a viewer may not see money.
func TestAllocationRefusesBadInput(t *testing.T) {
	a, _ := allocationApp(t)
	cases := []struct {
		query, want string
		status      int
	}{
		{"period=2026-13&pool=1", "month", 400},
		{"period=yesterday&pool=1", "invalid period", 400},
		{"pool=1", "invalid period", 400},
		{"period=2026-06", "pool is required", 400},
		{"period=2026-06&pool=abc", "invalid pool", 400},
		{"period=2026-06&pool=0", "more than 0", 400},
		{"period=2026-06&pool=1.001", "more decimals", 400},
		{"period=2026-06&pool=1.5&currency=JPY", "more decimals", 400},
		{"period=2026-06&pool=1&currency=cny", "invalid currency", 400},
		{"period=2026-06&pool=1&rule=lottery", "unknown rule", 400},
		{"period=2026-06&pool=1&rule=equal", "agreement=SLUG", 400},
		{"period=2026-06&pool=1&rule=equal&agreement=Bad+Slug", "invalid agreement", 400},
		{"period=2026-06&pool=1&rule=equal&agreement=no-such-thing", "no project", 404},
		{"period=2026-06&pool=1&format=pdf", "unknown export format", 400},
		{"period=2030-06&pool=1", "nothing to allocate", 400},
	}
	for _, c := range cases {
		status, body, _ := get(t, a.Fiber(), "/api/v1/allocation?"+c.query)
		if status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s; want %d saying %q", c.query, status, body, c.status, c.want)
		}
	}
	viewer := loginAs(t, a, domain.RoleViewer)
	for _, path := range []string{"/allocation?period=2026-06&pool=1", "/api/v1/allocation?period=2026-06&pool=1"} {
		req := httptest.NewRequest("GET", path, nil)
		viewer.apply(req)
		resp, err := a.Fiber().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Errorf("viewer %s: %d, want 403", path, resp.StatusCode)
		}
	}
}

// TestAllocationByAgreementTerms: the demo's agreements name a pool and
// weights in their terms: rule weights with no pool given splits the
// agreement's pool 2 : 1 between a lead and each other party, and rule
// equal splits it evenly.
func TestAllocationByAgreementTerms(t *testing.T) {
	a, db := allocationApp(t)
	ags, err := db.Agreements(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ag := ags[0]
	if !strings.Contains(ag.Terms, "\npool: ") || !strings.Contains(ag.Terms, "\nweights: ") {
		t.Fatalf("the demo agreement's terms name no pool or weights: %q", ag.Terms)
	}
	var pool int64
	var cur string
	for _, line := range strings.Split(ag.Terms, "\n") {
		if rest, ok := strings.CutPrefix(line, "pool: "); ok {
			var major int64
			if _, err := fmt.Sscanf(rest, "%d %s", &major, &cur); err != nil {
				t.Fatal(err)
			}
			pool = major * 100
		}
	}
	weight := map[string]float64{}
	total := 0.0
	for _, m := range ag.Members {
		weight[m.Slug] = 1
		if m.Role == "lead" {
			weight[m.Slug] = 2
		}
		total += weight[m.Slug]
	}
	_, body, _ := get(t, a.Fiber(), allocationURL("2026-06", "", "weights", ag.Slug))
	al := decode[views.Allocation](t, body)
	if al.PoolMinor != pool || al.Currency != cur || len(al.Members) != len(ag.Members) {
		t.Fatalf("weights: pool %d %s, %d members; want %d %s, %d parties: %s", al.PoolMinor, al.Currency, len(al.Members), pool, cur, len(ag.Members), body)
	}
	for _, m := range al.Members {
		want := float64(pool) * weight[m.Slug] / total
		if math.Abs(float64(m.AmountMinor)-want) >= 1 || len(m.Parts) != 1 || m.Parts[0].Kind != metrics.PartWeight {
			t.Errorf("weights %s: %d, want %.2f in one weight part", m.Slug, m.AmountMinor, want)
		}
	}
	_, body, _ = get(t, a.Fiber(), allocationURL("2026-06", "", "equal", ag.Slug))
	al = decode[views.Allocation](t, body)
	for _, m := range al.Members {
		if want := float64(pool) / float64(len(ag.Members)); math.Abs(float64(m.AmountMinor)-want) >= 1 {
			t.Errorf("equal %s: %d, want %.2f", m.Slug, m.AmountMinor, want)
		}
	}
}

// TestAgreementPageLinksManagersToItsAllocation: a manager's agreement page
// links to /allocation with the agreement filled in (the form, no period
// yet); a viewer's has no such link.
func TestAgreementPageLinksManagersToItsAllocation(t *testing.T) {
	a, db := allocationApp(t)
	ags, err := db.Agreements(context.Background())
	if err != nil || len(ags) == 0 {
		t.Fatalf("agreements: %d, %v", len(ags), err)
	}
	slug := ags[0].Slug
	_, page, _ := get(t, a.Fiber(), "/projects/"+slug)
	link := `href="/allocation?rule=equal&amp;agreement=` + slug + `" data-allocate`
	if !strings.Contains(page, link) {
		t.Fatalf("the manager's agreement page has no link %s", link)
	}
	status, form, _ := get(t, a.Fiber(), "/allocation?rule=equal&agreement="+slug)
	if status != 200 || !strings.Contains(form, `name="agreement" value="`+slug+`"`) || !strings.Contains(form, `<option value="equal" selected>`) {
		t.Errorf("the form: %d, agreement or rule not filled in", status)
	}
	viewer := loginAs(t, a, domain.RoleViewer)
	if _, page, _ := getAs(t, a, viewer, "/projects/"+slug); strings.Contains(page, "data-allocate") {
		t.Error("a viewer's agreement page links to the allocation")
	}
}

// The menu links the allocation statements for managers, not for viewers
// (whose request for them is refused), on the same cached page.
func TestMenuLinksAllocationForManagers(t *testing.T) {
	a, _ := allocationApp(t)
	_, page, _ := get(t, a.Fiber(), "/members")
	if !strings.Contains(page, `<li><a href="/allocation">`) {
		t.Error("the manager's menu has no /allocation")
	}
	viewer := loginAs(t, a, domain.RoleViewer)
	for i := 0; i < 2; i++ { // built, then from the cache
		if _, page, _ := getAs(t, a, viewer, "/members"); strings.Contains(page, `href="/allocation"`) {
			t.Errorf("request %d: a viewer's menu links /allocation", i+1)
		}
	}
}
