package data

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// Cooperation agreements (projects) as the projects pages and the agreement
// form see them: every party with its member's slug and name, every
// milestone, and where each record came from.

// Record sources. A project's Source says who last wrote it; a milestone's
// source is the prefix of its external id (see MilestoneSource).
const (
	SourceUI       = "ui"       // the agreement form or its JSON API
	SourceRegistry = "registry" // the registry file (collectors/registry)
	SourceGitHub   = "github"   // milestones of linked GitHub repositories
	SourceDemo     = "demo"     // the demo generator
)

// uiMilestonePrefix starts the external id of a milestone made in the UI.
const uiMilestonePrefix = SourceUI + ":"

// MilestoneSource returns the source of a milestone from its external id:
// "ui:…", "github:…", "registry:…" and "demo:…" name their source; any
// other id has no known source ("").
func MilestoneSource(externalID string) string {
	prefix, _, ok := strings.Cut(externalID, ":")
	if !ok {
		return ""
	}
	switch prefix {
	case SourceUI, SourceGitHub, SourceRegistry, SourceDemo:
		return prefix
	}
	return ""
}

// Agreement is a cooperation project with its parties and milestones.
type Agreement struct {
	domain.Project
	Members    []ProjectMember    `json:"members"`    // the parties, by member name
	Milestones []domain.Milestone `json:"milestones"` // by due date, then id
	CreatedAt  time.Time          `json:"created_at"`
	UpdatedAt  time.Time          `json:"updated_at"`
}

const agreementColumns = `p.id, p.slug, p.name, p.scope, p.terms, p.status, p.start_on, p.end_on, p.source, p.created_at, p.updated_at`

func scanAgreement(row interface{ Scan(...any) error }) (Agreement, error) {
	var a Agreement
	var start, end sql.NullString
	var created, updated int64
	if err := row.Scan(&a.ID, &a.Slug, &a.Name, &a.Scope, &a.Terms, &a.Status, &start, &end, &a.Source, &created, &updated); err != nil {
		return a, err
	}
	a.StartOn, a.EndOn = parseDate(start), parseDate(end)
	a.CreatedAt, a.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	a.Parties, a.Members, a.Milestones = []domain.ProjectParty{}, []ProjectMember{}, []domain.Milestone{}
	return a, nil
}

// Agreements returns every project with its parties and milestones, newest
// start first.
func (db *DB) Agreements(ctx context.Context) ([]Agreement, error) {
	var out []Agreement
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = agreements(ctx, tx, 0)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to list agreements: %w", err)
	}
	return out, nil
}

