package data

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ecopulse/ecopulse/domain"
)

// ProjectMember is a party of a project, with the member's slug and name.
type ProjectMember struct {
	MemberID int64  `json:"member_id"`
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	Role     string `json:"role"`
}

// MemberProject is a cooperation project seen from one of its parties.
type MemberProject struct {
	domain.Project
	Role       string             `json:"role"` // the member's role
	Members    []ProjectMember    `json:"members"`
	Milestones []domain.Milestone `json:"milestones"` // by due date
}

// ProjectsOfMember returns the projects the member is a party of, with every
// party and milestone, newest start first.
func (db *DB) ProjectsOfMember(ctx context.Context, memberID int64) ([]MemberProject, error) {
	var out []MemberProject
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = projectsOfMember(ctx, tx, memberID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to list the projects of member %d: %w", memberID, err)
	}
	return out, nil
}

func projectsOfMember(ctx context.Context, tx *sql.Tx, memberID int64) ([]MemberProject, error) {
	rows, err := tx.QueryContext(ctx, `SELECT p.id, p.slug, p.name, p.scope, p.terms, p.status, p.start_on, p.end_on, p.source, pp.role
		FROM projects p JOIN project_parties pp ON pp.project_id = p.id
		WHERE pp.member_id = ? ORDER BY p.start_on DESC, p.name, p.id`, memberID)
	if err != nil {
		return nil, err
	}
	var out []MemberProject
	byID := map[int64]int{}
	for rows.Next() {
		var p MemberProject
		var start, end sql.NullString
		if err := rows.Scan(&p.ID, &p.Slug, &p.Name, &p.Scope, &p.Terms, &p.Status, &start, &end, &p.Source, &p.Role); err != nil {
			rows.Close()
			return nil, err
		}
		p.StartOn, p.EndOn = parseDate(start), parseDate(end)
		p.Parties, p.Members, p.Milestones = []domain.ProjectParty{}, []ProjectMember{}, []domain.Milestone{}
		byID[p.ID] = len(out)
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	rows, err = tx.QueryContext(ctx, `SELECT pp.project_id, m.id, m.slug, m.name, pp.role
		FROM project_parties pp JOIN members m ON m.id = pp.member_id
		WHERE pp.project_id IN (SELECT project_id FROM project_parties WHERE member_id = ?)
		ORDER BY pp.project_id, m.name, m.id`, memberID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var pid int64
		var pm ProjectMember
		if err := rows.Scan(&pid, &pm.MemberID, &pm.Slug, &pm.Name, &pm.Role); err != nil {
			rows.Close()
			return nil, err
		}
		if i, ok := byID[pid]; ok {
			out[i].Members = append(out[i].Members, pm)
			out[i].Parties = append(out[i].Parties, domain.ProjectParty{MemberID: pm.MemberID, Role: pm.Role})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT ms.id, ms.project_id, ms.external_id, ms.title, ms.due_on, ms.done_on
		FROM milestones ms
		WHERE ms.project_id IN (SELECT project_id FROM project_parties WHERE member_id = ?)
		ORDER BY ms.project_id, ms.due_on, ms.id`, memberID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var ms domain.Milestone
		var due, done sql.NullString
		if err := rows.Scan(&ms.ID, &ms.ProjectID, &ms.ExternalID, &ms.Title, &due, &done); err != nil {
			return nil, err
		}
		ms.DueOn, ms.DoneOn = parseDate(due), parseDate(done)
		if i, ok := byID[ms.ProjectID]; ok {
			out[i].Milestones = append(out[i].Milestones, ms)
		}
	}
	return out, rows.Err()
}
