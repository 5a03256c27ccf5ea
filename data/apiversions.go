package data

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// The calls the API version reports classify (docs/api-versions.md). They
// are read from the daily rollups per (day, member, endpoint) and
// classified when read, not when ingested: the classification then follows
// every change of the declarations over all history, with nothing to
// rebuild (the docs say what that costs).

// EndpointCalls sums the calls per day, member and endpoint over the days
// [from, to), from the daily rollups. member "" reads every consumer, the
// unmapped ones with Member ""; a slug reads that member's consumers only.
// Rows come by day, member, endpoint.
func (db *DB) EndpointCalls(ctx context.Context, member string, from, to time.Time) ([]domain.EndpointCalls, error) {
	var out []domain.EndpointCalls
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = endpointCalls(ctx, tx, member, domain.Day(from).Unix(), domain.Day(to).Unix())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the calls per endpoint: %w", err)
	}
	return out, nil
}

type endpointCallsKey struct {
	bucket   int64
	member   string
	endpoint string
}

// endpointCalls sums in Go, saturating (SQLite's SUM fails on overflow);
// the status classes of a (day, consumer, endpoint) are few rows.
func endpointCalls(ctx context.Context, tx *sql.Tx, member string, from, to int64) ([]domain.EndpointCalls, error) {
	q := `SELECT u.bucket, COALESCE(m.slug, ''), u.endpoint, u.calls
		FROM api_usage_daily u JOIN api_consumers c ON c.id = u.consumer_id LEFT JOIN members m ON m.id = c.member_id
		WHERE u.bucket >= ? AND u.bucket < ?`
	args := []any{from, to}
	if member != "" {
		q += ` AND c.member_id = (SELECT id FROM members WHERE slug = ?)`
		args = append(args, member)
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sums := map[endpointCallsKey]int64{}
	for rows.Next() {
		var k endpointCallsKey
		var calls int64
		if err := rows.Scan(&k.bucket, &k.member, &k.endpoint, &calls); err != nil {
			return nil, err
		}
		sums[k] = domain.AddSat(sums[k], calls)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]domain.EndpointCalls, 0, len(sums))
	for k, calls := range sums {
		out = append(out, domain.EndpointCalls{Day: time.Unix(k.bucket, 0).UTC(), Member: k.member, Endpoint: k.endpoint, Calls: calls})
	}
	slices.SortFunc(out, func(a, b domain.EndpointCalls) int {
		return cmp.Or(a.Day.Compare(b.Day), strings.Compare(a.Member, b.Member), strings.Compare(a.Endpoint, b.Endpoint))
	})
	return out, nil
}
