package data

import (
	"context"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// ScoringWindowFromSourceRows is ScoringWindow read through the reference
// windowInputs (sourceRows): every day from its source rows, no digest read.
func (db *DB) ScoringWindowFromSourceRows(ctx context.Context, day time.Time, windowDays int) (*domain.Window, error) {
	return db.scoringWindowFrom(ctx, day, windowDays, sourceRows{})
}

// MigrationLock is the advisory lock key PostgreSQL migrations hold.
const MigrationLock = int64(migrationLock)

// Queued returns how many batches wait in the committer's queue (behind
// the transaction being written).
func (c *UsageCommitter) Queued() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queue)
}

// DataRangeSQL is the query DataRange asks (TestDataRangeSeeks reads its plan).
const DataRangeSQL = dataRangeSQL

// MemberHealthSQL is the members list's trend query of n days on SQLite
// (TestMemberHealthReadsTheCoveringIndex reads its plan).
func MemberHealthSQL(n int) string { return memberHealthSQL(sqliteDialect, n) }

// MemberCommunitySQL are the member page's activity queries
// (TestMemberCommunityQueriesUseTheIndex reads their plans).
var MemberCommunitySQL = map[string]string{
	"weeks": memberWeeksSQL, "first contributions": memberFirstContributionsSQL, "threads": memberThreadsSQL,
}

// SetOldSnapshotWait sets how long forgetting waits for older snapshots on
// PostgreSQL, until the test ends.
func SetOldSnapshotWait(tb interface{ Cleanup(func()) }, d time.Duration) {
	old := oldSnapshotWait
	oldSnapshotWait = d
	tb.Cleanup(func() { oldSnapshotWait = old })
}
