package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/collectors/demo"
	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
	"github.com/ecopulse/ecopulse/views"
)

// versionsAt is the day the generated log is judged on; v1 is deprecated
// halfway through the 28-day window and sunset versionsSunsetIn days later,
// with a sunset warning of versionsWarn days.
var versionsAt = time.Date(2026, 5, 31, 0, 0, 0, 0, time.UTC)

const (
	versionsDeprecatedAgo = 15
	versionsSunsetIn      = 10
	versionsWarn          = 14
	versionsHistory       = 45
)

// versionMember generates one member's traffic: onV1(d) is the chance that
// a call d days before versionsAt goes to v1 (else v2), active(d) whether
// it calls at all that day.
type versionMember struct {
	slug   string
	onV1   func(d int) float64
	active func(d int) bool
}

func always(int) bool { return true }
func v1Until(n int) func(int) float64 {
	return func(d int) float64 {
		if d >= n {
			return 1
		}
		return 0
	}
}

// versionTruth is what the generator knows it sent, per member.
type versionTruth struct {
	calls, deprecated int64 // in the window
	lastV1            int   // days before versionsAt of its last v1 call; -1: none
	versions          map[string]int64
}

// generateVersionLog writes NDJSON records of the members' traffic (and
// an unmapped key's, and unversioned calls) and returns the truth.
func generateVersionLog(r *rand.Rand, members []versionMember) ([]string, map[string]*versionTruth) {
	truth := map[string]*versionTruth{"": {lastV1: -1, versions: map[string]int64{}}}
	var lines []string
	record := func(key string, d int, path string) {
		at := versionsAt.AddDate(0, 0, -d).Add(time.Duration(r.IntN(86400)) * time.Second)
		status := []int{200, 200, 200, 201, 404, 429, 503}[r.IntN(7)]
		lines = append(lines, fmt.Sprintf(`{"time":%q,"consumer":%q,"endpoint":%q,"status":%d,"bytes":%d,"latency_ms":%d}`,
			at.Format(time.RFC3339), key, path, status, 100+r.IntN(900), 5+r.IntN(500)))
	}
	for _, m := range append(members, versionMember{slug: "", onV1: func(int) float64 { return 1 }, active: always}) {
		key := m.slug + "-prod"
		if m.slug == "" {
			key = "stray-key"
		}
		t := truth[m.slug]
		if t == nil {
			t = &versionTruth{lastV1: -1, versions: map[string]int64{}}
			truth[m.slug] = t
		}
		for d := versionsHistory - 1; d >= 0; d-- {
			if !m.active(d) {
				continue
			}
			for n := 5 + r.IntN(20); n > 0; n-- {
				version, path := "v2", fmt.Sprintf("/v2/files/%d", 1000+r.IntN(9000))
				switch x := r.Float64(); {
				case x < m.onV1(d):
					version, path = "v1", "/v1/chat/completions"
					if r.IntN(2) == 0 {
						path = fmt.Sprintf("/v1/files/%d?page=2", 1000+r.IntN(9000)) // normalised to /v1/files/:id
					}
				case x > 0.97:
					version, path = domain.Unversioned, "/health"
				}
				record(key, d, path)
				if d < views.VersionWindowDays {
					t.calls++
					t.versions[version]++
					if version == "v1" && d <= versionsDeprecatedAgo {
						t.deprecated++
					}
				}
				if version == "v1" && (t.lastV1 < 0 || d < t.lastV1) {
					t.lastV1 = d
				}
			}
		}
	}
	r.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
	return lines, truth
}

