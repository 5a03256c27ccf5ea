package data

import (
	"context"
	"database/sql"
	"fmt"
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
}

// MemberHealthOn returns every member's health on the given days, ordered
// by day then member: the trend lines of the members list. It reads the
// health column alone, where MemberScoresOn decodes each score's reasons
// too (26 weeks of 500 members are 13,000 of them).
func (db *DB) MemberHealthOn(ctx context.Context, days []time.Time) ([]HealthPoint, error) {
	return memberHealthOn(ctx, db.read, days)
}

func memberHealthOn(ctx context.Context, db querier, days []time.Time) ([]HealthPoint, error) {
	if len(days) == 0 {
		return nil, nil
	}
	if len(days) > memberMaxScoreDays {
		return nil, domain.Errorf(domain.EINVALID, "at most %d days of scores at once, asked for %d", memberMaxScoreDays, len(days))
	}
	args := make([]any, len(days))
	for i, d := range days {
		args[i] = dateStr(d)
	}
	rows, err := db.QueryContext(ctx, `SELECT day, member_id, health FROM scores
		WHERE day IN (`+memberPlaceholders(len(days))+`) ORDER BY day, member_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the members' health: %w", err)
	}
	defer rows.Close()
	var out []HealthPoint
	for rows.Next() {
		var p HealthPoint
		var day sql.NullString
		if err := rows.Scan(&day, &p.MemberID, &p.Health); err != nil {
			return nil, fmt.Errorf("store: unable to read the members' health: %w", err)
		}
		p.Day = parseDate(day)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to read the members' health: %w", err)
	}
	return out, nil
}
