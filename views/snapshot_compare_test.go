package views

import (
	"context"
	"math"
	"testing"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// threeSnapshots stores twoSnapshots (2026-W24, 2026-W25) and 2026-W22,
// three weeks before the last: 2026-W23 has no snapshot.
func threeSnapshots(tb testing.TB, db *data.DB) {
	tb.Helper()
	twoSnapshots(tb, db)
	d, _ := domain.ParseDay("2026-05-31")
	w22 := []data.SnapshotMember{snapMember("alpha", 40, 0.1), snapMember("bravo", 90, 0.6), snapMember("foxtrot", 20, 0.02)}
	w22[0].Reason, w22[0].ReasonKind = "API calls −62% against the previous four weeks", "usage_drop"
	if err := db.CreateSnapshot(context.Background(), &data.Snapshot{Week: "2026-W22", Day: d, R: 0.72, Health: 50.5}, w22); err != nil {
		tb.Fatal(err)
	}
}

// frozen returns a week's rows as the store gives them, by slug.
func frozen(tb testing.TB, db *data.DB, week string) map[string]data.SnapshotMember {
	tb.Helper()
	rows, err := db.SnapshotMembers(context.Background(), week)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]data.SnapshotMember{}
	for _, m := range rows {
		out[m.Slug] = m
	}
	return out
}

// checkSide fails unless a side of a comparison is the member's stored row
// of that week, or nil when the week has none.
func checkSide(t *testing.T, week, slug string, side *CompareSide, rows map[string]data.SnapshotMember, r float64) {
	t.Helper()
	m, ok := rows[slug]
	if !ok {
		if side != nil {
			t.Errorf("%s in %s: %+v, want null (not in that week)", slug, week, side)
		}
		return
	}
	if side == nil {
		t.Fatalf("%s in %s: null, want its frozen row", slug, week)
	}
	if side.Health != m.Health || side.C != m.C || side.Phi != m.Phi || side.Status != m.Status || side.PhiShare != m.Phi/r {
		t.Errorf("%s in %s: %+v, want the stored %+v (share of R %v)", slug, week, side, m, r)
	}
}

func TestCompareAnyTwoWeeksEqualsTheirSnapshots(t *testing.T) {
	db := datatest.MustOpenDB(t)
	threeSnapshots(t, db)
	ctx := context.Background()
	c, err := BuildSnapshotCompare(ctx, db, metrics.DefaultConfig(), "2026-W22", "2026-W25")
	if err != nil {
		t.Fatal(err)
	}
	sa, err := db.SnapshotOf(ctx, "2026-W22")
	if err != nil {
		t.Fatal(err)
	}
	sb, err := db.SnapshotOf(ctx, "2026-W25")
	if err != nil {
		t.Fatal(err)
	}
	if c.A.Week != sa.Week || *c.A.R != sa.R || *c.A.Health != sa.Health || c.A.Members != sa.Members ||
		c.B.Week != sb.Week || *c.B.R != sb.R || *c.B.Health != sb.Health || c.B.Members != sb.Members {
		t.Fatalf("ecosystem a %+v b %+v, want the stored %+v and %+v", c.A, c.B, sa, sb)
	}
	if c.NotCompared != "" || c.RChange == nil || *c.RChange != sb.R-sa.R || *c.HealthChange != sb.Health-sa.Health ||
		c.MembersChange != sb.Members-sa.Members {
		t.Errorf("ecosystem changes R %v health %v members %d (%q), want b − a", c.RChange, c.HealthChange, c.MembersChange, c.NotCompared)
	}
	ra, rb := frozen(t, db, "2026-W22"), frozen(t, db, "2026-W25")
	seen := map[string]bool{}
	for _, m := range c.Members {
		seen[m.Slug] = true
		checkSide(t, "a", m.Slug, m.A, ra, sa.R)
		checkSide(t, "b", m.Slug, m.B, rb, sb.R)
		if m.A == nil || m.B == nil {
			if m.HealthChange != nil || m.PhiChange != nil || m.CChange != nil {
				t.Errorf("%s is in one week only, but has changes %v %v %v", m.Slug, m.HealthChange, m.PhiChange, m.CChange)
			}
			continue
		}
		if m.HealthChange == nil || *m.HealthChange != m.B.Health-m.A.Health || *m.PhiChange != m.B.Phi-m.A.Phi || *m.CChange != m.B.C-m.A.C {
			t.Errorf("%s: changes %v %v %v, want b − a", m.Slug, m.HealthChange, m.PhiChange, m.CChange)
		}
	}
	for slug := range ra {
		if !seen[slug] {
			t.Errorf("%s of week a is missing", slug)
		}
	}
	for slug := range rb {
		if !seen[slug] {
			t.Errorf("%s of week b is missing", slug)
		}
	}
	// Statuses are the frozen rows' own.
	var want StatusCounts
	for _, m := range rb {
		want.add(m.Status)
	}
	if c.B.Statuses != want {
		t.Errorf("statuses of b %+v, want %+v", c.B.Statuses, want)
	}
	if got := len(c.Weeks); got != 3 || c.Weeks[0] != "2026-W25" {
		t.Errorf("weeks offered %v, want the three snapshots newest first", c.Weeks)
	}
}

