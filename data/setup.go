package data

import (
	"context"
	"database/sql"
	"fmt"
)

// SetupCounts are what a new installation has of each thing its owner must
// set up before the scores mean anything: the overview's getting-started
// checklist ticks a step when its count is above zero.
type SetupCounts struct {
	Members         int // active members (not archived)
	MappedConsumers int // API consumers mapped to a member
	Consumers       int // API consumers seen
	Runs            int // successful collector runs (push ingest counts as one)
	Activities      int // community activities stored (0 or 1: "any")
	Projects        int // cooperation projects
	ScoredMembers   int // member scores with a contribution stored (0 or 1: "any"): members scored on no data do not count
}

// SetupCounts answers "how far is the setup?" in one read transaction.
func (db *DB) SetupCounts(ctx context.Context) (SetupCounts, error) {
	var s SetupCounts
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []struct {
			dst *int
			sql string
		}{
			{&s.Members, `SELECT COUNT(*) FROM members WHERE archived_on IS NULL`},
			{&s.MappedConsumers, `SELECT COUNT(*) FROM api_consumers WHERE member_id IS NOT NULL`},
			{&s.Consumers, `SELECT COUNT(*) FROM api_consumers`},
			{&s.Runs, `SELECT COUNT(*) FROM collector_runs WHERE status = 'succeeded'`},
			{&s.Activities, `SELECT CASE WHEN EXISTS (SELECT 1 FROM activities) THEN 1 ELSE 0 END`},
			{&s.Projects, `SELECT COUNT(*) FROM projects`},
			{&s.ScoredMembers, `SELECT CASE WHEN EXISTS (SELECT 1 FROM scores WHERE c > 0) THEN 1 ELSE 0 END`},
		} {
			if err := tx.QueryRowContext(ctx, q.sql).Scan(q.dst); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return s, fmt.Errorf("store: unable to read the setup's progress: %w", err)
	}
	return s, nil
}
