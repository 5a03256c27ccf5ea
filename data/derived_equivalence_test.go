package data_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/collectors/demo"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// TestDerivedEqualsSourceRows is the derived data's contract: on the demo
// ecosystem, the scoring window read from the day digests (ScoringWindow)
// equals the one read from the source rows only (the reference), and so do
// the scores computed from them, for several days; also with stale days
// mixed in (read from rows beside digests). A digest that decodes to other
// numbers makes the windows differ: the comparison can fail.
func TestDerivedEqualsSourceRows(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	end := day(t, "2026-03-31")
	if _, err := demo.Seed(ctx, db, demo.Options{Seed: 5, Members: 16, Days: 60, End: end}); err != nil {
		t.Fatal(err)
	}
	refreshDigests(t, db)
	days := []time.Time{end, end.AddDate(0, 0, -3), end.AddDate(0, 0, -9), end.AddDate(0, 0, -20)}
	assertDerivedEqualsSource(t, db, days)

	// Stale days inside the window and the one before: read from their
	// rows, the other days from digests, the same window.
	for _, d := range []time.Time{end.AddDate(0, 0, -2), end.AddDate(0, 0, -40)} {
		if err := db.InvalidateDay(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	assertDerivedEqualsSource(t, db, days[:2])
	refreshDigests(t, db)

	// Two days' usage digests swapped: each decodes, to the wrong day.
	raw := datatest.Raw(t, db)
	a, b := end.AddDate(0, 0, -1).Unix(), end.AddDate(0, 0, -30).Unix()
	for _, move := range [][2]int64{{a, -1}, {b, a}, {-1, b}} {
		if _, err := raw.Exec(`UPDATE usage_day_digests SET day = ? WHERE day = ?`, move[1], move[0]); err != nil {
			t.Fatal(err)
		}
	}
	derived, source := windows(t, db, end)
	if show(derived) == show(source) {
		t.Fatal("swapped digests gave the same window as the source rows: the comparison sees nothing")
	}
}

// TestDerivedEqualsSourceRowsOnGeneratedYear is TestDerivedEqualsSourceRows
// on a database from scripts/bench/gendata (-kind scale: a year of 1k
// members takes a minute and a half to generate, so it is not made here):
//
//	go run ./scripts/bench/gendata -kind scale -members 1000 -days 365 -end 2026-06-30 /tmp/scale-1000.db
//	ECOPULSE_EQUIVALENCE_DB=/tmp/scale-1000.db go test ./data -run OnGeneratedYear
//
// It works on a copy: the database given is left as it is.
func TestDerivedEqualsSourceRowsOnGeneratedYear(t *testing.T) {
	src := os.Getenv("ECOPULSE_EQUIVALENCE_DB")
	if src == "" {
		t.Skip("ECOPULSE_EQUIVALENCE_DB (a gendata database) not set")
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	copyFile(t, src, path)
	ctx := context.Background()
	db, err := data.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r, err := db.DataRange(ctx)
	if err != nil || !r.HasUsage() {
		t.Fatalf("no usage in %s: %v", src, err)
	}
	last := domain.Day(r.UsageLast)
	refreshDigests(t, db)
	assertDerivedEqualsSource(t, db, []time.Time{last, last.AddDate(0, 0, -1), last.AddDate(0, 0, -45), last.AddDate(0, 0, -200)})
}

func refreshDigests(tb testing.TB, db *data.DB) {
	tb.Helper()
	ctx := context.Background()
	if _, err := db.RefreshUsageDays(ctx); err != nil {
		tb.Fatal(err)
	}
	if _, err := db.RefreshActivityDays(ctx); err != nil {
		tb.Fatal(err)
	}
	if stale, err := db.StaleInputDays(ctx); err != nil || len(stale) != 0 {
		tb.Fatalf("stale days after the refresh: %v, %v", stale, err)
	}
}

// assertDerivedEqualsSource compares, for each day, the whole window and
// the whole scores computed from the digests and from the source rows.
func assertDerivedEqualsSource(tb testing.TB, db *data.DB, days []time.Time) {
	tb.Helper()
	cfg := metrics.DefaultConfig()
	for _, d := range days {
		derived, source := windows(tb, db, d)
		if len(derived.UnreadableDigests) != 0 {
			tb.Fatalf("%s: unreadable digests %v", d.Format(domain.DateLayout), derived.UnreadableDigests)
		}
		if len(source.Members) == 0 || len(source.Pairs) == 0 || source.ActiveConsumers == 0 || source.ActiveContributors == 0 {
			tb.Fatalf("%s: a window with nothing to compare: %d members, %d pairs, %d consumers, %d contributors",
				d.Format(domain.DateLayout), len(source.Members), len(source.Pairs), source.ActiveConsumers, source.ActiveContributors)
		}
		if got, want := show(derived), show(source); got != want {
			tb.Fatalf("%s: window from digests differs from the source rows':\n%s", d.Format(domain.DateLayout), firstDiff(got, want))
		}
		score := func(w *domain.Window) string {
			return fmt.Sprintf("%+v", metrics.Score(metrics.Input{Day: d, Members: w.Members, Pairs: w.Pairs}, cfg))
		}
		if got, want := score(derived), score(source); got != want {
			tb.Fatalf("%s: scores from digests differ from the source rows':\n%s", d.Format(domain.DateLayout), firstDiff(got, want))
		}
	}
}

func windows(tb testing.TB, db *data.DB, d time.Time) (derived, source *domain.Window) {
	tb.Helper()
	ctx := context.Background()
	span := metrics.DefaultConfig().WindowDays
	derived, err := db.ScoringWindow(ctx, d, span)
	if err != nil {
		tb.Fatal(err)
	}
	source, err = db.ScoringWindowFromSourceRows(ctx, d, span)
	if err != nil {
		tb.Fatal(err)
	}
	return derived, source
}

func show(w *domain.Window) string {
	return fmt.Sprintf("%+v\n%+v\nconsumers=%d contributors=%d", w.Members, w.Pairs, w.ActiveConsumers, w.ActiveContributors)
}

// firstDiff shows where two long strings part.
func firstDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, i-200)
	return fmt.Sprintf("digests: …%s…\nsource:  …%s…", got[from:min(len(got), i+200)], want[from:min(len(want), i+200)])
}

func copyFile(tb testing.TB, from, to string) {
	tb.Helper()
	in, err := os.Open(from)
	if err != nil {
		tb.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
}
