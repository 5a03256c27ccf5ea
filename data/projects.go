package data

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// CreateProject stores a project with its parties and sets p.ID.
func (db *DB) CreateProject(ctx context.Context, p *Project) error {
	if err := p.Validate(); err != nil {
		return err
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM projects WHERE slug = ?`, p.Slug).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return Errorf(ECONFLICT, "a project with slug %q already exists", p.Slug)
		}
		now := time.Now().Unix()
		res, err := tx.ExecContext(ctx, `INSERT INTO projects (slug, name, scope, terms, status, start_on, end_on, source, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.Slug, p.Name, p.Scope, p.Terms, p.Status, dateStr(p.StartOn), nullDate(p.EndOn), p.Source, now, now)
		if err != nil {
			return err
		}
		if p.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, party := range p.Parties {
			if _, err := tx.ExecContext(ctx, `INSERT INTO project_parties (project_id, member_id, role) VALUES (?, ?, ?)`,
				p.ID, party.MemberID, party.Role); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: unable to create project %q: %w", p.Slug, err)
	}
	return nil
}

// AddMilestones stores milestones; one with the same (project, external id)
// as a stored one updates it, so sources can re-send them.
func (db *DB) AddMilestones(ctx context.Context, ms []Milestone) error {
	for i := range ms {
		if err := ms[i].Validate(); err != nil {
			return err
		}
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO milestones (project_id, external_id, title, due_on, done_on)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (project_id, external_id) DO UPDATE SET title = excluded.title, due_on = excluded.due_on, done_on = excluded.done_on`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, m := range ms {
			ext := m.ExternalID
			if ext == "" {
				ext = m.Title
			}
			if _, err := stmt.ExecContext(ctx, m.ProjectID, ext, m.Title, dateStr(m.DueOn), nullDate(m.DoneOn)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: unable to add milestones: %w", err)
	}
	return nil
}

// CountProjects returns the number of projects.
func (db *DB) CountProjects(ctx context.Context) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM projects`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: unable to count projects: %w", err)
	}
	return n, nil
}
