package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/domain"
)

// Stored e-mail-domain rules (table affiliation_domains, migration 0018):
// "the people whose e-mail is in acme.example belong to acme from … to …".
// They are added on /community, by the API or by `ecopulse person domain
// add`; the configuration's affiliation.domains rules stay in the file and
// are applied at start as explicit affiliations (collectors/affiliation).
//
// How the two kinds of affiliation combine, for one person:
//   - explicit affiliations (configured ones, and those assigned by hand
//     with AssignPerson) win: rule_id IS NULL;
//   - stored domain rules fill the days no explicit affiliation covers:
//     those affiliations carry the rule's id (rule_id), so that deleting a
//     rule deletes them.
//
// Every write to a person's affiliations recomputes their rule-made ones in
// the same transaction (refreshRuleSpans), so the two never overlap and a
// restart that applies the configuration again keeps the stored rules.

// DomainRule is a stored e-mail-domain rule.
type DomainRule struct {
	ID     int64     `json:"id"`
	Domain string    `json:"domain"`
	Member string    `json:"member"` // slug
	From   time.Time `json:"-"`
	To     time.Time `json:"-"` // zero: open

	memberID int64
}

// ruleEpoch is the from date of a rule given none: since always.
var ruleEpoch = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// ruleForever stands for the end of an open span in comparisons.
var ruleForever = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// NormalizeDomain returns an e-mail domain as rules store it (lower case,
// no leading @), or an EINVALID error naming the field "domain".
func NormalizeDomain(s string) (string, error) {
	d := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "@"))
	if d == "" || len(d) > 253 || strings.ContainsAny(d, "@ \t\r\n/:") || !strings.Contains(d, ".") ||
		strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") {
		return "", domain.Errorf(domain.EINVALID, "domain: %q is not an e-mail domain (like acme.example)", domain.TruncateForError(s))
	}
	return d, nil
}

// Reattribution says what a change of affiliations did to stored activity.
type Reattribution struct {
	Activities int64  `json:"reattributed"`        // activities whose person or member changed
	FirstDay   string `json:"first_day,omitempty"` // the earliest day they touch (scored again from it)
}

// AddDomainRule stores a rule (r.Member a slug; zero From: since always)
// and applies it to the people of the domain and their stored activity.
// A rule overlapping another of the same domain is refused (ECONFLICT).
func (db *DB) AddDomainRule(ctx context.Context, r *DomainRule) (*Reattribution, error) {
	if err := r.normalize(); err != nil {
		return nil, err
	}
	var res Reattribution
	err := db.writeTx(ctx, func(tx *sql.Tx) error { return addDomainRule(ctx, tx, db.dialect, r, &res) })
	if err != nil {
		return nil, fmt.Errorf("store: unable to add the domain rule for %q: %w", r.Domain, err)
	}
	return &res, nil
}

// normalize puts a new rule's domain and days in the form rules store, or
// returns the EINVALID error of the first that is wrong.
func (r *DomainRule) normalize() error {
	name, err := NormalizeDomain(r.Domain)
	if err != nil {
		return err
	}
	r.Domain = name
	if r.From.IsZero() {
		r.From = ruleEpoch
	}
	r.From = domain.Day(r.From)
	if !r.To.IsZero() {
		r.To = domain.Day(r.To)
		if !r.To.After(r.From) {
			return domain.Errorf(domain.EINVALID, "to: %s is not after from %s", dateStr(r.To), dateStr(r.From))
		}
	}
	return nil
}

// addDomainRule stores a normalized rule and applies it. The rules of a
// domain are checked for overlap, then the rule inserted: two writers adding
// overlapping rules of one domain (on PostgreSQL) would each check before
// the other's insert and both pass, so the domain's key is locked first and
// a second writer checks once the first has committed.
func addDomainRule(ctx context.Context, tx *sql.Tx, d dialect, r *DomainRule, res *Reattribution) error {
	memberID, err := mappableMember(ctx, tx, strings.TrimSpace(r.Member))
	if err != nil {
		return err
	}
	if memberID == 0 {
		return domain.Errorf(domain.EINVALID, "member: name the member the domain's people belong to")
	}
	if err := d.lockKey(ctx, tx, domainRuleLock(r.Domain)); err != nil {
		return err
	}
	rules, err := domainRules(ctx, tx, r.Domain)
	if err != nil {
		return err
	}
	for _, o := range rules {
		if spansOverlap(o.From, o.To, r.From, r.To) {
			return domain.Errorf(domain.ECONFLICT, "domain: overlaps rule %d (%s to %s from %s); delete it first", o.ID, o.Domain, o.Member, dateStr(o.From))
		}
	}
	r.ID, err = insertRow(ctx, tx, `INSERT INTO affiliation_domains (domain, member_id, from_date, to_date, created_at) VALUES (?, ?, ?, ?, ?)`,
		r.Domain, memberID, dateStr(r.From), nullDate(r.To), time.Now().Unix())
	if err != nil {
		return err
	}
	return refreshDomain(ctx, tx, d, r.Domain, res)
}

