package data

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// Seams for the race tests (races_test.go). Each …Held method runs a store
// write in its transaction as the store does, then calls held before the
// commit: a test runs a second writer (another *DB on the same database, as
// another process) inside held, where it meets this one's uncommitted rows
// and locks.

func (db *DB) heldTx(ctx context.Context, held func(), write func(*sql.Tx) error) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := write(tx); err != nil {
			return err
		}
		held()
		return nil
	})
}

// CreateUserHeld is CreateUser calling held before it commits.
func (db *DB) CreateUserHeld(ctx context.Context, u *domain.User, held func()) error {
	u.CreatedAt = time.Now().UTC().Truncate(time.Second)
	return db.heldTx(ctx, held, func(tx *sql.Tx) error { return createUser(ctx, tx, u) })
}

// UpsertSSOUserHeld is UpsertSSOUser calling held before it commits.
func (db *DB) UpsertSSOUserHeld(ctx context.Context, name, role string, held func()) (*domain.User, error) {
	u := &domain.User{Name: name, Role: role}
	err := db.heldTx(ctx, held, func(tx *sql.Tx) error { return upsertSSOUser(ctx, tx, u) })
	return u, err
}

// CreateMemberHeld is CreateMember calling held before it commits.
func (db *DB) CreateMemberHeld(ctx context.Context, m *domain.Member, held func()) error {
	m.Normalize()
	return db.heldTx(ctx, held, func(tx *sql.Tx) error { return createMember(ctx, tx, m) })
}

// CreateProjectHeld is CreateProject calling held before it commits.
func (db *DB) CreateProjectHeld(ctx context.Context, p *domain.Project, held func()) error {
	return db.heldTx(ctx, held, func(tx *sql.Tx) error { return createProject(ctx, tx, p) })
}

// CreateTokenHeld is CreateToken (with a made-up secret) calling held
// before it commits.
func (db *DB) CreateTokenHeld(ctx context.Context, t *domain.Token, held func()) error {
	t.CreatedAt = time.Now().UTC().Truncate(time.Second)
	return db.heldTx(ctx, held, func(tx *sql.Tx) error { return createToken(ctx, tx, t, tokenPrefix+"held-"+t.Name) })
}

// FreezeSnapshotHeld is FreezeSnapshot calling held before it commits.
func (db *DB) FreezeSnapshotHeld(ctx context.Context, week string, day, takenAt time.Time, held func()) error {
	s := &Snapshot{Week: week, Day: domain.Day(day), TakenAt: takenAt.UTC().Truncate(time.Second)}
	return db.heldTx(ctx, held, func(tx *sql.Tx) error { return freezeSnapshot(ctx, tx, s) })
}

// AssigneeHeld finds or creates the person of an assignment's login, as
// AssignPerson does first, and calls held before it commits.
func (db *DB) AssigneeHeld(ctx context.Context, as Assignment, held func()) (id int64, err error) {
	err = db.heldTx(ctx, held, func(tx *sql.Tx) (err error) {
		id, _, err = assignee(ctx, tx, as)
		return err
	})
	return id, err
}

// CommitUsageHeld is CommitUsage calling held before it commits.
func (db *DB) CommitUsageHeld(ctx context.Context, b *domain.UsageBatch, held func()) error {
	return db.usageTx(ctx, func(tx *sql.Tx, st *usageWrite) error {
		if err := storeUsage(ctx, tx, db.dialect, st, []*domain.UsageBatch{b}); err != nil {
			return err
		}
		held()
		return nil
	})
}

// RefreshUsageDayHeld is RefreshUsageDays for one day, calling held before
// it commits.
func (db *DB) RefreshUsageDayHeld(ctx context.Context, day time.Time, held func()) error {
	return db.housekeepingTx(ctx, func(tx *sql.Tx) error {
		if err := usageDays.refreshDay(ctx, tx, domain.Day(day).Unix()); err != nil {
			return err
		}
		held()
		return nil
	})
}

// AddActivitiesHeld is AddActivities calling held before it commits.
func (db *DB) AddActivitiesHeld(ctx context.Context, acts []domain.Activity, held func()) error {
	return db.heldTx(ctx, held, func(tx *sql.Tx) error { _, err := addActivities(ctx, tx, acts); return err })
}

// RefreshActivityDayHeld is RefreshActivityDays for one day, calling held
// before it commits.
func (db *DB) RefreshActivityDayHeld(ctx context.Context, day time.Time, held func()) error {
	return db.housekeepingTx(ctx, func(tx *sql.Tx) error {
		if err := activityDays.refreshDay(ctx, tx, domain.Day(day).Unix()); err != nil {
			return err
		}
		held()
		return nil
	})
}

// AddDomainRuleHeld is AddDomainRule calling held before it commits.
func (db *DB) AddDomainRuleHeld(ctx context.Context, r *DomainRule, held func()) error {
	if err := r.normalize(); err != nil {
		return err
	}
	var res Reattribution
	return db.heldTx(ctx, held, func(tx *sql.Tx) error { return addDomainRule(ctx, tx, db.dialect, r, &res) })
}

// SyncAlertsHeld is SyncAlerts (of conditions with distinct rules and
// subjects) calling held before it commits.
func (db *DB) SyncAlertsHeld(ctx context.Context, rules []string, conds []AlertCondition, at time.Time, held func()) error {
	want := map[string]AlertCondition{}
	var order []string
	for _, c := range conds {
		k := c.Rule + "\x00" + c.Subject
		want[k] = c
		order = append(order, k)
	}
	return db.heldTx(ctx, held, func(tx *sql.Tx) error { return syncAlerts(ctx, tx, db.dialect, rules, order, want, at, &AlertSync{}) })
}

