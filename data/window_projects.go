package data

import (
	"context"
	"database/sql"

	"github.com/ecopulse/ecopulse/domain"
)

// projectPairCounts is what two members did together in projects.
type projectPairCounts struct{ projects, milestones int }

// windowProjects measures cooperation projects for members and pairs of
// members from three plain scans (projects, parties, milestones) joined in
// memory: joining milestones to projects and parties in SQL cost a b-tree
// descent per milestone and party, where the scans read each table once.
//
// Definitions, with from and last the window's first and last days:
//   - a project is active when not cancelled, started by last and not ended
//     before from; ActiveProjects counts a member's active projects, and a
//     pair's SharedProjects the active projects both are parties of;
//   - milestones of projects not cancelled, as seen on last: due in the
//     window (MilestonesDue), of those done by their due date (OnTime),
//     done in the window (Delivered; a pair's SharedMilestones), due before
//     last and not done by last (Overdue).
func windowProjects(ctx context.Context, tx *sql.Tx, byID map[int64]*domain.MemberWindow, cur span) (map[[2]int64]projectPairCounts, error) {
	from, last := dateStr(cur.from), dateStr(cur.to.AddDate(0, 0, -1))
	projects, err := windowProjectParties(ctx, tx, from, last)
	if err != nil {
		return nil, err
	}
	pairs := map[[2]int64]projectPairCounts{}
	for _, p := range projects {
		if !p.active {
			continue
		}
		for _, mid := range p.parties {
			if m := byID[mid]; m != nil {
				m.ActiveProjects++
			}
		}
		p.eachPair(pairs, func(c *projectPairCounts) { c.projects++ })
	}
	return pairs, windowMilestones(ctx, tx, byID, projects, pairs, from, last)
}

// windowProject is a project not cancelled: whether it is active in the
// window, and its parties.
type windowProject struct {
	active  bool
	parties []int64
}

// eachPair calls fn with the counts of each pair of the project's parties.
func (p *windowProject) eachPair(pairs map[[2]int64]projectPairCounts, fn func(*projectPairCounts)) {
	for i, a := range p.parties {
		for _, b := range p.parties[i+1:] {
			k := [2]int64{min(a, b), max(a, b)}
			c := pairs[k]
			fn(&c)
			pairs[k] = c
		}
	}
}

// windowProjectParties reads the projects not cancelled, by id, with their
// parties.
func windowProjectParties(ctx context.Context, tx *sql.Tx, from, last string) (map[int64]*windowProject, error) {
	projects := map[int64]*windowProject{}
	rows, err := tx.QueryContext(ctx, `SELECT id, start_on <= ? AND (end_on IS NULL OR end_on >= ?) FROM projects WHERE status <> 'cancelled'`, last, from)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var active bool
		if err := rows.Scan(&id, &active); err != nil {
			rows.Close()
			return nil, err
		}
		projects[id] = &windowProject{active: active}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT project_id, member_id FROM project_parties`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var pid, mid int64
		if err := rows.Scan(&pid, &mid); err != nil {
			return nil, err
		}
		if p := projects[pid]; p != nil {
			p.parties = append(p.parties, mid)
		}
	}
	return projects, rows.Err()
}

// windowMilestones counts the milestones of projects (not cancelled) for
// their parties, and those delivered in the window for pairs of them.
func windowMilestones(ctx context.Context, tx *sql.Tx, byID map[int64]*domain.MemberWindow, projects map[int64]*windowProject, pairs map[[2]int64]projectPairCounts, from, last string) error {
	// Only milestones that can count: due in the window or later, open, or
	// done in the window or later (a year of history is mostly neither).
	rows, err := tx.QueryContext(ctx, `SELECT project_id, due_on, done_on FROM milestones
		WHERE due_on >= ? OR done_on IS NULL OR done_on >= ?`, from, from)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pid int64
		var due string
		var done sql.NullString
		if err := rows.Scan(&pid, &due, &done); err != nil {
			return err
		}
		p := projects[pid]
		if p == nil {
			continue // cancelled
		}
		inWindow := due >= from && due <= last
		onTime := inWindow && done.Valid && done.String <= due
		delivered := done.Valid && done.String >= from && done.String <= last
		overdue := due < last && (!done.Valid || done.String > last)
		if !inWindow && !delivered && !overdue {
			continue
		}
		for _, mid := range p.parties {
			m := byID[mid]
			if m == nil {
				continue
			}
			if inWindow {
				m.MilestonesDue++
			}
			if onTime {
				m.MilestonesOnTime++
			}
			if delivered {
				m.MilestonesDelivered++
			}
			if overdue {
				m.MilestonesOverdue++
			}
		}
		if delivered {
			p.eachPair(pairs, func(c *projectPairCounts) { c.milestones++ })
		}
	}
	return rows.Err()
}
