package app

import (
	"context"
	"fmt"
	"html"
	"math"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// devPlan is a generated API consumer: the status of its calls on each day.
type devPlan struct {
	key    string
	member string
	days   map[time.Time]int
}

// devTruth is what the funnel must say of a set of consumers, worked out
// from the plans day by day, straight from docs/developers.md.
type devTruth struct {
	consumers int
	stages    map[string][2]int // stage → count, observed
	ttfs      []float64
}

func (tr *devTruth) add(stage string, reached, observed bool) {
	c := tr.stages[stage]
	if observed {
		c[1]++
		if reached {
			c[0]++
		}
	}
	tr.stages[stage] = c
}

// devTruthOf works out the funnel of the plans first seen in [from, to],
// data ending on last; contrib is each member's contribution days.
func devTruthOf(plans []devPlan, from, to, last time.Time, contrib map[string][]time.Time, keep func(devPlan, time.Time) bool) devTruth {
	tr := devTruth{stages: map[string][2]int{}}
	for _, p := range plans {
		first := time.Time{}
		for d := range p.days {
			if first.IsZero() || d.Before(first) {
				first = d
			}
		}
		if first.Before(from) || first.After(to) || !keep(p, first) {
			continue
		}
		tr.consumers++
		tr.add("first_call", true, true)
		success := false
		var active [9]bool
		for i := 0; i < 56; i++ {
			d := first.AddDate(0, 0, i)
			if s, ok := p.days[d]; ok && s < 400 && !d.After(last) {
				if !success {
					tr.ttfs = append(tr.ttfs, float64(i))
				}
				success = true
				active[i/7+1] = true
			}
		}
		tr.add("first_success", success, true)
		for _, k := range []int{2, 4, 8} {
			tr.add(fmt.Sprintf("active_week_%d", k), active[k], !first.AddDate(0, 0, 7*k-1).After(last))
		}
		contributed := false
		for _, d := range contrib[p.member] {
			if !d.Before(first) && d.Before(first.AddDate(0, 0, 56)) && !d.After(last) {
				contributed = true
			}
		}
		tr.add("contributed", contributed, true)
	}
	sort.Float64s(tr.ttfs)
	return tr
}

// devQuantile is the q-quantile, linearly interpolated between ranks.
func devQuantile(sorted []float64, q float64) float64 {
	h := float64(len(sorted)-1) * q
	lo := math.Floor(h)
	if int(lo)+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[int(lo)] + (h-lo)*(sorted[int(lo)+1]-sorted[int(lo)])
}

func devCheck(t *testing.T, what string, got views.DeveloperFunnel, want devTruth) {
	t.Helper()
	if got.Consumers != want.consumers {
		t.Errorf("%s: %d consumers, want %d", what, got.Consumers, want.consumers)
	}
	if len(got.Stages) != 6 {
		t.Fatalf("%s: %d stages, want 6", what, len(got.Stages))
	}
	for _, s := range got.Stages {
		if w := want.stages[s.Stage]; s.Count != w[0] || s.Observed != w[1] {
			t.Errorf("%s: %s %d of %d, want %d of %d", what, s.Stage, s.Count, s.Observed, w[0], w[1])
		}
	}
	if len(want.ttfs) == 0 {
		if got.TTFSMedian != nil || got.TTFSP90 != nil {
			t.Errorf("%s: a time to first success with no success", what)
		}
		return
	}
	if got.TTFSMedian == nil || math.Abs(*got.TTFSMedian-devQuantile(want.ttfs, 0.5)) > 1e-9 {
		t.Errorf("%s: median time to first success %v, want %v", what, devNum(got.TTFSMedian), devQuantile(want.ttfs, 0.5))
	}
	if got.TTFSP90 == nil || math.Abs(*got.TTFSP90-devQuantile(want.ttfs, 0.9)) > 1e-9 {
		t.Errorf("%s: p90 time to first success %v, want %v", what, devNum(got.TTFSP90), devQuantile(want.ttfs, 0.9))
	}
}

// TestDevelopersFunnelEqualsTheTruth pushes generated consumers through the
// ingest API — arriving in waves before, in and after the range, some
// failing for days before their first success, some never succeeding —
// and checks every stage count, the median and p90 time to first success,
// overall, per cohort, per segment and per member of each cohort, against
// the truth worked out from the plans; then that the page shows the API's
// numbers.
func TestDevelopersFunnelEqualsTheTruth(t *testing.T) {
	db := datatest.MustOpenDB(t)
	a := newTestApp(t, db)
	ctx := context.Background()
	from, to := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC)
	last := to.AddDate(0, 0, 40) // the data's last day: week 8 is not over for the later arrivals
	for _, m := range []*domain.Member{
		{Slug: "acme", Name: "Acme", Kind: domain.KindPartner, Segment: "NLP", JoinedOn: from.AddDate(-1, 0, 0)},
		{Slug: "beta", Name: "Beta", Kind: domain.KindDeveloperOrg, Segment: "Vision", JoinedOn: from.AddDate(-1, 0, 0)},
	} {
		if err := db.CreateMember(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	r := rand.New(rand.NewPCG(5, 21))
	var plans []devPlan
	for i := 0; i < 60; i++ {
		p := devPlan{key: fmt.Sprintf("dev-%02d", i), member: []string{"acme", "beta", ""}[i%3], days: map[time.Time]int{}}
		first := from.AddDate(0, 0, 7*(i%6)-10+r.IntN(7)) // six weekly waves, the first before the range
		failing, stay := r.IntN(5), 1+r.IntN(70)          // days of errors first; how long it keeps calling
		never := i%11 == 0
		for d := 0; d < stay; d++ {
			day := first.AddDate(0, 0, d)
			if day.After(last) || (d > 0 && r.IntN(4) == 0) {
				continue
			}
			status := []int{200, 201, 304}[r.IntN(3)]
			if d < failing || never {
				status = []int{401, 429, 503}[r.IntN(3)]
			}
			p.days[day] = status
		}
		plans = append(plans, p)
	}
	plans[0].days[last] = 200 // the data's last day, whatever the draws
	var body strings.Builder
	for _, p := range plans {
		for d, s := range p.days {
			fmt.Fprintf(&body, `{"time":%q,"consumer":%q,"endpoint":"/v1/chat","status":%d,"bytes":10,"latency_ms":20}`+"\n",
				d.Add(10*time.Hour).Format(time.RFC3339), p.key, s)
		}
	}
	if status, resp := post(t, a, newToken(t, db, "gateway", ""), body.String(), nil); status != http.StatusAccepted {
		t.Fatalf("ingest: %d %s", status, resp)
	}
	for _, p := range plans {
		if p.member != "" {
			if err := db.MapConsumer(ctx, p.key, p.member); err != nil {
				t.Fatal(err)
			}
		}
	}
	contrib := devContributions(t, db, from)
	status, raw, _ := get(t, a.Fiber(), "/api/v1/developers?from=2026-03-02&to=2026-03-29")
	if status != 200 {
		t.Fatalf("GET /api/v1/developers: %d %s", status, raw)
	}
	got := decode[views.Developers](t, raw)
	all := func(devPlan, time.Time) bool { return true }
	devCheck(t, "funnel", got.DeveloperFunnel, devTruthOf(plans, from, to, last, contrib, all))
	if got.ObservedThrough != last.Format(domain.DateLayout) || got.Predates {
		t.Errorf("observed through %s (predates %v), want %s", got.ObservedThrough, got.Predates, last.Format(domain.DateLayout))
	}
	if len(got.Cohorts) != 4 {
		t.Fatalf("%d cohorts, want the 4 weeks of the range", len(got.Cohorts))
	}
	for _, c := range got.Cohorts {
		monday, _ := time.Parse(domain.DateLayout, c.Start)
		inWeek := func(_ devPlan, first time.Time) bool { return domain.ISOWeek(first) == c.Week }
		devCheck(t, c.Week, c.DeveloperFunnel, devTruthOf(plans, from, to, last, contrib, inWeek))
		for _, m := range c.Members {
			of := func(p devPlan, first time.Time) bool { return inWeek(p, first) && p.member == m.Key }
			devCheck(t, c.Week+" "+m.Label, m.DeveloperFunnel, devTruthOf(plans, from, to, last, contrib, of))
		}
		if len(c.Retention) != 8 || monday.Weekday() != time.Monday {
			t.Errorf("%s: %d weeks of retention from %s", c.Week, len(c.Retention), c.Start)
		}
	}
	segment := map[string]string{"acme": "NLP", "beta": "Vision"}
	for _, s := range got.Segments {
		of := func(p devPlan, _ time.Time) bool { return segment[p.member] == s.Key }
		devCheck(t, "segment "+s.Label, s.DeveloperFunnel, devTruthOf(plans, from, to, last, contrib, of))
	}
	devPageShowsTheAPI(t, a, got)

	// A range holding the first day of collected usage says that its
	// first-day consumers may have called before.
	status, raw, _ = get(t, a.Fiber(), "/api/v1/developers?from=2026-02-01&to=2026-03-01")
	if early := decode[views.Developers](t, raw); status != 200 || !early.Predates || early.UsageFrom == "" {
		t.Errorf("a range with the first day of usage: %d, predates %v, usage from %q", status, early.Predates, early.UsageFrom)
	}
}

// TestDevelopersWithoutUsage: no usage at all is a funnel of nobody, its
// rates not measured (null), not 0.
func TestDevelopersWithoutUsage(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	status, raw, _ := get(t, a.Fiber(), "/api/v1/developers?from=2026-03-02&to=2026-03-29")
	if status != 200 || !strings.Contains(raw, `"rate":null`) || strings.Contains(raw, `"rate":0`) {
		t.Fatalf("%d %s", status, raw)
	}
	if status, page, _ := get(t, a.Fiber(), "/developers"); status != 200 || !strings.Contains(page, "No API consumer was first seen") {
		t.Errorf("/developers without usage: %d", status)
	}
}

// devContributions gives acme a contributor with three days of activity
// and returns each member's contribution days.
func devContributions(t *testing.T, db *data.DB, from time.Time) map[string][]time.Time {
	t.Helper()
	ctx := context.Background()
	acme, err := db.MemberBySlug(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	ann := &domain.Person{Name: "Ann"}
	if err := db.CreatePerson(ctx, ann, domain.Identity{Source: "github", Login: "ann"}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddAffiliation(ctx, &domain.Affiliation{PersonID: ann.ID, MemberID: acme.ID, From: from.AddDate(-1, 0, 0)}); err != nil {
		t.Fatal(err)
	}
	days := []time.Time{from.AddDate(0, 0, 3), from.AddDate(0, 0, 30), from.AddDate(0, 0, 60)}
	var acts []domain.Activity
	for i, d := range days {
		acts = append(acts, domain.Activity{Source: "github", ExternalID: strconv.Itoa(i), Kind: domain.ActReply, At: d.Add(9 * time.Hour), Actor: "ann", Thread: "t"})
	}
	if _, err := db.AddActivities(ctx, acts); err != nil {
		t.Fatal(err)
	}
	return map[string][]time.Time{"acme": days}
}

var devNumberRE = regexp.MustCompile(`data-n="([^"]+)">([^<]*)<`)

// devPageShowsTheAPI checks that /developers shows the numbers of the
// API's answer: every stage of the funnel, of each segment, each cohort
// and each member of a cohort, and the times to first success.
func devPageShowsTheAPI(t *testing.T, a *App, d views.Developers) {
	t.Helper()
	status, page, _ := get(t, a.Fiber(), "/developers?from="+d.From+"&to="+d.To)
	if status != 200 {
		t.Fatalf("GET /developers: %d", status)
	}
	shown := map[string]string{}
	for _, m := range devNumberRE.FindAllStringSubmatch(page, -1) {
		shown[html.UnescapeString(m[1])] = m[2]
	}
	want := map[string]string{"consumers": strconv.Itoa(d.Consumers)}
	stages := func(prefix string, f views.DeveloperFunnel) {
		for _, s := range f.Stages {
			want[prefix+s.Stage+".count"], want[prefix+s.Stage+".observed"] = strconv.Itoa(s.Count), strconv.Itoa(s.Observed)
		}
	}
	stages("", d.DeveloperFunnel)
	for _, s := range d.Stages {
		want[s.Stage+".rate"] = "—"
		if s.Rate != nil {
			want[s.Stage+".rate"] = strconv.FormatFloat(math.Round(*s.Rate*1000)/10, 'f', 1, 64)
		}
	}
	want["ttfs_median_days"] = strconv.FormatFloat(math.Round(*d.TTFSMedian*10)/10, 'f', 1, 64)
	want["ttfs_p90_days"] = strconv.FormatFloat(math.Round(*d.TTFSP90*10)/10, 'f', 1, 64)
	for _, s := range d.Segments {
		stages("segment."+s.Key+".", s.DeveloperFunnel)
	}
	for _, c := range d.Cohorts {
		stages(c.Week+".", c.DeveloperFunnel)
		for _, m := range c.Members {
			stages(c.Week+".member."+m.Key+".", m.DeveloperFunnel)
		}
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if shown[k] != want[k] {
			t.Errorf("the page shows %s = %q, the API %q", k, shown[k], want[k])
		}
	}
	if len(shown) != len(want) {
		t.Errorf("the page shows %d numbers, the API check covers %d", len(shown), len(want))
	}
}

func devNum(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
