package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// CreateUser stores a new account and sets u.ID.
func (db *DB) CreateUser(ctx context.Context, u *domain.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	u.CreatedAt = time.Now().UTC().Truncate(time.Second)
	if err := db.writeTx(ctx, func(tx *sql.Tx) error { return createUser(ctx, tx, u) }); err != nil {
		return fmt.Errorf("store: unable to create user %q: %w", u.Name, err)
	}
	return nil
}

// createUser inserts u unless its name is taken. The insert is the check
// (ON CONFLICT DO NOTHING): a look-up first would let two creations of the
// same name (two admins, two processes) both find it free, and the second
// fail on the unique key instead of being told the name is taken.
func createUser(ctx context.Context, tx *sql.Tx, u *domain.User) error {
	var err error
	u.ID, err = insertRow(ctx, tx, `INSERT INTO users (name, password_hash, role, created_at, disabled, must_change_password, language) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO NOTHING`, u.Name, u.PasswordHash, u.Role, u.CreatedAt.Unix(), u.Disabled, u.MustChangePassword, nullString(u.Language))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Errorf(domain.ECONFLICT, "a user named %q already exists", u.Name)
	}
	return err
}

// UserByName returns the account with the name, or ENOTFOUND.
func (db *DB) UserByName(ctx context.Context, name string) (*domain.User, error) {
	return db.user(ctx, `WHERE name = ?`, name)
}

// UserByID returns the account with the id, or ENOTFOUND.
func (db *DB) UserByID(ctx context.Context, id int64) (*domain.User, error) {
	return db.user(ctx, `WHERE id = ?`, id)
}

func (db *DB) user(ctx context.Context, where string, arg any) (*domain.User, error) {
	var u domain.User
	var created int64
	var lang sql.NullString
	err := db.read.QueryRowContext(ctx, `SELECT id, name, password_hash, role, created_at, disabled, must_change_password, language FROM users `+where, arg).
		Scan(&u.ID, &u.Name, &u.PasswordHash, &u.Role, &created, &u.Disabled, &u.MustChangePassword, &lang)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "no such user")
	} else if err != nil {
		return nil, fmt.Errorf("store: unable to find user: %w", err)
	}
	u.CreatedAt, u.Language = time.Unix(created, 0).UTC(), lang.String
	return &u, nil
}

// Users lists every account by name.
func (db *DB) Users(ctx context.Context) ([]domain.User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, name, role, created_at, disabled, must_change_password, language FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list users: %w", err)
	}
	defer rows.Close()
	var out []domain.User
	for rows.Next() {
		var u domain.User
		var created int64
		var lang sql.NullString
		if err := rows.Scan(&u.ID, &u.Name, &u.Role, &created, &u.Disabled, &u.MustChangePassword, &lang); err != nil {
			return nil, fmt.Errorf("store: unable to list users: %w", err)
		}
		u.CreatedAt, u.Language = time.Unix(created, 0).UTC(), lang.String
		out = append(out, u)
	}
	return out, rows.Err()
}

// CountUsers returns the number of accounts.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: unable to count users: %w", err)
	}
	return n, nil
}

// DeleteUser removes an account; its audit entries stay.
func (db *DB) DeleteUser(ctx context.Context, name string) error {
	var n int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM users WHERE name = ?`, name)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to delete user %q: %w", name, err)
	}
	if n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "no user named %q", name)
	}
	return nil
}

// SetPassword stores a new password hash for the account name. mustChange
// says whether the user must choose another one at the next login (true
// after an admin's reset). The id stays: the caller ends the sessions.
func (db *DB) SetPassword(ctx context.Context, name, hash string, mustChange bool) error {
	if hash == "" {
		return domain.Errorf(domain.EINVALID, "a password is needed")
	}
	return db.updateUser(ctx, name, `UPDATE users SET password_hash = ?, must_change_password = ? WHERE name = ?`, hash, mustChange, name)
}

// SetUserLanguage stores the interface language the account name chose:
// one of domain.UserLanguages, or "" (stored as NULL) to follow the
// browser's.
func (db *DB) SetUserLanguage(ctx context.Context, name, lang string) error {
	if err := domain.ValidateLanguage(lang); err != nil {
		return err
	}
	return db.updateUser(ctx, name, `UPDATE users SET language = ? WHERE name = ?`, nullString(lang), name)
}
