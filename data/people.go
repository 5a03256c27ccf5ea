package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// CreatePerson stores a person with their identities and sets p.ID.
func (db *DB) CreatePerson(ctx context.Context, p *Person, ids ...Identity) error {
	if err := p.Validate(); err != nil {
		return err
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO people (name, email, created_at) VALUES (?, ?, ?)`,
			p.Name, nullString(strings.ToLower(p.Email)), time.Now().Unix())
		if err != nil {
			return err
		}
		if p.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, id := range ids {
			if id.Source == "" || id.Login == "" {
				return Errorf(EINVALID, "identity of %q needs a source and a login", p.Name)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO identities (source, login, person_id) VALUES (?, ?, ?)`,
				id.Source, strings.ToLower(id.Login), p.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: unable to create person %q: %w", p.Name, err)
	}
	return nil
}

// AddAffiliation records that a person belonged to a member over a range.
func (db *DB) AddAffiliation(ctx context.Context, a *Affiliation) error {
	if err := a.Validate(); err != nil {
		return err
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO affiliations (person_id, member_id, from_date, to_date) VALUES (?, ?, ?, ?)`,
			a.PersonID, a.MemberID, dateStr(a.From), nullDate(a.To))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to add affiliation: %w", err)
	}
	return nil
}

// ResolveActor returns the person behind a login on a source and the member
// that person was affiliated with at the time; zeros when unknown.
func (db *DB) ResolveActor(ctx context.Context, source, login string, at time.Time) (personID, memberID int64, err error) {
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		personID, memberID, err = resolveActor(ctx, tx, source, login, at)
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("store: unable to resolve %s/%s: %w", source, login, err)
	}
	return personID, memberID, nil
}

func resolveActor(ctx context.Context, tx *sql.Tx, source, login string, at time.Time) (int64, int64, error) {
	var personID int64
	err := tx.QueryRowContext(ctx, `SELECT person_id FROM identities WHERE source = ? AND login = ?`,
		source, strings.ToLower(login)).Scan(&personID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	} else if err != nil {
		return 0, 0, err
	}
	day := dateStr(at)
	var memberID int64
	err = tx.QueryRowContext(ctx, `SELECT member_id FROM affiliations
		WHERE person_id = ? AND from_date <= ? AND (to_date IS NULL OR to_date > ?)
		ORDER BY from_date DESC LIMIT 1`, personID, day, day).Scan(&memberID)
	if errors.Is(err, sql.ErrNoRows) {
		return personID, 0, nil
	}
	return personID, memberID, err
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