func TestCompareDefaultsAndErrors(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	if _, err := BuildSnapshotCompare(ctx, db, metrics.DefaultConfig(), "", ""); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("no snapshot: err %v, want ENOTFOUND", err)
	}
	threeSnapshots(t, db)
	c, err := BuildSnapshotCompare(ctx, db, metrics.DefaultConfig(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if c.A.Week != "2026-W24" || c.B.Week != "2026-W25" {
		t.Errorf("default weeks %s and %s, want the latest and the one before", c.A.Week, c.B.Week)
	}
	c, err = BuildSnapshotCompare(ctx, db, metrics.DefaultConfig(), "", "2026-W24")
	if err != nil || c.A.Week != "2026-W22" {
		t.Errorf("a before 2026-W24: %v, %v; want 2026-W22 (the snapshot before, W23 has none)", c, err)
	}
	for _, tc := range []struct {
		a, b string
		code string
	}{
		{"2026-W23", "2026-W25", domain.ENOTFOUND},
		{"2026-23", "2026-W25", domain.EINVALID},
		{"2026-W22", "2026-W54", domain.EINVALID},
	} {
		if _, err := BuildSnapshotCompare(ctx, db, metrics.DefaultConfig(), tc.a, tc.b); domain.ErrorCode(err) != tc.code {
			t.Errorf("compare %s with %s: err %v, want %s", tc.a, tc.b, err, tc.code)
		}
	}
}

func TestCompareExportRowsAreTheFrozenRows(t *testing.T) {
	db := datatest.MustOpenDB(t)
	threeSnapshots(t, db)
	c, err := BuildSnapshotCompare(context.Background(), db, metrics.DefaultConfig(), "2026-W22", "2026-W25")
	if err != nil {
		t.Fatal(err)
	}
	rows := CompareExportRows(c)
	byWeek := map[string]map[string]data.SnapshotMember{"2026-W22": frozen(t, db, "2026-W22"), "2026-W25": frozen(t, db, "2026-W25")}
	counted := map[string]int{}
	for _, r := range rows {
		if r.Scope == ScopeEcosystem {
			continue
		}
		counted[r.Week]++
		m, ok := byWeek[r.Week][r.Slug]
		if !ok {
			t.Errorf("row %s of %s: not in that snapshot", r.Slug, r.Week)
			continue
		}
		if r.Health != m.Health || r.T != m.T || r.C != m.C || r.K != m.K || r.Phi != m.Phi || r.Reason != m.Reason || r.ReasonKind != m.ReasonKind {
			t.Errorf("row %s of %s = %+v, want the frozen %+v", r.Slug, r.Week, r, m)
		}
		_, inA := byWeek["2026-W22"][r.Slug]
		switch {
		case r.Week == "2026-W25" && inA:
			if want := m.Health - byWeek["2026-W22"][r.Slug].Health; r.HealthChange != want || r.Against != "2026-W22" {
				t.Errorf("%s health change %v against %q, want %v against 2026-W22", r.Slug, r.HealthChange, r.Against, want)
			}
		case !math.IsNaN(r.HealthChange) || !math.IsNaN(r.PhiChange):
			t.Errorf("%s of %s: change %v %v, want none (missing)", r.Slug, r.Week, r.HealthChange, r.PhiChange)
		}
	}
	for w, ms := range byWeek {
		if counted[w] != len(ms) {
			t.Errorf("%s: %d member rows, want %d", w, counted[w], len(ms))
		}
	}
}
