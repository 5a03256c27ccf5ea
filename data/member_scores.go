package data

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// memberMaxScoreDays bounds the days MemberScoresOn takes in one call.
const memberMaxScoreDays = 400

// MemberScoresOn returns the stored scores of the given days, for one member
// or for every member when memberID is 0, ordered by day then member. Days
// without scores are simply absent.
func (db *DB) MemberScoresOn(ctx context.Context, days []time.Time, memberID int64) ([]domain.MemberScore, error) {
	return memberScoresOn(ctx, db.read, days, memberID)
}

func memberScoresOn(ctx context.Context, db querier, days []time.Time, memberID int64) ([]domain.MemberScore, error) {
	if len(days) == 0 {
		return nil, nil
	}
	if len(days) > memberMaxScoreDays {
		return nil, domain.Errorf(domain.EINVALID, "at most %d days of scores at once, asked for %d", memberMaxScoreDays, len(days))
	}
	args := make([]any, 0, len(days)+2)
	for _, d := range days {
		args = append(args, dateStr(d))
	}
	args = append(args, memberID, memberID)
	q := `SELECT day, member_id, t, i, m, c, k, phi, health, health_api, health_projects, health_community, health_cooperation, status, changes
		FROM scores WHERE day IN (` + memberPlaceholders(len(days)) + `) AND (? = 0 OR member_id = ?)
		ORDER BY day, member_id`
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read score history: %w", err)
	}
	defer rows.Close()
	var out []domain.MemberScore
	for rows.Next() {
		var s domain.MemberScore
		var day sql.NullString
		var d [4]sql.NullFloat64
		var changes sql.NullString
		if err := rows.Scan(&day, &s.MemberID, &s.T, &s.I, &s.M, &s.C, &s.K, &s.Phi, &s.Health,
			&d[0], &d[1], &d[2], &d[3], &s.Status, &changes); err != nil {
			return nil, fmt.Errorf("store: unable to read score history: %w", err)
		}
		s.Changes = decodeChanges(changes)
		s.Day = parseDate(day)
		for k := range d {
			s.Dimensions[k] = floatOrNaN(d[k])
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to read score history: %w", err)
	}
	return out, nil
}

// memberPlaceholders returns "?, ?, …" with n marks.
func memberPlaceholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// HealthPoint is one member's health on one scored day.
type HealthPoint struct {
	Day      time.Time
	MemberID int64
	Health   float64
	Status   string // set by MemberStatusesOn only
}

// MemberStatusesOn returns every member's health and status on day, by
// member: what a change is measured against (the overview, the members
// list), without decoding each score's reasons as ScoresOn does.
func (db *DB) MemberStatusesOn(ctx context.Context, day time.Time) ([]HealthPoint, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT member_id, health, status FROM scores
		WHERE day = ? ORDER BY member_id`, dateStr(day))
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the members' status on %s: %w", dateStr(day), err)
	}
	defer rows.Close()
	var out []HealthPoint
	for rows.Next() {
		p := HealthPoint{Day: domain.Day(day)}
		if err := rows.Scan(&p.MemberID, &p.Health, &p.Status); err != nil {
			return nil, fmt.Errorf("store: unable to read the members' status on %s: %w", dateStr(day), err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to read the members' status on %s: %w", dateStr(day), err)
	}
	return out, nil
}

// MemberHealthOn returns every member's health on the given days, ordered
// by day then member: the trend lines of the members list. It reads the
// health column alone, where MemberScoresOn decodes each score's reasons
// too, and one row a day, where a row a point made the rows' own cost most
// of the members list's build (26 weeks of 500 members are 13,000 points).
func (db *DB) MemberHealthOn(ctx context.Context, days []time.Time) ([]HealthPoint, error) {
	return memberHealthOn(ctx, db.read, db.dialect, days)
}

func memberHealthOn(ctx context.Context, db querier, d dialect, days []time.Time) ([]HealthPoint, error) {
	if len(days) == 0 {
		return nil, nil
	}
	if len(days) > memberMaxScoreDays {
		return nil, domain.Errorf(domain.EINVALID, "at most %d days of scores at once, asked for %d", memberMaxScoreDays, len(days))
	}
	args := make([]any, len(days))
	for i, day := range days {
		args[i] = dateStr(day)
	}
	rows, err := db.QueryContext(ctx, memberHealthSQL(d, len(days)), args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the members' health: %w", err)
	}
	defer rows.Close()
	var out []HealthPoint
	for rows.Next() {
		var day, list sql.NullString
		if err := rows.Scan(&day, &list); err != nil {
			return nil, fmt.Errorf("store: unable to read the members' health: %w", err)
		}
		from := len(out)
		if out, err = appendHealthList(out, parseDate(day), list.String); err != nil {
			return nil, fmt.Errorf("store: unable to read the members' health of %s: %w", day.String, err)
		}
		slices.SortFunc(out[from:], func(a, b HealthPoint) int { return cmp.Compare(a.MemberID, b.MemberID) })
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to read the members' health: %w", err)
	}
	return out, nil
}

// memberHealthSQL is MemberHealthOn's query of n days: a row a day.
func memberHealthSQL(d dialect, n int) string {
	return `SELECT day, ` + d.healthList() + ` FROM scores
		WHERE day IN (` + memberPlaceholders(n) + `) GROUP BY day ORDER BY day`
}

// appendHealthList appends the points of one day's healthList: "id health"
// pairs, all separated by single spaces.
func appendHealthList(out []HealthPoint, day time.Time, list string) ([]HealthPoint, error) {
	for list != "" {
		idText, rest, ok := strings.Cut(list, " ")
		if !ok {
			return out, fmt.Errorf("member %q without a health", idText)
		}
		healthText, rest, _ := strings.Cut(rest, " ")
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil {
			return out, err
		}
		h, err := strconv.ParseFloat(healthText, 64)
		if err != nil {
			return out, err
		}
		out = append(out, HealthPoint{Day: day, MemberID: id, Health: h})
		list = rest
	}
	return out, nil
}
