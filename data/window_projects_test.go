package data_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestWindowProjectsMatchSQLDefinitions builds random projects (cancelled,
// ended, not yet started, open-ended) with random parties and milestones and
// checks the window's project counts, per member and per pair, against their
// definitions written as SQL joins — the queries the in-memory join replaced.
func TestWindowProjectsMatchSQLDefinitions(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			ctx := context.Background()
			db := datatest.MustOpenDB(t)
			rng := rand.New(rand.NewPCG(seed, 11))
			var members []*domain.Member
			for i := 0; i < 6; i++ {
				members = append(members, mustMember(t, db, fmt.Sprint("m", i)))
			}
			base := day(t, "2026-01-01")
			dayN := func(n int) time.Time { return base.AddDate(0, 0, n) }
			statuses := []string{domain.ProjectActive, domain.ProjectActive, domain.ProjectPlanned, domain.ProjectCompleted, domain.ProjectCancelled}
			for i := 0; i < 20; i++ {
				p := &domain.Project{Slug: fmt.Sprint("p", i), Name: fmt.Sprint("P", i), Status: statuses[rng.IntN(len(statuses))], StartOn: dayN(rng.IntN(120))}
				if rng.IntN(2) == 0 {
					p.EndOn = p.StartOn.AddDate(0, 0, 10+rng.IntN(90))
				}
				for _, j := range rng.Perm(len(members))[:1+rng.IntN(3)] {
					p.Parties = append(p.Parties, domain.ProjectParty{MemberID: members[j].ID, Role: "partner"})
				}
				if err := db.CreateProject(ctx, p); err != nil {
					t.Fatal(err)
				}
				var ms []domain.Milestone
				if i == 0 { // the window's edges: due or done on its first and last days
					first, last := day(t, "2026-03-14"), day(t, "2026-04-10")
					ms = append(ms, domain.Milestone{ProjectID: p.ID, Title: "due last", DueOn: last},
						domain.Milestone{ProjectID: p.ID, Title: "due first", DueOn: first, DoneOn: first},
						domain.Milestone{ProjectID: p.ID, Title: "done after last", DueOn: last, DoneOn: last.AddDate(0, 0, 1)},
						domain.Milestone{ProjectID: p.ID, Title: "done before first", DueOn: first.AddDate(0, 0, -2), DoneOn: first.AddDate(0, 0, -1)})
				}
				for k := rng.IntN(6); k > 0; k-- {
					m := domain.Milestone{ProjectID: p.ID, Title: fmt.Sprint("m", k), DueOn: dayN(rng.IntN(150))}
					if rng.IntN(3) > 0 {
						m.DoneOn = m.DueOn.AddDate(0, 0, rng.IntN(30)-15)
					}
					ms = append(ms, m)
				}
				if len(ms) > 0 {
					if err := db.AddMilestones(ctx, ms); err != nil {
						t.Fatal(err)
					}
				}
			}
			end := day(t, "2026-04-10")
			w, err := db.ScoringWindow(ctx, end, 28)
			if err != nil {
				t.Fatal(err)
			}
			wantMembers, wantPairs := projectsBySQL(t, db, w.From.Format(domain.DateLayout), end.Format(domain.DateLayout))
			for _, m := range w.Members {
				got := [5]int{m.ActiveProjects, m.MilestonesDue, m.MilestonesOnTime, m.MilestonesDelivered, m.MilestonesOverdue}
				if want := wantMembers[m.ID]; got != want {
					t.Errorf("member %d [active due onTime delivered overdue] = %v, want %v", m.ID, got, want)
				}
			}
			gotPairs := map[[2]int64][2]int{}
			for _, p := range w.Pairs {
				if p.SharedProjects > 0 || p.SharedMilestones > 0 {
					gotPairs[[2]int64{p.A, p.B}] = [2]int{p.SharedProjects, p.SharedMilestones}
				}
			}
			if got, want := fmt.Sprint(gotPairs), fmt.Sprint(wantPairs); got != want {
				t.Errorf("pairs [projects milestones] = %s, want %s", got, want)
			}
			if len(wantPairs) == 0 {
				t.Error("no pair shares a project: the test checks nothing about pairs")
			}
		})
	}
}

func projectsBySQL(tb testing.TB, store *data.DB, from, last string) (map[int64][5]int, map[[2]int64][2]int) {
	tb.Helper()
	db := datatest.Raw(tb, store)
	members := map[int64][5]int{}
	pairs := map[[2]int64][2]int{}
	query := func(q string, fn func(rows *sql.Rows) error, args ...any) {
		tb.Helper()
		rows, err := db.Query(q, args...)
		if err != nil {
			tb.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows); err != nil {
				tb.Fatal(err)
			}
		}
	}
	const active = `p.status <> 'cancelled' AND p.start_on <= ? AND (p.end_on IS NULL OR p.end_on >= ?)`
	query(`SELECT pp.member_id, COUNT(*) FROM project_parties pp JOIN projects p ON p.id = pp.project_id
		WHERE `+active+` GROUP BY pp.member_id`, func(rows *sql.Rows) error {
		var id int64
		var n int
		err := rows.Scan(&id, &n)
		v := members[id]
		v[0] = n
		members[id] = v
		return err
	}, last, from)
	query(`SELECT pp.member_id,
		SUM(CASE WHEN ms.due_on >= ? AND ms.due_on <= ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN ms.due_on >= ? AND ms.due_on <= ? AND ms.done_on IS NOT NULL AND ms.done_on <= ms.due_on THEN 1 ELSE 0 END),
		SUM(CASE WHEN ms.done_on >= ? AND ms.done_on <= ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN ms.due_on < ? AND (ms.done_on IS NULL OR ms.done_on > ?) THEN 1 ELSE 0 END)
		FROM milestones ms JOIN projects p ON p.id = ms.project_id JOIN project_parties pp ON pp.project_id = p.id
		WHERE p.status <> 'cancelled'
		GROUP BY pp.member_id`, func(rows *sql.Rows) error {
		var id int64
		var due, onTime, done, overdue int
		err := rows.Scan(&id, &due, &onTime, &done, &overdue)
		v := members[id]
		v[1], v[2], v[3], v[4] = due, onTime, done, overdue
		members[id] = v
		return err
	}, from, last, from, last, from, last, last, last)
	pair := func(i int) func(rows *sql.Rows) error {
		return func(rows *sql.Rows) error {
			var a, b int64
			var n int
			err := rows.Scan(&a, &b, &n)
			v := pairs[[2]int64{a, b}]
			v[i] = n
			pairs[[2]int64{a, b}] = v
			return err
		}
	}
	query(`SELECT x.member_id, y.member_id, COUNT(*) FROM project_parties x
		JOIN project_parties y ON y.project_id = x.project_id AND x.member_id < y.member_id
		JOIN projects p ON p.id = x.project_id WHERE `+active+` GROUP BY x.member_id, y.member_id`, pair(0), last, from)
	query(`SELECT x.member_id, y.member_id, COUNT(*) FROM milestones ms
		JOIN projects p ON p.id = ms.project_id
		JOIN project_parties x ON x.project_id = p.id JOIN project_parties y ON y.project_id = p.id AND x.member_id < y.member_id
		WHERE p.status <> 'cancelled' AND ms.done_on >= ? AND ms.done_on <= ? GROUP BY x.member_id, y.member_id`, pair(1), from, last)
	for id, v := range members {
		if v == ([5]int{}) {
			delete(members, id)
		}
	}
	return members, pairs
}
