package data_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestWindowCommunityMatchesSQLDefinitions scores random communities (threads
// opened before and inside the window, replies by members, outsiders and
// bots, people resolved and not) and checks every community count of the
// window against the counts' definitions written as plain SQL self-joins —
// the slow queries the one-pass measurement replaced.
func TestWindowCommunityMatchesSQLDefinitions(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			ctx := context.Background()
			db := datatest.MustOpenDB(t)
			rng := rand.New(rand.NewPCG(seed, 7))
			var members []*domain.Member
			for i := 0; i < 5; i++ {
				members = append(members, mustMember(t, db, fmt.Sprintf("m%d", i)))
			}
			var people []*domain.Person
			for i := 0; i < 3; i++ {
				p := &domain.Person{Name: fmt.Sprint("P", i)}
				if err := db.CreatePerson(ctx, p, domain.Identity{Source: "github", Login: fmt.Sprint("p", i)}); err != nil {
					t.Fatal(err)
				}
				people = append(people, p)
			}
			start := day(t, "2026-02-01")
			var acts []domain.Activity
			actor := func() (string, int64, int64, bool) {
				switch r := rng.IntN(10); {
				case r == 0:
					return "ci[bot]", 0, 0, true
				case r < 3:
					return fmt.Sprint("out", rng.IntN(4)), 0, 0, false // not affiliated
				case r < 5:
					p := people[rng.IntN(len(people))]
					return fmt.Sprint("p", p.ID), p.ID, members[int(p.ID)%len(members)].ID, false
				default:
					m := members[rng.IntN(len(members))]
					return fmt.Sprintf("dev%d-%d", m.ID, rng.IntN(3)), 0, m.ID, false
				}
			}
			add := func(kind string, at time.Time, thread string) {
				name, person, member, bot := actor()
				acts = append(acts, domain.Activity{Source: "github", ExternalID: fmt.Sprint(len(acts)), Kind: kind, At: at,
					Actor: name, PersonID: person, MemberID: member, Thread: thread, Bot: bot})
			}
			for th := 0; th < 60; th++ {
				opened := start.Add(time.Duration(rng.IntN(85*24)) * time.Hour)
				thread := fmt.Sprint("t", th)
				kind := domain.ActThreadOpened
				if th%2 == 0 {
					kind = domain.ActPROpened
				}
				add(kind, opened, thread)
				for r := rng.IntN(6); r > 0; r-- {
					kinds := []string{domain.ActReply, domain.ActReview, domain.ActPRMerged, "release"}
					add(kinds[rng.IntN(len(kinds))], opened.Add(time.Duration(1+rng.IntN(40*24))*time.Hour), thread)
				}
			}
			for i := 0; i < 20; i++ { // activity outside any thread
				add("release", start.Add(time.Duration(rng.IntN(85*24))*time.Hour), "")
			}
			if _, err := db.AddActivities(ctx, acts); err != nil {
				t.Fatal(err)
			}
			end := day(t, "2026-04-20")
			check := func(label string) {
				t.Helper()
				w, err := db.ScoringWindow(ctx, end, 28)
				if err != nil {
					t.Fatal(err)
				}
				want := communityBySQL(t, db, w.From, end.AddDate(0, 0, 1), 28)
				for _, m := range w.Members {
					ref := want.members[m.ID]
					got := [...]float64{float64(m.Contributions), float64(m.PrevContributions), float64(m.ActiveContributors),
						float64(m.Engaged), float64(m.Threads), float64(m.Responded), m.FirstResponseHours}
					names := [...]string{"contributions", "previous contributions", "active contributors", "engaged", "threads", "responded", "first response hours"}
					for i := range got {
						if math.Abs(got[i]-ref[i]) > 1e-9 {
							t.Errorf("%s: member %d %s = %v, want %v", label, m.ID, names[i], got[i], ref[i])
						}
					}
				}
				for _, m := range w.Members {
					ref := want.weekly[m.ID]
					if m.WeeklyContributions != ref.contributions || m.WeeklyContributors != ref.contributors {
						t.Errorf("%s: member %d weekly contributions %v contributors %v, want %v and %v", label, m.ID,
							m.WeeklyContributions, m.WeeklyContributors, ref.contributions, ref.contributors)
					}
					if got, want := fmt.Sprint(m.RecentThreads), fmt.Sprint(want.recent[m.ID]); got != want {
						t.Errorf("%s: member %d recent threads %s, want %s", label, m.ID, got, want)
					}
				}
				gotPairs := map[[2]int64]int{}
				for _, p := range w.Pairs {
					if p.SharedThreads > 0 {
						gotPairs[[2]int64{p.A, p.B}] = p.SharedThreads
					}
				}
				if got, want := fmt.Sprint(gotPairs), fmt.Sprint(want.pairs); got != want {
					t.Errorf("%s: shared threads = %s, want %s", label, got, want)
				}
				if len(want.pairs) == 0 {
					t.Errorf("%s: the random community shares no thread: the test checks nothing about pairs", label)
				}
				if got := w.ActiveContributors; got != want.weekContributors || got == 0 {
					t.Errorf("%s: ecosystem contributors in the last week = %d, want %d (and not 0)", label, got, want.weekContributors)
				}
			}
			check("every day stale, read from activities")
			refresh := func(want int) {
				t.Helper()
				n, err := db.RefreshActivityDays(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if n < want {
					t.Fatalf("refreshed %d activity days, want at least %d", n, want)
				}
			}
			refresh(20)
			check("every day from its digest")

			// Writes after the refresh, by paths that know nothing of digests:
			// new activities (one in a digested day, one opening an old
			// thread's conversation), a pseudonymised login, a deleted row.
			acts = acts[:0]
			add(domain.ActReply, end.Add(-5*24*time.Hour+time.Hour), "t3")
			add(domain.ActThreadOpened, end.Add(-40*24*time.Hour), "t-new")
			add(domain.ActReply, end.Add(-3*24*time.Hour), "t-new")
			for i := range acts {
				acts[i].ExternalID = fmt.Sprint("late", i)
				acts[i].Bot = false
			}
			if _, err := db.AddActivities(ctx, acts); err != nil {
				t.Fatal(err)
			}
			raw := datatest.Raw(t, db)
			// Digests that hold the login's bytes.
			holding := `SELECT COUNT(*) FROM activity_day_digests WHERE instr(digest, ?) > 0`
			if datatest.Postgres() {
				holding = `SELECT COUNT(*) FROM activity_day_digests WHERE position(? IN digest) > 0`
			}
			var login string
			if err := raw.QueryRow(`SELECT actor FROM activities WHERE actor LIKE 'dev%' AND bot = FALSE ORDER BY id LIMIT 1`).Scan(&login); err != nil {
				t.Fatal(err)
			}
			var held int
			if err := raw.QueryRow(holding, []byte(login)).Scan(&held); err != nil || held == 0 {
				t.Fatalf("no digest holds login %s before it is rewritten (%v): the check below would prove nothing", login, err)
			}
			for _, q := range []string{
				`UPDATE activities SET actor = 'pseudonym-1' WHERE actor = '` + login + `'`,
				fmt.Sprintf(`DELETE FROM activities WHERE id = (SELECT id FROM activities WHERE thread <> '' AND bot = FALSE AND member_id IS NOT NULL
					AND at >= %d AND at < %d ORDER BY at LIMIT 1)`, end.AddDate(0, 0, -20).Unix(), end.Unix()),
			} {
				if res, err := raw.Exec(q); err != nil {
					t.Fatal(err)
				} else if n, _ := res.RowsAffected(); n == 0 {
					t.Fatalf("%s changed nothing", q)
				}
			}
			check("changed days stale again")
			if err := raw.QueryRow(holding, []byte(login)).Scan(&held); err != nil {
				t.Fatal(err)
			}
			if held != 0 {
				t.Errorf("%d digests still hold login %s after it was rewritten", held, login)
			}
			refresh(3)
			check("changed days digested again")
		})
	}
}

