package data

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// ecoWeekSeconds is the length of a week.
const ecoWeekSeconds = 7 * 24 * 3600

// EcosystemCommunityWeek is the whole community's activity in one week,
// bots excluded. People are counted as in scoring: by person when the actor
// is known, else by source and login.
type EcosystemCommunityWeek struct {
	Start              time.Time // the week's Monday (the range may start later)
	Contributions      int       // every activity: threads, replies, pull requests, reviews, releases…
	ActiveContributors int       // distinct people with an activity
	NewContributors    int       // of those, people whose first activity ever was this week
	PROpened           int       // pull requests opened (pr_opened)
	PRMerged           int       // pull requests merged (pr_merged)
	Threads            int       // threads and pull requests opened (thread_opened, pr_opened)
	Responded          int       // of those, the ones someone else answered before the range ends
	ResponseHours      []float64 // hours to each of those first responses, ascending
}

// EcosystemCommunity is the community's activity over a range of days.
type EcosystemCommunity struct {
	From, To           time.Time // the range: [From, To)
	Weeks              []EcosystemCommunityWeek
	Contributions      int
	ActiveContributors int // distinct people over the whole range
	NewContributors    int
	// PerPerson is each active person's number of contributions over the
	// range, largest first.
	PerPerson []int
}

// EcosystemCommunity measures the community over the days [from, to) in
// ISO calendar weeks (Monday to Sunday) from the week holding from; the
// first and last week may be partial: only activity inside the range
// counts. A thread's first response is the earliest reply, review or merge
// by another (non-bot) actor before the range ends.
func (db *DB) EcosystemCommunity(ctx context.Context, from, to time.Time) (*EcosystemCommunity, error) {
	from, to = domain.Day(from), domain.Day(to)
	if err := checkEcosystemRange(from, to); err != nil {
		return nil, err
	}
	monday := from.AddDate(0, 0, -((int(from.Weekday()) + 6) % 7))
	n := int((to.Unix() - monday.Unix() + ecoWeekSeconds - 1) / ecoWeekSeconds)
	c := &EcosystemCommunity{From: from, To: to, Weeks: make([]EcosystemCommunityWeek, n), PerPerson: []int{}}
	for i := range c.Weeks {
		c.Weeks[i].Start = monday.AddDate(0, 0, 7*i)
		c.Weeks[i].ResponseHours = []float64{}
	}
	m, f, t := monday.Unix(), from.Unix(), to.Unix()
	week := func(at int64) int { return int((at - m) / ecoWeekSeconds) }
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		const who = `COALESCE(CAST(person_id AS TEXT), source || ':' || actor)`
		rows, err := tx.QueryContext(ctx, `SELECT (at - ?) / ?, COUNT(*), COUNT(DISTINCT `+who+`),
			SUM(CASE WHEN kind = 'pr_opened' THEN 1 ELSE 0 END), SUM(CASE WHEN kind = 'pr_merged' THEN 1 ELSE 0 END)
			FROM activities WHERE bot = FALSE AND at >= ? AND at < ? GROUP BY 1`, m, ecoWeekSeconds, f, t)
		if err != nil {
			return err
		}
		for rows.Next() {
			var w int64
			var contrib, active, opened, merged int
			if err := rows.Scan(&w, &contrib, &active, &opened, &merged); err != nil {
				rows.Close()
				return err
			}
			if w >= 0 && w < int64(n) {
				wk := &c.Weeks[w]
				wk.Contributions, wk.ActiveContributors, wk.PROpened, wk.PRMerged = contrib, active, opened, merged
				c.Contributions += contrib
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// Each person's first activity ever, and their contributions in range.
		rows, err = tx.QueryContext(ctx, `SELECT MIN(at), SUM(CASE WHEN at >= ? THEN 1 ELSE 0 END) FROM activities
			WHERE bot = FALSE AND at < ? GROUP BY `+who, f, t)
		if err != nil {
			return err
		}
		for rows.Next() {
			var first int64
			var inRange int
			if err := rows.Scan(&first, &inRange); err != nil {
				rows.Close()
				return err
			}
			if inRange > 0 {
				c.ActiveContributors++
				c.PerPerson = append(c.PerPerson, inRange)
			}
			if first >= f {
				c.Weeks[week(first)].NewContributors++
				c.NewContributors++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT o.at, MIN(r.at)
			FROM activities o LEFT JOIN activities r ON r.thread = o.thread AND r.actor <> o.actor AND r.bot = FALSE
			     AND r.kind IN ('reply', 'review', 'pr_merged') AND r.at >= o.at AND r.at < ?
			WHERE o.kind IN ('thread_opened', 'pr_opened') AND o.bot = FALSE AND o.thread <> ''
			  AND o.at >= ? AND o.at < ?
			GROUP BY o.id, o.at`, t, f, t)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var opened int64
			var first sql.NullInt64
			if err := rows.Scan(&opened, &first); err != nil {
				return err
			}
			wk := &c.Weeks[week(opened)]
			wk.Threads++
			if first.Valid {
				wk.Responded++
				wk.ResponseHours = append(wk.ResponseHours, float64(first.Int64-opened)/3600)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to measure the community: %w", err)
	}
	for i := range c.Weeks {
		sort.Float64s(c.Weeks[i].ResponseHours)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(c.PerPerson)))
	return c, nil
}
