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

// CreatePerson stores a person with their identities and sets p.ID.
func (db *DB) CreatePerson(ctx context.Context, p *domain.Person, ids ...domain.Identity) error {
	if err := p.Validate(); err != nil {
		return err
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		p.ID, err = insertRow(ctx, tx, `INSERT INTO people (name, email, created_at) VALUES (?, ?, ?)`,
			p.Name, nullString(strings.ToLower(p.Email)), time.Now().Unix())
		if err != nil {
			return err
		}
		for _, id := range ids {
			if id.Source == "" || id.Login == "" {
				return domain.Errorf(domain.EINVALID, "identity of %q needs a source and a login", p.Name)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO identities (source, login, person_id) VALUES (?, ?, ?)`,
				id.Source, strings.ToLower(id.Login), p.ID); err != nil {
				return err
			}
		}
		// The stored domain rules of their e-mail apply at once.
		_, err = refreshRuleSpans(ctx, tx, db.dialect, p.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to create person %q: %w", p.Name, err)
	}
	return nil
}

// AddAffiliation records that a person belonged to a member over a range.
func (db *DB) AddAffiliation(ctx context.Context, a *domain.Affiliation) error {
	if err := a.Validate(); err != nil {
		return err
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := lockPerson(ctx, tx, db.dialect, a.PersonID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO affiliations (person_id, member_id, from_date, to_date) VALUES (?, ?, ?, ?)`,
			a.PersonID, a.MemberID, dateStr(a.From), nullDate(a.To)); err != nil {
			return err
		}
		_, err := refreshRuleSpans(ctx, tx, db.dialect, a.PersonID) // explicit ones win over stored rules
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

// ActorCount is a community actor with how many activities they had and
// the first and last day (YYYY-MM-DD, UTC) of those.
type ActorCount struct {
	Source     string `json:"source"`
	Login      string `json:"login"`
	Activities int    `json:"activities"`
	FirstSeen  string `json:"first_seen"`
	LastSeen   string `json:"last_seen"`
}

// UnaffiliatedActors lists the people (bots excluded) with activity in
// [from, to) that no affiliation attributes to a member, busiest first:
// unaffiliated people are visible, not silently dropped.
func (db *DB) UnaffiliatedActors(ctx context.Context, from, to time.Time) ([]ActorCount, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT source, actor, COUNT(*), MIN(at), MAX(at) FROM activities
		WHERE member_id IS NULL AND bot = FALSE AND at >= ? AND at < ?
		GROUP BY source, actor ORDER BY COUNT(*) DESC, source, actor`, from.Unix(), to.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: unable to list unaffiliated actors: %w", err)
	}
	defer rows.Close()
	var out []ActorCount
	for rows.Next() {
		var a ActorCount
		var first, last int64
		if err := rows.Scan(&a.Source, &a.Login, &a.Activities, &first, &last); err != nil {
			return nil, fmt.Errorf("store: unable to list unaffiliated actors: %w", err)
		}
		a.FirstSeen, a.LastSeen = dateStr(time.Unix(first, 0).UTC()), dateStr(time.Unix(last, 0).UTC())
		out = append(out, a)
	}
	return out, rows.Err()
}

// UnaffiliatedActorsPage is one page of UnaffiliatedActors, in the same
// order (busiest first), and how many there are in all: limit of them from
// offset. Both are read in one snapshot, so the total and the page agree.
func (db *DB) UnaffiliatedActorsPage(ctx context.Context, from, to time.Time, limit, offset int) ([]ActorCount, int, error) {
	if limit < 1 || offset < 0 {
		return nil, 0, domain.Errorf(domain.EINVALID, "a page needs a limit of at least 1 and an offset of at least 0, got %d and %d", limit, offset)
	}
	out := []ActorCount{}
	var total int
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM activities
			WHERE member_id IS NULL AND bot = FALSE AND at >= ? AND at < ? GROUP BY source, actor) AS actors`, from.Unix(), to.Unix()).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT source, actor, COUNT(*), MIN(at), MAX(at) FROM activities
			WHERE member_id IS NULL AND bot = FALSE AND at >= ? AND at < ?
			GROUP BY source, actor ORDER BY COUNT(*) DESC, source, actor LIMIT ? OFFSET ?`, from.Unix(), to.Unix(), limit, offset)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a ActorCount
			var first, last int64
			if err := rows.Scan(&a.Source, &a.Login, &a.Activities, &first, &last); err != nil {
				return err
			}
			a.FirstSeen, a.LastSeen = dateStr(time.Unix(first, 0).UTC()), dateStr(time.Unix(last, 0).UTC())
			out = append(out, a)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("store: unable to list unaffiliated actors: %w", err)
	}
	return out, total, nil
}

// PersonByIdentity returns the person with a login on a source, or ENOTFOUND.
func (db *DB) PersonByIdentity(ctx context.Context, source, login string) (*domain.Person, error) {
	var p domain.Person
	var email sql.NullString
	err := db.read.QueryRowContext(ctx, `SELECT p.id, p.name, p.email FROM people p JOIN identities i ON i.person_id = p.id
		WHERE i.source = ? AND i.login = ?`, source, strings.ToLower(login)).Scan(&p.ID, &p.Name, &email)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "no person with %s login %q", source, login)
	} else if err != nil {
		return nil, fmt.Errorf("store: unable to find %s/%s: %w", source, login, err)
	}
	p.Email = email.String
	return &p, nil
}

// ReplaceAffiliations sets a person's explicit affiliations to exactly
// spans, in one transaction (configuration is the source of truth for
// them); the stored domain rules (data/affiliation_rules.go) fill the days
// spans leave.
func (db *DB) ReplaceAffiliations(ctx context.Context, personID int64, spans []domain.Affiliation) error {
	for i := range spans {
		spans[i].PersonID = personID
		if err := spans[i].Validate(); err != nil {
			return err
		}
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error { return replaceAffiliations(ctx, tx, db.dialect, personID, spans) })
	if err != nil {
		return fmt.Errorf("store: unable to replace affiliations of person %d: %w", personID, err)
	}
	return nil
}

func replaceAffiliations(ctx context.Context, tx *sql.Tx, d dialect, personID int64, spans []domain.Affiliation) error {
	if err := lockPerson(ctx, tx, d, personID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM affiliations WHERE person_id = ? AND rule_id IS NULL`, personID); err != nil {
		return err
	}
	for _, a := range spans {
		if _, err := tx.ExecContext(ctx, `INSERT INTO affiliations (person_id, member_id, from_date, to_date) VALUES (?, ?, ?, ?)`,
			a.PersonID, a.MemberID, dateStr(a.From), nullDate(a.To)); err != nil {
			return err
		}
	}
	_, err := refreshRuleSpans(ctx, tx, d, personID)
	return err
}

// lockPerson locks a person's row until tx ends (on PostgreSQL). The
// writes that read a person's affiliations and write them again from what
// they read (ReplaceAffiliations, AddAffiliation, AssignPerson,
// refreshRuleSpans) take it first, so that two of them meeting run one
// after the other: the delete of one does not see the other's uncommitted
// inserts, and both writers' rows would otherwise be left.
func lockPerson(ctx context.Context, tx *sql.Tx, d dialect, personID int64) error {
	_, err := tx.ExecContext(ctx, `SELECT id FROM people WHERE id = ?`+d.forUpdate(), personID)
	return err
}

// ReresolveActivities attributes every stored (non-bot) activity again from
// the current identities and affiliations, and returns how many changed.
// Run it after affiliations change so that history follows the new rules.
func (db *DB) ReresolveActivities(ctx context.Context) (int64, error) {
	var n int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, source, actor, at, COALESCE(person_id, 0), COALESCE(member_id, 0) FROM activities WHERE bot = FALSE`)
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

// Assignment assigns a person to a member over [From, To) by hand: the
// person behind a login (Source, Login) or the person PersonID.
type Assignment struct {
	Source   string
	Login    string
	PersonID int64
	Member   string    // slug
	From     time.Time // zero: since always
	To       time.Time // zero: open
}

// AssignResult says whom an assignment affiliated and what it re-attributed.
type AssignResult struct {
	PersonID int64  `json:"person_id"`
	Created  bool   `json:"created"` // a person was created for the login
	Member   string `json:"member"`
	From     string `json:"from"`
	To       string `json:"to,omitempty"`
	Reattribution
}

// AssignPerson affiliates a person with a member over [From, To), in one
// transaction. The assignment wins over what the person had on those days
// (their other explicit affiliations are cut around it, stored domain rules
// fill only what is left), and their stored activity is attributed again:
// the days it touches are scored again. A login nobody has yet but seen in
// the stored activity gets a person named after it; a login neither known
// nor seen is refused (a typo would otherwise assign nobody, silently).
func (db *DB) AssignPerson(ctx context.Context, as Assignment) (*AssignResult, error) {
	as.Source, as.Login = strings.ToLower(strings.TrimSpace(as.Source)), strings.ToLower(strings.TrimSpace(as.Login))
	if as.From.IsZero() {
		as.From = ruleEpoch
	}
	as.From = domain.Day(as.From)
	if !as.To.IsZero() {
		as.To = domain.Day(as.To)
		if !as.To.After(as.From) {
			return nil, domain.Errorf(domain.EINVALID, "to: %s is not after from %s", dateStr(as.To), dateStr(as.From))
		}
	}
	if as.PersonID == 0 {
		switch {
		case as.Source == "":
			return nil, domain.Errorf(domain.EINVALID, "source: name the login's source (github, discourse…)")
		case as.Login == "":
			return nil, domain.Errorf(domain.EINVALID, "login: name the person's login on %s", as.Source)
		}
	}
	res := &AssignResult{From: dateStr(as.From), To: dateStr(as.To), Member: strings.TrimSpace(as.Member)}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		memberID, err := mappableMember(ctx, tx, res.Member)
		if err != nil {
			return err
		}
		if memberID == 0 {
			return domain.Errorf(domain.EINVALID, "member: name the member the person belongs to")
		}
		if res.PersonID, res.Created, err = assignee(ctx, tx, as); err != nil {
			return err
		}
		if err := lockPerson(ctx, tx, db.dialect, res.PersonID); err != nil {
			return err
		}
		if err := cutExplicitSpans(ctx, tx, res.PersonID, as.From, as.To); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO affiliations (person_id, member_id, from_date, to_date) VALUES (?, ?, ?, ?)`,
			res.PersonID, memberID, dateStr(as.From), nullDate(as.To)); err != nil {
			return err
		}
		if _, err := refreshRuleSpans(ctx, tx, db.dialect, res.PersonID); err != nil {
			return err
		}
		return reattributePeople(ctx, tx, db.dialect, []int64{res.PersonID}, &res.Reattribution)
	})
	if err != nil {
		who := as.Source + ":" + as.Login
		if as.PersonID != 0 {
			who = fmt.Sprintf("person %d", as.PersonID)
		}
		return nil, fmt.Errorf("store: unable to assign %s: %w", domain.TruncateForError(who), err)
	}
	return res, nil
}