// versionsApp is an app declaring v1 (deprecated, with a sunset) and v2,
// over a database whose members map their "SLUG-*" keys.
func versionsApp(t *testing.T, members []versionMember) (*App, *data.DB) {
	t.Helper()
	db := datatest.MustOpenDB(t)
	for _, m := range members {
		if err := db.CreateMember(context.Background(), &domain.Member{Slug: m.slug, Name: strings.ToUpper(m.slug), Kind: domain.KindPartner,
			JoinedOn: versionsAt.AddDate(-1, 0, 0), KeyPatterns: []string{m.slug + "-*"}}); err != nil {
			t.Fatal(err)
		}
	}
	cfg := config.Default()
	day := func(d int) string { return versionsAt.AddDate(0, 0, d).Format(domain.DateLayout) }
	cfg.Versions = []config.APIVersionConfig{
		{Name: "v1", Endpoints: []string{`^/v1/`}, Released: day(-400), Deprecated: day(-versionsDeprecatedAgo), Sunset: day(versionsSunsetIn), Replacement: "v2"},
		{Name: "v2", Endpoints: []string{`^/v2/`}, Released: day(-60)},
	}
	cfg.Alerts.SunsetDays = versionsWarn
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	a, err := New(cfg, db, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	a.ready.Store(true)
	withTestAccounts(t, a)
	return a, db
}

// TestAPIVersionsEqualTheGeneratedTruth is the "done when": a log
// with a known version mix, pushed through the public ingest path, gives
// per-member deprecated shares and a sunset-risk list (on the page, in the
// API and as alerts) equal to what the generator knows it sent.
func TestAPIVersionsEqualTheGeneratedTruth(t *testing.T) {
	members := []versionMember{
		{"early", v1Until(40), always},                                                 // on v2 before the window
		{"mid", v1Until(versionsWarn), always},                                         // last v1 call a day before the risk window
		{"edge", v1Until(versionsWarn - 1), always},                                    // last v1 call on the risk window's first day
		{"stuck", func(int) float64 { return 0.7 }, always},                            // never migrates
		{"quiet", func(int) float64 { return 1 }, func(d int) bool { return d >= 30 }}, // no call in the window
		{"newbie", func(int) float64 { return 0 }, always},
	}
	a, db := versionsApp(t, members)
	lines, truth := generateVersionLog(rand.New(rand.NewPCG(17, 5)), members)
	token := newToken(t, db, "gateway", "")
	for i := 0; i < len(lines); i += 2000 {
		if code, body := post(t, a, token, strings.Join(lines[i:min(i+2000, len(lines))], "\n")+"\n", nil); code != 202 {
			t.Fatalf("ingest: %d %s", code, body)
		}
	}
	// The members' key patterns map their consumers, as before every
	// scoring run.
	if n, err := db.ApplyKeyPatterns(context.Background()); err != nil || n != len(members) {
		t.Fatalf("key patterns mapped %d consumers (%v), want %d", n, err, len(members))
	}

	code, body, _ := get(t, a.Fiber(), "/api/v1/api-versions?at="+versionsAt.Format(domain.DateLayout))
	if code != 200 {
		t.Fatalf("GET /api/v1/api-versions: %d %s", code, body)
	}
	var got views.APIVersions
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	wantRisk := []string{}
	for _, m := range members {
		tr := truth[m.slug]
		if tr.lastV1 >= 0 && tr.lastV1 < versionsWarn {
			wantRisk = append(wantRisk, m.slug)
		}
	}
	if !slices.Equal(wantRisk, []string{"edge", "stuck"}) {
		t.Fatalf("the generator's own truth is off: at risk %v", wantRisk) // the plan above, not the code under test
	}
	seen := map[string]bool{}
	for _, m := range got.Members {
		seen[m.Slug] = true
		tr := truth[m.Slug]
		if tr == nil {
			t.Errorf("member %q is listed but sent nothing", m.Slug)
			continue
		}
		if m.Calls != tr.calls || m.DeprecatedCalls != tr.deprecated {
			t.Errorf("%s: calls %d, deprecated %d; sent %d, %d", m.Slug, m.Calls, m.DeprecatedCalls, tr.calls, tr.deprecated)
		}
		switch {
		case tr.calls == 0 && m.DeprecatedShare != nil:
			t.Errorf("%s made no call in the window: share %v, want null", m.Slug, *m.DeprecatedShare)
		case tr.calls > 0 && (m.DeprecatedShare == nil || *m.DeprecatedShare != float64(tr.deprecated)/float64(tr.calls)):
			t.Errorf("%s: deprecated share %s, want %d/%d", m.Slug, optShare(m.DeprecatedShare), tr.deprecated, tr.calls)
		}
		wantMine := slices.Contains(wantRisk, m.Slug)
		if gotMine := slices.Equal(m.SunsetRisk, []string{"v1"}); gotMine != wantMine || (!wantMine && len(m.SunsetRisk) > 0) {
			t.Errorf("%s: sunset risk %v, want at risk %v (last v1 call %d days before)", m.Slug, m.SunsetRisk, wantMine, tr.lastV1)
		}
	}
	for _, m := range members {
		if !seen[m.slug] {
			t.Errorf("member %s is missing from the report", m.slug)
		}
	}
	var sunsetMembers []string
	for _, s := range got.Sunsets {
		for _, m := range s.Members {
			sunsetMembers = append(sunsetMembers, s.Version+":"+m.Slug)
		}
	}
	if want := []string{"v1:edge", "v1:stuck"}; !slices.Equal(sunsetMembers, want) {
		t.Errorf("sunsets list %v, want %v", sunsetMembers, want)
	}
	checkVersionTotals(t, &got, truth)
	checkSunsetAlerts(t, a, db, wantRisk)
}

func optShare(p *float64) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprint(*p)
}