// RecordAlertHistoryHeld is RecordAlertHistory calling held before it
// commits.
func (db *DB) RecordAlertHistoryHeld(ctx context.Context, rules []string, days []AlertDay, at time.Time, held func()) error {
	return db.heldTx(ctx, held, func(tx *sql.Tx) error {
		return recordAlertHistory(ctx, tx, db.dialect, rules, days, AlertMark{}, at, &AlertSync{})
	})
}

// MarkRescoreFromHeld marks the scored days from day on for scoring again,
// as a change to the members does, calling held before it commits.
func (db *DB) MarkRescoreFromHeld(ctx context.Context, day time.Time, held func()) error {
	return db.heldTx(ctx, held, func(tx *sql.Tx) error { return markRescoreFrom(ctx, tx, day) })
}

// MergeMembersHeld is MergeMembers calling held before it commits.
func (db *DB) MergeMembersHeld(ctx context.Context, keep, drop string, held func()) error {
	return db.heldTx(ctx, held, func(tx *sql.Tx) error { return mergeMembers(ctx, tx, db.dialect, keep, drop, &MergeResult{}) })
}

// ReplaceAffiliationsHeld is ReplaceAffiliations calling held before it
// commits.
func (db *DB) ReplaceAffiliationsHeld(ctx context.Context, personID int64, spans []domain.Affiliation, held func()) error {
	for i := range spans {
		spans[i].PersonID = personID
	}
	return db.heldTx(ctx, held, func(tx *sql.Tx) error { return replaceAffiliations(ctx, tx, db.dialect, personID, spans) })
}

// UpdateMemberHeld is UpdateMember calling held before it commits.
func (db *DB) UpdateMemberHeld(ctx context.Context, m *domain.Member, held func()) error {
	m.Normalize()
	return db.heldTx(ctx, held, func(tx *sql.Tx) error { _, err := updateMember(ctx, tx, db.dialect, m); return err })
}

// UpsertProjectHeld is UpsertProject calling held before it commits.
func (db *DB) UpsertProjectHeld(ctx context.Context, p *domain.Project, held func()) error {
	return db.heldTx(ctx, held, func(tx *sql.Tx) error { return upsertProject(ctx, tx, db.dialect, p) })
}

// SaveAgreementHeld is SaveAgreement (of a project without milestones)
// calling held before it commits.
func (db *DB) SaveAgreementHeld(ctx context.Context, p *domain.Project, held func()) error {
	if p.Source == "" {
		p.Source = SourceUI
	}
	return db.heldTx(ctx, held, func(tx *sql.Tx) error { return saveAgreement(ctx, tx, db.dialect, p, nil) })
}

// SaveDayScoresHeld is SaveDayScores calling held before it commits.
func (db *DB) SaveDayScoresHeld(ctx context.Context, s *domain.DayScores, held func()) error {
	return db.heldTx(ctx, held, func(tx *sql.Tx) error { return saveDayScores(ctx, tx, db.dialect, dateStr(s.Ecosystem.Day), s) })
}

// ScoringWindowWithCommit is ScoringWindow calling commit between its
// queries: after it has listed the members, before it reads the usage.
func (db *DB) ScoringWindowWithCommit(ctx context.Context, day time.Time, windowDays int, commit func()) (*domain.Window, error) {
	return db.scoringWindowFrom(ctx, day, windowDays, &commitBetween{windowInputs: newDayDigests(), commit: commit})
}

type commitBetween struct {
	windowInputs
	once   sync.Once
	commit func()
}

func (c *commitBetween) readUsage(ctx context.Context, tx *sql.Tx, from, to int64, u *usagePass) error {
	c.once.Do(c.commit)
	return c.windowInputs.readUsage(ctx, tx, from, to, u)
}

// LockWaiters returns how many sessions of the database wait for a lock,
// and false on SQLite, which cannot tell (a writer there waits for the
// file's one write lock).
func (db *DB) LockWaiters(ctx context.Context) (int, bool, error) {
	if !db.dialect.postgres {
		return 0, false, nil
	}
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stat_activity
		WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n)
	return n, true, err
}

// ConsumerCallsOn returns each consumer's calls on the day of at, by key,
// straight from the daily rollups.
func (db *DB) ConsumerCallsOn(ctx context.Context, at time.Time) (map[string]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT c.key, u.calls FROM api_usage_daily u JOIN api_consumers c ON c.id = u.consumer_id
		WHERE u.bucket = ?`, domain.Day(at).Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var key string
		var calls int64
		if err := rows.Scan(&key, &calls); err != nil {
			return nil, err
		}
		out[key] += calls
	}
	return out, rows.Err()
}

// CountPeople returns how many people there are.
func (db *DB) CountPeople(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM people`).Scan(&n)
	return n, err
}

// Affiliations returns a person's affiliations as "member from→to (rule
// id)" lines, by start.
func (db *DB) Affiliations(ctx context.Context, personID int64) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT member_id, from_date, COALESCE(to_date, ''), COALESCE(rule_id, 0) FROM affiliations
		WHERE person_id = ? ORDER BY from_date, member_id, rule_id`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var member, rule int64
		var from, to string
		if err := rows.Scan(&member, &from, &to, &rule); err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprintf("%d %s→%s (rule %d)", member, from, to, rule))
	}
	return out, rows.Err()
}
