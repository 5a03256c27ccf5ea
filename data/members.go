package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// CreateMember stores a new member and sets m.ID.
func (db *DB) CreateMember(ctx context.Context, m *Member) error {
	if err := m.Validate(); err != nil {
		return err
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error { return createMember(ctx, tx, m) })
	if err != nil {
		return fmt.Errorf("store: unable to create member %q: %w", m.Slug, err)
	}
	return nil
}

func createMember(ctx context.Context, tx *sql.Tx, m *Member) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM members WHERE slug = ?`, m.Slug).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return Errorf(ECONFLICT, "a member with slug %q already exists", m.Slug)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO members (slug, name, kind, tier, segment, joined_on, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		m.Slug, m.Name, string(m.Kind), m.Tier, m.Segment, dateStr(m.JoinedOn), time.Now().Unix())
	if err != nil {
		return err
	}
	m.ID, err = res.LastInsertId()
	return err
}

const memberColumns = `id, slug, name, kind, tier, segment, joined_on`

func scanMember(row interface{ Scan(...any) error }) (Member, error) {
	var m Member
	var kind string
	var joined sql.NullString
	err := row.Scan(&m.ID, &m.Slug, &m.Name, &kind, &m.Tier, &m.Segment, &joined)
	m.Kind = MemberKind(kind)
	m.JoinedOn = parseDate(joined)
	return m, err
}

// Members returns every member ordered by name.
func (db *DB) Members(ctx context.Context) ([]Member, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+memberColumns+` FROM members ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list members: %w", err)
	}
	defer rows.Close()
	var out []Member
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
func (db *DB) MemberBySlug(ctx context.Context, slug string) (*Member, error) {
	m, err := scanMember(db.read.QueryRowContext(ctx, `SELECT `+memberColumns+` FROM members WHERE slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(ENOTFOUND, "no member %q", slug)
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

// RenameMember changes a member's display name.
func (db *DB) RenameMember(ctx context.Context, slug, name string) error {
	if name == "" {
		return Errorf(EINVALID, "member %q needs a name", slug)
	}
	var n int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE members SET name = ? WHERE slug = ?`, name, slug)
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
		return Errorf(ENOTFOUND, "no member %q", slug)
	}
	return nil
}
