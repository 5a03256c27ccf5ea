package app

import (
	"context"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// TestBrowserComparePicksTwoWeeks follows /snapshots' link to the
// comparison in headless Chromium, picks the oldest week as a, compares,
// and checks the page the selects led to: the weeks asked, every member of
// the API's comparison, no console error.
func TestBrowserComparePicksTwoWeeks(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	if _, err := catchUpSnapshots(ctx, db, NewScorer(db, config.Default().Scoring, quietLogger()), demoEnd, 26); err != nil {
		t.Fatal(err)
	}
	list, err := db.Snapshots(ctx)
	if err != nil {
		t.Fatal(err)
	}
	oldest, newest := list[len(list)-1].Week, list[0].Week
	a := newTestApp(t, db)
	b, base := browseApp(t, a, domain.RoleViewer)
	if err := chromedp.Do(b.ctx,
		chromedp.Navigate(base+"/snapshots"),
		chromedp.WaitVisible(chromedp.CSS("body[data-ready]")),
		chromedp.Click(chromedp.CSS(`a[data-compare]`)),
		chromedp.WaitVisible(chromedp.CSS(`#compare-weeks`)),
		chromedp.SetValue(chromedp.CSS(`#compare-weeks select[name="a"]`), oldest),
		chromedp.Click(chromedp.CSS(`#compare-weeks button[type="submit"]`)),
	); err != nil {
		t.Fatal(err)
	}
	want := url.Values{"a": {oldest}, "b": {newest}}.Encode()
	for evalString(t, b, `location.search.slice(1)`) != want {
		if err := chromedp.Do(b.ctx, chromedp.WaitVisible(chromedp.CSS(`#compare-weeks`))); err != nil {
			t.Fatalf("the selects did not lead to ?%s: %v", want, err)
		}
	}
	if err := chromedp.Do(b.ctx, chromedp.WaitVisible(chromedp.CSS("body[data-ready]"))); err != nil {
		t.Fatal(err)
	}
	c, err := views.BuildSnapshotCompare(ctx, db, config.Default().Scoring, oldest, newest)
	if err != nil {
		t.Fatal(err)
	}
	if got := evalInt(t, b, `document.querySelectorAll('table.compare-members tbody tr[data-member]').length`); got != len(c.Members) {
		t.Errorf("the page shows %d members, want the %d compared", got, len(c.Members))
	}
	if got := evalString(t, b, `document.querySelector('#compare-weeks select[name="a"]').value`); got != oldest {
		t.Errorf("week a reads %q after the reload, want %s", got, oldest)
	}
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors on the comparison: %v", errs)
	}
}
