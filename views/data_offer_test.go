package views

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestProjectsOfferTheirMilestonesDays: a range without a milestone due or
// done offers the days that have them (cancelled projects' left out), the
// filters kept; the page links it.
func TestProjectsOfferTheirMilestonesDays(t *testing.T) {
	db := projectsTestDB(t)
	ctx := context.Background()
	p, err := BuildProjects(ctx, db, ProjectsParams{RangeParams: RangeParams{From: ecoDay(t, "2026-06-01"), To: ecoDay(t, "2026-06-28")}, Member: "alpha"})
	if err != nil {
		t.Fatal(err)
	}
	o := p.Available
	if o == nil || o.From != "2026-03-04" || o.To != "2026-03-20" || o.URL != "/projects?from=2026-03-04&member=alpha&to=2026-03-20" {
		t.Fatalf("offer %+v, want the milestones' 2026-03-04 to 2026-03-20 for alpha", o)
	}
	var b bytes.Buffer
	if err := newTestRenderer(t).ProjectsPage(&b, *p, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `Data from 2026-03-04 to 2026-03-20 — <a href="/projects?from=2026-03-04&amp;member=alpha&amp;to=2026-03-20" data-offer-link>show that range</a>`) {
		t.Error("the projects page does not offer the milestones' days")
	}
	if p, err = BuildProjects(ctx, db, ProjectsParams{RangeParams: RangeParams{From: ecoDay(t, "2026-03-01"), To: ecoDay(t, "2026-03-28")}}); err != nil {
		t.Fatal(err)
	}
	if p.Available != nil {
		t.Errorf("a range with milestones offers %+v", p.Available)
	}
}

// TestRangeOfferShowsAtMostAPageOfDays: data spanning more than a page's
// longest range is offered by its last EcoMaxRangeDays, and says so.
func TestRangeOfferShowsAtMostAPageOfDays(t *testing.T) {
	o := rangeOffer("/api-usage", nil, ecoDay(t, "2015-01-01"), ecoDay(t, "2017-12-31"))
	if o.Text != "Data from 2015-01-01 to 2017-12-31" || o.URL != "/api-usage?from=2016-12-31&to=2017-12-31" || !strings.Contains(o.Action, "last 366 days") {
		t.Errorf("offer %+v", o)
	}
}
