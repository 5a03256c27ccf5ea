package views

import (
	"context"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

func TestSeriesEqualsTheSnapshotsAndLeavesGaps(t *testing.T) {
	db := datatest.MustOpenDB(t)
	threeSnapshots(t, db)
	ctx := context.Background()
	s, err := BuildSnapshotSeries(ctx, db, metrics.DefaultConfig(), 5)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2026-W21", "2026-W22", "2026-W23", "2026-W24", "2026-W25"}
	if len(s.Weeks) != len(want) {
		t.Fatalf("%d weeks, want %v", len(s.Weeks), want)
	}
	for i, w := range s.Weeks {
		if w.Week != want[i] {
			t.Errorf("week %d = %s, want %s", i, w.Week, want[i])
		}
		snap, err := db.SnapshotOf(ctx, w.Week)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			if w.Snapshot || w.R != nil || w.Health != nil || w.Members != nil {
				t.Errorf("%s has no snapshot, but %+v: want nulls (a gap, not 0)", w.Week, w)
			}
			for _, m := range s.Members {
				if m.Health[i] != nil || m.Phi[i] != nil {
					t.Errorf("%s in %s (no snapshot): %v %v, want null", m.Slug, w.Week, m.Health[i], m.Phi[i])
				}
			}
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		if !w.Snapshot || *w.R != snap.R || *w.Health != snap.Health || *w.Members != snap.Members {
			t.Errorf("%s = %+v, want the stored %+v", w.Week, w, snap)
		}
		rows := frozen(t, db, w.Week)
		for _, m := range s.Members {
			fm, ok := rows[m.Slug]
			switch {
			case !ok && (m.Health[i] != nil || m.Phi[i] != nil):
				t.Errorf("%s is not in %s, but has %v %v", m.Slug, w.Week, m.Health[i], m.Phi[i])
			case ok && (m.Health[i] == nil || *m.Health[i] != fm.Health || *m.Phi[i] != fm.Phi):
				t.Errorf("%s in %s: %v %v, want the stored %v %v", m.Slug, w.Week, m.Health[i], m.Phi[i], fm.Health, fm.Phi)
			}
			delete(rows, m.Slug)
		}
		if len(rows) > 0 {
			t.Errorf("%s: members %v missing from the series", w.Week, rows)
		}
	}
	// The export rows are the same numbers, one ecosystem row per week
	// with a snapshot.
	eco := 0
	for _, r := range SeriesExportRows(s) {
		if r.Scope == ScopeEcosystem {
			eco++
			continue
		}
		if fm := frozen(t, db, r.Week)[r.Slug]; r.Health != fm.Health || r.Phi != fm.Phi {
			t.Errorf("export row %s %s: %v %v, want %v %v", r.Week, r.Slug, r.Health, r.Phi, fm.Health, fm.Phi)
		}
	}
	if eco != 3 {
		t.Errorf("%d ecosystem rows, want one per snapshot (3)", eco)
	}
}

func TestSeriesWeeksParameter(t *testing.T) {
	for in, want := range map[string]int{"": DefaultSeriesWeeks, "1": 1, " 52 ": 52, "520": 520} {
		if got, err := ParseSeriesWeeks(in); err != nil || got != want {
			t.Errorf("weeks=%q: %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"0", "-3", "521", "ten", "1.5"} {
		if _, err := ParseSeriesWeeks(in); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("weeks=%q: err %v, want EINVALID", in, err)
		}
	}
	db := datatest.MustOpenDB(t)
	if _, err := BuildSnapshotSeries(context.Background(), db, metrics.DefaultConfig(), 4); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("no snapshot: err %v, want ENOTFOUND", err)
	}
}

// TestCompareAndSeriesAreOneRead: each builder asks its questions in one
// read transaction (one state of the database), however many weeks.
func TestCompareAndSeriesAreOneRead(t *testing.T) {
	db := datatest.MustOpenDB(t)
	threeSnapshots(t, db)
	ctx := context.Background()
	for name, build := range map[string]func() error{
		"compare": func() error {
			_, err := BuildSnapshotCompare(ctx, db, metrics.DefaultConfig(), "2026-W22", "2026-W25")
			return err
		},
		"series": func() error { _, err := BuildSnapshotSeries(ctx, db, metrics.DefaultConfig(), 6); return err },
	} {
		before := db.Reads()
		if err := build(); err != nil {
			t.Fatal(err)
		}
		if got := db.Reads() - before; got != 1 {
			t.Errorf("%s: %d reads, want 1", name, got)
		}
	}
}
