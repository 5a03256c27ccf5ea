package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// Developer cohorts for the developer funnel (/developers): trial keys
// that arrive in weekly waves over the last half year of the history. Most
// waves are small and organic and stay; every fourth is a hackathon, big
// and gone within weeks. Newcomers of the first half fail (401) for a few
// days before their first successful call; after the quick-start guide
// (the middle of the waves) most succeed on their first day. Some never
// get a key to work.
//
// The keys are mapped to no member: a member's distinct consumers weigh in
// its influence (metrics, Influence.Consumers), so trial keys mapped to
// members would move every score of the demo. The funnel's member and
// segment split shows on the production keys of the members that join
// during the history.

const (
	streamDevelopers = 0x3c6ef372fe94f82b
	// devKeyPrefix starts every trial key: "dev_2026-05-04_03".
	devKeyPrefix = "dev_"
	devMaxWaves  = 26
)

// devKey is a trial key and its story.
type devKey struct {
	key, name string
	arrive    time.Time
	failDays  int     // days of 401s before the first success
	never     bool    // never gets a key to work
	keep      float64 // chance to come back each following week
}

// developerKeys plans the waves: one per week from up to devMaxWaves weeks
// before the end of the history, none in its first week.
func (p *plan) developerKeys(r *rand.Rand) []devKey {
	last := p.endDay.AddDate(0, 0, -((int(p.endDay.Weekday()) + 6) % 7)) // the last Monday
	first := last.AddDate(0, 0, -7*(devMaxWaves-1))
	for first.Before(p.start.AddDate(0, 0, 7)) {
		first = first.AddDate(0, 0, 7)
	}
	var out []devKey
	for w, monday := 0, first; !monday.After(last); w, monday = w+1, monday.AddDate(0, 0, 7) {
		hackathon := w%4 == 3
		size, keep, fail := 3+r.IntN(4), 0.85, 4.0
		if hackathon {
			size, keep = 10+r.IntN(5), 0.45
		}
		if monday.After(first.AddDate(0, 0, 7*(devMaxWaves/2))) {
			fail = 0.6 // after the quick-start guide
		}
		for n := 0; n < size; n++ {
			k := devKey{key: fmt.Sprintf("%s%s_%02d", devKeyPrefix, monday.Format(domain.DateLayout), n),
				arrive: monday.AddDate(0, 0, r.IntN(7)), failDays: int(poisson(r, fail)), never: chance(r, 0.1), keep: keep}
			k.name = fmt.Sprintf("Trial key %d of %s", n+1, domain.ISOWeek(monday))
			out = append(out, k)
		}
	}
	return out
}

// seedDevelopers stores the trial keys and their traffic, counted in sum.
func (p *plan) seedDevelopers(ctx context.Context, db *data.DB, sum *Summary) error {
	r := newRand(p.opt.Seed, streamDevelopers)
	var rows []domain.UsageRollup
	for _, k := range p.developerKeys(r) {
		ac := &domain.APIConsumer{Key: k.key, Name: k.name}
		if err := db.UpsertConsumer(ctx, ac); err != nil {
			return err
		}
		sum.Consumers++
		rows = p.devTraffic(r, k, ac.ID, endpoints[epChat].path, rows)
	}
	for i := 0; i < len(rows); i += rowsPerAddUsage {
		if err := db.AddUsage(ctx, rows[i:min(i+rowsPerAddUsage, len(rows))]); err != nil {
			return err
		}
	}
	sum.UsageRows += len(rows)
	for _, ru := range rows {
		sum.Calls += ru.Calls
	}
	return nil
}

// devTraffic appends a key's days of calls: its failing days, then two
// to four days a week for as long as it stays.
func (p *plan) devTraffic(r *rand.Rand, k devKey, id int64, ep string, rows []domain.UsageRollup) []domain.UsageRollup {
	add := func(d time.Time, class int, n int64) {
		if n == 0 || !d.Before(p.end) {
			return
		}
		ru := domain.UsageRollup{Bucket: d.Add(time.Duration(9+r.IntN(9)) * time.Hour), ConsumerID: id, Endpoint: ep, StatusClass: class, Calls: n, Bytes: n * 900}
		ru.LatencySumMS = fillLatency(&ru.Latency, r, n, 400, 0.4, 0.02)
		rows = append(rows, ru)
	}
	for d := 0; d < k.failDays || (k.never && d < 3); d++ {
		add(k.arrive.AddDate(0, 0, d), 4, 2+poisson(r, 4))
	}
	if k.never {
		return rows
	}
	start := k.arrive.AddDate(0, 0, k.failDays)
	for week := 0; ; week++ {
		if week > 0 && !chance(r, k.keep) {
			return rows
		}
		days := []int{0}
		if week > 0 {
			days = r.Perm(7)[:2+r.IntN(3)]
		}
		for _, d := range days {
			day := start.AddDate(0, 0, 7*week+d)
			if !day.Before(p.end) {
				return rows
			}
			add(day, 2, 3+poisson(r, 12))
			add(day, 4, poisson(r, 0.5))
		}
	}
}
