package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// This file holds the store methods of account administration (roles,
// disabling, single-sign-on accounts) and of privacy (forgetting a person).
// The audit log is in audit.go, sessions in sessions.go.

// SetUserRole changes an account's role.
func (db *DB) SetUserRole(ctx context.Context, name, role string) error {
	if domain.RoleRank(role) == 0 {
		return domain.Errorf(domain.EINVALID, "unknown role %q (viewer, manager or admin)", role)
	}
	return db.updateUser(ctx, name, `UPDATE users SET role = ? WHERE name = ?`, role, name)
}

// SetUserDisabled disables or enables an account. A disabled account cannot
// log in, with a password or by single sign-on.
func (db *DB) SetUserDisabled(ctx context.Context, name string, disabled bool) error {
	return db.updateUser(ctx, name, `UPDATE users SET disabled = ? WHERE name = ?`, disabled, name)
}

func (db *DB) updateUser(ctx context.Context, name, q string, args ...any) error {
	var n int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unable to update user %q: %w", name, err)
	}
	if n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "no user named %q", name)
	}
	return nil
}

// CountAdmins returns the number of enabled admin accounts.
func (db *DB) CountAdmins(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE role = ? AND disabled = FALSE`, domain.RoleAdmin).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: unable to count admins: %w", err)
	}
	return n, nil
}

// UpsertSSOUser creates or updates the single-sign-on account name with
// role, and returns it. Single-sign-on accounts have no password (an empty
// hash: password login is refused). A local account (one with a password)
// of the same name is never taken over (ECONFLICT), and a disabled account
// stays disabled (EFORBIDDEN).
func (db *DB) UpsertSSOUser(ctx context.Context, name, role string) (*domain.User, error) {
	u := &domain.User{Name: name, Role: role}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error { return upsertSSOUser(ctx, tx, u) })
	if err != nil {
		var e *domain.Error
		if errors.As(err, &e) {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to store single-sign-on user %q: %w", name, err)
	}
	return u, nil
}

// upsertSSOUser inserts the account unless its name exists, then reads
// the one that does: an insert that meets another writer's uncommitted
// account of the name waits for it and then finds it, so two logins of a
// new name make one account, and one meeting the creation of a local
// account is refused as if it came after it.
func upsertSSOUser(ctx context.Context, tx *sql.Tx, u *domain.User) error {
	now := time.Now().UTC().Truncate(time.Second)
	id, err := insertRow(ctx, tx, `INSERT INTO users (name, password_hash, role, created_at, disabled) VALUES (?, '', ?, ?, FALSE)
		ON CONFLICT (name) DO NOTHING`, u.Name, u.Role, now.Unix())
	if !errors.Is(err, sql.ErrNoRows) {
		u.ID, u.CreatedAt = id, now
		return err // created (or failed)
	}
	var hash string
	var created int64
	if err := tx.QueryRowContext(ctx, `SELECT id, password_hash, created_at, disabled FROM users WHERE name = ?`, u.Name).
		Scan(&u.ID, &hash, &created, &u.Disabled); err != nil {
		return err
	}
	switch {
	case hash != "":
		return domain.Errorf(domain.ECONFLICT, "a local account named %q exists: single sign-on does not take it over", u.Name)
	case u.Disabled:
		return domain.Errorf(domain.EFORBIDDEN, "the account %q is disabled", u.Name)
	}
	u.CreatedAt = time.Unix(created, 0).UTC()
	_, err = tx.ExecContext(ctx, `UPDATE users SET role = ? WHERE id = ?`, u.Role, u.ID)
	return err
}

// likeEscape escapes LIKE's wildcards (and the escape character itself) so
// that s matches literally in `LIKE ? ESCAPE '\'`.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Forgotten tells what ForgetPerson erased.
type Forgotten struct {
	// Pseudonym is the name the person has now: "forgotten-<id>".
	Pseudonym  string `json:"pseudonym"`
	PersonID   int64  `json:"person_id,omitempty"` // 0: the login belonged to no stored person
	Identities int    `json:"identities"`          // logins replaced by pseudonyms
	Activities int64  `json:"activities"`          // activities whose actor was replaced
	Titles     int64  `json:"titles"`              // titles in which a login, name or e-mail was replaced
	Rejected   int64  `json:"rejected_records"`    // quarantined records redacted
	// Checkpointed is false when the old copies of the rows could not be
	// cleared: on SQLite the write-ahead log could not be emptied (a long
	// reader held it), so they remain in the -wal file until the next
	// checkpoint; on PostgreSQL the VACUUM FULL of the rewritten tables failed.
	Checkpointed bool `json:"checkpointed"`
}

// ForgetPerson erases the identifying data of the person with login or
// e-mail address who (a login may be written SOURCE:LOGIN to say on which
// source), for a right-to-erasure request:
//
//   - the person's name becomes "forgotten-<id>" and the e-mail is cleared;
//   - every login (identity) is replaced by a pseudonym: "forgotten-<id>" for
//     the first, "forgotten-<id>-2"… for further ones, so that the logins stay
//     distinct — identities keep linking the person's activities to the
//     person, so re-resolution after an affiliation change keeps them
//     attributed to the same member;
//   - the actor of the person's activities (and of unlinked activities by
//     the same logins) is replaced by the login's pseudonym: member
//     attribution, person links, kinds and times are untouched, so every
//     count (contributors, engaged people, responses) and every score stays
//     the same;
//   - thread and activity titles are kept (they are the community's
//     record, not the person's identity) but every whole-word occurrence of
//     a login, the name or the e-mail address in a title, a thread key (a
//     repository the person owns) or a quarantined record is replaced by
//     the pseudonym — the same everywhere, so equal threads stay equal;
//   - the affiliations (person → member over time) stay: they carry no
//     identifying data and the member's history depends on them.
//
// A login that belongs to no stored person is still forgotten in the
// activities that name it ("forgotten-a<first activity id>"). It runs in one
// transaction. On SQLite secure_delete is on for it, so that the erased text
// does not linger in free pages, and the write-ahead log is checkpointed
// after it. On PostgreSQL an update leaves the old row version behind in
// the table's files, and a plain VACUUM only marks its space free: the
// rewritten tables are rewritten after the commit (VACUUM FULL, which
// locks each table while it runs — forgetting is rare), so no file of the
// tables holds the old versions; the server's write-ahead log keeps them
// until it is recycled, as with any PostgreSQL delete.
func (db *DB) ForgetPerson(ctx context.Context, who string) (*Forgotten, error) {
	who = strings.TrimSpace(who)
	if who == "" || len(who) > 320 {
		return nil, domain.Errorf(domain.EINVALID, "name a person by login, SOURCE:LOGIN or e-mail address")
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: unable to forget: %w", err)
	}
	defer conn.Close()
	if !db.dialect.postgres {
		var secure int
		if err := conn.QueryRowContext(ctx, `PRAGMA secure_delete`).Scan(&secure); err != nil {
			return nil, fmt.Errorf("store: unable to forget: %w", err)
		}
		if _, err := conn.ExecContext(ctx, `PRAGMA secure_delete = ON`); err != nil {
			return nil, fmt.Errorf("store: unable to forget: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA secure_delete = `+strconv.Itoa(secure))
	}

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: unable to forget: %w", err)
	}
	var xid string
	if db.dialect.postgres {
		// The transaction's id: the old row versions it leaves behind can
		// be rewritten away only once no snapshot older than it remains.
		if err := tx.QueryRowContext(ctx, `SELECT pg_current_xact_id()::xid::text`).Scan(&xid); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("store: unable to forget: %w", err)
		}
	}
	f, err := forget(ctx, tx, who)
	if err != nil {
		tx.Rollback()
		var e *domain.Error
		if errors.As(err, &e) {
			return nil, err
		}
		return nil, fmt.Errorf("store: unable to forget: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: unable to forget: %w", err)
	}
	f.Checkpointed = db.clearOldCopies(ctx, conn, xid)
	return f, nil
}

// forgetTables are the tables forgetting rewrites, and the activity
// digests its rewrites of activities drop.
var forgetTables = []string{"people", "identities", "activities", "activity_day_digests", "rejected_records"}

// clearOldCopies removes, after forgetting commits, the old copies of the
// rows it rewrote, and reports whether it could: on SQLite a checkpoint
// that empties the write-ahead log; on PostgreSQL a VACUUM FULL of each
// rewritten table (VACUUM cannot run in a transaction). VACUUM FULL copies
// a dead row version that a snapshot older than its deletion may still
// see — another session's open transaction, or an autovacuum worker's
// ANALYZE of a table of the same database — so it first waits (up to
// oldSnapshotWait) until no such snapshot remains; xid is the forgetting
// transaction's id.
func (db *DB) clearOldCopies(ctx context.Context, conn *sql.Conn, xid string) bool {
	if db.dialect.postgres {
		clear := waitForOlderSnapshots(ctx, conn, xid, oldSnapshotWait)
		// A session holding a lock on one of the tables would block the
		// rewrite for as long as it lives: give up on that table instead.
		if _, err := conn.ExecContext(ctx, `SET lock_timeout = `+strconv.Itoa(int(oldSnapshotWait.Milliseconds()))); err != nil {
			return false
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `RESET lock_timeout`)
		for _, t := range forgetTables {
			if _, err := conn.ExecContext(ctx, `VACUUM FULL `+t); err != nil {
				return false
			}
		}
		return clear
	}
	var busy, logPages, done int
	if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logPages, &done); err != nil {
		return false
	}
	return busy == 0
}

