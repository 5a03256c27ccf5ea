package data

import (
	"context"
	"database/sql"
	"strings"
)

// actorKey names one person in distinct counts: the resolved person when
// identity matching found one, otherwise the login on its source.
type actorKey struct {
	person int64
	login  string // source + ":" + actor when person is 0
}

// windowActivity is one non-bot activity of the window, as read from the
// covering index activities_at.
type windowActivity struct {
	member int64 // 0: not affiliated
	person int64 // 0: not resolved
	source string
	actor  string
	kind   string
	thread string
	at     int64
}

func (a *windowActivity) key() actorKey {
	if a.person != 0 {
		return actorKey{person: a.person}
	}
	return actorKey{login: a.source + ":" + a.actor}
}

func isOpening(kind string) bool { return kind == "thread_opened" || kind == "pr_opened" }
func isResponse(kind string) bool {
	return kind == "reply" || kind == "review" || kind == "pr_merged"
}

// opener is who opened a thread.
type opener struct {
	member int64
	actor  string
	at     int64
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
//   - Engaged: distinct people from outside the member who took part in the
//     window in threads the member's people opened (at any time before the
//     window's end). A thread opened in the window has that opening as its
//     opener; one opened earlier, its openings before the window.
func windowCommunity(ctx context.Context, tx *sql.Tx, byID map[int64]*MemberWindow, cur, prev span) (map[[2]int64]int, error) {
	from, to := cur.from.Unix(), cur.to.Unix()
	if err := prevContributions(ctx, tx, byID, prev); err != nil {
		return nil, err
	}
	acts, err := readWindowActivities(ctx, tx, from, to)
	if err != nil {
		return nil, err
	}

	people := map[int64]map[actorKey]struct{}{}
	threadMembers := map[string][]int64{} // distinct members per thread, in order of appearance
	openers := map[string][]opener{}      // openings in the window, per thread
	for i := range acts {
		a := &acts[i]
		if a.member != 0 {
			if m := byID[a.member]; m != nil {
				m.Contributions++
				set := people[a.member]
				if set == nil {
					set = map[actorKey]struct{}{}
					people[a.member] = set
				}
				set[a.key()] = struct{}{}
			}
		}
		if a.thread == "" {
			continue
		}
		if a.member != 0 {
			ms := threadMembers[a.thread]
			if !containsID(ms, a.member) {
				threadMembers[a.thread] = append(ms, a.member)
			}
		} else if _, ok := threadMembers[a.thread]; !ok {
			threadMembers[a.thread] = nil // the thread was active: its opener may be older
		}
		if a.member != 0 && isOpening(a.kind) {
			openers[a.thread] = append(openers[a.thread], opener{member: a.member, actor: a.actor, at: a.at})
		}
	}
	for id, set := range people {
		if m := byID[id]; m != nil {
			m.ActiveContributors = len(set)
		}
	}

	// Threads active in the window but opened before it.
	var older []string
	for thread := range threadMembers {
		if _, ok := openers[thread]; !ok {
			older = append(older, thread)
		}
	}
	if err := olderOpeners(ctx, tx, older, from, openers); err != nil {
		return nil, err
	}

	// Activities per thread, in time order (acts is sorted by at).
	byThread := map[string][]*windowActivity{}
	for i := range acts {
		if t := acts[i].thread; t != "" {
			if _, ok := openers[t]; ok {
				byThread[t] = append(byThread[t], &acts[i])
			}
		}
	}
	engaged := map[int64]map[string]struct{}{}
	waits := map[int64][]float64{}
	for thread, os := range openers {
		rs := byThread[thread]
		for _, o := range os {
			m := byID[o.member]
			if m == nil {
				continue
			}
			for _, r := range rs {
				if r.actor == o.actor || r.member == o.member {
					continue
				}
				set := engaged[o.member]
				if set == nil {
					set = map[string]struct{}{}
					engaged[o.member] = set
				}
				set[r.source+":"+r.actor] = struct{}{}
			}
			if o.at < from {
				continue
			}
			m.Threads++
			for _, r := range rs {
				if r.at >= o.at && r.actor != o.actor && isResponse(r.kind) {
					m.Responded++
					waits[o.member] = append(waits[o.member], float64(r.at-o.at)/3600)
					break
				}
			}
		}
	}
	for id, set := range engaged {
		byID[id].Engaged = len(set)
	}
	for id, ws := range waits {
		byID[id].FirstResponseHours = median(ws)
	}

	shared := map[[2]int64]int{}
	for _, ms := range threadMembers {
		for i, a := range ms {
			for _, b := range ms[i+1:] {
				k := [2]int64{min(a, b), max(a, b)}
				shared[k]++
			}
		}
	}
	return shared, nil
}

// prevContributions counts the members' activities in the previous window.
func prevContributions(ctx context.Context, tx *sql.Tx, byID map[int64]*MemberWindow, prev span) error {
	count := func(member int64) {
		if m := byID[member]; m != nil {
			m.PrevContributions++
		}
	}
	return walkActivityDays(ctx, tx, prev.from.Unix(), prev.to.Unix(),
		func(digest []byte) error { return countDigestMembers(digest, count) },
		func(from, to int64) error {
			return scanInts(ctx, tx, `SELECT COALESCE(member_id, 0) FROM activities WHERE at >= ? AND at < ? AND bot = 0`, count, from, to)
		})
}

// olderOpeners adds the openings before from of the given threads, looked up
// through the (thread, at, …) covering index in chunks.
func olderOpeners(ctx context.Context, tx *sql.Tx, threads []string, from int64, openers map[string][]opener) error {
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
			  AND bot = 0 AND member_id IS NOT NULL`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var thread string
			var o opener
			if err := rows.Scan(&thread, &o.member, &o.actor, &o.at); err != nil {
				rows.Close()
				return err
			}
			openers[thread] = append(openers[thread], o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
