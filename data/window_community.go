package data

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// windowActivity is one non-bot activity of the window. Its strings are
// ids of the window's interner.
type windowActivity struct {
	at     int64
	member int64 // 0: not affiliated
	person int64 // 0: not resolved
	source int32
	actor  int32
	kind   int32
	thread int32 // 0: none
}

// actorKey names one person in distinct counts: the resolved person when
// identity matching found one, otherwise the login on its source.
type actorKey struct {
	person        int64
	source, actor int32 // when person is 0
}

func (a *windowActivity) key() actorKey {
	if a.person != 0 {
		return actorKey{person: a.person}
	}
	return actorKey{source: a.source, actor: a.actor}
}

// opener is who opened a thread.
type opener struct {
	member int64
	actor  int32
	at     int64
}

// threadState is what the window saw of one thread.
type threadState struct {
	active  bool
	members []int64 // distinct members, in order of appearance
	openers []opener
	opened  bool    // openers are known (in the window, or looked up before it)
	acts    []int32 // its activities, in time order, when it has openers
}

// windowCommunity measures community activity in one pass over the window's
// activities (read from a covering index: no table lookups) and counts the
// threads members' people shared, which windowPairs turns into pair
// records. Only the threads opened before the window whose conversation
// went on inside it need a second, indexed lookup of their opener.
//
// Definitions (bots never count):
//   - Contributions: the member's people's activities in the window (and in
//     the window before, for growth); ActiveContributors: distinct people.
//   - Threads, Responded, FirstResponseHours: threads the member's people
//     opened in the window; the first reply, review or merge by another
//     actor before the window's end; the median wait in hours.
//   - ActiveContributors of the ecosystem (returned): distinct people, with
//     a member or not, with activity since weekFrom.
//   - Engaged: distinct people from outside the member who took part in the
//     window in threads the member's people opened (at any time before the
//     window's end). A thread opened in the window has that opening as its
//     opener; one opened earlier, its openings before the window.
func windowCommunity(ctx context.Context, tx *sql.Tx, byID map[int64]*domain.MemberWindow, from int64, weekFrom time.Time, in *interner, reads *communityReads) (shared map[[2]int64]int, activeContributors int, err error) {
	for id, n := range reads.prevCounts {
		if m := byID[id]; m != nil {
			m.PrevContributions = n
		}
	}
	for id, wk := range reads.prevWeekly {
		if m := byID[id]; m != nil {
			for w, n := range wk {
				m.WeeklyContributions[w] += n
			}
		}
	}
	threads := make([]threadState, len(in.strs))
	activeContributors = countContributions(byID, reads.acts, weekFrom.Unix(), reads.end, threads, in)

	// Threads active in the window but opened before it.
	var older []string
	for id := range threads {
		if th := &threads[id]; th.active && !th.opened {
			older = append(older, in.strs[id])
		}
	}
	err = olderOpeners(ctx, tx, older, from, func(thread string, o opener) {
		th := &threads[in.id(thread)]
		th.openers = append(th.openers, o)
		th.opened = true
	}, in)
	if err != nil {
		return nil, 0, err
	}
	measureThreads(byID, reads.acts, threads, from, reads.end, in)
	return sharedThreads(threads), activeContributors, nil
}

// countContributions counts each member's contributions and contributors
// (in the window and by week) in one pass over the window's activities,
// noting in threads who took part in each thread and who opened it. It
// returns how many distinct people were active since week.
func countContributions(byID map[int64]*domain.MemberWindow, acts []windowActivity, week, end int64, threads []threadState, in *interner) int {
	weekPeople := map[actorKey]struct{}{}
	type memberWeekPerson struct {
		member int64
		week   int
		who    actorKey
	}
	weekly := map[memberWeekPerson]struct{}{}
	type memberPerson struct {
		member int64
		who    actorKey
	}
	people := map[memberPerson]struct{}{}
	for i := range acts {
		a := &acts[i]
		if a.at >= week {
			weekPeople[a.key()] = struct{}{}
		}
		if m := byID[a.member]; m != nil {
			m.Contributions++
			if w := weeksAgo(end, a.at); w >= 0 && w < domain.MaxWeeks {
				m.WeeklyContributions[w]++
				if k := (memberWeekPerson{a.member, w, a.key()}); !has(weekly, k) {
					weekly[k] = struct{}{}
					m.WeeklyContributors[w]++
				}
			}
			if k := (memberPerson{a.member, a.key()}); !has(people, k) {
				people[k] = struct{}{}
				m.ActiveContributors++
			}
		}
		if a.thread == 0 {
			continue
		}
		th := &threads[a.thread]
		th.active = true // its opener may be older than the window
		if a.member != 0 {
			if !containsID(th.members, a.member) {
				th.members = append(th.members, a.member)
			}
			if in.flags[a.kind]&kindOpening != 0 {
				th.openers = append(th.openers, opener{member: a.member, actor: a.actor, at: a.at})
				th.opened = true
			}
		}
	}
	return len(weekPeople)
}

