package app

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// TestBrowserOnboardingANewEcosystem is issue 12's new user in a real
// browser, from an empty database, with no SQL and without typing a URL
// after the first: two members declared in the registry file and the real
// Apache log (May 2015) imported by client address, as the commands do;
// then in the pages a third member added from the getting-started
// checklist, the log's range found from /api-usage's offer, two addresses
// mapped from its unmapped consumers, an agreement registered from
// /projects; and once the days are scored, the overview, a mapped
// member's page and /api-usage show the log's days.
func TestBrowserOnboardingANewEcosystem(t *testing.T) {
	if !views.HasECharts() {
		t.Fatal("views/static/vendor/echarts.min.js is missing: run `make assets`")
	}
	ctx := context.Background()
	env, _ := onboardingEnv(t)
	cfg := env.Config
	// `ecopulse collect registry`, then `ecopulse import accesslog --consumer-from ip`.
	if err := Collect(ctx, env, []string{"partners"}); err != nil {
		t.Fatal(err)
	}
	if err := ImportAccessLog(ctx, env, []string{onboardingLog}, ImportOptions{ConsumerFrom: "ip"}); err != nil {
		t.Fatal(err)
	}
	a, db := appOnConfig(t, cfg)
	b, base := browseApp(t, a, domain.RoleManager)
	// The only URL typed: the site itself.
	obOpen(t, b, base+"/")

	// The overview of the new installation is the checklist: members and
	// data are there, mapping and agreements to do; and it says where the
	// log's days are. (The registry's collection scored today, with no
	// data in its window: the "scores" step is not checked here.)
	obSeen(t, b, "overview.png")
	if got := obSteps(t, b); !strings.HasPrefix(got, "members:done sources:done consumers:todo agreements:todo scores:") {
		t.Errorf("the checklist before the pages: %s", got)
	}
	if got := evalString(t, b, `(document.querySelector('[data-offer]') || {}).innerText || ''`); !strings.Contains(got, "Data from 2015-05-17 to 2015-05-20") {
		t.Errorf("the overview says %q about the log's days", got)
	}

	// A third member, from the checklist's first step.
	obFollow(t, b, `#getting-started li[data-step="members"] a`)
	obAt(t, b, "/members/new")
	obSeen(t, b, "member-new.png")
	if err := chromedp.Do(b.ctx,
		chromedp.SetValue(chromedp.CSS(`#member-form input[name="name"]`), "Gamma Corp"),
		chromedp.SetValue(chromedp.CSS(`#member-form input[name="slug"]`), "gamma"),
		chromedp.SetValue(chromedp.CSS(`#member-form select[name="kind"]`), "developer_org"),
		chromedp.SetValue(chromedp.CSS(`#member-form input[name="joined"]`), "2015-03-01"),
	); err != nil {
		t.Fatal(err)
	}
	obFollow(t, b, `#member-form button[type="submit"]`)
	obAt(t, b, "/members/gamma")
	if text := obText(t, b); !strings.Contains(text, "Gamma Corp") || !strings.Contains(text, "2015-03-01") {
		t.Errorf("the new member's page does not show it: %.300s", text)
	}
	obSeen(t, b, "member-added.png")

	// /api-usage from the nav: its default range (the last 28 days) has no
	// call, so it offers the log's days.
	obFollow(t, b, `nav.site-nav a[href="/api-usage"]`)
	obAt(t, b, "/api-usage")
	if got := evalString(t, b, `(document.querySelector('[data-offer]') || {}).innerText || ''`); !strings.Contains(got, "Data from 2015-05-17 to 2015-05-20") {
		t.Errorf("/api-usage offers %q", got)
	}
	obFollow(t, b, `[data-offer] a[data-offer-link]`)
	u := obAt(t, b, "/api-usage")
	if u.Query().Get("from") != "2015-05-17" || u.Query().Get("to") != "2015-05-20" {
		t.Errorf("the offer led to %s", u)
	}
	if got := obValue(t, b, "unmapped_consumers"); got != 1753 {
		t.Errorf("unmapped consumers before the mapping: %d, want the log's 1753 addresses", got)
	}
	if got := obValue(t, b, "unmapped_calls"); got != 10000 {
		t.Errorf("unmapped calls before the mapping: %d, want all 10000", got)
	}
	before := obUnmappedKeys(t, b)
	obSeen(t, b, "api-usage-unmapped.png")

	// Two addresses, each through the "client address" form.
	for _, m := range []struct{ address, member string }{
		{"83.149.9.216", "acme"},
		{"66.249.73.135", "beta-labs"},
	} {
		form := `form.map-form:has(input[name="address"])`
		if err := chromedp.Do(b.ctx,
			chromedp.SetValue(chromedp.CSS(form+` input[name="address"]`), m.address),
			chromedp.SetValue(chromedp.CSS(form+` input[name="member"]`), m.member),
		); err != nil {
			t.Fatal(err)
		}
		obFollow(t, b, form+` button[type="submit"]`)
		// Back on the same range.
		if u := obAt(t, b, "/api-usage"); u.Query().Get("from") != "2015-05-17" {
			t.Errorf("after mapping %s the page shows %s", m.address, u)
		}
		obSeen(t, b, "api-usage-mapped-"+m.member+".png")
	}
	if got := obValue(t, b, "unmapped_consumers"); got != 1751 {
		t.Errorf("unmapped consumers after mapping two addresses: %d, want 1751", got)
	}
	mapped := obMappedKeys(t, db)
	if len(mapped["acme"]) != 1 || len(mapped["beta-labs"]) != 1 {
		t.Fatalf("consumers mapped by the page: %v", mapped)
	}
	// 66.249.73.135 (482 lines) is among the busiest unmapped consumers
	// listed before, and no longer.
	if !before[mapped["beta-labs"][0]] {
		t.Errorf("the busiest address was not listed as unmapped before the mapping")
	}
	after := obUnmappedKeys(t, b)
	for _, keys := range mapped {
		for _, k := range keys {
			if after[k] {
				t.Errorf("mapped consumer %s is still listed as unmapped", k)
			}
		}
	}

	// The mappings started the scoring job in the background; the user
	// registers the agreement once it is done, on days already scored.
	obScoringDone(t, a)

	// An agreement: /projects from the nav, then its "Register" button.
	obFollow(t, b, `nav.site-nav a[href="/projects"]`)
	obAt(t, b, "/projects")
	obFollow(t, b, `.eco-actions a[href="/projects/new"]`)
	obAt(t, b, "/projects/new")
	if err := chromedp.Do(b.ctx,
		chromedp.SetValue(chromedp.CSS(`#agreement-form input[name="name"]`), "Log insights"),
		chromedp.SetValue(chromedp.CSS(`#agreement-form input[name="slug"]`), "log-insights"),
		chromedp.SetValue(chromedp.CSS(`#agreement-form select[name="status"]`), "active"),
		chromedp.SetValue(chromedp.CSS(`#agreement-form input[name="start_on"]`), "2015-04-01"),
		chromedp.SetValue(chromedp.CSS(`#party-rows .party-row:nth-child(1) select[name="party_member"]`), "acme"),
		chromedp.SetValue(chromedp.CSS(`#party-rows .party-row:nth-child(1) input[name="party_role"]`), "lead"),
		chromedp.SetValue(chromedp.CSS(`#party-rows .party-row:nth-child(2) select[name="party_member"]`), "beta-labs"),
		chromedp.SetValue(chromedp.CSS(`#party-rows .party-row:nth-child(2) input[name="party_role"]`), "partner"),
	); err != nil {
		t.Fatal(err)
	}
	obSeen(t, b, "agreement-new.png")
	obFollow(t, b, `#agreement-form button[type="submit"]`)
	obAt(t, b, "/projects/log-insights")
	if got := evalInt(t, b, `document.querySelectorAll('a[href="/members/acme"], a[href="/members/beta-labs"]').length`); got < 2 {
		t.Errorf("the agreement's page links %d of its two parties", got)
	}
	obSeen(t, b, "agreement.png")

	// The scores. The agreement changed days already scored; the scoring
	// job, on its schedule, scores them again. To stay deterministic the
	// test runs it itself (no background run is in flight: the agreement
	// started none), as the schedule or `ecopulse score` would.
	if err := a.Scorer().Run(ctx, domain.Day(time.Now()), cfg.BackfillDays); err != nil {
		t.Fatal(err)
	}

	// The overview: the checklist is done, and the log's scores are offered.
	obFollow(t, b, `a.brand`)
	obAt(t, b, "/")
	if got := obSteps(t, b); got != "" && got != "members:done sources:done consumers:done agreements:done scores:done" {
		t.Errorf("the checklist after the pages: %s", got)
	}
	offer := evalString(t, b, `(document.querySelector('[data-offer] a[data-offer-link]') || {}).href || ''`)
	ou, err := url.Parse(offer)
	if err != nil || !strings.HasPrefix(ou.Query().Get("at"), "2015-05-") {
		t.Fatalf("the overview offers %q, want the scores of a day of the log's week", offer)
	}
	obSeen(t, b, "overview-offer.png")
	obFollow(t, b, `[data-offer] a[data-offer-link]`)
	u = obAt(t, b, "/")
	at := u.Query().Get("at")
	if at != ou.Query().Get("at") {
		t.Errorf("the offer led to %s", u)
	}
	if health := obNumber(t, b, `[data-value="health"]`); health <= 0 || health > 100 {
		t.Errorf("the overview of %s shows health %v", at, health)
	}
	if r := obNumber(t, b, `[data-value="R"]`); r <= 0 {
		t.Errorf("the overview of %s shows R = %v", at, r)
	}
	if got := evalInt(t, b, `window.__chartsReady`); got < 4 {
		t.Errorf("the overview of %s settled %d charts, want at least 4", at, got)
	}
	obSeen(t, b, "overview-scored.png")

	// A mapped member from the overview's top members.
	top := evalString(t, b, `Array.from(document.querySelectorAll('.tables a[href^="/members/"]')).map(a => a.getAttribute('href')).join(' ')`)
	if !strings.Contains(top, "/members/beta-labs") {
		t.Fatalf("the overview's top members link %q, want beta-labs", top)
	}
	// The overview of a past day links its members on that day.
	if !strings.Contains(top, "/members/beta-labs?at="+at) {
		t.Errorf("the overview of %s links its members %q, without the day", at, top)
	}
	obFollow(t, b, `.tables a[href^="/members/beta-labs"]`)
	obAt(t, b, "/members/beta-labs")
	// The member page opens on the overview's day; when the range it shows
	// holds none of the member's calls, it offers the log's.
	if evalInt(t, b, `document.querySelectorAll('#api-usage [data-value="calls"]').length`) == 0 {
		obFollow(t, b, `[data-offer] a[data-offer-link]`)
		u := obAt(t, b, "/members/beta-labs")
		t.Logf("beta-labs's page offered %s", u.RawQuery)
	}
	if calls := obNumber(t, b, `#api-usage [data-value="calls"]`); calls <= 0 {
		t.Errorf("beta-labs's page shows %v calls", calls)
	}
	if got := evalInt(t, b, `document.querySelectorAll('[data-value="health"]').length`); got == 0 {
		t.Errorf("beta-labs's page shows no health score")
	}
	obSeen(t, b, "member-scored.png")

	// /api-usage again from the nav, through its offer: the totals count
	// the log, and the two addresses are no longer unmapped.
	obFollow(t, b, `nav.site-nav a[href="/api-usage"]`)
	obFollow(t, b, `[data-offer] a[data-offer-link]`)
	obAt(t, b, "/api-usage")
	if calls := obValue(t, b, "calls"); calls != 10000 {
		t.Errorf("/api-usage counts %d calls in the log's days, want its 10000 lines", calls)
	}
	if got := obValue(t, b, "unmapped_consumers"); got != 1751 {
		t.Errorf("unmapped consumers after scoring: %d, want 1751", got)
	}
	if got := obValue(t, b, "unmapped_calls"); got <= 0 || got >= 10000 {
		t.Errorf("unmapped calls: %d, want fewer than all 10000", got)
	}
	obSeen(t, b, "api-usage-scored.png")
}

