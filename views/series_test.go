package views

import (
	"context"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// plantDataDays stores one community activity on every day of [from, to]
// but the days in skip: days with collected input, and days without.
func plantDataDays(tb testing.TB, db *data.DB, from, to string, skip ...string) {
	tb.Helper()
	first, err := domain.ParseDay(from)
	if err != nil {
		tb.Fatal(err)
	}
	last, err := domain.ParseDay(to)
	if err != nil {
		tb.Fatal(err)
	}
	skipped := map[string]bool{}
	for _, s := range skip {
		skipped[s] = true
	}
	var acts []domain.Activity
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		key := d.Format(domain.DateLayout)
		if skipped[key] {
			continue
		}
		acts = append(acts, domain.Activity{Source: "github", ExternalID: "planted-" + key, Kind: "comment",
			At: d.Add(12 * time.Hour), Actor: "someone", Thread: "t-" + key})
	}
	if _, err := db.AddActivities(context.Background(), acts); err != nil {
		tb.Fatal(err)
	}
}
