package data

import (
	"context"
	"database/sql"

	"github.com/ecopulse/ecopulse/domain"
)

// projectParts points at where a loaded project keeps its parties and
// milestones: the agreement pages and the member page load projects into
// types of their own.
type projectParts struct {
	project    *domain.Project
	members    *[]ProjectMember
	milestones *[]domain.Milestone
}

// projectLoad says which projects loadProjects reads and how.
type projectLoad[P any] struct {
	query string // the project rows, in the order of the result
	args  []any
	scan  func(rows *sql.Rows) (P, error)
	parts func(p *P) projectParts
	// scope selects the same projects as a condition on the unqualified
	// column project_id, for the parties and milestones.
	scope     string
	scopeArgs []any
}

// loadProjects reads the projects of l, then their parties (by member name)
// and their milestones (by due date, then id), three queries in all.
func loadProjects[P any](ctx context.Context, tx *sql.Tx, l projectLoad[P]) ([]P, error) {
	out := []P{}
	if err := scanRows(ctx, tx, l.query, l.args, func(rows *sql.Rows) error {
		p, err := l.scan(rows)
		if err != nil {
			return err
		}
		out = append(out, p)
		return nil
	}); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	byID := make(map[int64]projectParts, len(out))
	for i := range out {
		parts := l.parts(&out[i])
		byID[parts.project.ID] = parts
	}
	if err := scanRows(ctx, tx, `SELECT pp.project_id, m.id, m.slug, m.name, pp.role
		FROM project_parties pp JOIN members m ON m.id = pp.member_id
		WHERE `+l.scope+` ORDER BY pp.project_id, m.name, m.id`, l.scopeArgs, func(rows *sql.Rows) error {
		var pid int64
		var pm ProjectMember
		if err := rows.Scan(&pid, &pm.MemberID, &pm.Slug, &pm.Name, &pm.Role); err != nil {
			return err
		}
		if parts, ok := byID[pid]; ok {
			*parts.members = append(*parts.members, pm)
			parts.project.Parties = append(parts.project.Parties, domain.ProjectParty{MemberID: pm.MemberID, Role: pm.Role})
		}
		return nil
	}); err != nil {
		return nil, err
	}
	err := scanRows(ctx, tx, `SELECT id, project_id, external_id, title, due_on, done_on FROM milestones
		WHERE `+l.scope+` ORDER BY project_id, due_on, id`, l.scopeArgs, func(rows *sql.Rows) error {
		var ms domain.Milestone
		var due, done sql.NullString
		if err := rows.Scan(&ms.ID, &ms.ProjectID, &ms.ExternalID, &ms.Title, &due, &done); err != nil {
			return err
		}
		ms.DueOn, ms.DoneOn = parseDate(due), parseDate(done)
		if parts, ok := byID[ms.ProjectID]; ok {
			*parts.milestones = append(*parts.milestones, ms)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// scanRows hands fn each row of query, stopping at its first error.
func scanRows(ctx context.Context, tx *sql.Tx, query string, args []any, fn func(rows *sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
