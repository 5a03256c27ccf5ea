package data_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// funnelPlan is a generated consumer: the days it calls and the status of
// each day's calls (its first failing days before any success).
type funnelPlan struct {
	key    string
	member string
	days   map[time.Time]int // day → status
}

// TestFunnelUsageReadsWhatWasCommitted commits generated consumers through
// CommitUsage (the collectors' and push ingest's path) — some first seen
// before the range, some after, some failing first, some never succeeding
// — and checks that FunnelUsage names exactly the consumers first seen in
// the range, with their first days, their successful days of their first
// eight weeks and their members' contribution days.
func TestFunnelUsageReadsWhatWasCommitted(t *testing.T) {
	db := datatest.MustOpenDB(t)
	ctx := context.Background()
	from, to := day(t, "2026-03-02"), day(t, "2026-03-29")
	acme := mustMember(t, db, "acme")
	mustMember(t, db, "beta")
	r := rand.New(rand.NewPCG(17, 4))
	var plans []funnelPlan
	for i := 0; i < 40; i++ {
		p := funnelPlan{key: fmt.Sprintf("k-%02d", i), days: map[time.Time]int{}}
		first := from.AddDate(0, 0, r.IntN(44)-8) // 8 days before the range to 8 after
		failing := r.IntN(4)                      // days of 4xx/5xx before the first success
		never := r.IntN(6) == 0
		for d := 0; d < 90; d++ {
			if d > 0 && r.IntN(3) != 0 {
				continue
			}
			status := 200 + 100*r.IntN(2)
			if d < failing || never {
				status = 401 + 100*r.IntN(2)
			}
			p.days[first.AddDate(0, 0, d)] = status
		}
		switch i % 3 {
		case 0:
			p.member = "acme"
		case 1:
			p.member = "beta"
		}
		plans = append(plans, p)
	}
	b := domain.NewUsageBatch("gw")
	for _, p := range plans {
		for d, status := range p.days {
			b.Add(domain.UsageRecord{Time: d.Add(13 * time.Hour), Consumer: p.key, Endpoint: "/v1/chat", Status: status, Bytes: 10, LatencyMS: -1}, "")
		}
	}
	if err := db.CommitUsage(ctx, b); err != nil {
		t.Fatal(err)
	}
	for _, p := range plans {
		if p.member != "" {
			if err := db.MapConsumer(ctx, p.key, p.member); err != nil {
				t.Fatal(err)
			}
		}
	}
	// ann works for acme: her contributions count for acme's consumers; a
	// bot's never do.
	ann := &domain.Person{Name: "Ann"}
	if err := db.CreatePerson(ctx, ann, domain.Identity{Source: "github", Login: "ann"}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddAffiliation(ctx, &domain.Affiliation{PersonID: ann.ID, MemberID: acme.ID, From: day(t, "2026-01-01")}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddActivities(ctx, []domain.Activity{
		{Source: "github", ExternalID: "1", Kind: domain.ActPROpened, At: at(t, "2026-03-10 09:00"), Actor: "ann", Thread: "p1"},
		{Source: "github", ExternalID: "2", Kind: domain.ActReply, At: at(t, "2026-03-10 19:00"), Actor: "ann", Thread: "p1"},
		{Source: "github", ExternalID: "3", Kind: domain.ActReply, At: at(t, "2026-04-20 09:00"), Actor: "ann", Thread: "p1"},
		{Source: "github", ExternalID: "4", Kind: domain.ActReply, At: at(t, "2026-03-11 09:00"), Actor: "ann", Thread: "p1", Bot: true}, // flagged a bot: not a contribution,
	}); err != nil {
		t.Fatal(err)
	}

	got, err := db.FunnelUsage(ctx, from, to.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	type fact struct {
		first   time.Time
		success []time.Time
		member  string
	}
	want := map[string]fact{}
	var firstDay, lastDay time.Time
	for _, p := range plans {
		days := make([]time.Time, 0, len(p.days))
		for d := range p.days {
			days = append(days, d)
		}
		slices.SortFunc(days, func(a, b time.Time) int { return a.Compare(b) })
		if firstDay.IsZero() || days[0].Before(firstDay) {
			firstDay = days[0]
		}
		if days[len(days)-1].After(lastDay) {
			lastDay = days[len(days)-1]
		}
		if days[0].Before(from) || days[0].After(to) {
			continue
		}
		f := fact{first: days[0], member: p.member}
		for _, d := range days {
			if s := p.days[d]; s < 400 && d.Before(days[0].AddDate(0, 0, 56)) {
				f.success = append(f.success, d)
			}
		}
		want[p.key] = f
	}
	if !got.FirstDay.Equal(firstDay) || !got.LastDay.Equal(lastDay) {
		t.Errorf("usage from %s to %s, want %s to %s", got.FirstDay, got.LastDay, firstDay, lastDay)
	}
	if len(got.Consumers) != len(want) {
		t.Errorf("%d new consumers, want %d", len(got.Consumers), len(want))
	}
	for _, c := range got.Consumers {
		w, ok := want[c.Key]
		if !ok {
			t.Errorf("%s is not new in the range (first call %s)", c.Key, c.First)
			continue
		}
		if !c.First.Equal(w.first) || c.Member != w.member || !slices.EqualFunc(c.Success, w.success, time.Time.Equal) {
			t.Errorf("%s: first %s member %q success %v; want %s %q %v", c.Key, c.First, c.Member, c.Success, w.first, w.member, w.success)
		}
		if c.Member == "acme" && c.Segment != "NLP" {
			t.Errorf("%s: segment %q", c.Key, c.Segment)
		}
	}
	if cs := got.Contributions["acme"]; !slices.EqualFunc(cs, []time.Time{day(t, "2026-03-10"), day(t, "2026-04-20")}, time.Time.Equal) {
		t.Errorf("acme's contribution days %v", cs)
	}
	if cs, ok := got.Contributions["beta"]; ok {
		t.Errorf("beta contributed on %v, nobody works for it", cs)
	}
}

// TestFunnelUsageEmpty: no usage at all is an empty answer, not an error.
func TestFunnelUsageEmpty(t *testing.T) {
	db := datatest.MustOpenDB(t)
	got, err := db.FunnelUsage(context.Background(), day(t, "2026-03-02"), day(t, "2026-03-30"))
	if err != nil || len(got.Consumers) != 0 || !got.LastDay.IsZero() {
		t.Fatalf("%+v, %v", got, err)
	}
}
