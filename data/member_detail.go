package data

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// A member's page asks the store one question — who the member is and how
// it stands on a day — answered in one read transaction, so that every
// figure of the page comes from the same snapshot of the database, and each
// of the member's figures from a query of that member's rows.

// DaySpan is the days From to To, both included.
type DaySpan struct{ From, To time.Time }

// MemberSpan is what a member's page reads around the day it shows. The page
// chooses it once the store has found the scored day (MemberDetailQuery.Span).
type MemberSpan struct {
	// Day is the day shown: the scored day, or the day the page stands for
	// when no day is scored.
	Day time.Time
	// ScoreDays are the days of the member's and the ecosystem's scores the
	// page shows or compares with.
	ScoreDays []time.Time
	// The member's API usage of [UsageFrom, UsageTo), and its community
	// activity in weeks of seven days from CommunityFrom until CommunityTo
	// (exclusive).
	UsageFrom, UsageTo         time.Time
	CommunityFrom, CommunityTo time.Time
	DataDays                   []DaySpan // the spans whose days with data the page marks
}

// MemberDetailQuery asks for a member's page.
type MemberDetailQuery struct {
	Slug           string
	At             time.Time // the day asked for; zero: the latest scored day
	ResolvedAlerts int       // how many of the latest resolved alerts about the member; 0: all
	// Span chooses what to read around the scored day: the scored day nearest
	// to At, zero when no day is scored. An error it returns ends the read
	// and is returned as it is.
	Span func(scored time.Time) (MemberSpan, error)
}

// MemberTie is a cooperation tie of the member, on the scored day, with
// another member scored that day.
type MemberTie struct {
	Slug, Name string
	K          float64
	Health     float64
	Status     string
}

// MemberDetail answers a MemberDetailQuery from one snapshot.
type MemberDetail struct {
	Member  domain.Member
	LastRun time.Time // end of the latest successful collector run; zero: none
	Scored  time.Time // the scored day nearest to At; zero: no day is scored
	Span    MemberSpan
	// Scores are the member's on the span's ScoreDays it was scored, by
	// day; Ecosystem the ecosystem's on those days, by day.
	Scores    []domain.MemberScore
	Ecosystem []domain.EcosystemScore
	// DayScores are every member's scores on the scored day, the population
	// of the ecosystem's medians: only T, I, M, health and the dimensions.
	DayScores []domain.MemberScore
	Ties      []MemberTie // with K > 0, in no order
	Usage     *MemberUsageBreakdown
	Projects  []MemberProject
	Community []CommunityWeek
	DataDays  []DataDay // the days with data of the span's DataDays, oldest first
	DataRange DataRange
	// ScoredAfterData is the first scored day on or after the last day of
	// measured data, ScoredNearData the scored day nearest to it (zero: none,
	// or no data): the scores a page offers when it shows none of the data.
	ScoredAfterData, ScoredNearData time.Time
	OpenAlerts                      []Alert // open, acknowledged or snoozed
	ResolvedAlerts                  []Alert // the latest first
}

// MemberDetail answers a member's page in one read transaction. An unknown
// slug is ENOTFOUND.
func (db *DB) MemberDetail(ctx context.Context, q MemberDetailQuery) (*MemberDetail, error) {
	d := &MemberDetail{}
	if err := db.readTx(ctx, func(tx *sql.Tx) error { return readMemberDetail(ctx, tx, db.dialect, q, d) }); err != nil {
		return nil, err
	}
	return d, nil
}

// readMemberDetail fills d in tx: the member and the scored day first, then
// what q.Span chooses to read around it.
func readMemberDetail(ctx context.Context, tx *sql.Tx, dl dialect, q MemberDetailQuery, d *MemberDetail) error {
	m, err := memberBySlug(ctx, tx, q.Slug)
	if err != nil {
		return err
	}
	d.Member = *m
	if d.LastRun, err = lastSuccessfulRun(ctx, tx); err != nil {
		return err
	}
	if d.DataRange, err = dataRange(ctx, tx); err != nil {
		return fmt.Errorf("store: unable to find where the data is: %w", err)
	}
	d.Scored = d.DataRange.ScoredLast
	if !q.At.IsZero() {
		if d.Scored, err = nearestScoredDay(ctx, tx, q.At); err != nil {
			return err
		}
	}
	if d.Span, err = q.Span(d.Scored); err != nil {
		return err
	}
	if err := readMemberScores(ctx, tx, dl, d); err != nil {
		return err
	}
	if d.Usage, err = memberUsageBreakdowns(ctx, tx, m.ID, d.Span.UsageFrom, d.Span.UsageTo); err != nil {
		return err
	}
	if d.Projects, err = projectsOfMember(ctx, tx, m.ID); err != nil {
		return fmt.Errorf("store: unable to list the projects of member %d: %w", m.ID, err)
	}
	if d.Community, err = communityWeeks(d.Span.CommunityFrom, d.Span.CommunityTo); err != nil {
		return err
	}
	if err := countCommunityWeeks(ctx, tx, m.ID, d.Community, d.Span.CommunityTo); err != nil {
		return fmt.Errorf("store: unable to read the community activity of member %d: %w", m.ID, err)
	}
	if d.DataDays, err = dataDaysOf(ctx, tx, d.Span.DataDays); err != nil {
		return err
	}
	if _, last := d.DataRange.Measured(); !last.IsZero() {
		if d.ScoredAfterData, err = firstScoredDayFrom(ctx, tx, last); err != nil {
			return err
		}
		if d.ScoredNearData, err = nearestScoredDay(ctx, tx, last); err != nil {
			return err
		}
	}
	d.OpenAlerts, d.ResolvedAlerts, err = memberAlerts(ctx, tx, m.Slug, q.ResolvedAlerts)
	return err
}
