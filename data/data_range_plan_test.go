package data_test

import (
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
)

// TestDataRangeSeeks holds DataRange to seeks: every page asks it, and a
// query that scans reads every usage row of the database each time (a
// year of usage made the overview's build hundreds of milliseconds).
func TestDataRangeSeeks(t *testing.T) {
	datatest.SkipOnPostgres(t, "PostgreSQL plans MIN and MAX from its statistics; the one-aggregate-per-query seek is SQLite's rule")
	db := datatest.MustOpenDB(t)
	plan := strings.Split(queryPlan(t, db, data.DataRangeSQL), "\n")
	t.Logf("plan:\n%s", strings.Join(plan, "\n"))
	searches := 0
	for _, step := range plan {
		if strings.HasPrefix(step, "SCAN") && step != "SCAN CONSTANT ROW" {
			t.Errorf("DataRange scans: %q", step)
		}
		if strings.HasPrefix(step, "SEARCH") {
			searches++
		}
	}
	if searches != 6 {
		t.Errorf("DataRange makes %d seeks, want 6 (a first and a last of usage, scores and activities)", searches)
	}
}

// TestMemberCommunityQueriesUseTheIndex holds the member page's activity
// queries to the covering index: through a narrower one each of a busy
// member's thousands of activities cost a lookup into the table.
func TestMemberCommunityQueriesUseTheIndex(t *testing.T) {
	datatest.SkipOnPostgres(t, "the plans are SQLite's; PostgreSQL chooses index-only scans from its statistics")
	db := datatest.MustOpenDB(t)
	for name, q := range data.MemberCommunitySQL {
		plan := queryPlan(t, db, q)
		if !strings.Contains(plan, " USING COVERING INDEX activities_member") {
			t.Errorf("%s: the member's activities are not read from the covering index:\n%s", name, plan)
		}
		if strings.Contains(plan, "SCAN activities") {
			t.Errorf("%s scans activities:\n%s", name, plan)
		}
	}
}

// TestMemberHealthReadsTheCoveringIndex: the members list's 26 weeks of
// health are read from the scores_day_health index alone, not with a
// lookup into each wide score row.
func TestMemberHealthReadsTheCoveringIndex(t *testing.T) {
	datatest.SkipOnPostgres(t, "the plan is SQLite's; PostgreSQL chooses index-only scans from its statistics")
	db := datatest.MustOpenDB(t)
	plan := queryPlan(t, db, data.MemberHealthSQL(26))
	if !strings.Contains(plan, "USING COVERING INDEX scores_day_health") {
		t.Errorf("the health trend is not read from the covering index:\n%s", plan)
	}
}

// queryPlan returns SQLite's plan of q, a step a line.
func queryPlan(t *testing.T, db *data.DB, q string) string {
	t.Helper()
	rows, err := datatest.Raw(t, db).Query(`EXPLAIN QUERY PLAN `+q, make([]any, strings.Count(q, "?"))...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}