// domainRuleLock is the key under which the rules of a domain change.
func domainRuleLock(name string) string { return "affiliation_domains:" + name }

// DeleteDomainRule deletes a stored rule and the affiliations it made, and
// attributes the stored activity of its people again.
func (db *DB) DeleteDomainRule(ctx context.Context, id int64) (*DomainRule, *Reattribution, error) {
	var res Reattribution
	var rule *DomainRule
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		if rule, err = domainRuleByID(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM affiliations WHERE rule_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM affiliation_domains WHERE id = ?`, id); err != nil {
			return err
		}
		return refreshDomain(ctx, tx, db.dialect, rule.Domain, &res)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("store: unable to delete domain rule %d: %w", id, err)
	}
	return rule, &res, nil
}

// DomainRules returns the stored rules, by domain and start.
func (db *DB) DomainRules(ctx context.Context) ([]DomainRule, error) {
	var out []DomainRule
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = domainRules(ctx, tx, "")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to list domain rules: %w", err)
	}
	return out, nil
}

const domainRuleColumns = `SELECT r.id, r.domain, m.slug, r.member_id, r.from_date, r.to_date FROM affiliation_domains r JOIN members m ON m.id = r.member_id`

func scanDomainRule(row interface{ Scan(...any) error }) (DomainRule, error) {
	var r DomainRule
	var from, to sql.NullString
	err := row.Scan(&r.ID, &r.Domain, &r.Member, &r.memberID, &from, &to)
	r.From, r.To = parseDate(from), parseDate(to)
	return r, err
}

// domainRules lists the rules of one domain ("" every domain).
func domainRules(ctx context.Context, tx *sql.Tx, domain string) ([]DomainRule, error) {
	rows, err := tx.QueryContext(ctx, domainRuleColumns+` WHERE ? = '' OR r.domain = ? ORDER BY r.domain, r.from_date, r.id`, domain, domain)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DomainRule
	for rows.Next() {
		r, err := scanDomainRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func domainRuleByID(ctx context.Context, tx *sql.Tx, id int64) (*DomainRule, error) {
	r, err := scanDomainRule(tx.QueryRowContext(ctx, domainRuleColumns+` WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "no domain rule %d", id)
	}
	return &r, err
}

func spanEnd(t time.Time) time.Time {
	if t.IsZero() {
		return ruleForever
	}
	return t
}

// spansOverlap reports whether [f1, t1) and [f2, t2) share a day (zero t: open).
func spansOverlap(f1, t1, f2, t2 time.Time) bool {
	return f1.Before(spanEnd(t2)) && f2.Before(spanEnd(t1))
}

// refreshDomain recomputes the rule-made affiliations of every person with
// an e-mail in domain and attributes their activity again.
func refreshDomain(ctx context.Context, tx *sql.Tx, d dialect, domain string, res *Reattribution) error {
	var people []int64
	if err := scanInts(ctx, tx, `SELECT id FROM people WHERE LOWER(email) LIKE ? ESCAPE '\' ORDER BY id`, func(id int64) { people = append(people, id) },
		"%@"+memberLikeEscape(domain)); err != nil {
		return err
	}
	for _, p := range people {
		if _, err := refreshRuleSpans(ctx, tx, d, p); err != nil {
			return err
		}
	}
	return reattributePeople(ctx, tx, d, people, res)
}

type affSpan struct {
	member   int64
	from, to time.Time
	rule     int64
}