type sqlCommunity struct {
	members          map[int64][7]float64
	pairs            map[[2]int64]int
	weekContributors int // the overview's count: distinct people active in the last 7 days
	weekly           map[int64]sqlWeeks
	recent           map[int64][]domain.ThreadWait
}

// sqlWeeks are a member's weekly counts: 7-day weeks back from the window's end.
type sqlWeeks struct {
	contributions, contributors [domain.MaxWeeks]int
}

// communityBySQL computes the community counts straight from their
// definitions, with self-joins on the activities table.
func communityBySQL(tb testing.TB, store *data.DB, from, to time.Time, windowDays int) sqlCommunity {
	tb.Helper()
	db := datatest.Raw(tb, store)
	f, e := from.Unix(), to.Unix()
	pf := from.AddDate(0, 0, -windowDays).Unix()
	out := sqlCommunity{members: map[int64][7]float64{}, pairs: map[[2]int64]int{}}
	set := func(i int, q string, args ...any) {
		tb.Helper()
		rows, err := db.Query(q, args...)
		if err != nil {
			tb.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var n float64
			if err := rows.Scan(&id, &n); err != nil {
				tb.Fatal(err)
			}
			v := out.members[id]
			v[i] = n
			out.members[id] = v
		}
	}
	const contributions = `SELECT member_id, COUNT(*) FROM activities WHERE at >= ? AND at < ? AND member_id IS NOT NULL AND bot = FALSE GROUP BY member_id`
	set(0, contributions, f, e)
	set(1, contributions, pf, f)
	set(2, `SELECT member_id, COUNT(DISTINCT COALESCE(CAST(person_id AS TEXT), source || ':' || actor)) FROM activities
		WHERE at >= ? AND at < ? AND member_id IS NOT NULL AND bot = FALSE GROUP BY member_id`, f, e)
	set(3, `SELECT o.member_id, COUNT(DISTINCT r.source || ':' || r.actor)
		FROM activities o JOIN activities r ON r.thread = o.thread AND r.actor <> o.actor
		WHERE o.kind IN ('thread_opened', 'pr_opened') AND o.member_id IS NOT NULL AND o.bot = FALSE AND o.thread <> '' AND o.at < ?
		  AND r.at >= ? AND r.at < ? AND r.bot = FALSE AND (r.member_id IS NULL OR r.member_id <> o.member_id)
		GROUP BY o.member_id`, e, f, e)
	rows, err := db.Query(`SELECT o.member_id, o.at, MIN(r.at)
		FROM activities o LEFT JOIN activities r ON r.thread = o.thread AND r.actor <> o.actor AND r.bot = FALSE
		     AND r.kind IN ('reply', 'review', 'pr_merged') AND r.at >= o.at AND r.at < ?
		WHERE o.kind IN ('thread_opened', 'pr_opened') AND o.member_id IS NOT NULL AND o.bot = FALSE AND o.thread <> ''
		  AND o.at >= ? AND o.at < ?
		GROUP BY o.id, o.member_id, o.at`, e, f, e)
	if err != nil {
		tb.Fatal(err)
	}
	waits := map[int64][]float64{}
	for rows.Next() {
		var id, opened int64
		var first sql.NullInt64
		if err := rows.Scan(&id, &opened, &first); err != nil {
			tb.Fatal(err)
		}
		v := out.members[id]
		v[4]++
		if first.Valid {
			v[5]++
			waits[id] = append(waits[id], float64(first.Int64-opened)/3600)
		}
		out.members[id] = v
	}
	rows.Close()
	for id, ws := range waits {
		sort.Float64s(ws)
		med := ws[len(ws)/2]
		if len(ws)%2 == 0 {
			med = (ws[len(ws)/2-1] + ws[len(ws)/2]) / 2
		}
		v := out.members[id]
		v[6] = med
		out.members[id] = v
	}
	rows, err = db.Query(`WITH tm AS (SELECT DISTINCT thread, member_id FROM activities
		WHERE at >= ? AND at < ? AND member_id IS NOT NULL AND bot = FALSE AND thread <> '')
		SELECT x.member_id, y.member_id, COUNT(*) FROM tm x JOIN tm y ON y.thread = x.thread AND x.member_id < y.member_id
		GROUP BY x.member_id, y.member_id`, f, e)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var a, b int64
		var n int
		if err := rows.Scan(&a, &b, &n); err != nil {
			tb.Fatal(err)
		}
		out.pairs[[2]int64{a, b}] = n
	}
	if err := db.QueryRow(`SELECT COUNT(DISTINCT COALESCE(CAST(person_id AS TEXT), source || ':' || actor)) FROM activities
		WHERE at >= ? AND at < ? AND bot = FALSE`, to.AddDate(0, 0, -7).Unix(), e).Scan(&out.weekContributors); err != nil {
		tb.Fatal(err)
	}

	// Weeks: contributions over both windows, distinct contributors in the window.
	out.weekly = map[int64]sqlWeeks{}
	weekRows := func(q string, args ...any) *sql.Rows {
		tb.Helper()
		rows, err := db.Query(q, args...)
		if err != nil {
			tb.Fatal(err)
		}
		return rows
	}
	rows = weekRows(`SELECT member_id, (CAST(? AS BIGINT) - 1 - at) / 604800 AS w, COUNT(*) FROM activities
		WHERE at >= ? AND at < ? AND member_id IS NOT NULL AND bot = FALSE GROUP BY member_id, w`, e, pf, e)
	for rows.Next() {
		var id int64
		var w, n int
		if err := rows.Scan(&id, &w, &n); err != nil {
			tb.Fatal(err)
		}
		if w < domain.MaxWeeks {
			v := out.weekly[id]
			v.contributions[w] = n
			out.weekly[id] = v
		}
	}
	rows.Close()
	rows = weekRows(`SELECT member_id, (CAST(? AS BIGINT) - 1 - at) / 604800 AS w, COUNT(DISTINCT COALESCE(CAST(person_id AS TEXT), source || ':' || actor))
		FROM activities WHERE at >= ? AND at < ? AND member_id IS NOT NULL AND bot = FALSE GROUP BY member_id, w`, e, f, e)
	for rows.Next() {
		var id int64
		var w, n int
		if err := rows.Scan(&id, &w, &n); err != nil {
			tb.Fatal(err)
		}
		v := out.weekly[id]
		v.contributors[w] = n
		out.weekly[id] = v
	}
	rows.Close()

	// Recent threads: opened in the last 14 days, oldest first, with the
	// wait for the first response before the end (-1: none).
	out.recent = map[int64][]domain.ThreadWait{}
	rows = weekRows(`SELECT o.member_id, o.at, MIN(r.at)
		FROM activities o LEFT JOIN activities r ON r.thread = o.thread AND r.actor <> o.actor AND r.bot = FALSE
		     AND r.kind IN ('reply', 'review', 'pr_merged') AND r.at >= o.at AND r.at < ?
		WHERE o.kind IN ('thread_opened', 'pr_opened') AND o.member_id IS NOT NULL AND o.bot = FALSE AND o.thread <> ''
		  AND o.at >= ? AND o.at >= ? AND o.at < ?
		GROUP BY o.id, o.member_id, o.at`, e, f, e-domain.RecentThreadDays*86400, e)
	for rows.Next() {
		var id, opened int64
		var first sql.NullInt64
		if err := rows.Scan(&id, &opened, &first); err != nil {
			tb.Fatal(err)
		}
		tw := domain.ThreadWait{AgeHours: float64(e-opened) / 3600, WaitHours: -1}
		if first.Valid {
			tw.WaitHours = float64(first.Int64-opened) / 3600
		}
		out.recent[id] = append(out.recent[id], tw)
	}
	rows.Close()
	for _, ts := range out.recent {
		sort.Slice(ts, func(i, j int) bool {
			if ts[i].AgeHours != ts[j].AgeHours {
				return ts[i].AgeHours > ts[j].AgeHours
			}
			return ts[i].WaitHours < ts[j].WaitHours
		})
	}
	return out
}
