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

// CreateMember stores a new member and sets m.ID.
func (db *DB) CreateMember(ctx context.Context, m *domain.Member) error {
	m.Normalize()
	if err := m.Validate(); err != nil {
		return err
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error { return createMember(ctx, tx, m) })
	if err != nil {
		return fmt.Errorf("store: unable to create member %q: %w", m.Slug, err)
	}
	return nil
}

// createMember inserts m unless its slug is taken: the insert is the check
// (ON CONFLICT DO NOTHING), so that two creations of the same slug meeting
// (two processes) give one member and one ECONFLICT, not a unique-key
// failure.
func createMember(ctx context.Context, tx *sql.Tx, m *domain.Member) error {
	now := time.Now().Unix()
	var err error
	m.ID, err = insertRow(ctx, tx, `INSERT INTO members (slug, name, kind, tier, segment, joined_on, domains, github_orgs, key_patterns, archived_on, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (slug) DO NOTHING`,
		m.Slug, m.Name, string(m.Kind), m.Tier, m.Segment, dateStr(m.JoinedOn),
		joinHints(m.Domains), joinHints(m.GitHubOrgs), joinHints(m.KeyPatterns), nullDate(m.ArchivedOn), now, now)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Errorf(domain.ECONFLICT, "slug: a member with slug %q already exists", m.Slug)
	} else if err != nil {
		return err
	}
	// A member that joined in the past changes the days already scored
	// since it joined.
	return markRescoreFrom(ctx, tx, m.JoinedOn)
}

// memberForUpdate is memberBySlug for a write that checks the member's
// state, then changes it: the row is locked first (on PostgreSQL), so that
// the state read is the one the write changes, not one that another
// writer, meanwhile, is changing (an archive of a member being merged
// away, an edit undone by one read before the edit committed).
func memberForUpdate(ctx context.Context, tx *sql.Tx, d dialect, slug string) (*domain.Member, error) {
	if _, err := tx.ExecContext(ctx, `SELECT id FROM members WHERE slug = ?`+d.forUpdate(), slug); err != nil {
		return nil, err
	}
	return memberBySlug(ctx, tx, slug)
}

// memberColumns are read by scanMember; merged_into is given as the slug.
const memberColumns = `id, slug, name, kind, tier, segment, joined_on, domains, github_orgs, key_patterns, archived_on,
	COALESCE((SELECT mi.slug FROM members mi WHERE mi.id = members.merged_into), '')`

func scanMember(row interface{ Scan(...any) error }) (domain.Member, error) {
	var m domain.Member
	var kind, domains, orgs, keys string
	var joined, archived sql.NullString
	err := row.Scan(&m.ID, &m.Slug, &m.Name, &kind, &m.Tier, &m.Segment, &joined, &domains, &orgs, &keys, &archived, &m.MergedInto)
	m.Kind = domain.MemberKind(kind)
	m.JoinedOn = parseDate(joined)
	m.ArchivedOn = parseDate(archived)
	m.Domains, m.GitHubOrgs, m.KeyPatterns = splitHints(domains), splitHints(orgs), splitHints(keys)
	return m, err
}

// Hints are stored one per line: none of them may hold a line break.
func joinHints(h []string) string { return strings.Join(h, "\n") }

func splitHints(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "\n")
}

// Members returns every member ordered by name, archived ones included.
func (db *DB) Members(ctx context.Context) ([]domain.Member, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+memberColumns+` FROM members ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list members: %w", err)
	}
	defer rows.Close()
	var out []domain.Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to list members: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unable to list members: %w", err)
	}
	return out, nil
}

// MemberBySlug returns the member with the slug, or an ENOTFOUND error.
func (db *DB) MemberBySlug(ctx context.Context, slug string) (*domain.Member, error) {
	m, err := memberBySlug(ctx, db.read, slug)
	if err != nil {
		return nil, err
	}
	return m, nil
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func memberBySlug(ctx context.Context, q queryRower, slug string) (*domain.Member, error) {
	m, err := scanMember(q.QueryRowContext(ctx, `SELECT `+memberColumns+` FROM members WHERE slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.ErrorKey(domain.ENOTFOUND, "errors.no_member", domain.Facts{"Slug": fmt.Sprintf("%q", domain.TruncateForError(slug))}, "no member %q", domain.TruncateForError(slug))
	} else if err != nil {
		return nil, fmt.Errorf("store: unable to find member %q: %w", slug, err)
	}
	return &m, nil
}

// CountMembers returns the number of members.
func (db *DB) CountMembers(ctx context.Context) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM members`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: unable to count members: %w", err)
	}
	return n, nil
}

// RenameMember changes a member's display name to name as given (no
// trimming: the hostile-name tests plant names with leading tabs and line
// breaks this way, as an older database may hold them).
func (db *DB) RenameMember(ctx context.Context, slug, name string) error {
	if strings.TrimSpace(name) == "" || len(name) > 4*domain.MaxMemberNameLen {
		return domain.Errorf(domain.EINVALID, "name: member %q needs a name of at most %d characters", slug, domain.MaxMemberNameLen)
	}
	var n int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE members SET name = ?, updated_at = ? WHERE slug = ?`, name, time.Now().Unix(), slug)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to rename member %q: %w", slug, err)
	}
	if n == 0 {
		return domain.ErrorKey(domain.ENOTFOUND, "errors.no_member", domain.Facts{"Slug": fmt.Sprintf("%q", slug)}, "no member %q", slug)
	}
	return nil
}