// AgreementBySlug returns one project with its parties and milestones, or
// ENOTFOUND.
func (db *DB) AgreementBySlug(ctx context.Context, slug string) (*Agreement, error) {
	var out []Agreement
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM projects WHERE slug = ?`, slug).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.ErrorKey(domain.ENOTFOUND, "errors.no_project", domain.Facts{"Slug": fmt.Sprintf("%q", slug)}, "no project %q", slug)
		} else if err != nil {
			return err
		}
		out, err = agreements(ctx, tx, id)
		return err
	})
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to read project %q: %w", slug, err)
	}
	if len(out) == 0 {
		return nil, domain.ErrorKey(domain.ENOTFOUND, "errors.no_project", domain.Facts{"Slug": fmt.Sprintf("%q", slug)}, "no project %q", slug)
	}
	return &out[0], nil
}

// agreements reads one project (id > 0) or all of them (id == 0).
func agreements(ctx context.Context, tx *sql.Tx, id int64) ([]Agreement, error) {
	return loadProjects(ctx, tx, projectLoad[Agreement]{
		query: `SELECT ` + agreementColumns + ` FROM projects p
		WHERE ? = 0 OR p.id = ? ORDER BY p.start_on DESC, p.name, p.id`,
		args: []any{id, id},
		scan: func(rows *sql.Rows) (Agreement, error) { return scanAgreement(rows) },
		parts: func(a *Agreement) projectParts {
			return projectParts{project: &a.Project, members: &a.Members, milestones: &a.Milestones}
		},
		scope:     `? = 0 OR project_id = ?`,
		scopeArgs: []any{id, id},
	})
}

// SaveAgreement stores a cooperation agreement — the project, its full list
// of parties and its milestones — in one transaction: all of it or nothing.
//
// With p.ID == 0 the project is created (ECONFLICT when its slug is taken);
// otherwise the project p.ID is updated, its slug included (ENOTFOUND when
// it does not exist, ECONFLICT when the new slug is another project's). An
// empty p.Source is saved as "ui".
//
// ms is the project's list of milestones after the edit. A milestone with an
// ID updates that milestone of the project (EINVALID when it belongs to
// another); one without an ID updates the project's milestone with the same
// title that no other entry names, or else is created with an external id
// "ui:…". A stored milestone missing from ms is deleted only when it was
// made in the UI: those from the registry, GitHub or the demo stay, since
// their source would send them again. Unprefixed external ids of a project
// that did not come from the UI are stamped with the project's former source
// first ("demo:…"), so their origin survives the project becoming "ui".
// On success the IDs and external ids of p and ms are set.
func (db *DB) SaveAgreement(ctx context.Context, p *domain.Project, ms []domain.Milestone) error {
	if p.Source == "" {
		p.Source = SourceUI
	}
	p.Name, p.Scope, p.Terms = strings.TrimSpace(p.Name), strings.TrimSpace(p.Scope), strings.TrimSpace(p.Terms)
	if err := p.Validate(); err != nil {
		return err
	}
	for i := range ms {
		ms[i].Title = strings.TrimSpace(ms[i].Title)
		switch {
		case ms[i].Title == "":
			return domain.Errorf(domain.EINVALID, "milestone %d needs a title", i+1)
		case ms[i].DueOn.IsZero():
			return domain.Errorf(domain.EINVALID, "milestone %q needs a due date", ms[i].Title)
		}
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error { return saveAgreement(ctx, tx, db.dialect, p, ms) })
	if err != nil {
		if code := domain.ErrorCode(err); code != domain.EINTERNAL {
			return err
		}
		return fmt.Errorf("store: unable to save agreement %q: %w", p.Slug, err)
	}
	return nil
}

func saveAgreement(ctx context.Context, tx *sql.Tx, d dialect, p *domain.Project, ms []domain.Milestone) error {
	now := time.Now().Unix()
	var other int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM projects WHERE slug = ?`, p.Slug).Scan(&other)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		other = 0
	case err != nil:
		return err
	}
	oldSource := ""
	from := p.StartOn // the first day whose scores the agreement changes
	if p.ID == 0 {
		if other != 0 {
			return domain.Errorf(domain.ECONFLICT, "a project with slug %q already exists", p.Slug)
		}
		p.ID, err = insertRow(ctx, tx, `INSERT INTO projects (slug, name, scope, terms, status, start_on, end_on, source, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (slug) DO NOTHING`,
			p.Slug, p.Name, p.Scope, p.Terms, p.Status, dateStr(p.StartOn), nullDate(p.EndOn), p.Source, now, now)
		if errors.Is(err, sql.ErrNoRows) { // created by another writer since the look-up above
			return domain.Errorf(domain.ECONFLICT, "a project with slug %q already exists", p.Slug)
		} else if err != nil {
			return err
		}
	} else {
		// Read under the row's lock: the days to score again run from the
		// start the update replaces, which another writer may be changing.
		var oldStart sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT source, start_on FROM projects WHERE id = ?`+d.forUpdate(), p.ID).Scan(&oldSource, &oldStart)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENOTFOUND, "no project %d", p.ID)
		} else if err != nil {
			return err
		}
		if d := parseDate(oldStart); !d.IsZero() && d.Before(from) {
			from = d
		}
		if other != 0 && other != p.ID {
			return domain.Errorf(domain.ECONFLICT, "a project with slug %q already exists", p.Slug)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE projects SET slug = ?, name = ?, scope = ?, terms = ?, status = ?, start_on = ?, end_on = ?,
			source = ?, updated_at = ? WHERE id = ?`,
			p.Slug, p.Name, p.Scope, p.Terms, p.Status, dateStr(p.StartOn), nullDate(p.EndOn), p.Source, now, p.ID); isUniqueViolation(err) {
			// Taken by a project created since the look-up above.
			return domain.Errorf(domain.ECONFLICT, "a project with slug %q already exists", p.Slug)
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM project_parties WHERE project_id = ?`, p.ID); err != nil {
			return err
		}
	}
	for _, party := range p.Parties {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE id = ?`, party.MemberID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return domain.Errorf(domain.EINVALID, "project %q: no member with id %d", p.Slug, party.MemberID)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO project_parties (project_id, member_id, role) VALUES (?, ?, ?)`,
			p.ID, party.MemberID, strings.TrimSpace(party.Role)); err != nil {
			return err
		}
	}
	if err := saveAgreementMilestones(ctx, tx, p, oldSource, ms); err != nil {
		return err
	}
	// Its parties' cooperation counts in the scores from its start on: the
	// days already scored are scored again, however old (an agreement
	// registered after the history it covers was scored).
	return markRescoreFrom(ctx, tx, from)
}

type storedMilestone struct {
	id    int64
	ext   string
	title string
	kept  bool
}

// saveAgreementMilestones makes ms the milestones of p: entries that name a
// stored milestone (by id, else by title) update it, others are inserted,
// and stored milestones entered on the UI that are no longer listed are
// deleted. oldSource is the source p had before this save.
func saveAgreementMilestones(ctx context.Context, tx *sql.Tx, p *domain.Project, oldSource string, ms []domain.Milestone) error {
	stored, err := storedMilestones(ctx, tx, p.ID)
	if err != nil {
		return err
	}
	if err := stampMilestoneSources(ctx, tx, p.ID, oldSource, stored); err != nil {
		return err
	}
	if err := matchStoredMilestones(p, ms, stored); err != nil {
		return err
	}
	for i := range ms {
		m := &ms[i]
		m.ProjectID = p.ID
		if err := m.Validate(); err != nil {
			return err
		}
		if err := writeAgreementMilestone(ctx, tx, m); err != nil {
			return err
		}
	}
	for _, s := range stored {
		if s.kept || MilestoneSource(s.ext) != SourceUI {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM milestones WHERE id = ?`, s.id); err != nil {
			return err
		}
	}
	return nil
}

