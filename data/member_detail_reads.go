package data

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// The reads of MemberDetail that no other question makes.

// readMemberScores reads the member's and the ecosystem's scores on the
// span's days and, when a day is scored, that day's medians' population and
// the member's ties.
func readMemberScores(ctx context.Context, tx *sql.Tx, dl dialect, d *MemberDetail) error {
	var err error
	if d.Scores, err = memberScoresOn(ctx, tx, d.Span.ScoreDays, d.Member.ID); err != nil {
		return err
	}
	if d.Ecosystem, err = ecosystemScoresOn(ctx, tx, d.Span.ScoreDays); err != nil {
		return err
	}
	if d.Scored.IsZero() {
		return nil
	}
	if d.DayScores, err = dayScores(ctx, tx, d.Scored); err != nil {
		return err
	}
	d.Ties, err = memberTiesOn(ctx, tx, dl, d.Scored, d.Member.ID)
	return err
}

// ecosystemScoresOn returns the ecosystem's scores of the given days, by day.
func ecosystemScoresOn(ctx context.Context, tx *sql.Tx, days []time.Time) ([]domain.EcosystemScore, error) {
	if len(days) == 0 {
		return nil, nil
	}
	args := make([]any, len(days))
	for i, d := range days {
		args[i] = dateStr(d)
	}
	rows, err := tx.QueryContext(ctx, `SELECT day, r, health, health_mean, active_members, api_consumers, contributors
		FROM ecosystem_scores WHERE day IN (`+memberPlaceholders(len(days))+`) ORDER BY day`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list ecosystem scores: %w", err)
	}
	return scanEcosystemScores(rows)
}

// dayScores returns T, I, M, health and the dimensions of every member
// scored on day: one pass over the day's scores, for the medians.
func dayScores(ctx context.Context, tx *sql.Tx, day time.Time) ([]domain.MemberScore, error) {
	rows, err := tx.QueryContext(ctx, `SELECT s.t, s.i, s.m, s.health, s.health_api, s.health_projects, s.health_community, s.health_cooperation
		FROM scores s JOIN members m ON m.id = s.member_id WHERE s.day = ?`, dateStr(day))
	if err != nil {
		return nil, fmt.Errorf("store: unable to list scores of %s: %w", dateStr(day), err)
	}
	defer rows.Close()
	var out []domain.MemberScore
	for rows.Next() {
		var s domain.MemberScore
		var d [4]sql.NullFloat64
		if err := rows.Scan(&s.T, &s.I, &s.M, &s.Health, &d[0], &d[1], &d[2], &d[3]); err != nil {
			return nil, fmt.Errorf("store: unable to list scores of %s: %w", dateStr(day), err)
		}
		for k := range d {
			s.Dimensions[k] = floatOrNaN(d[k])
		}
		s.Day = domain.Day(day)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to list scores of %s: %w", dateStr(day), err)
	}
	return out, nil
}

// memberTiesOn returns the member's ties of day with K > 0 to the members
// scored that day, with their scores. A day's edges are one blob, read
// whole; only the member's partners' scores are read.
func memberTiesOn(ctx context.Context, tx *sql.Tx, dl dialect, day time.Time, memberID int64) ([]MemberTie, error) {
	edges, err := edgesOn(ctx, tx, day)
	if err != nil {
		return nil, err
	}
	k := map[int64]float64{}
	var ids []int64
	for _, e := range edges {
		var other int64
		switch memberID {
		case e.A:
			other = e.B
		case e.B:
			other = e.A
		}
		if other != 0 && e.K > 0 {
			k[other] = e.K
			ids = append(ids, other)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	partners, partnersArg := dl.idList(ids)
	rows, err := tx.QueryContext(ctx, `SELECT s.member_id, m.slug, m.name, s.health, s.status
		FROM scores s JOIN members m ON m.id = s.member_id
		WHERE s.day = ? AND s.member_id IN (`+partners+`)`, dateStr(day), partnersArg)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the ties of member %d: %w", memberID, err)
	}
	defer rows.Close()
	var out []MemberTie
	for rows.Next() {
		var id int64
		var t MemberTie
		if err := rows.Scan(&id, &t.Slug, &t.Name, &t.Health, &t.Status); err != nil {
			return nil, fmt.Errorf("store: unable to read the ties of member %d: %w", memberID, err)
		}
		t.K = k[id]
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to read the ties of member %d: %w", memberID, err)
	}
	return out, nil
}

// dataDaysOf returns the days with data of the spans, oldest first, each
// day once: DataDays of each span, in tx.
func dataDaysOf(ctx context.Context, tx *sql.Tx, spans []DaySpan) ([]DataDay, error) {
	seen := map[time.Time]bool{}
	var out []DataDay
	for _, s := range spans {
		from, to := domain.Day(s.From), domain.Day(s.To)
		if to.Before(from) {
			continue
		}
		if span := int(to.Sub(from).Hours()/24) + 1; span > maxDataDaysSpan {
			return nil, domain.Errorf(domain.EINVALID, "at most %d days of data days at once, asked for %d", maxDataDaysSpan, span)
		}
		days, err := dataDays(ctx, tx, from, to)
		if err != nil {
			return nil, fmt.Errorf("store: unable to find the days with data from %s to %s: %w", dateStr(from), dateStr(to), err)
		}
		for _, d := range days {
			if !seen[d.Day] {
				seen[d.Day] = true
				out = append(out, d)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Day.Before(out[j].Day) })
	return out, nil
}

// memberAlerts returns the alerts about the member that are not resolved
// and the latest resolved ones (at most resolved; 0: all), in Alerts' order.
func memberAlerts(ctx context.Context, tx *sql.Tx, slug string, resolved int) (open, closed []Alert, err error) {
	lists := make([][]Alert, 2)
	for i, f := range []AlertFilter{
		{Member: slug, Statuses: []string{AlertStatusOpen, AlertStatusAcknowledged, AlertStatusSnoozed}},
		{Member: slug, Statuses: []string{AlertStatusResolved}, Limit: resolved},
	} {
		q, args, err := f.listQuery()
		if err != nil {
			return nil, nil, err
		}
		if lists[i], err = queryAlerts(ctx, tx, f.today(), q, args...); err != nil {
			return nil, nil, fmt.Errorf("store: unable to list alerts: %w", err)
		}
	}
	return lists[0], lists[1], nil
}