// UpdateMember replaces the editable fields of the member with m.Slug (name,
// kind, tier, segment, joined date and identity hints; not its archive state)
// and reports whether anything changed. A new joined date has the days
// scored since the earlier of the two dates scored again.
func (db *DB) UpdateMember(ctx context.Context, m *domain.Member) (changed bool, err error) {
	m.Normalize()
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		changed, err = updateMember(ctx, tx, db.dialect, m)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: unable to update member %q: %w", m.Slug, err)
	}
	return changed, nil
}

func updateMember(ctx context.Context, tx *sql.Tx, d dialect, m *domain.Member) (bool, error) {
	old, err := memberForUpdate(ctx, tx, d, m.Slug)
	if err != nil {
		return false, err
	}
	m.ID, m.ArchivedOn, m.MergedInto = old.ID, old.ArchivedOn, old.MergedInto
	if err := m.Validate(); err != nil {
		return false, err
	}
	if sameMember(old, m) {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE members SET name = ?, kind = ?, tier = ?, segment = ?, joined_on = ?,
		domains = ?, github_orgs = ?, key_patterns = ?, updated_at = ? WHERE id = ?`,
		m.Name, string(m.Kind), m.Tier, m.Segment, dateStr(m.JoinedOn),
		joinHints(m.Domains), joinHints(m.GitHubOrgs), joinHints(m.KeyPatterns), time.Now().Unix(), m.ID); err != nil {
		return false, err
	}
	if !old.JoinedOn.Equal(m.JoinedOn) {
		from := old.JoinedOn
		if m.JoinedOn.Before(from) {
			from = m.JoinedOn
		}
		if err := markRescoreFrom(ctx, tx, from); err != nil {
			return false, err
		}
	}
	return true, nil
}

func sameMember(a, b *domain.Member) bool {
	return a.Name == b.Name && a.Kind == b.Kind && a.Tier == b.Tier && a.Segment == b.Segment &&
		a.JoinedOn.Equal(b.JoinedOn) && joinHints(a.Domains) == joinHints(b.Domains) &&
		joinHints(a.GitHubOrgs) == joinHints(b.GitHubOrgs) && joinHints(a.KeyPatterns) == joinHints(b.KeyPatterns)
}

// UpsertMember creates the member or brings the stored one to m (its
// archive state aside): what a registry file applies on every run. It
// reports whether the member was created and whether anything changed.
func (db *DB) UpsertMember(ctx context.Context, m *domain.Member) (created, changed bool, err error) {
	m.Normalize()
	if err := m.Validate(); err != nil {
		return false, false, err
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := memberBySlug(ctx, tx, m.Slug)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			err = createMember(ctx, tx, m)
			if domain.ErrorCode(err) != domain.ECONFLICT {
				created, changed = err == nil, err == nil
				return err
			}
			// Created by another writer (another process applying the
			// registry) since the look-up: brought to m as found.
		} else if err != nil {
			return err
		}
		changed, err = updateMember(ctx, tx, db.dialect, m)
		return err
	})
	if err != nil {
		return false, false, fmt.Errorf("store: unable to apply member %q: %w", m.Slug, err)
	}
	return created, changed, nil
}

// ArchiveMember archives a member from day on: it is not scored on that day
// or later (those days already scored are scored again), and keeps its
// history, mappings and ties.
func (db *DB) ArchiveMember(ctx context.Context, slug string, day time.Time) error {
	day = domain.Day(day)
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		m, err := memberForUpdate(ctx, tx, db.dialect, slug)
		if err != nil {
			return err
		}
		if m.Archived() {
			return domain.Errorf(domain.ECONFLICT, "member %q is already archived (since %s)", slug, m.ArchivedOn.Format(domain.DateLayout))
		}
		if day.Before(m.JoinedOn) {
			return domain.Errorf(domain.EINVALID, "archived: member %q cannot be archived (%s) before it joined (%s)", slug, day.Format(domain.DateLayout), m.JoinedOn.Format(domain.DateLayout))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE members SET archived_on = ?, updated_at = ? WHERE id = ?`, dateStr(day), time.Now().Unix(), m.ID); err != nil {
			return err
		}
		return markRescoreFrom(ctx, tx, day)
	})
	if err != nil {
		return fmt.Errorf("store: unable to archive member %q: %w", slug, err)
	}
	return nil
}

// RestoreMember brings an archived member back into scoring: the days
// scored since it was archived are scored again, with it.
func (db *DB) RestoreMember(ctx context.Context, slug string) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		m, err := memberForUpdate(ctx, tx, db.dialect, slug)
		if err != nil {
			return err
		}
		switch {
		case m.MergedInto != "":
			return domain.Errorf(domain.ECONFLICT, "member %q was merged into %q: its history is there now", slug, m.MergedInto)
		case !m.Archived():
			return domain.Errorf(domain.ECONFLICT, "member %q is not archived", slug)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE members SET archived_on = NULL, updated_at = ? WHERE id = ?`, time.Now().Unix(), m.ID); err != nil {
			return err
		}
		return markRescoreFrom(ctx, tx, m.ArchivedOn)
	})
	if err != nil {
		return fmt.Errorf("store: unable to restore member %q: %w", slug, err)
	}
	return nil
}
