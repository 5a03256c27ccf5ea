package data

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// UpsertConsumer returns the consumer with c.Key, creating it when new, and
// sets c.ID. An existing consumer's member mapping is updated only when c
// names a member.
func (db *DB) UpsertConsumer(ctx context.Context, c *domain.APIConsumer) error {
	if err := c.Validate(); err != nil {
		return err
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error { return upsertConsumer(ctx, tx, c) })
	if err != nil {
		return fmt.Errorf("store: unable to save API consumer %q: %w", c.Key, err)
	}
	return nil
}

func upsertConsumer(ctx context.Context, tx *sql.Tx, c *domain.APIConsumer) error {
	return upsertConsumerBy(ctx, tx, nil, c, 0, time.Now().Unix())
}

// upsertConsumerBy is upsertConsumer recording who creates a new consumer
// (an ingest token's id, 0 for none) and when. A key not found is created
// with ON CONFLICT DO NOTHING, not a plain INSERT: another writer (a second
// gateway's push, another process) may create the same key between the
// look-up and the insert, and then this one waits for it and takes its row
// instead of failing on the unique key. A usage write (st not nil) looks
// the key up with its prepared statement.
func upsertConsumerBy(ctx context.Context, tx *sql.Tx, st *usageWrite, c *domain.APIConsumer, token, now int64) error {
	find := func() error {
		if st != nil {
			return st.queryRow(ctx, tx, usageStmtKey{lookup: consumerByKey}, []any{c.Key}, &c.ID)
		}
		return tx.QueryRowContext(ctx, `SELECT id FROM api_consumers WHERE key = ?`, c.Key).Scan(&c.ID)
	}
	err := find()
	if errors.Is(err, sql.ErrNoRows) {
		c.ID, err = insertRow(ctx, tx, `INSERT INTO api_consumers (key, name, member_id, created_by_token, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (key) DO NOTHING`, c.Key, c.Name, nullInt(c.MemberID), nullInt(token), now)
		if !errors.Is(err, sql.ErrNoRows) {
			return err // created (or failed)
		}
		// Created by another writer meanwhile: update it as found.
		err = find()
	}
	if err != nil || c.MemberID == 0 {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE api_consumers SET member_id = ?, name = CASE WHEN ? = '' THEN name ELSE ? END WHERE id = ?`,
		c.MemberID, c.Name, c.Name, c.ID)
	return err
}

// Consumers returns every API consumer ordered by key.
func (db *DB) Consumers(ctx context.Context) ([]domain.APIConsumer, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, key, name, COALESCE(member_id, 0) FROM api_consumers ORDER BY key`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list API consumers: %w", err)
	}
	defer rows.Close()
	var out []domain.APIConsumer
	for rows.Next() {
		var c domain.APIConsumer
		if err := rows.Scan(&c.ID, &c.Key, &c.Name, &c.MemberID); err != nil {
			return nil, fmt.Errorf("store: unable to list API consumers: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AddUsage adds hourly rollups to the hourly and daily usage tables in one
// transaction. Rollups with the same key are merged first.
func (db *DB) AddUsage(ctx context.Context, rollups []domain.UsageRollup) error {
	for i := range rollups {
		if err := rollups[i].Validate(); err != nil {
			return err
		}
		if err := domain.CheckRollupBounds(&rollups[i]); err != nil {
			return err
		}
	}
	err := db.usageTx(ctx, func(tx *sql.Tx, st *usageWrite) error { return addUsage(ctx, tx, st, rollups) })
	if err != nil {
		return fmt.Errorf("store: unable to add API usage: %w", err)
	}
	return nil
}

type usageKey struct {
	bucket   int64
	consumer int64
	endpoint string
	class    int
}

// usageRows are rollup rows keyed for one table.
type usageRows map[usageKey]*domain.Rollup

func (m usageRows) add(k usageKey, calls, bytes int64, latencySum float64, h *domain.Histogram) {
	acc := m[k]
	if acc == nil {
		acc = &domain.Rollup{}
		m[k] = acc
	}
	acc.Merge(calls, bytes, latencySum, h)
}

// addUsage merges rollups by hour (endpoints summed) and by day and upserts
// both tables.
func addUsage(ctx context.Context, tx *sql.Tx, st *usageWrite, rollups []domain.UsageRollup) error {
	hourly, daily := usageRows{}, usageRows{}
	for i := range rollups {
		r := &rollups[i]
		h := r.Bucket.UTC().Truncate(time.Hour).Unix()
		hourly.add(usageKey{h, r.ConsumerID, allEndpoints, r.StatusClass}, r.Calls, r.Bytes, r.LatencySumMS, &r.Latency)
		daily.add(usageKey{dayOf(h), r.ConsumerID, r.Endpoint, r.StatusClass}, r.Calls, r.Bytes, r.LatencySumMS, &r.Latency)
	}
	return upsertHourlyAndDaily(ctx, tx, st, hourly, daily)
}

// allEndpoints is the endpoint of the hourly rows: api_usage_hourly holds
// an hour's traffic per consumer and status class, its endpoints summed,
// and api_usage_daily keeps the endpoint. Every reader of the hourly rows
// sums them per hour and status class (usage_hour_totals, the API usage
// page's hour-of-week heatmap), and a row per endpoint and hour was most of
// what an import of a sparse log wrote: nearly a row per line. Rows stored
// by builds before this one carry their endpoint and are summed with these;
// a validated endpoint is never empty, so neither is mistaken for the other.
const allEndpoints = ""

// dayOf is the start of the UTC day of a Unix time (domain.Day's).
func dayOf(t int64) int64 {
	return t - ((t%86400)+86400)%86400
}

func upsertHourlyAndDaily(ctx context.Context, tx *sql.Tx, st *usageWrite, hourly, daily usageRows) error {
	if err := upsertUsage(ctx, tx, st, "api_usage_hourly", hourly); err != nil {
		return err
	}
	if err := upsertUsage(ctx, tx, st, "api_usage_daily", daily); err != nil {
		return err
	}
	days := map[int64]struct{}{}
	for k := range daily {
		days[k.bucket] = struct{}{}
	}
	return usageDays.markStale(ctx, tx, days)
}

var histColumns = func() []string {
	cols := make([]string, domain.HistBuckets)
	for k := range cols {
		cols[k] = fmt.Sprintf("h%02d", k)
	}
	return cols
}()

// usageRow is one merged rollup row of a table.
type usageRow struct {
	k usageKey
	r *domain.Rollup
}

// compareUsageKeys orders rows as the tables' primary key does.
func compareUsageKeys(a, b usageKey) int {
	if c := cmp.Compare(a.bucket, b.bucket); c != 0 {
		return c
	}
	if c := cmp.Compare(a.consumer, b.consumer); c != 0 {
		return c
	}
	if c := strings.Compare(a.endpoint, b.endpoint); c != 0 {
		return c
	}
	return cmp.Compare(a.class, b.class)
}

// upsertUsage writes merged rollups, many rows per statement: the schema's
// fixed columns keep it plain SQL that PostgreSQL also accepts. Rows without
// latency data (access logs without a request-time field) skip the 40
// histogram columns, which then keep their default 0: a third of the work.
func upsertUsage(ctx context.Context, tx *sql.Tx, st *usageWrite, table string, rows usageRows) error {
	sorted := make([]usageRow, 0, len(rows))
	for k, r := range rows {
		sorted = append(sorted, usageRow{k, r})
	}
	// One order of keys for every transaction, whichever statements carry
	// them: two writers upserting the same rows then lock them in the same
	// order and one waits for the other, where opposite orders deadlock.
	// It is also the tables' key order: each row lands next to the one
	// before it in the B-tree, on a page the writer has at hand.
	slices.SortFunc(sorted, func(a, b usageRow) int { return compareUsageKeys(a.k, b.k) })
	return upsertSortedUsage(ctx, tx, st, table, sorted)
}

// upsertSortedUsage writes rows already in key order. The daily rows are
// noted first (usageWrite.note): what they change decides which versions
// the write advances.
func upsertSortedUsage(ctx context.Context, tx *sql.Tx, st *usageWrite, table string, rows []usageRow) error {
	if table == "api_usage_daily" {
		if err := st.note(ctx, tx, rows); err != nil {
			return err
		}
	}
	for start := 0; start < len(rows); {
		hist := rows[start].r.Hist != nil
		end := start + 1
		for end < len(rows) && (rows[end].r.Hist != nil) == hist {
			end++
		}
		if err := upsertUsageRows(ctx, tx, st, table, rows[start:end], hist); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// upsertUsageRows upserts rows, in their order, all with latency
// histograms (hist) or all without.
func upsertUsageRows(ctx context.Context, tx *sql.Tx, st *usageWrite, table string, rows []usageRow, hist bool) error {
	argsp := usageArgs.Get().(*[]any)
	defer usageArgs.Put(argsp)
	sizes := usageStmtSizes(hist)
	for start := 0; start < len(rows); {
		n := 1
		for _, size := range sizes {
			if size <= len(rows)-start {
				n = size
				break
			}
		}
		stmt, err := st.txStmt(ctx, tx, usageStmtKey{table: table, rows: n, hist: hist})
		if err != nil {
			return err
		}
		args := (*argsp)[:0]
		for i := range rows[start : start+n] {
			k, r := &rows[start+i].k, rows[start+i].r
			args = append(args, k.bucket, k.consumer, k.endpoint, k.class, r.Calls, r.Bytes, r.LatencySum)
			if hist {
				for _, c := range r.Hist {
					args = append(args, c)
				}
			}
		}
		*argsp = args
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return err
		}
		start += n
	}
	return nil
}

// usageArgs recycles the argument slices of upserts (up to 4,700 values).
var usageArgs = sync.Pool{New: func() any {
	s := make([]any, 0, usageMaxArgs)
	return &s
}}

func usageUpsertSQL(table string, rows int, hist bool) string {
	var b strings.Builder
	cols := "bucket, consumer_id, endpoint, status_class, calls, bytes, latency_ms_sum"
	n := 7
	if hist {
		cols += ", " + strings.Join(histColumns, ", ")
		n += domain.HistBuckets
	}
	b.WriteString("INSERT INTO " + table + " (" + cols + ") VALUES ")
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	// Counts saturate at the int64 maximum: SQLite turns an overflowing
	// integer + into a REAL, which no reader could scan back as a count,
	// and PostgreSQL fails the statement ("bigint out of range"). The sum
	// is taken only when it fits; an added count is never negative
	// (validated), so the maximum less it cannot overflow either.
	sat := func(c string) string {
		old, add := table+"."+c, "excluded."+c
		return c + " = CASE WHEN " + old + " > " + maxInt64SQL + " - " + add + " THEN " + maxInt64SQL + " ELSE " + old + " + " + add + " END"
	}
	b.WriteString(" ON CONFLICT (bucket, consumer_id, endpoint, status_class) DO UPDATE SET " + sat("calls") + ", " + sat("bytes") +
		", latency_ms_sum = " + table + ".latency_ms_sum + excluded.latency_ms_sum")
	if hist {
		for _, c := range histColumns {
			b.WriteString(", " + sat(c))
		}
	}
	return b.String()
}

// UsageTotals sums API usage over the days [from, to) for one member, or for
// everyone when memberID is 0 (unmapped consumers included). The rows are
// summed in Go, saturating: SQL's SUM fails with "integer overflow" on a
// damaged or hostile row, and would take every page covering it down.
func (db *DB) UsageTotals(ctx context.Context, from, to time.Time, memberID int64) (domain.UsageTotals, error) {
	q := `SELECT u.status_class, u.calls, u.bytes, ` + histList + ` FROM api_usage_daily u WHERE u.bucket >= ? AND u.bucket < ?`
	args := []any{domain.Day(from).Unix(), domain.Day(to).Unix()}
	if memberID != 0 {
		q = `SELECT u.status_class, u.calls, u.bytes, ` + histList + `
			FROM api_usage_daily u JOIN api_consumers c ON c.id = u.consumer_id
			WHERE u.bucket >= ? AND u.bucket < ? AND c.member_id = ?`
		args = append(args, memberID)
	}
	var t domain.UsageTotals
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return t, fmt.Errorf("store: unable to sum API usage: %w", err)
	}
	defer rows.Close()
	var class int
	var calls, bytes int64
	var h domain.Histogram
	dest := histDest(&h, &class, &calls, &bytes)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return t, fmt.Errorf("store: unable to sum API usage: %w", err)
		}
		t.Add(class, calls, bytes, &h)
	}
	if err := rows.Err(); err != nil {
		return t, fmt.Errorf("store: unable to sum API usage: %w", err)
	}
	return t, nil
}
