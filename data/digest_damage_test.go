package data_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestUnreadableDigestsAreReadFromSourceRows damages usage and activity
// digests (as a bug, or a newer version's format, would) and checks that the
// window is the same as with good digests, read from the source rows, that it
// names the days, and that marking them stale rebuilds them.
func TestUnreadableDigestsAreReadFromSourceRows(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(21, 22))
	var members []*domain.Member
	var consumers []*domain.APIConsumer
	for i := 0; i < 4; i++ {
		m := mustMember(t, db, fmt.Sprint("m", i))
		members = append(members, m)
		consumers = append(consumers, mustConsumer(t, db, fmt.Sprint("k", i), m.ID))
	}
	start := day(t, "2026-02-01")
	var usage []domain.UsageRollup
	var acts []domain.Activity
	for i := 0; i < 400; i++ {
		at := start.Add(time.Duration(rng.IntN(60*24)) * time.Hour)
		usage = append(usage, rollup(at, consumers[rng.IntN(4)].ID, 2+rng.IntN(4), int64(1+rng.IntN(50)), float64(1+rng.IntN(900))))
		m := members[rng.IntN(4)]
		kind := []string{domain.ActThreadOpened, domain.ActReply, domain.ActReply}[rng.IntN(3)]
		acts = append(acts, domain.Activity{Source: "github", ExternalID: fmt.Sprint(i), Kind: kind, At: at,
			Actor: fmt.Sprint("dev", rng.IntN(9)), MemberID: m.ID, Thread: fmt.Sprint("t", rng.IntN(40))})
	}
	if err := db.AddUsage(ctx, usage); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddActivities(ctx, acts); err != nil {
		t.Fatal(err)
	}
	refresh := func() {
		t.Helper()
		if _, err := db.RefreshUsageDays(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.RefreshActivityDays(ctx); err != nil {
			t.Fatal(err)
		}
	}
	refresh()
	scored := day(t, "2026-03-28")
	show := func(w *domain.Window) string {
		return fmt.Sprintf("%+v\n%+v\nconsumers=%d contributors=%d", w.Members, w.Pairs, w.ActiveConsumers, w.ActiveContributors)
	}
	good := scoringWindow(t, db, scored)
	if len(good.UnreadableDigests) != 0 {
		t.Fatalf("unreadable digests before any damage: %v", good.UnreadableDigests)
	}

	raw := datatest.Raw(t, db)
	damage := []struct {
		table, day string
		blob       []byte
	}{
		{"usage_day_digests", "2026-03-10", []byte{1, 0xff}},       // in the window: a count with no entries
		{"usage_day_digests", "2026-02-20", []byte{99, 1, 2, 3}},   // the window before: an unknown version
		{"activity_day_digests", "2026-03-20", []byte{1, 2, 1}},    // cut short in its string table
		{"activity_day_digests", "2026-02-25", []byte{7, 0, 0, 0}}, // the window before: unknown version
	}
	var want []string
	for _, d := range damage {
		res, err := raw.Exec(`UPDATE `+d.table+` SET digest = ? WHERE day = ?`, d.blob, day(t, d.day).Unix())
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("no %s digest for %s to damage", d.table, d.day)
		}
		want = append(want, d.day)
	}
	damaged := scoringWindow(t, db, scored)
	if got, want := show(damaged), show(good); got != want {
		t.Errorf("window with damaged digests:\n%s\nwant (good digests)\n%s", got, want)
	}
	var got []string
	for _, d := range damaged.UnreadableDigests {
		got = append(got, d.Format(domain.DateLayout))
	}
	if fmt.Sprint(got) != fmt.Sprint([]string{"2026-02-20", "2026-02-25", "2026-03-10", "2026-03-20"}) {
		t.Errorf("unreadable digests = %v, want the four damaged days %v in order", got, want)
	}

	for _, d := range damaged.UnreadableDigests {
		if err := db.InvalidateDay(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	refresh()
	rebuilt := scoringWindow(t, db, scored)
	if len(rebuilt.UnreadableDigests) != 0 {
		t.Errorf("digests still unreadable after the rebuild: %v", rebuilt.UnreadableDigests)
	}
	if got, want := show(rebuilt), show(good); got != want {
		t.Errorf("window after the rebuild:\n%s\nwant\n%s", got, want)
	}
}