// obOpen navigates to target and waits until the page has settled.
func obOpen(tb testing.TB, b *browser, target string) {
	tb.Helper()
	if err := chromedp.Do(b.ctx,
		chromedp.Navigate(target),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready]`)),
	); err != nil {
		tb.Fatalf("open %s: %v", target, err)
	}
}

// obFollow clicks the link or button sel, as a user does, and waits for
// the page it leads to: a new document (the old one's marker is gone)
// whose charts have settled.
func obFollow(tb testing.TB, b *browser, sel string) {
	tb.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`window.__obLeaving = true`)); err != nil {
		tb.Fatal(err)
	}
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)); err != nil {
		tb.Fatalf("click %s on %s: %v", sel, obLocation(b), err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](
			`!window.__obLeaving && document.readyState === 'complete' && document.body.hasAttribute('data-ready')`))
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("clicking %s led to no settled page (at %s)", sel, obLocation(b))
}

func obLocation(b *browser) string {
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	return loc
}

// obAt checks the page's path and returns its URL.
func obAt(tb testing.TB, b *browser, path string) *url.URL {
	tb.Helper()
	u, err := url.Parse(obLocation(b))
	if err != nil || u.Path != path {
		tb.Fatalf("the page is %s, want %s: %.400s", obLocation(b), path, obText(tb, b))
	}
	return u
}

func obText(tb testing.TB, b *browser) string {
	tb.Helper()
	return evalString(tb, b, `document.querySelector('main').innerText`)
}

// obSteps is the getting-started checklist, "id:done|todo …", or "" when
// the page has none.
func obSteps(tb testing.TB, b *browser) string {
	tb.Helper()
	return evalString(tb, b, `Array.from(document.querySelectorAll('#getting-started li[data-step]')).map(li => li.dataset.step + ':' + li.className).join(' ')`)
}

// obNumber is the number shown by the first element matching sel.
func obNumber(tb testing.TB, b *browser, sel string) float64 {
	tb.Helper()
	text := evalString(tb, b, `(document.querySelector(`+strconv.Quote(sel)+`) || {}).textContent || ''`)
	v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(text), ",", ""), 64)
	if err != nil {
		tb.Fatalf("%s on %s shows %q, not a number", sel, obLocation(b), text)
	}
	return v
}

// obValue is the integer shown in [data-value=name].
func obValue(tb testing.TB, b *browser, name string) int {
	tb.Helper()
	return int(obNumber(tb, b, `[data-value="`+name+`"]`))
}

// obUnmappedKeys are the consumers the unmapped table offers to map.
func obUnmappedKeys(tb testing.TB, b *browser) map[string]bool {
	tb.Helper()
	keys := map[string]bool{}
	list := evalString(tb, b, `Array.from(document.querySelectorAll('form.map-form input[name="key"]')).map(i => i.value).join('\n')`)
	for _, k := range strings.Split(list, "\n") {
		if k != "" {
			keys[k] = true
		}
	}
	if len(keys) == 0 {
		tb.Fatalf("no unmapped consumer listed on %s", obLocation(b))
	}
	return keys
}

// obMappedKeys are the stored consumers mapped to a member, by member.
func obMappedKeys(tb testing.TB, db *data.DB) map[string][]string {
	tb.Helper()
	rows, _, err := db.ConsumerList(context.Background(), data.ConsumerQuery{Limit: data.MaxConsumerPage})
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string][]string{}
	for _, r := range rows {
		if r.Member != "" {
			out[r.Member] = append(out[r.Member], r.Key)
		}
	}
	return out
}

// obScoringDone waits until the scoring job that the pages started in the
// background (a.rescoreSoon, skipped while one runs) has scored the log's
// days and left no day marked for scoring again: it starts the job again
// while it has not, as its schedule would.
func obScoringDone(tb testing.TB, a *App) {
	tb.Helper()
	ctx := context.Background()
	sunday := time.Date(2015, 5, 17, 0, 0, 0, 0, time.UTC)
	deadline := time.Now().Add(60 * time.Second)
	for {
		marks, err := a.db.RescoreDays(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		stale, err := a.db.StaleInputDays(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		_, err = a.db.EcosystemScoreOn(ctx, sunday)
		if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			tb.Fatal(err)
		}
		if err == nil && len(marks) == 0 && len(stale) == 0 {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the scoring job did not catch up: %d days marked, %d with new inputs, 2015-05-17: %v", len(marks), len(stale), err)
		}
		a.rescoreSoon()
		time.Sleep(100 * time.Millisecond)
	}
}

// obSeen fails on any console error of the page shown, and keeps its
// screenshot.
func obSeen(tb testing.TB, b *browser, shot string) {
	tb.Helper()
	if errs := b.takeErrors(); len(errs) > 0 {
		tb.Errorf("console errors on %s: %v", obLocation(b), errs)
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(screenshotDir(tb), "onboarding-"+shot)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.Fatal(err)
	}
}
