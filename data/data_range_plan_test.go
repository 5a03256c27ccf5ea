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
	rows, err := datatest.Raw(t, db).Query(`EXPLAIN QUERY PLAN ` + data.DataRangeSQL)
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
