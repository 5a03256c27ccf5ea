package app

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// usageWithin stores a call of a consumer of a member on the last day of
// usage: inside the days the database already holds, so that it moves the
// usage versions alone (data.UsageData, data.MemberUsageData). It returns
// the day.
func usageWithin(t *testing.T, a *App) time.Time {
	t.Helper()
	_, key := memberConsumer(t, a)
	return usageOfWithin(t, a, key)
}

// memberConsumer returns a member of the test database that owns a
// consumer, and the consumer's key.
func memberConsumer(t *testing.T, a *App) (slug, key string) {
	t.Helper()
	ctx := context.Background()
	consumers, err := a.db.Consumers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	members, err := a.db.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range consumers {
		for _, m := range members {
			if c.MemberID != 0 && c.MemberID == m.ID {
				return m.Slug, c.Key
			}
		}
	}
	t.Fatal("no consumer of a member in the test database")
	return "", ""
}

// usageOfWithin stores calls of the consumer key (created, no member's, if
// it is new) on the last day of usage, and returns the day.
func usageOfWithin(t *testing.T, a *App, key string) time.Time {
	t.Helper()
	ctx := context.Background()
	r, err := a.db.DataRange(ctx)
	if err != nil || !r.HasUsage() {
		t.Fatalf("no usage in the test database (%v)", err)
	}
	b := domain.NewUsageBatch("gateway")
	for i := range 500 {
		b.Add(domain.UsageRecord{Time: r.UsageLast.Add(12*time.Hour + time.Duration(i)*time.Second), Consumer: key,
			Endpoint: "/v1/chat", Status: 200, Bytes: 10, LatencyMS: 5}, "")
	}
	if err := a.db.CommitCollectedUsage(ctx, b); err != nil {
		t.Fatal(err)
	}
	return r.UsageLast
}

// lastUsageDay returns the last day of usage in a's database and the usage
// page of that day (its JSON), whose figures every usage write there moves.
func lastUsageDay(t *testing.T, a *App) (day, usagePage string) {
	t.Helper()
	r, err := a.db.DataRange(context.Background())
	if err != nil || !r.HasUsage() {
		t.Fatalf("no usage in the test database (%v)", err)
	}
	day = r.UsageLast.Format(domain.DateLayout)
	return day, "/api/v1/api-usage?from=" + day + "&to=" + day
}

// getFresh reads target built for this request (not from the page cache).
func getFresh(t *testing.T, a *App, s testSession, target string) string {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	req.Header.Set("Cache-Control", "no-store")
	r := sendAs(t, a, s, req)
	if r.status != 200 {
		t.Fatalf("GET %s: %d %s", target, r.status, r.body)
	}
	return r.body
}

// TestNoUsagePagesShowNoUsage holds every route whose cache policy says it
// shows no usage (shows data.OtherData: its kept copies outlive usage writes) to it:
// each one, built afresh after usage is added within the days already
// held, is what it was before — while the usage figures of that day did
// change, so the write was one the pages could have shown.
func TestNoUsagePagesShowNoUsage(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	s := loginAs(t, a, domain.RoleAdmin)
	var targets []string
	for _, r := range a.routes() {
		if r.cache.shows != data.OtherData {
			continue
		}
		if strings.Contains(r.pattern, ":") || strings.Contains(r.pattern, "*") {
			t.Fatalf("%s: a route with parameters needs a path to read here", r.pattern)
		}
		targets = append(targets, r.pattern)
	}
	if len(targets) == 0 {
		t.Fatal("no route says it shows no usage")
	}
	before := map[string]string{}
	for _, target := range targets {
		before[target] = getFresh(t, a, s, target)
	}
	_, usagePage := lastUsageDay(t, a)
	usageBefore := getFresh(t, a, s, usagePage)

	usageWithin(t, a)
	if getFresh(t, a, s, usagePage) == usageBefore {
		t.Fatalf("%s did not change with the usage added: the test shows nothing", usagePage)
	}
	for _, target := range targets {
		if got := getFresh(t, a, s, target); got != before[target] {
			t.Errorf("%s changed with usage added within the days held: it shows usage, and its cache policy says it does not", target)
		}
	}
}