// refreshRuleSpans makes a person's rule-made affiliations what the stored
// rules of their e-mail domain give on the days their explicit ones leave,
// and reports whether they changed. It locks the person first (lockPerson):
// the people of a domain are refreshed in id order, so that two writers
// lock them in one order.
func refreshRuleSpans(ctx context.Context, tx *sql.Tx, d dialect, personID int64) (bool, error) {
	if err := lockPerson(ctx, tx, d, personID); err != nil {
		return false, err
	}
	var email sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT email FROM people WHERE id = ?`, personID).Scan(&email); err != nil {
		return false, err
	}
	explicit, err := personSpans(ctx, tx, personID, false)
	if err != nil {
		return false, err
	}
	stored, err := personSpans(ctx, tx, personID, true)
	if err != nil {
		return false, err
	}
	var want []affSpan
	if _, domain, ok := strings.Cut(strings.ToLower(email.String), "@"); ok && domain != "" {
		rules, err := domainRules(ctx, tx, domain)
		if err != nil {
			return false, err
		}
		for _, r := range rules {
			for _, piece := range uncovered(r.From, r.To, explicit) {
				want = append(want, affSpan{member: r.memberID, from: piece[0], to: piece[1], rule: r.ID})
			}
		}
	}
	// Rules of a domain never overlap, so their pieces are ordered by start.
	slices.SortFunc(want, func(x, y affSpan) int { return x.from.Compare(y.from) })
	if slices.Equal(want, stored) {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM affiliations WHERE person_id = ? AND rule_id IS NOT NULL`, personID); err != nil {
		return false, err
	}
	for _, s := range want {
		if _, err := tx.ExecContext(ctx, `INSERT INTO affiliations (person_id, member_id, from_date, to_date, rule_id) VALUES (?, ?, ?, ?, ?)`,
			personID, s.member, dateStr(s.from), nullDate(s.to), s.rule); err != nil {
			return false, err
		}
	}
	return true, nil
}

// personSpans returns a person's explicit (ruleMade false) or rule-made
// affiliations, ordered as refreshRuleSpans builds them.
func personSpans(ctx context.Context, tx *sql.Tx, personID int64, ruleMade bool) ([]affSpan, error) {
	rows, err := tx.QueryContext(ctx, `SELECT member_id, from_date, to_date, COALESCE(rule_id, 0) FROM affiliations
		WHERE person_id = ? AND (rule_id IS NOT NULL) = ? ORDER BY from_date`, personID, ruleMade)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []affSpan
	for rows.Next() {
		var s affSpan
		var from, to sql.NullString
		if err := rows.Scan(&s.member, &from, &to, &s.rule); err != nil {
			return nil, err
		}
		s.from, s.to = parseDate(from), parseDate(to)
		out = append(out, s)
	}
	return out, rows.Err()
}

// uncovered returns the parts of [from, to) that no span covers (zero to:
// open, in the result too).
func uncovered(from, to time.Time, spans []affSpan) [][2]time.Time {
	sorted := slices.Clone(spans)
	slices.SortFunc(sorted, func(x, y affSpan) int { return x.from.Compare(y.from) })
	var out [][2]time.Time
	cur := from
	for _, s := range sorted {
		if !cur.Before(spanEnd(to)) {
			break
		}
		if s.from.After(cur) && s.from.Before(spanEnd(to)) {
			out = append(out, [2]time.Time{cur, s.from})
		}
		if spanEnd(s.to).After(cur) {
			cur = spanEnd(s.to)
		}
	}
	if cur.Before(spanEnd(to)) {
		out = append(out, [2]time.Time{cur, to})
	}
	for i := range out {
		if out[i][1].Equal(ruleForever) {
			out[i][1] = time.Time{}
		}
	}
	return out
}

// reattributePeople resolves the stored (non-bot) activity of people
// again, adds what changed to res, and marks the days already scored from
// the earliest changed one for scoring again. The activity triggers mark
// the day digests stale.
func reattributePeople(ctx context.Context, tx *sql.Tx, d dialect, people []int64, res *Reattribution) error {
	if len(people) == 0 {
		return nil
	}
	ids, idsArg := d.idList(people)
	type row struct {
		id, at         int64
		source, actor  string
		person, member int64
	}
	// One pass over the activities, whatever the number of people: a
	// domain may hold thousands.
	var all []row
	rows, err := tx.QueryContext(ctx, `SELECT a.id, a.at, a.source, a.actor, COALESCE(a.person_id, 0), COALESCE(a.member_id, 0)
		FROM activities a JOIN identities i ON i.source = a.source AND i.login = LOWER(a.actor)
		WHERE a.bot = FALSE AND i.person_id IN (`+ids+`)`, idsArg)
	if err != nil {
		return err
	}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.at, &r.source, &r.actor, &r.person, &r.member); err != nil {
			rows.Close()
			return err
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var first int64 = -1
	for _, r := range all {
		person, member, err := resolveActor(ctx, tx, r.source, r.actor, time.Unix(r.at, 0).UTC())
		if err != nil {
			return err
		}
		if person == r.person && member == r.member {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE activities SET person_id = ?, member_id = ? WHERE id = ?`, nullInt(person), nullInt(member), r.id); err != nil {
			return err
		}
		res.Activities++
		if first < 0 || r.at < first {
			first = r.at
		}
	}
	if first < 0 {
		return nil
	}
	day := domain.Day(time.Unix(first, 0).UTC())
	if res.FirstDay == "" || dateStr(day) < res.FirstDay {
		res.FirstDay = dateStr(day)
	}
	return markRescoreFrom(ctx, tx, day)
}
