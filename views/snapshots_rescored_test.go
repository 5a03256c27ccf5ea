package views

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// TestSnapshotSaysWhenItsDayWasRescored: a snapshot is never rewritten, but
// when its day is scored again to other numbers (a late import, a remap)
// the snapshot says so, with the numbers as they are now.
func TestSnapshotSaysWhenItsDayWasRescored(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	twoSnapshots(t, db) // 2026-W25 froze R 1.0, health 60.25 for 2026-06-21
	day, _ := domain.ParseDay("2026-06-21")
	save := func(r, health float64) {
		t.Helper()
		if err := db.SaveDayScores(ctx, &domain.DayScores{Ecosystem: domain.EcosystemScore{Day: day, R: r, Health: health}}); err != nil {
			t.Fatal(err)
		}
	}
	save(1.0, 60.25) // scored again to the same numbers: nothing to say
	d, err := BuildSnapshot(ctx, db, metrics.DefaultConfig(), "2026-W25")
	if err != nil {
		t.Fatal(err)
	}
	if d.Rescored != nil {
		t.Fatalf("same numbers: rescored = %+v", d.Rescored)
	}
	save(1.25, 58)
	d, err = BuildSnapshot(ctx, db, metrics.DefaultConfig(), "2026-W25")
	if err != nil {
		t.Fatal(err)
	}
	if d.Rescored == nil || d.Rescored.R != 1.25 || d.Rescored.Health != 58 {
		t.Fatalf("rescored = %+v; want R 1.25, health 58", d.Rescored)
	}
	if d.Ecosystem.R != 1.0 {
		t.Fatalf("the snapshot's own R changed to %v", d.Ecosystem.R)
	}
	var buf bytes.Buffer
	if err := newTestRenderer(t).SnapshotPage(&buf, *d); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "Rescored since the snapshot") {
		t.Fatal("the page does not say the day was rescored")
	}
}