// TestUsageWritesKeepScorePagesCached: after a usage write within the days
// held, the members list is still served from the cache while a page of
// usage is built again; a usage write on a new last day — which the list
// says (its offer of the days measured) — builds the list again too, as
// does any other data write.
func TestUsageWritesKeepScorePagesCached(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	s := loginAs(t, a, domain.RoleViewer)
	ctx := context.Background()
	_, usagePage := lastUsageDay(t, a)
	warm := func() {
		for _, p := range []string{"/members", usagePage} {
			getAs(t, a, s, p)
		}
	}
	xcache := func(target string) string { _, _, x := getAs(t, a, s, target); return x }

	warm()
	last := usageWithin(t, a)
	if x := xcache("/members"); x != cacheHit {
		t.Errorf("/members after usage within the days held: X-Cache %q, want %q", x, cacheHit)
	}
	if x := xcache(usagePage); x != cacheMiss {
		t.Errorf("%s after usage within the days held: X-Cache %q, want %q", usagePage, x, cacheMiss)
	}

	warm()
	b := domain.NewUsageBatch("gateway")
	b.Add(domain.UsageRecord{Time: last.AddDate(0, 0, 1).Add(time.Hour), Consumer: "someone-new",
		Endpoint: "/v1/chat", Status: 200, Bytes: 10, LatencyMS: 5}, "")
	if err := a.db.CommitCollectedUsage(ctx, b); err != nil {
		t.Fatal(err)
	}
	if x := xcache("/members"); x != cacheMiss {
		t.Errorf("/members after usage on a new last day: X-Cache %q, want %q", x, cacheMiss)
	}

	warm()
	if _, err := a.db.CreateToken(ctx, &domain.Token{Name: "gateway", Scope: domain.ScopeIngest}); err != nil {
		t.Fatal(err)
	}
	if x := xcache("/members"); x != cacheMiss {
		t.Errorf("/members after another data write: X-Cache %q, want %q", x, cacheMiss)
	}
}

// TestMemberPagesShowNoUnownedUsage holds every route whose cache policy
// says it shows one member's usage alone (data.MemberUsageData: its kept copies
// outlive usage writes of consumers no member owns) to it: a member's page,
// built afresh after usage of a consumer no member owns is added on a day
// that held calls, is what it was before, while the usage page of that day
// changed; usage of the member's own consumer on that day changes it.
func TestMemberPagesShowNoUnownedUsage(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	s := loginAs(t, a, domain.RoleAdmin)
	day, usagePage := lastUsageDay(t, a)
	slug, key := memberConsumer(t, a)
	var targets []string
	for _, rt := range a.routes() {
		if rt.cache.shows != data.OtherData|data.MemberUsageData {
			continue
		}
		target := strings.Replace(rt.pattern, ":slug", slug, 1)
		if strings.Contains(target, ":") || strings.Contains(target, "*") {
			t.Fatalf("%s: a route with parameters other than a member's slug needs a path to read here", rt.pattern)
		}
		// The usage range ending on the day written, which the page
		// would not show by default if it is after the last scored day.
		targets = append(targets, target+"?from="+day+"&to="+day)
	}
	if len(targets) == 0 {
		t.Fatal("no route says it shows one member's usage alone")
	}
	before := map[string]string{}
	for _, target := range targets {
		before[target] = getFresh(t, a, s, target)
	}
	usageBefore := getFresh(t, a, s, usagePage)

	usageOfWithin(t, a, "no-member-owns-this")
	if getFresh(t, a, s, usagePage) == usageBefore {
		t.Fatalf("%s did not change with the usage added: the test shows nothing", usagePage)
	}
	for _, target := range targets {
		if got := getFresh(t, a, s, target); got != before[target] {
			t.Errorf("%s changed with usage of a consumer no member owns, on a day holding calls: it shows more than its member's usage, and its cache policy says it does not", target)
		}
	}

	usageOfWithin(t, a, key)
	for _, target := range targets {
		if got := getFresh(t, a, s, target); got == before[target] {
			t.Errorf("%s did not change with its member's usage added on the day it shows", target)
		}
	}
}

// TestUnownedUsageKeepsMemberPagesCached: after usage of a consumer no
// member owns, on a day holding calls, a member's page is still served
// from the cache while the usage page is built again; usage of a member's
// consumer builds every member's page again.
func TestUnownedUsageKeepsMemberPagesCached(t *testing.T) {
	a := newTestApp(t, seededDB(t))
	s := loginAs(t, a, domain.RoleViewer)
	_, usagePage := lastUsageDay(t, a)
	slug, key := memberConsumer(t, a)
	member := "/members/" + slug
	xcache := func(target string) string { _, _, x := getAs(t, a, s, target); return x }
	warm := func() {
		for _, p := range []string{member, usagePage} {
			getAs(t, a, s, p)
		}
	}

	warm()
	usageOfWithin(t, a, "no-member-owns-this")
	if x := xcache(member); x != cacheHit {
		t.Errorf("%s after usage no member owns: X-Cache %q, want %q", member, x, cacheHit)
	}
	if x := xcache(usagePage); x != cacheMiss {
		t.Errorf("%s after usage no member owns: X-Cache %q, want %q", usagePage, x, cacheMiss)
	}

	warm()
	usageOfWithin(t, a, key)
	if x := xcache(member); x != cacheMiss {
		t.Errorf("%s after usage of a member's consumer: X-Cache %q, want %q", member, x, cacheMiss)
	}
}
