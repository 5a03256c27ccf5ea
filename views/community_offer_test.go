package views

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// TestCommunityOffersTheDaysWithActivity: imported community history far
// from the default range is offered, not hidden behind an empty page.
func TestCommunityOffersTheDaysWithActivity(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	at := time.Date(2015, 5, 18, 10, 0, 0, 0, time.UTC)
	if _, err := db.AddActivities(ctx, []domain.Activity{
		{Source: "github", ExternalID: "1", Kind: "issue", At: at, Actor: "dana", Thread: "t1"},
		{Source: "github", ExternalID: "2", Kind: "comment", At: at.AddDate(0, 0, 2), Actor: "eve", Thread: "t1"},
	}); err != nil {
		t.Fatal(err)
	}
	c, err := BuildCommunity(ctx, db, metrics.DefaultConfig(), RangeParams{Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if c.Contributions != 0 || c.Available == nil || c.Available.From != "2015-05-18" || c.Available.To != "2015-05-20" ||
		!strings.Contains(c.Available.URL, "from=2015-05-18") {
		t.Fatalf("offer: %+v (contributions %d)", c.Available, c.Contributions)
	}
	var buf bytes.Buffer
	if err := newTestRenderer(t).CommunityPage(&buf, *c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "data-offer") || !strings.Contains(buf.String(), "2015-05-18") {
		t.Fatal("the community page does not offer the days with activity")
	}
	shown, err := BuildCommunity(ctx, db, metrics.DefaultConfig(), RangeParams{From: at, To: at.AddDate(0, 0, 3)})
	if err != nil || shown.Available != nil || shown.Contributions != 2 {
		t.Fatalf("the range with the data: %+v, %v", shown.Available, err)
	}
}
