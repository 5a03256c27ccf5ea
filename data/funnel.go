package data

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// The developer funnel's question (docs/developers.md): which API consumers
// were first seen in a range, on which days of their first eight weeks they
// made a successful (2xx or 3xx) call, and on which days their member had
// a contribution. It reads api_usage_daily, the day rollup every ingest
// path writes in the same transaction as the hour rollup: it is never
// stale, unlike the scoring window's digests.

// funnelFollowSeconds is how long after its first call a consumer is
// followed: eight weeks (metrics.FunnelWeeks).
const funnelFollowSeconds = 8 * 7 * 86400

// FunnelConsumer is one consumer first seen in the range.
type FunnelConsumer struct {
	ID         int64
	Key        string
	Name       string
	Member     string // the member's slug; "" when unmapped
	MemberName string
	Segment    string
	First      time.Time   // the day of its first call ever
	Success    []time.Time // its days with a 2xx or 3xx call in its first eight weeks, ascending
}

// FunnelUsage answers the developer funnel of a range.
type FunnelUsage struct {
	// FirstDay and LastDay bound the stored usage (zero: none): a consumer
	// first seen on FirstDay may have called before collection began, and
	// no week after LastDay is observed.
	FirstDay  time.Time
	LastDay   time.Time
	Consumers []FunnelConsumer // by first day, then key
	// Contributions are, per member slug of a consumer, the days of the
	// range and the eight weeks after it with a contribution (bots aside)
	// attributed to the member, ascending.
	Contributions map[string][]time.Time
}

// funnelFresh is the consumers whose first call falls in [?, ?): each
// consumer's first day with a call is one seek on api_usage_daily_consumer
// (consumer_id, bucket), however long the range and the history. Grouping
// the range's rows instead read every row of the range (seconds for 10k
// consumers over a quarter). Its two arguments are from and end.
const funnelFresh = `WITH fresh AS MATERIALIZED (
	SELECT g.id, g.first_day FROM (
		SELECT c.id, (SELECT MIN(u.bucket) FROM api_usage_daily u WHERE u.consumer_id = c.id AND u.calls > 0) AS first_day
		FROM api_consumers c) g
	WHERE g.first_day >= ? AND g.first_day < ?)
`

// FunnelUsage reads the funnel of the consumers first seen in [from, end)
// in one read transaction.
func (db *DB) FunnelUsage(ctx context.Context, from, end time.Time) (*FunnelUsage, error) {
	out := &FunnelUsage{Consumers: []FunnelConsumer{}, Contributions: map[string][]time.Time{}}
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		return funnelUsage(ctx, tx, domain.Day(from).Unix(), domain.Day(end).Unix(), out)
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the developer funnel from %s to %s: %w", dateStr(from), dateStr(end), err)
	}
	return out, nil
}

func funnelUsage(ctx context.Context, tx *sql.Tx, from, end int64, out *FunnelUsage) error {
	var first, last sql.NullInt64
	// Two subqueries: each is one seek at an end of the primary key, where
	// MIN and MAX of one SELECT scan the whole table.
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT MIN(bucket) FROM api_usage_daily), (SELECT MAX(bucket) FROM api_usage_daily)`).Scan(&first, &last); err != nil {
		return err
	}
	out.FirstDay, out.LastDay = unixDay(first), unixDay(last)
	if !first.Valid {
		return nil
	}
	byID, err := funnelConsumers(ctx, tx, from, end, out)
	if err != nil || len(byID) == 0 {
		return err
	}
	if err := funnelSuccessDays(ctx, tx, from, end, byID); err != nil {
		return err
	}
	return funnelContributions(ctx, tx, from, end, out)
}

// funnelConsumers reads the fresh consumers with their members.
func funnelConsumers(ctx context.Context, tx *sql.Tx, from, end int64, out *FunnelUsage) (map[int64]*FunnelConsumer, error) {
	rows, err := tx.QueryContext(ctx, funnelFresh+`SELECT c.id, c.key, c.name, COALESCE(m.slug, ''), COALESCE(m.name, ''), COALESCE(m.segment, ''), f.first_day
		FROM fresh f JOIN api_consumers c ON c.id = f.id LEFT JOIN members m ON m.id = c.member_id
		ORDER BY f.first_day, c.key`, from, end)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c FunnelConsumer
		var day int64
		if err := rows.Scan(&c.ID, &c.Key, &c.Name, &c.Member, &c.MemberName, &c.Segment, &day); err != nil {
			return nil, err
		}
		c.First = time.Unix(day, 0).UTC()
		out.Consumers = append(out.Consumers, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	byID := make(map[int64]*FunnelConsumer, len(out.Consumers))
	for i := range out.Consumers {
		byID[out.Consumers[i].ID] = &out.Consumers[i]
	}
	return byID, nil
}

// funnelSuccessDays reads each fresh consumer's days with a successful
// call in its first eight weeks: one row per (consumer, day).
func funnelSuccessDays(ctx context.Context, tx *sql.Tx, from, end int64, byID map[int64]*FunnelConsumer) error {
	rows, err := tx.QueryContext(ctx, funnelFresh+`SELECT d.consumer_id, d.bucket FROM fresh f
		JOIN api_usage_daily d ON d.consumer_id = f.id AND d.bucket >= f.first_day AND d.bucket < f.first_day + ?
		WHERE d.calls > 0 AND d.status_class IN (2, 3)
		GROUP BY d.consumer_id, d.bucket ORDER BY d.consumer_id, d.bucket`, from, end, funnelFollowSeconds)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, day int64
		if err := rows.Scan(&id, &day); err != nil {
			return err
		}
		if c := byID[id]; c != nil {
			c.Success = append(c.Success, time.Unix(day, 0).UTC())
		}
	}
	return rows.Err()
}

// funnelContributions reads the days with a contribution of the fresh
// consumers' members, from the range's first day to eight weeks after its
// last.
func funnelContributions(ctx context.Context, tx *sql.Tx, from, end int64, out *FunnelUsage) error {
	rows, err := tx.QueryContext(ctx, funnelFresh+`SELECT m.slug, a.at - a.at % 86400 FROM activities a JOIN members m ON m.id = a.member_id
		WHERE a.bot = FALSE AND a.at >= ? AND a.at < ?
		AND a.member_id IN (SELECT c.member_id FROM fresh f JOIN api_consumers c ON c.id = f.id WHERE c.member_id IS NOT NULL)
		GROUP BY 1, 2 ORDER BY 1, 2`, from, end, from, end+funnelFollowSeconds)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var slug string
		var day int64
		if err := rows.Scan(&slug, &day); err != nil {
			return err
		}
		out.Contributions[slug] = append(out.Contributions[slug], time.Unix(day, 0).UTC())
	}
	return rows.Err()
}
