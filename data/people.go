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

// ActorCount is a community actor with how many activities they had.
type ActorCount struct {
	Source     string `json:"source"`
	Login      string `json:"login"`
	Activities int    `json:"activities"`
}

// UnaffiliatedActors lists the people (bots excluded) with activity in
// [from, to) that no affiliation attributes to a member, busiest first:
// unaffiliated people are visible, not silently dropped.
func (db *DB) UnaffiliatedActors(ctx context.Context, from, to time.Time) ([]ActorCount, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT source, actor, COUNT(*) FROM activities
		WHERE member_id IS NULL AND bot = 0 AND at >= ? AND at < ?
		GROUP BY source, actor ORDER BY COUNT(*) DESC, source, actor`, from.Unix(), to.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: unable to list unaffiliated actors: %w", err)
	}
	defer rows.Close()
	var out []ActorCount
	for rows.Next() {
		var a ActorCount
		if err := rows.Scan(&a.Source, &a.Login, &a.Activities); err != nil {
			return nil, fmt.Errorf("store: unable to list unaffiliated actors: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// PersonByIdentity returns the person with a login on a source, or ENOTFOUND.
func (db *DB) PersonByIdentity(ctx context.Context, source, login string) (*Person, error) {
	var p Person
	var email sql.NullString
	err := db.read.QueryRowContext(ctx, `SELECT p.id, p.name, p.email FROM people p JOIN identities i ON i.person_id = p.id
		WHERE i.source = ? AND i.login = ?`, source, strings.ToLower(login)).Scan(&p.ID, &p.Name, &email)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(ENOTFOUND, "no person with %s login %q", source, login)
	} else if err != nil {
		return nil, fmt.Errorf("store: unable to find %s/%s: %w", source, login, err)
	}
	p.Email = email.String
	return &p, nil
}

// ReplaceAffiliations sets a person's affiliations to exactly spans, in one
// transaction (configuration is the source of truth for them).
func (db *DB) ReplaceAffiliations(ctx context.Context, personID int64, spans []Affiliation) error {
	for i := range spans {
		spans[i].PersonID = personID
		if err := spans[i].Validate(); err != nil {
			return err
		}
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM affiliations WHERE person_id = ?`, personID); err != nil {
			return err
		}
		for _, a := range spans {
			if _, err := tx.ExecContext(ctx, `INSERT INTO affiliations (person_id, member_id, from_date, to_date) VALUES (?, ?, ?, ?)`,
				a.PersonID, a.MemberID, dateStr(a.From), nullDate(a.To)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: unable to replace affiliations of person %d: %w", personID, err)
	}
	return nil
}

// ReresolveActivities attributes every stored (non-bot) activity again from
// the current identities and affiliations, and returns how many changed.
// Run it after affiliations change so that history follows the new rules.
func (db *DB) ReresolveActivities(ctx context.Context) (int64, error) {
	var n int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, source, actor, at, COALESCE(person_id, 0), COALESCE(member_id, 0) FROM activities WHERE bot = 0`)
		if err != nil {
			return err
		}
		type change struct{ id, person, member int64 }
		type row struct {
			id             int64
			source, actor  string
			at             int64
			person, member int64
		}
		var all []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.source, &r.actor, &r.at, &r.person, &r.member); err != nil {
				rows.Close()
				return err
			}
			all = append(all, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var changes []change
		for _, r := range all {
			p, m, err := resolveActor(ctx, tx, r.source, r.actor, time.Unix(r.at, 0))
			if err != nil {
				return err
			}
			if p != r.person || m != r.member {
				changes = append(changes, change{r.id, p, m})
			}
		}
		for _, c := range changes {
			if _, err := tx.ExecContext(ctx, `UPDATE activities SET person_id = ?, member_id = ? WHERE id = ?`, nullInt(c.person), nullInt(c.member), c.id); err != nil {
				return err
			}
		}
		n = int64(len(changes))
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: unable to re-resolve activities: %w", err)
	}
	return n, nil
}