// assignee returns the person an assignment is for, creating the person of
// a login seen in the stored activity.
func assignee(ctx context.Context, tx *sql.Tx, as Assignment) (int64, bool, error) {
	if as.PersonID != 0 {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE id = ?`, as.PersonID).Scan(&n); err != nil {
			return 0, false, err
		}
		if n == 0 {
			return 0, false, domain.Errorf(domain.ENOTFOUND, "person: no person %d", as.PersonID)
		}
		return as.PersonID, false, nil
	}
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT person_id FROM identities WHERE source = ? AND login = ?`, as.Source, as.Login).Scan(&id)
	if err == nil {
		return id, false, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, err
	}
	// The login as it was logged most recently names the new person.
	var name string
	err = tx.QueryRowContext(ctx, `SELECT actor FROM activities WHERE source = ? AND LOWER(actor) = ? AND bot = FALSE ORDER BY at DESC LIMIT 1`,
		as.Source, as.Login).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, domain.Errorf(domain.ENOTFOUND, "login: nobody has the %s login %q and no activity names it", domain.TruncateForError(as.Source), domain.TruncateForError(as.Login))
	} else if err != nil {
		return 0, false, err
	}
	id, err = insertRow(ctx, tx, `INSERT INTO people (name, email, created_at) VALUES (?, NULL, ?)`, name, time.Now().Unix())
	if err != nil {
		return 0, false, err
	}
	// Another assignment of the same new login (another process) may have
	// given it a person meanwhile: then that person is the assignee, and
	// the one made here, which nothing refers to yet, goes.
	res, err := tx.ExecContext(ctx, `INSERT INTO identities (source, login, person_id) VALUES (?, ?, ?) ON CONFLICT (source, login) DO NOTHING`,
		as.Source, as.Login, id)
	if err != nil {
		return 0, false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return id, true, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM people WHERE id = ?`, id); err != nil {
		return 0, false, err
	}
	err = tx.QueryRowContext(ctx, `SELECT person_id FROM identities WHERE source = ? AND login = ?`, as.Source, as.Login).Scan(&id)
	return id, false, err
}

// cutExplicitSpans removes [from, to) from a person's explicit
// affiliations: a span inside it goes, one across an edge is shortened, one
// around it is split in two.
func cutExplicitSpans(ctx context.Context, tx *sql.Tx, personID int64, from, to time.Time) error {
	spans, err := personSpans(ctx, tx, personID, false)
	if err != nil {
		return err
	}
	for _, s := range spans {
		if !spansOverlap(s.from, s.to, from, to) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM affiliations WHERE person_id = ? AND rule_id IS NULL AND member_id = ? AND from_date = ?`,
			personID, s.member, dateStr(s.from)); err != nil {
			return err
		}
		var keep [][2]time.Time
		if s.from.Before(from) {
			keep = append(keep, [2]time.Time{s.from, from})
		}
		if !to.IsZero() && spanEnd(s.to).After(to) {
			keep = append(keep, [2]time.Time{to, s.to})
		}
		for _, k := range keep {
			if _, err := tx.ExecContext(ctx, `INSERT INTO affiliations (person_id, member_id, from_date, to_date) VALUES (?, ?, ?, ?)`,
				personID, s.member, dateStr(k[0]), nullDate(k[1])); err != nil {
				return err
			}
		}
	}
	return nil
}
