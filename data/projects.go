package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// CreateProject stores a project with its parties and sets p.ID.
func (db *DB) CreateProject(ctx context.Context, p *domain.Project) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := db.writeTx(ctx, func(tx *sql.Tx) error { return createProject(ctx, tx, p) }); err != nil {
		return fmt.Errorf("store: unable to create project %q: %w", p.Slug, err)
	}
	return nil
}

// createProject inserts p and its parties unless its slug is taken: the
// insert is the check (ON CONFLICT DO NOTHING), so that two creations of
// the same slug meeting give one project and one ECONFLICT.
func createProject(ctx context.Context, tx *sql.Tx, p *domain.Project) error {
	now := time.Now().Unix()
	var err error
	p.ID, err = insertRow(ctx, tx, `INSERT INTO projects (slug, name, scope, terms, status, start_on, end_on, source, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (slug) DO NOTHING`,
		p.Slug, p.Name, p.Scope, p.Terms, p.Status, dateStr(p.StartOn), nullDate(p.EndOn), p.Source, now, now)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Errorf(domain.ECONFLICT, "a project with slug %q already exists", p.Slug)
	} else if err != nil {
		return err
	}
	for _, party := range p.Parties {
		if _, err := tx.ExecContext(ctx, `INSERT INTO project_parties (project_id, member_id, role) VALUES (?, ?, ?)`,
			p.ID, party.MemberID, party.Role); err != nil {
			return err
		}
	}
	// A new project changes the days already scored since it started.
	return markRescoreFrom(ctx, tx, p.StartOn)
}

// AddMilestones stores milestones; one with the same (project, external id)
// as a stored one updates it, so sources can re-send them.
func (db *DB) AddMilestones(ctx context.Context, ms []domain.Milestone) error {
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

// UpsertProject creates the project with p.Slug or updates it in place
// (fields and the full list of parties), and sets p.ID. Applying the same
// project twice changes nothing: registries re-send everything. A project
// that is new or changed has the days already scored since its start (the
// earlier of the two, when it moved) scored again; an unchanged one marks
// nothing, so a registry applied every few minutes costs no rescoring.
func (db *DB) UpsertProject(ctx context.Context, p *domain.Project) error {
	if err := p.Validate(); err != nil {
		return err
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error { return upsertProject(ctx, tx, db.dialect, p) })
	if err != nil {
		return fmt.Errorf("store: unable to save project %q: %w", p.Slug, err)
	}
	return nil
}

func upsertProject(ctx context.Context, tx *sql.Tx, d dialect, p *domain.Project) error {
	now := time.Now().Unix()
	created := false
	err := tx.QueryRowContext(ctx, `SELECT id FROM projects WHERE slug = ?`, p.Slug).Scan(&p.ID)
	if errors.Is(err, sql.ErrNoRows) {
		// Inserted unless another writer (another process applying
		// the registry) created it since the look-up: then it is
		// updated as found.
		p.ID, err = insertRow(ctx, tx, `INSERT INTO projects (slug, name, scope, terms, status, start_on, end_on, source, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (slug) DO NOTHING`,
			p.Slug, p.Name, p.Scope, p.Terms, p.Status, dateStr(p.StartOn), nullDate(p.EndOn), p.Source, now, now)
		created = err == nil
		if errors.Is(err, sql.ErrNoRows) {
			err = tx.QueryRowContext(ctx, `SELECT id FROM projects WHERE slug = ?`, p.Slug).Scan(&p.ID)
		}
	}
	if err != nil {
		return err
	}
	var before string
	var beforeStart time.Time
	if !created {
		// Locked before it is read, so that what the update is compared
		// with is what it changes, not a state another writer is
		// changing meanwhile: its rescoring marks would then miss the
		// days scored in the state that writer left.
		if _, err := tx.ExecContext(ctx, `SELECT id FROM projects WHERE id = ?`+d.forUpdate(), p.ID); err != nil {
			return err
		}
		if before, beforeStart, err = projectFingerprint(ctx, tx, p.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE projects SET name = ?, scope = ?, terms = ?, status = ?, start_on = ?, end_on = ?,
			source = ?, updated_at = ? WHERE id = ?`,
			p.Name, p.Scope, p.Terms, p.Status, dateStr(p.StartOn), nullDate(p.EndOn), p.Source, now, p.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM project_parties WHERE project_id = ?`, p.ID); err != nil {
			return err
		}
	}
	for _, party := range p.Parties {
		if _, err := tx.ExecContext(ctx, `INSERT INTO project_parties (project_id, member_id, role) VALUES (?, ?, ?)`,
			p.ID, party.MemberID, party.Role); err != nil {
			return err
		}
	}
	after, _, err := projectFingerprint(ctx, tx, p.ID)
	if err != nil || after == before {
		return err
	}
	from := p.StartOn
	if !beforeStart.IsZero() && beforeStart.Before(from) {
		from = beforeStart
	}
	return markRescoreFrom(ctx, tx, from)
}

// LinkProjectRepo makes a repository's milestones count as the project's.
func (db *DB) LinkProjectRepo(ctx context.Context, projectID int64, repo string) error {
	if repo == "" {
		return domain.Errorf(domain.EINVALID, "repository name is empty")
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO project_repos (project_id, repo) VALUES (?, ?) ON CONFLICT DO NOTHING`, projectID, strings.ToLower(repo))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to link %s to project %d: %w", repo, projectID, err)
	}
	return nil
}

// ProjectsForRepo returns the ids of the projects linked to a repository.
func (db *DB) ProjectsForRepo(ctx context.Context, repo string) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT project_id FROM project_repos WHERE repo = ? ORDER BY project_id`, strings.ToLower(repo))
	if err != nil {
		return nil, fmt.Errorf("store: unable to find projects of %s: %w", repo, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// projectFingerprint is what of a project scoring reads (status, dates,
// parties), as one string, and its start: UpsertProject compares it before
// and after to tell a change from the same project sent again.
func projectFingerprint(ctx context.Context, tx *sql.Tx, id int64) (string, time.Time, error) {
	var status, start string
	var end sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT status, start_on, end_on FROM projects WHERE id = ?`, id).Scan(&status, &start, &end); err != nil {
		return "", time.Time{}, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%s|%s", status, start, end.String)
	rows, err := tx.QueryContext(ctx, `SELECT member_id, role FROM project_parties WHERE project_id = ? ORDER BY member_id`, id)
	if err != nil {
		return "", time.Time{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var m int64
		var role string
		if err := rows.Scan(&m, &role); err != nil {
			return "", time.Time{}, err
		}
		fmt.Fprintf(&b, "|%d:%s", m, role)
	}
	return b.String(), parseDate(sql.NullString{String: start, Valid: true}), rows.Err()
}