// measureThreads sets each member's Engaged, Threads, Responded,
// FirstResponseHours and RecentThreads from the threads its people opened.
func measureThreads(byID map[int64]*domain.MemberWindow, acts []windowActivity, threads []threadState, from, end int64, in *interner) {
	// Activities per thread with openers, in time order (acts is).
	for i := range acts {
		if t := acts[i].thread; t != 0 && threads[t].opened {
			threads[t].acts = append(threads[t].acts, int32(i))
		}
	}
	type memberLogin struct {
		member        int64
		source, actor int32
	}
	engaged := map[memberLogin]struct{}{}
	waits := map[int64][]float64{}
	for id := range threads {
		th := &threads[id]
		for _, o := range th.openers {
			m := byID[o.member]
			if m == nil {
				continue
			}
			for _, ri := range th.acts {
				r := &acts[ri]
				if r.actor == o.actor || r.member == o.member {
					continue
				}
				if k := (memberLogin{o.member, r.source, r.actor}); !has(engaged, k) {
					engaged[k] = struct{}{}
					m.Engaged++
				}
			}
			if o.at < from {
				continue
			}
			m.Threads++
			wait := firstResponse(acts, th.acts, o, in)
			if wait >= 0 {
				m.Responded++
				waits[o.member] = append(waits[o.member], wait)
			}
			if o.at >= end-domain.RecentThreadDays*86400 {
				m.RecentThreads = append(m.RecentThreads, domain.ThreadWait{AgeHours: float64(end-o.at) / 3600, WaitHours: wait})
			}
		}
	}
	for id, ws := range waits {
		byID[id].FirstResponseHours = domain.Median(ws)
	}
	for _, m := range byID { // oldest first, whatever order the threads were visited in
		slices.SortFunc(m.RecentThreads, func(a, b domain.ThreadWait) int {
			if c := cmp.Compare(b.AgeHours, a.AgeHours); c != 0 {
				return c
			}
			return cmp.Compare(a.WaitHours, b.WaitHours)
		})
	}
}

// firstResponse returns the hours from an opening to the first reply,
// review or merge by another actor among a thread's activities (thread,
// indexes into acts in time order), or -1 when there was none.
func firstResponse(acts []windowActivity, thread []int32, o opener, in *interner) float64 {
	for _, ri := range thread {
		r := &acts[ri]
		if r.at >= o.at && r.actor != o.actor && in.flags[r.kind]&kindResponse != 0 {
			return float64(r.at-o.at) / 3600
		}
	}
	return -1
}

// sharedThreads counts, per pair of members, the threads both took part in.
func sharedThreads(threads []threadState) map[[2]int64]int {
	shared := map[[2]int64]int{}
	for id := range threads {
		ms := threads[id].members
		for i, a := range ms {
			for _, b := range ms[i+1:] {
				k := [2]int64{min(a, b), max(a, b)}
				shared[k]++
			}
		}
	}
	return shared
}

// olderOpeners hands fn the openings before from of the given threads,
// looked up through the (thread, at, …) covering index in chunks.
func olderOpeners(ctx context.Context, tx *sql.Tx, threads []string, from int64, fn func(thread string, o opener), in *interner) error {
	const chunk = 400
	for len(threads) > 0 {
		n := min(chunk, len(threads))
		part := threads[:n]
		threads = threads[n:]
		args := make([]any, 0, n+1)
		for _, t := range part {
			args = append(args, t)
		}
		args = append(args, from)
		rows, err := tx.QueryContext(ctx, `SELECT thread, member_id, actor, at FROM activities
			WHERE thread IN (?`+strings.Repeat(", ?", n-1)+`) AND at < ? AND kind IN ('thread_opened', 'pr_opened')
			  AND bot = FALSE AND member_id IS NOT NULL`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var thread, actor string
			var o opener
			if err := rows.Scan(&thread, &o.member, &actor, &o.at); err != nil {
				rows.Close()
				return err
			}
			o.actor = in.id(actor)
			fn(thread, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func has[K comparable](set map[K]struct{}, k K) bool {
	_, ok := set[k]
	return ok
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
