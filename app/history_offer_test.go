package app

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// historyDB is an installation whose only data is an access log of May
// 2015, without request times: one member, its consumer mapped, calls on
// 2015-05-17, 2015-05-18 and 2015-05-20.
func historyDB(t *testing.T) *data.DB {
	t.Helper()
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	m := &domain.Member{Slug: "acme", Name: "Acme", Kind: domain.KindPartner, JoinedOn: time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := db.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	c := &domain.APIConsumer{Key: "acme-key"}
	if err := db.UpsertConsumer(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := db.MapConsumer(ctx, "acme-key", "acme"); err != nil {
		t.Fatal(err)
	}
	var rollups []domain.UsageRollup
	for _, d := range []int{17, 18, 20} {
		// No latency observed: the log had no $request_time.
		rollups = append(rollups, domain.UsageRollup{Bucket: time.Date(2015, 5, d, 10, 0, 0, 0, time.UTC), ConsumerID: c.ID,
			Endpoint: "/v1/chat", StatusClass: 2, Calls: 40, Bytes: 1000})
	}
	if err := db.AddUsage(ctx, rollups); err != nil {
		t.Fatal(err)
	}
	return db
}

func offerOf(t *testing.T, what string, o *views.DataOffer) views.DataOffer {
	t.Helper()
	if o == nil {
		t.Fatalf("%s: no offer of the data", what)
	}
	if o.From != "2015-05-17" || o.To != "2015-05-20" || o.Text != "Data from 2015-05-17 to 2015-05-20" {
		t.Errorf("%s: offer %+v, want the data's days 2015-05-17 to 2015-05-20", what, o)
	}
	return *o
}

// pageOffers checks the page says what its JSON offers, link included.
func pageOffers(t *testing.T, a *App, path string, o views.DataOffer) {
	t.Helper()
	status, page, _ := get(t, a.Fiber(), path)
	if status != http.StatusOK {
		t.Fatalf("GET %s = %d", path, status)
	}
	if !strings.Contains(page, o.Text) {
		t.Errorf("GET %s does not say %q", path, o.Text)
	}
	if o.URL != "" && !strings.Contains(page, `href="`+html.EscapeString(o.URL)+`" data-offer-link>`+o.Action+`<`) {
		t.Errorf("GET %s does not link %q as %q", path, o.URL, o.Action)
	}
	if o.Hint != "" && !strings.Contains(page, o.Hint) {
		t.Errorf("GET %s does not say %q", path, o.Hint)
	}
}

// TestImportedHistoryIsOfferedWherePagesShowNothing: history of 2015 is
// outside every default range; each page says where the data is and links
// to it, and before it is scored says how to score it.
func TestImportedHistoryIsOfferedWherePagesShowNothing(t *testing.T) {
	ctx := context.Background()
	db := historyDB(t)
	a := newTestApp(t, db)

	// API usage: the default range (the last 28 days) has no call.
	_, body, _ := get(t, a.Fiber(), "/api/v1/api-usage/breakdown")
	u := decode[views.APIUsage](t, body)
	o := offerOf(t, "api-usage", u.Available)
	if o.URL != "/api-usage?from=2015-05-17&to=2015-05-20" || o.Action != "show that range" {
		t.Errorf("api-usage offers %q (%q)", o.URL, o.Action)
	}
	if u.DataRange == nil || u.DataRange.From != "2015-05-17" || u.DataRange.To != "2015-05-20" {
		t.Errorf("api-usage data_range = %+v", u.DataRange)
	}
	pageOffers(t, a, "/api-usage", o)
	_, page, _ := get(t, a.Fiber(), o.URL)
	if !strings.Contains(page, `min="2015-05-17"`) || !strings.Contains(page, `max="2015-05-20"`) {
		t.Error("the range's date inputs do not carry the days with data as min and max")
	}
	_, body, _ = get(t, a.Fiber(), "/api/v1/api-usage/breakdown?from=2015-05-17&to=2015-05-20")
	if u = decode[views.APIUsage](t, body); u.Totals.Calls != 120 || u.Available != nil {
		t.Errorf("the offered range: %d calls, offer %+v; want 120 calls and no offer", u.Totals.Calls, u.Available)
	}

	// Nothing scored yet: the scored pages say how to score those days.
	hint := "ecopulse score --from 2015-05-17 --to 2015-05-20"
	_, body, _ = get(t, a.Fiber(), "/api/v1/members")
	m := decode[views.Members](t, body)
	if o = offerOf(t, "members, unscored", m.Available); o.URL != "" || !strings.Contains(o.Hint, hint) {
		t.Errorf("members before scoring offer %+v, want the hint %q", o, hint)
	}
	pageOffers(t, a, "/members", o)
	_, body, _ = get(t, a.Fiber(), "/api/v1/overview")
	ov := decode[views.Overview](t, body)
	if o = offerOf(t, "overview, unscored", ov.Available); !strings.Contains(o.Hint, hint) {
		t.Errorf("overview before scoring offers %+v", o)
	}
	pageOffers(t, a, "/", o)
	_, body, _ = get(t, a.Fiber(), "/api/v1/members/acme")
	d := decode[views.MemberDetail](t, body)
	if o = offerOf(t, "member, unscored", d.Available); o.URL != "/members/acme?from=2015-05-17&to=2015-05-20" {
		t.Errorf("member page before scoring offers %q, want its usage range", o.URL)
	}
	pageOffers(t, a, "/members/acme", o)

	// Scored, and scored today too, as the scoring job does: the latest day
	// holds nothing; the pages offer the scores of the data's last day.
	if _, err := a.Scorer().ScoreRange(ctx, time.Date(2015, 5, 17, 0, 0, 0, 0, time.UTC), time.Date(2015, 5, 20, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Scorer().ScoreDay(ctx, domain.Day(time.Now())); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		json, page, url string
		offer           func(string) *views.DataOffer
	}{
		{"/api/v1/members", "/members", "/members?at=2015-05-20",
			func(b string) *views.DataOffer { return decode[views.Members](t, b).Available }},
		{"/api/v1/overview", "/", "/?at=2015-05-20",
			func(b string) *views.DataOffer { return decode[views.Overview](t, b).Available }},
		{"/api/v1/members/acme", "/members/acme", "/members/acme?at=2015-05-20",
			func(b string) *views.DataOffer { return decode[views.MemberDetail](t, b).Available }},
	} {
		_, body, _ := get(t, a.Fiber(), c.json)
		o := offerOf(t, c.json, c.offer(body))
		if o.URL != c.url || o.At != "2015-05-20" || o.Action != "show the scores of 2015-05-20" {
			t.Errorf("%s offers %q (%q), want %q", c.json, o.URL, o.Action, c.url)
		}
		pageOffers(t, a, c.page, o)
	}
	_, body, _ = get(t, a.Fiber(), "/api/v1/members?at=2015-05-20")
	if m = decode[views.Members](t, body); m.Available != nil || m.Count != 1 {
		t.Errorf("the offered day: %d members, offer %+v; want acme and no offer", m.Count, m.Available)
	}
	if m.Scored == nil || m.Scored.From != "2015-05-17" {
		t.Errorf("scored_range = %+v, want from 2015-05-17", m.Scored)
	}
	_, page, _ = get(t, a.Fiber(), "/members?at=2015-05-20")
	if !strings.Contains(page, `min="2015-05-17"`) {
		t.Error("the day input does not carry the first scored day as min")
	}
}
