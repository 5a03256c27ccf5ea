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
	return loadProjects(ctx, tx, projectLoad[MemberProject]{
		query: `SELECT p.id, p.slug, p.name, p.scope, p.terms, p.status, p.start_on, p.end_on, p.source, pp.role
		FROM projects p JOIN project_parties pp ON pp.project_id = p.id
		WHERE pp.member_id = ? ORDER BY p.start_on DESC, p.name, p.id`,
		args: []any{memberID},
		scan: scanMemberProject,
		parts: func(p *MemberProject) projectParts {
			return projectParts{project: &p.Project, members: &p.Members, milestones: &p.Milestones}
		},
		scope:     `project_id IN (SELECT project_id FROM project_parties WHERE member_id = ?)`,
		scopeArgs: []any{memberID},
	})
}

func scanMemberProject(rows *sql.Rows) (MemberProject, error) {
	var p MemberProject
	var start, end sql.NullString
	if err := rows.Scan(&p.ID, &p.Slug, &p.Name, &p.Scope, &p.Terms, &p.Status, &start, &end, &p.Source, &p.Role); err != nil {
		return p, err
	}
	p.StartOn, p.EndOn = parseDate(start), parseDate(end)
	p.Parties, p.Members, p.Milestones = []domain.ProjectParty{}, []ProjectMember{}, []domain.Milestone{}
	return p, nil
}