// storedMilestones returns the milestones of project, by due date.
func storedMilestones(ctx context.Context, tx *sql.Tx, project int64) ([]*storedMilestone, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, external_id, title FROM milestones WHERE project_id = ? ORDER BY due_on, id`, project)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var stored []*storedMilestone
	for rows.Next() {
		s := &storedMilestone{}
		if err := rows.Scan(&s.id, &s.ext, &s.title); err != nil {
			return nil, err
		}
		stored = append(stored, s)
	}
	return stored, rows.Err()
}

// stampMilestoneSources stamps the origin of milestones whose id does not
// say it, while the project still remembers its former source oldSource.
func stampMilestoneSources(ctx context.Context, tx *sql.Tx, project int64, oldSource string, stored []*storedMilestone) error {
	if oldSource == "" || oldSource == SourceUI || MilestoneSource(oldSource+":x") == "" {
		return nil
	}
	for _, s := range stored {
		if strings.Contains(s.ext, ":") {
			continue
		}
		ext := oldSource + ":" + s.ext
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM milestones WHERE project_id = ? AND external_id = ?`, project, ext).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE milestones SET external_id = ? WHERE id = ?`, ext, s.id); err != nil {
			return err
		}
		s.ext = ext
	}
	return nil
}

// matchStoredMilestones gives the entries of ms the stored milestone they
// are, marking it kept: first the entries that name a milestone, then the
// others by title.
func matchStoredMilestones(p *domain.Project, ms []domain.Milestone, stored []*storedMilestone) error {
	byID := map[int64]*storedMilestone{}
	for _, s := range stored {
		byID[s.id] = s
	}
	for i := range ms {
		m := &ms[i]
		if m.ID == 0 {
			continue
		}
		s, ok := byID[m.ID]
		if !ok {
			return domain.Errorf(domain.EINVALID, "milestone %d is not a milestone of project %q", m.ID, p.Slug)
		}
		if s.kept {
			return domain.Errorf(domain.EINVALID, "milestone %d is listed twice", m.ID)
		}
		s.kept = true
		m.ExternalID = s.ext
	}
	for i := range ms {
		m := &ms[i]
		if m.ID != 0 {
			continue
		}
		for _, s := range stored {
			if !s.kept && s.title == m.Title {
				s.kept = true
				m.ID, m.ExternalID = s.id, s.ext
				break
			}
		}
	}
	return nil
}

// writeAgreementMilestone updates the stored milestone m is, or inserts it
// with a new UI id.
func writeAgreementMilestone(ctx context.Context, tx *sql.Tx, m *domain.Milestone) error {
	if m.ID != 0 {
		_, err := tx.ExecContext(ctx, `UPDATE milestones SET title = ?, due_on = ?, done_on = ? WHERE id = ?`,
			m.Title, dateStr(m.DueOn), nullDate(m.DoneOn), m.ID)
		return err
	}
	ext, err := newUIMilestoneID()
	if err != nil {
		return err
	}
	m.ID, err = insertRow(ctx, tx, `INSERT INTO milestones (project_id, external_id, title, due_on, done_on) VALUES (?, ?, ?, ?, ?)`,
		m.ProjectID, ext, m.Title, dateStr(m.DueOn), nullDate(m.DoneOn))
	if err != nil {
		return err
	}
	m.ExternalID = ext
	return nil
}

// newUIMilestoneID returns a fresh external id for a milestone made in the UI.
func newUIMilestoneID() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return uiMilestonePrefix + hex.EncodeToString(b), nil
}
