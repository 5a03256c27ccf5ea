package data

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// DataRange says where the stored data is, so that a page whose range
// shows nothing can offer the days that have something (imported history
// from years ago is otherwise invisible behind a default of "the last 28
// days"). Each pair is the first and last UTC day holding that kind of
// data; both are zero when there is none.
type DataRange struct {
	UsageFirst, UsageLast       time.Time // API usage, from the daily rollups
	ScoredFirst, ScoredLast     time.Time // days with ecosystem scores
	ActivityFirst, ActivityLast time.Time // community activities
}

// HasUsage reports whether any API usage is stored.
func (r DataRange) HasUsage() bool { return !r.UsageLast.IsZero() }

// HasScores reports whether any day is scored.
func (r DataRange) HasScores() bool { return !r.ScoredLast.IsZero() }

// Measured returns the first and last day with usage or activity: the days
// that scoring has something to score. Zero days when there are none.
func (r DataRange) Measured() (first, last time.Time) {
	for _, p := range [][2]time.Time{{r.UsageFirst, r.UsageLast}, {r.ActivityFirst, r.ActivityLast}} {
		if p[1].IsZero() {
			continue
		}
		if first.IsZero() || p[0].Before(first) {
			first = p[0]
		}
		if p[1].After(last) {
			last = p[1]
		}
	}
	return first, last
}

// DataRange answers "where is the data?" in one read transaction. Every
// column read is the leading key of an index (or the primary key), so each
// MIN and MAX is a single seek, not a scan (see dataRangeSQL).
func (db *DB) DataRange(ctx context.Context) (DataRange, error) {
	var r DataRange
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = dataRange(ctx, tx)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("store: unable to find where the data is: %w", err)
	}
	return r, nil
}

// dataRangeSQL asks each first and last in a subquery of its own: SQLite
// answers a lone MIN or MAX of an index's leading column with one seek, but
// a query holding both scans the whole index (every usage row, on each
// page that asks) — TestDataRangeSeeks holds the plan to seeks.
const dataRangeSQL = `SELECT
	(SELECT MIN(bucket) FROM api_usage_daily), (SELECT MAX(bucket) FROM api_usage_daily),
	(SELECT MIN(day) FROM ecosystem_scores), (SELECT MAX(day) FROM ecosystem_scores),
	(SELECT MIN(at) FROM activities), (SELECT MAX(at) FROM activities)`

// dataRange is DataRange's six seeks, in the read transaction tx.
func dataRange(ctx context.Context, tx *sql.Tx) (DataRange, error) {
	var r DataRange
	var uFirst, uLast, aFirst, aLast sql.NullInt64
	var sFirst, sLast sql.NullString
	if err := tx.QueryRowContext(ctx, dataRangeSQL).Scan(&uFirst, &uLast, &sFirst, &sLast, &aFirst, &aLast); err != nil {
		return r, err
	}
	r.UsageFirst, r.UsageLast = unixDay(uFirst), unixDay(uLast)
	r.ScoredFirst, r.ScoredLast = parseDate(sFirst), parseDate(sLast)
	r.ActivityFirst, r.ActivityLast = unixDay(aFirst), unixDay(aLast)
	return r, nil
}

// NearestScoredDay returns the scored day nearest to day: day itself when
// it is scored, else the latest scored day before it, else the first one
// after it; the zero time when no day is scored. Pages snap a date to it
// rather than answer "not found" for a valid date that was not scored.
func (db *DB) NearestScoredDay(ctx context.Context, day time.Time) (time.Time, error) {
	return nearestScoredDay(ctx, db.read, day)
}

func nearestScoredDay(ctx context.Context, db queryRower, day time.Time) (time.Time, error) {
	var s sql.NullString
	err := db.QueryRowContext(ctx, `SELECT COALESCE(
			(SELECT MAX(day) FROM ecosystem_scores WHERE day <= ?1),
			(SELECT MIN(day) FROM ecosystem_scores WHERE day > ?1))`, dateStr(domain.Day(day))).Scan(&s)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: unable to find the scored day nearest to %s: %w", dateStr(day), err)
	}
	return parseDate(s), nil
}

// FirstScoredDayFrom returns the first scored day on or after day, or the
// zero time: the day whose window holds the most of data that ends on day.
func (db *DB) FirstScoredDayFrom(ctx context.Context, day time.Time) (time.Time, error) {
	return firstScoredDayFrom(ctx, db.read, day)
}

func firstScoredDayFrom(ctx context.Context, db queryRower, day time.Time) (time.Time, error) {
	var s sql.NullString
	if err := db.QueryRowContext(ctx, `SELECT MIN(day) FROM ecosystem_scores WHERE day >= ?`, dateStr(domain.Day(day))).Scan(&s); err != nil {
		return time.Time{}, fmt.Errorf("store: unable to find the first scored day from %s: %w", dateStr(day), err)
	}
	return parseDate(s), nil
}

func unixDay(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return domain.Day(time.Unix(v.Int64, 0))
}

// DataDay is a UTC day that holds collected input, and of which kind.
type DataDay struct {
	Day      time.Time
	Usage    bool // API calls rolled up on the day
	Activity bool // community activity on the day
}

// maxDataDaysSpan bounds DataDays: a page asks for at most a few years.
const maxDataDaysSpan = 4000

// DataDays answers "which days of [from, to] (inclusive) hold collected
// input?": API calls or community activity, oldest first. A day it leaves
// out had nothing measured, which is not a day of zeros: trends draw it as a
// gap, and a week holding one is partial. Each day costs two index seeks
// (api_usage_daily's key and activities_at lead with the time), so a year
// is ~730 seeks however many rows the days hold.
func (db *DB) DataDays(ctx context.Context, from, to time.Time) ([]DataDay, error) {
	from, to = domain.Day(from), domain.Day(to)
	if to.Before(from) {
		return nil, nil
	}
	if span := int(to.Sub(from).Hours()/24) + 1; span > maxDataDaysSpan {
		return nil, domain.Errorf(domain.EINVALID, "at most %d days of data days at once, asked for %d", maxDataDaysSpan, span)
	}
	var out []DataDay
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = dataDays(ctx, tx, from, to)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to find the days with data from %s to %s: %w", dateStr(from), dateStr(to), err)
	}
	return out, nil
}

// dataDays is DataDays in the read transaction tx, for a span already
// checked.
func dataDays(ctx context.Context, tx *sql.Tx, from, to time.Time) ([]DataDay, error) {
	rows, err := tx.QueryContext(ctx, `WITH RECURSIVE d(day) AS (SELECT CAST(?1 AS BIGINT) UNION ALL SELECT day + 86400 FROM d WHERE day < ?2)
		SELECT day,
			EXISTS (SELECT 1 FROM api_usage_daily WHERE bucket = d.day AND calls > 0),
			EXISTS (SELECT 1 FROM activities WHERE at >= d.day AND at < d.day + 86400)
		FROM d ORDER BY day`, from.Unix(), to.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DataDay
	for rows.Next() {
		var day int64
		var d DataDay
		if err := rows.Scan(&day, &d.Usage, &d.Activity); err != nil {
			return nil, err
		}
		if d.Usage || d.Activity {
			d.Day = time.Unix(day, 0).UTC()
			out = append(out, d)
		}
	}
	return out, rows.Err()
}
