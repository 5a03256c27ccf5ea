package data

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// CommunityWeek is a member's community activity over one week (7 days
// from Start), bots excluded. People are counted as in scoring: by person
// when the actor is known, else by source and login.
type CommunityWeek struct {
	Start              time.Time
	Contributions      int // threads, replies, pull requests, reviews, releases…
	ActiveContributors int // distinct people who contributed
	NewContributors    int // of those, people whose first contribution for the member ever was this week
	Threads            int // threads the member's people opened this week
	Responded          int // of those, threads that got a first response from someone else (before the range ends)
	FirstResponseHours float64
	// FirstResponseHours is the median time to that first response, in
	// hours; NaN when no thread of the week got one.
}

const memberWeekSeconds = 7 * 24 * 3600

// MemberCommunityWeeks returns the member's community activity in weeks of
// seven days from from (a Monday, for calendar weeks) until to (exclusive),
// oldest first; the last week may be partial.
func (db *DB) MemberCommunityWeeks(ctx context.Context, memberID int64, from, to time.Time) ([]CommunityWeek, error) {
	weeks, err := communityWeeks(from, to)
	if err != nil {
		return nil, err
	}
	err = db.readTx(ctx, func(tx *sql.Tx) error { return countCommunityWeeks(ctx, tx, memberID, weeks, to) })
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the community activity of member %d: %w", memberID, err)
	}
	return weeks, nil
}

// communityWeeks returns the empty weeks of seven days from from until to
// (exclusive), or EINVALID for a range that is empty or over ten years.
func communityWeeks(from, to time.Time) ([]CommunityWeek, error) {
	from, to = domain.Day(from), domain.Day(to)
	if !to.After(from) {
		return nil, domain.Errorf(domain.EINVALID, "the community range ends (%s) before it starts (%s)", dateStr(to), dateStr(from))
	}
	n := int((to.Unix() - from.Unix() + memberWeekSeconds - 1) / memberWeekSeconds)
	if n > 520 {
		return nil, domain.Errorf(domain.EINVALID, "at most ten years of community activity at once")
	}
	weeks := make([]CommunityWeek, n)
	for i := range weeks {
		weeks[i].Start = from.AddDate(0, 0, 7*i)
		weeks[i].FirstResponseHours = math.NaN()
	}
	return weeks, nil
}

// The member page's three questions of its member's activities. Each is
// answered from the covering index activities_member (migration 0028)
// without a lookup into the table: TestMemberCommunityQueriesUseTheIndex.
const (
	contributorKey = `COALESCE(CAST(person_id AS TEXT), source || ':' || actor)`
	// memberWeeksSQL: contributions and contributors per week.
	memberWeeksSQL = `SELECT (at - ?) / ?, COUNT(*), COUNT(DISTINCT ` + contributorKey + `) FROM activities
		WHERE member_id = ? AND bot = FALSE AND at >= ? AND at < ? GROUP BY 1`
	// memberFirstContributionsSQL: each contributor's first contribution.
	memberFirstContributionsSQL = `SELECT MIN(at) FROM activities
		WHERE member_id = ? AND bot = FALSE AND at < ? GROUP BY ` + contributorKey
	// memberThreadsSQL: threads opened by the member's people and their
	// first response by someone else, as the scoring window measures them.
	memberThreadsSQL = `SELECT o.at, MIN(r.at)
		FROM activities o LEFT JOIN activities r ON r.thread = o.thread AND r.actor <> o.actor AND r.bot = FALSE
		     AND r.kind IN ('reply', 'review', 'pr_merged') AND r.at >= o.at AND r.at < ?
		WHERE o.member_id = ? AND o.kind IN ('thread_opened', 'pr_opened') AND o.bot = FALSE AND o.thread <> ''
		  AND o.at >= ? AND o.at < ?
		GROUP BY o.id, o.at`
)

// countCommunityWeeks fills the weeks communityWeeks made (until to) with
// the member's activity, in the read transaction tx.
func countCommunityWeeks(ctx context.Context, tx *sql.Tx, memberID int64, weeks []CommunityWeek, to time.Time) error {
	n := len(weeks)
	f, t := weeks[0].Start.Unix(), domain.Day(to).Unix()
	rows, err := tx.QueryContext(ctx, memberWeeksSQL, f, memberWeekSeconds, memberID, f, t)
	if err != nil {
		return err
	}
	for rows.Next() {
		var w int64
		var c, a int
		if err := rows.Scan(&w, &c, &a); err != nil {
			rows.Close()
			return err
		}
		if w >= 0 && w < int64(n) {
			weeks[w].Contributions, weeks[w].ActiveContributors = c, a
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// A person is new in the week of their first contribution for the member.
	rows, err = tx.QueryContext(ctx, memberFirstContributionsSQL, memberID, t)
	if err != nil {
		return err
	}
	for rows.Next() {
		var first int64
		if err := rows.Scan(&first); err != nil {
			rows.Close()
			return err
		}
		if first >= f {
			weeks[(first-f)/memberWeekSeconds].NewContributors++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// Threads opened by the member's people and their first response by
	// someone else, as the scoring window measures them.
	rows, err = tx.QueryContext(ctx, memberThreadsSQL, t, memberID, f, t)
	if err != nil {
		return err
	}
	defer rows.Close()
	waits := make([][]float64, n)
	for rows.Next() {
		var opened int64
		var first sql.NullInt64
		if err := rows.Scan(&opened, &first); err != nil {
			return err
		}
		w := (opened - f) / memberWeekSeconds
		weeks[w].Threads++
		if first.Valid {
			weeks[w].Responded++
			waits[w] = append(waits[w], float64(first.Int64-opened)/3600)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i, ws := range waits {
		if len(ws) > 0 {
			weeks[i].FirstResponseHours = domain.Median(ws)
		}
	}
	return nil
}