// oldSnapshotWait bounds how long forgetting waits for older snapshots.
var oldSnapshotWait = 30 * time.Second

// waitForOlderSnapshots waits until no other session of the database holds
// a snapshot (or runs a transaction) that started before transaction xid
// ended, and no session of any database of the cluster runs a write
// transaction that did, and reports whether that happened within limit.
// The other databases count for their running transactions: a snapshot
// taken here — VACUUM FULL's own, which, unlike a plain VACUUM's, holds the
// horizon of the table it rewrites — starts at the oldest transaction
// running anywhere in the cluster, and would keep the rows forgetting left
// behind while one that began before it still runs.
func waitForOlderSnapshots(ctx context.Context, conn *sql.Conn, xid string, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for {
		var older int
		err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stat_activity
			WHERE pid <> pg_backend_pid()
			  AND ((datname = current_database() AND age(backend_xmin) >= age($1::xid)) OR age(backend_xid) >= age($1::xid))`, xid).Scan(&older)
		if err != nil {
			return false
		}
		if older == 0 {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(50 * time.Millisecond):
		}
	}
}

type identity struct{ source, login string }

func forget(ctx context.Context, tx *sql.Tx, who string) (*Forgotten, error) {
	people, ids, err := findPeople(ctx, tx, who)
	if err != nil {
		return nil, err
	}
	if len(people) > 1 {
		return nil, domain.Errorf(domain.ECONFLICT, "%q names %d different people: name one by e-mail address or SOURCE:LOGIN", who, len(people))
	}
	fg := &forgetting{tx: tx, f: &Forgotten{}}
	if len(people) == 1 {
		err = fg.storedPerson(ctx, people[0])
	} else {
		err = fg.bareLogin(ctx, who, ids[0])
	}
	if err != nil {
		return nil, err
	}
	if err := fg.loadActors(ctx); err != nil {
		return nil, err
	}
	fg.choosePseudonyms()
	if err := fg.rename(ctx); err != nil {
		return nil, err
	}
	if err := fg.redactText(ctx); err != nil {
		return nil, err
	}
	return fg.f, nil
}

// forgetting is one erasure in progress: who is forgotten, where, and the
// pseudonym of each of their actor strings and logins.
type forgetting struct {
	tx                *sql.Tx
	f                 *Forgotten
	name, email, bare string     // the stored name and e-mail, or the bare login
	ids               []identity // the stored person's logins; none for a bare login
	// scope selects the activities to rewrite, beside "actor = ?".
	scope     string
	scopeArgs []any
	actors    []string          // distinct actor strings in scope, first seen first
	pseudonym map[string]string // actor or login → pseudonym
	n         int               // pseudonyms handed out
}

// storedPerson prepares forgetting the stored person id: their activities,
// and unlinked ones by one of their logins on its source.
func (fg *forgetting) storedPerson(ctx context.Context, id int64) error {
	f := fg.f
	f.PersonID = id
	f.Pseudonym = "forgotten-" + strconv.FormatInt(f.PersonID, 10)
	var mail sql.NullString
	if err := fg.tx.QueryRowContext(ctx, `SELECT name, email FROM people WHERE id = ?`, f.PersonID).Scan(&fg.name, &mail); err != nil {
		return err
	}
	fg.email = mail.String
	var err error
	if fg.ids, err = identitiesOf(ctx, fg.tx, f.PersonID); err != nil {
		return err
	}
	fg.scope = ` AND (person_id = ? OR (person_id IS NULL AND EXISTS (SELECT 1 FROM identities i
			WHERE i.person_id = ? AND i.source = activities.source AND i.login = LOWER(activities.actor))))`
	fg.scopeArgs = []any{f.PersonID, f.PersonID}
	return nil
}

// bareLogin prepares forgetting a login that belongs to nobody stored,
// seen in activities only: unlinked activities by it (on its source, when
// named).
func (fg *forgetting) bareLogin(ctx context.Context, who string, id identity) error {
	if strings.Contains(who, "@") && !strings.Contains(who, ":") {
		return domain.Errorf(domain.ENOTFOUND, "no person with e-mail address %q", who)
	}
	fg.scope = ` AND person_id IS NULL AND LOWER(actor) = ?`
	fg.scopeArgs = []any{id.login}
	if id.source != "" {
		fg.scope += ` AND source = ?`
		fg.scopeArgs = append(fg.scopeArgs, id.source)
	}
	var first int64
	if err := fg.tx.QueryRowContext(ctx, `SELECT COALESCE(MIN(id), 0) FROM activities WHERE 1 = 1`+fg.scope, fg.scopeArgs...).Scan(&first); err != nil {
		return err
	}
	if first == 0 {
		return domain.Errorf(domain.ENOTFOUND, "no person and no activity with login or e-mail address %q", who)
	}
	fg.f.Pseudonym = "forgotten-a" + strconv.FormatInt(first, 10)
	fg.bare = id.login
	return nil
}

// loadActors reads the distinct actor strings of the activities in scope.
func (fg *forgetting) loadActors(ctx context.Context) error {
	rows, err := fg.tx.QueryContext(ctx, `SELECT actor FROM activities WHERE 1 = 1`+fg.scope+` GROUP BY actor ORDER BY MIN(id)`, fg.scopeArgs...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return err
		}
		fg.actors = append(fg.actors, a)
	}
	return rows.Err()
}

// next returns the next pseudonym: the first is f.Pseudonym, then
// f.Pseudonym-2…
func (fg *forgetting) next() string {
	fg.n++
	if fg.n == 1 {
		return fg.f.Pseudonym
	}
	return fg.f.Pseudonym + "-" + strconv.Itoa(fg.n)
}

// choosePseudonyms gives every distinct actor string its own pseudonym, so
// that actors that were distinct stay distinct (counts of engaged people and
// of responses compare actors), and every login the pseudonym of the actor
// written like it, or one of its own.
func (fg *forgetting) choosePseudonyms() {
	fg.pseudonym = map[string]string{}
	for _, a := range fg.actors {
		fg.pseudonym[a] = fg.next()
	}
	for _, id := range fg.ids {
		if _, ok := fg.pseudonym[id.login]; ok {
			continue
		}
		p := ""
		for _, a := range fg.actors {
			if strings.EqualFold(a, id.login) {
				p = fg.pseudonym[a]
				break
			}
		}
		if p == "" {
			p = fg.next()
		}
		fg.pseudonym[id.login] = p
	}
}

// rename replaces the person's name and e-mail, the actors of the
// activities in scope and the logins by their pseudonyms.
func (fg *forgetting) rename(ctx context.Context) error {
	f, tx := fg.f, fg.tx
	if f.PersonID != 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE people SET name = ?, email = NULL WHERE id = ?`, f.Pseudonym, f.PersonID); err != nil {
			return err
		}
	}
	// Activities first: their scope finds unlinked activities through the identities.
	for _, a := range fg.actors {
		res, err := tx.ExecContext(ctx, `UPDATE activities SET actor = ? WHERE actor = ?`+fg.scope, append([]any{fg.pseudonym[a], a}, fg.scopeArgs...)...)
		if err != nil {
			return err
		}
		k, _ := res.RowsAffected()
		f.Activities += k
	}
	for _, id := range fg.ids {
		if _, err := tx.ExecContext(ctx, `UPDATE identities SET login = ? WHERE source = ? AND login = ?`,
			fg.pseudonym[id.login], id.source, id.login); err != nil {
			return err
		}
		f.Identities++
	}
	// An actor written in another case than the login ("Octocat") has a
	// pseudonym of its own: give it an identity too, so that re-resolving
	// activities still finds the person.
	for _, id := range fg.ids {
		for _, a := range fg.actors {
			if strings.EqualFold(a, id.login) && fg.pseudonym[a] != fg.pseudonym[id.login] {
				if _, err := tx.ExecContext(ctx, `INSERT INTO identities (source, login, person_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
					id.source, fg.pseudonym[a], f.PersonID); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// redactText replaces the words that identify the person, each by its
// pseudonym, in titles, thread keys and quarantined records.
func (fg *forgetting) redactText(ctx context.Context) error {
	f, tx := fg.f, fg.tx
	var words []string
	repl := map[string]string{}
	add := func(w, p string) {
		w = strings.TrimSpace(w)
		if len(w) < 3 {
			return // too short to replace without mangling other words
		}
		if _, ok := repl[strings.ToLower(w)]; !ok {
			words = append(words, w)
			repl[strings.ToLower(w)] = p
		}
	}
	add(fg.email, f.Pseudonym)
	add(fg.name, f.Pseudonym)
	for _, a := range fg.actors {
		add(a, fg.pseudonym[a])
	}
	for _, id := range fg.ids {
		add(id.login, fg.pseudonym[id.login])
	}
	add(fg.bare, f.Pseudonym)
	if len(words) == 0 {
		return nil
	}
	re := wordsRE(words)
	rewrite := func(s string) string {
		return re.ReplaceAllStringFunc(s, func(m string) string { return repl[strings.ToLower(m)] })
	}
	var err error
	if f.Titles, err = rewriteColumn(ctx, tx, "activities", "title", words, rewrite); err != nil {
		return err
	}
	// Thread keys may hold a login (a repository the person owns): the
	// same rewrite everywhere keeps equal threads equal.
	if _, err = rewriteColumn(ctx, tx, "activities", "thread", words, rewrite); err != nil {
		return err
	}
	if f.Rejected, err = rewriteColumn(ctx, tx, "rejected_records", "record", words, rewrite); err != nil {
		return err
	}
	if _, err := rewriteColumn(ctx, tx, "rejected_records", "reason", words, rewrite); err != nil {
		return err
	}
	return nil
}

// findPeople returns the people who matches (by e-mail address, login, or
// SOURCE:LOGIN) and, for a login, the identities it names.
func findPeople(ctx context.Context, tx *sql.Tx, who string) ([]int64, []identity, error) {
	lower := strings.ToLower(who)
	var q string
	var args []any
	var ids []identity
	source, login, hasSource := strings.Cut(lower, ":")
	switch {
	case strings.Contains(lower, "@") && !hasSource:
		q, args = `SELECT id FROM people WHERE email = ?`, []any{lower}
		ids = []identity{{login: lower}}
	case hasSource && source != "" && login != "":
		q, args = `SELECT DISTINCT person_id FROM identities WHERE source = ? AND login = ?`, []any{source, login}
		ids = []identity{{source: source, login: login}}
	default:
		q, args = `SELECT DISTINCT person_id FROM identities WHERE login = ?`, []any{lower}
		ids = []identity{{login: lower}}
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var people []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, nil, err
		}
		people = append(people, id)
	}
	return people, ids, rows.Err()
}

func identitiesOf(ctx context.Context, tx *sql.Tx, person int64) ([]identity, error) {
	rows, err := tx.QueryContext(ctx, `SELECT source, login FROM identities WHERE person_id = ? ORDER BY source, login`, person)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []identity
	for rows.Next() {
		var id identity
		if err := rows.Scan(&id.source, &id.login); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// wordsRE matches any of words, whole words only, case-insensitively.
func wordsRE(words []string) *regexp.Regexp {
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = regexp.QuoteMeta(w)
	}
	// Longest alternatives first, so that an e-mail address wins over the login in it.
	for i := 1; i < len(parts); i++ {
		for j := i; j > 0 && len(parts[j]) > len(parts[j-1]); j-- {
			parts[j], parts[j-1] = parts[j-1], parts[j]
		}
	}
	return regexp.MustCompile(`(?i)(?:^|\b)(?:` + strings.Join(parts, "|") + `)(?:\b|$)`)
}

// rewriteColumn applies rewrite to the rows of table whose column mentions
// one of words, and returns how many changed.
func rewriteColumn(ctx context.Context, tx *sql.Tx, table, column string, words []string, rewrite func(string) string) (int64, error) {
	var conds []string
	var args []any
	for _, w := range words {
		conds = append(conds, `LOWER(`+column+`) LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(strings.ToLower(w))+"%")
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, `+column+` FROM `+table+` WHERE `+strings.Join(conds, " OR "), args...)
	if err != nil {
		return 0, err
	}
	type change struct {
		id   int64
		text string
	}
	var changes []change
	for rows.Next() {
		var c change
		var old string
		if err := rows.Scan(&c.id, &old); err != nil {
			rows.Close()
			return 0, err
		}
		if c.text = rewrite(old); c.text != old {
			changes = append(changes, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, c := range changes {
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET `+column+` = ? WHERE id = ?`, c.text, c.id); err != nil {
			return 0, err
		}
	}
	return int64(len(changes)), nil
}

// SSOUserNames returns the names of the accounts without a password (made
// by single sign-on).
func (db *DB) SSOUserNames(ctx context.Context) (map[string]bool, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT name FROM users WHERE password_hash = ''`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list users: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("store: unable to list users: %w", err)
		}
		out[n] = true
	}
	return out, rows.Err()
}