// checkVersionTotals: each version's calls in the window are everything
// sent to it, the unmapped key's included.
func checkVersionTotals(t *testing.T, got *views.APIVersions, truth map[string]*versionTruth) {
	t.Helper()
	want := map[string]int64{}
	for _, tr := range truth {
		for v, n := range tr.versions {
			want[v] += n
		}
	}
	for _, v := range got.Versions {
		if v.Calls != want[v.Name] {
			t.Errorf("version %s: %d calls, sent %d", v.Name, v.Calls, want[v.Name])
		}
	}
	if got.UnversionedCalls != want[domain.Unversioned] {
		t.Errorf("unversioned: %d calls, sent %d", got.UnversionedCalls, want[domain.Unversioned])
	}
	if s := got.Versions[0].Status; s != domain.VersionDeprecated {
		t.Errorf("v1 status %q, want deprecated", s)
	}
}

// checkSunsetAlerts scores the last days: the sunset rule opens an alert
// for exactly the members the page lists as at risk.
func checkSunsetAlerts(t *testing.T, a *App, db *data.DB, wantRisk []string) {
	t.Helper()
	ctx := context.Background()
	if _, err := a.scorer.ScoreRange(ctx, versionsAt.AddDate(0, 0, -2), versionsAt); err != nil {
		t.Fatal(err)
	}
	alerts, err := db.Alerts(ctx, data.AlertFilter{Rule: views.RuleSunset, At: versionsAt, Today: versionsAt})
	if err != nil {
		t.Fatal(err)
	}
	var subjects []string
	for _, al := range alerts {
		subjects = append(subjects, al.Subject)
	}
	slices.Sort(subjects)
	var want []string
	for _, m := range wantRisk {
		want = append(want, m+"/v1")
	}
	if !slices.Equal(subjects, want) {
		t.Errorf("sunset alerts on %s: %v, want %v", versionsAt.Format(domain.DateLayout), subjects, want)
	}
}

// TestAPIVersionsPagesAreOneRead: /api-versions, and a member page with
// its version mix, each read the store once (one snapshot) on the demo.
func TestAPIVersionsPagesAreOneRead(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	vs := demo.APIVersions(demo.Options{Seed: 1, Days: 180, End: demoEnd, Members: 40})
	before := db.Reads()
	v, err := views.BuildAPIVersions(ctx, db, vs, views.APIVersionsQuery{SunsetDays: 30})
	if err != nil {
		t.Fatal(err)
	}
	if n := db.Reads() - before; n != 1 || len(v.Members) == 0 {
		t.Errorf("/api-versions took %d reads for %d members, want 1", n, len(v.Members))
	}
	slug := memberPageSlugs(t, db)[1]
	before = db.Reads()
	d, err := views.BuildMember(ctx, db, metrics.DefaultConfig(), views.MemberParams{Slug: slug, Versions: vs})
	if err != nil {
		t.Fatal(err)
	}
	if n := db.Reads() - before; n != 1 || len(d.Usage.Versions) == 0 {
		t.Errorf("the member page with its version mix %v took %d reads, want 1", d.Usage.Versions, n)
	}
}

// TestAPIVersionsCommandPrintsTheAPIsJSON: `ecopulse api-versions --at DAY
// --json` prints what GET /api/v1/api-versions?at=DAY answers, and its text
// names the members at risk.
func TestAPIVersionsCommandPrintsTheAPIsJSON(t *testing.T) {
	members := []versionMember{{"early", v1Until(40), always}, {"stuck", func(int) float64 { return 0.5 }, always}}
	a, db := versionsApp(t, members)
	lines, _ := generateVersionLog(rand.New(rand.NewPCG(9, 9)), members)
	if code, body := post(t, a, newToken(t, db, "gateway", ""), strings.Join(lines, "\n")+"\n", nil); code != 202 {
		t.Fatalf("ingest: %d %s", code, body)
	}
	if _, err := db.ApplyKeyPatterns(context.Background()); err != nil {
		t.Fatal(err)
	}
	cfg := a.cfg
	cfg.DB = db.Path()
	var out bytes.Buffer
	env := &Env{Config: cfg, Log: quietLogger(), Out: &out, Now: time.Now}
	if err := APIVersionsReport(context.Background(), env, VersionsOptions{At: versionsAt, JSON: true}); err != nil {
		t.Fatal(err)
	}
	_, body, _ := get(t, a.Fiber(), "/api/v1/api-versions?at="+versionsAt.Format(domain.DateLayout))
	var cli, api any
	if err := json.Unmarshal(out.Bytes(), &cli); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(body), &api); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cli, api) {
		t.Errorf("the command's JSON differs from the API's:\n%s\n%s", out.String(), body)
	}
	out.Reset()
	if err := APIVersionsReport(context.Background(), env, VersionsOptions{At: versionsAt}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "at risk: stuck\n") {
		t.Errorf("the text does not name the member at risk:\n%s", out.String())
	}
}
