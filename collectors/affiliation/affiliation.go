// Package affiliation keeps people, their logins and their affiliations to
// members, in the spirit of GrimoireLab's SortingHat: community activity is
// attributed to the member its actor was affiliated with at the time.
//
// Apply makes the store match a configuration such as:
//
//	people:
//	  - name: Ada Lovelace
//	    email: ada@acme.example            # optional; its domain feeds the domain rules
//	    logins: {github: ada, discourse: ada_l}
//	    affiliations:                      # explicit spans win over domain rules
//	      - {member: acme, from: 2025-01-01, to: 2026-03-01}
//	      - {member: beta-labs, from: 2026-03-01}
//	domains:                               # e-mail domain → member, for the dates given
//	  - {domain: acme.example, member: acme, from: 2024-01-01}
//
// Dates are YYYY-MM-DD. A span covers [from, to): to is the first day no
// longer affiliated (the from of the next span when someone moves), and an
// empty to leaves the span open. A domain rule's from may be empty (since
// always). Domains match the part after "@" exactly (no subdomains), case
// aside. A domain rule applies to the people of the configuration whose
// e-mail is in the domain, on the days their explicit spans do not cover.
//
// Apply is idempotent: running it twice changes nothing. People are found
// by their logins; people the store has and the configuration does not list
// are left alone. Bad entries
// (unknown member slugs, bad dates, overlapping spans, a login claimed by
// two people…) are reported in Report.Problems and skipped; the rest applies.
//
// After a change, Apply has the store re-resolve the member of the
// activities already stored, so that history follows the new affiliations.
//
// Managers also assign people and add domain rules by hand (the community
// page, /api/v1/people/assign, /api/v1/affiliation/domains, ecopulse
// person). What Apply stores is explicit, like a hand-made assignment, and
// wins over the stored domain rules, which fill the days explicit
// affiliations leave (data/affiliation_rules.go); Apply replaces only the
// explicit affiliations of the people it lists, so a restart keeps the
// stored rules, and undoes a hand-made assignment of a person it lists.
// store.go says what the store cannot do yet and how Apply copes.
//
// Unaffiliated lists the actors whose activity counts for no member, so
// that unaffiliated people are visible as such.
package affiliation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
)

// Config lists people and e-mail domain rules.
type Config struct {
	People  []Person     `yaml:"people"`
	Domains []DomainRule `yaml:"domains"`
}

// Person is someone whose activity should count for a member.
type Person struct {
	Name         string            `yaml:"name"`
	Email        string            `yaml:"email"`
	Logins       map[string]string `yaml:"logins"` // source → login (github: octocat, discourse: octo)
	Affiliations []Span            `yaml:"affiliations"`
}

// Span is an affiliation of a person to a member over [From, To).
type Span struct {
	Member string `yaml:"member"` // member slug
	From   string `yaml:"from"`   // YYYY-MM-DD, required
	To     string `yaml:"to"`     // YYYY-MM-DD, exclusive; "" = still affiliated
}

// DomainRule affiliates the people with an e-mail address in Domain to
// Member over [From, To).
type DomainRule struct {
	Domain string `yaml:"domain"` // acme.example (a leading @ is ignored)
	Member string `yaml:"member"` // member slug
	From   string `yaml:"from"`   // YYYY-MM-DD; "" = since always
	To     string `yaml:"to"`     // YYYY-MM-DD, exclusive; "" = open
}

// Report says what Apply changed and what it could not apply.
type Report struct {
	People       int      // people created or updated
	Identities   int      // logins added
	Affiliations int      // affiliations added or removed
	Reresolved   int64    // stored activities whose person or member changed as a result
	Problems     []string // entries skipped, and why
}

// Actor is someone with community activity and no member.
type Actor struct {
	Source     string `json:"source"`
	Login      string `json:"login"`
	PersonID   int64  `json:"person_id,omitempty"` // a known person, unaffiliated then; 0 = a login nobody has
	Activities int    `json:"activities"`
}

// epoch is the from date of a domain rule that has none.
var epoch = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// forever stands for the end of an open span in comparisons.
var forever = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// plan is what the store should hold for one person.
type plan struct {
	label   string // person "Ada Lovelace", for messages
	person  domain.Person
	ids     []domain.Identity
	affs    []domain.Affiliation // ordered by From, disjoint
	members map[int64]string     // member id → slug, for messages
}

type rule struct {
	domain string
	member int64
	slug   string
	from   time.Time
	to     time.Time
}

type applier struct {
	db      *data.DB
	rep     *Report
	members map[string]int64 // slug → id, 0 = unknown
}

func (a *applier) problem(format string, args ...any) {
	a.rep.Problems = append(a.rep.Problems, fmt.Sprintf(format, args...))
}

func (a *applier) member(ctx context.Context, slug string) (int64, error) {
	if id, ok := a.members[slug]; ok {
		return id, nil
	}
	m, err := a.db.MemberBySlug(ctx, slug)
	switch {
	case domain.ErrorCode(err) == domain.ENOTFOUND:
		a.members[slug] = 0
		return 0, nil
	case err != nil:
		return 0, err
	}
	a.members[slug] = m.ID
	return m.ID, nil
}

// Apply creates or updates the people, identities and affiliations of cfg.
// It returns an error only when the database fails; bad entries are skipped
// and reported in Report.Problems.
func Apply(ctx context.Context, db *data.DB, cfg Config) (Report, error) {
	var rep Report
	a := &applier{db: db, rep: &rep, members: map[string]int64{}}
	rules, err := a.rules(ctx, cfg.Domains)
	if err != nil {
		return rep, err
	}
	claimed := map[domain.Identity]string{} // login → label of the person who has it
	dirty := false                          // something changed: stored activities need re-resolving
	for i, p := range cfg.People {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		pl, err := a.plan(ctx, i, p, rules, claimed)
		if err != nil {
			return rep, err
		}
		if pl == nil {
			continue
		}
		before := rep
		if err := syncPerson(ctx, a, pl); err != nil {
			return rep, fmt.Errorf("affiliation: %s: %w", pl.label, err)
		}
		if rep.People != before.People || rep.Identities != before.Identities || rep.Affiliations != before.Affiliations {
			dirty = true
		}
	}
	if dirty {
		n, err := reresolve(ctx, a)
		if err != nil {
			return rep, fmt.Errorf("affiliation: unable to re-resolve stored activities: %w", err)
		}
		rep.Reresolved = n
	}
	return rep, nil
}

// rules checks the domain rules; overlapping rules of one domain are
// reported and the later one skipped.
func (a *applier) rules(ctx context.Context, in []DomainRule) ([]rule, error) {
	var out []rule
	for i, d := range in {
		label := fmt.Sprintf("domain rule %d (%s)", i+1, d.Domain)
		r := rule{domain: strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d.Domain), "@")), slug: strings.TrimSpace(d.Member)}
		if r.domain == "" || strings.ContainsAny(r.domain, "@ ") || !strings.Contains(r.domain, ".") {
			a.problem("%s: %q is not an e-mail domain", label, d.Domain)
			continue
		}
		var ok bool
		if r.from, r.to, ok = a.dates(label, d.From, d.To, false); !ok {
			continue
		}
		id, err := a.member(ctx, r.slug)
		if err != nil {
			return nil, err
		}
		if id == 0 {
			a.problem("%s: unknown member %q", label, d.Member)
			continue
		}
		r.member = id
		clash := slices.IndexFunc(out, func(o rule) bool { return o.domain == r.domain && overlaps(o.from, o.to, r.from, r.to) })
		if clash >= 0 {
			a.problem("%s: overlaps the rule for %s to %s from %s; skipped", label, out[clash].domain, out[clash].slug, day(out[clash].from))
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// dates parses a [from, to) pair; from may be empty when optional.
func (a *applier) dates(label, from, to string, fromRequired bool) (time.Time, time.Time, bool) {
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	var f, t time.Time
	var err error
	switch {
	case from == "" && fromRequired:
		a.problem("%s: needs a from date (YYYY-MM-DD)", label)
		return f, t, false
	case from == "":
		f = epoch
	default:
		if f, err = domain.ParseDay(from); err != nil {
			a.problem("%s: from %q is not a date (YYYY-MM-DD)", label, from)
			return f, t, false
		}
	}
	if to != "" {
		if t, err = domain.ParseDay(to); err != nil {
			a.problem("%s: to %q is not a date (YYYY-MM-DD)", label, to)
			return f, t, false
		}
		if !t.After(f) {
			a.problem("%s: to %s is not after from %s", label, to, day(f))
			return f, t, false
		}
	}
	return f, t, true
}

// plan checks one person and works out the affiliations they should have;
// nil when the person is skipped.
func (a *applier) plan(ctx context.Context, i int, p Person, rules []rule, claimed map[domain.Identity]string) (*plan, error) {
	name := strings.TrimSpace(p.Name)
	label := fmt.Sprintf("person %q", name)
	if name == "" {
		a.problem("person %d: needs a name", i+1)
		return nil, nil
	}
	pl := &plan{label: label, person: domain.Person{Name: name}, members: map[int64]string{}}
	email := strings.ToLower(strings.TrimSpace(p.Email))
	if email != "" {
		user, host, ok := strings.Cut(email, "@")
		if !ok || user == "" || host == "" || strings.ContainsAny(host, "@ ") {
			a.problem("%s: the e-mail is not an address; ignored", label) // e-mail addresses are never shown
			email = ""
		}
	}
	pl.person.Email = email

	sources := make([]string, 0, len(p.Logins))
	for s := range p.Logins {
		sources = append(sources, s)
	}
	slices.Sort(sources)
	for _, s := range sources {
		id := domain.Identity{Source: strings.ToLower(strings.TrimSpace(s)), Login: strings.ToLower(strings.TrimSpace(p.Logins[s]))}
		switch {
		case id.Source == "" || id.Login == "":
			a.problem("%s: login %q on source %q is incomplete; ignored", label, p.Logins[s], s)
			continue
		case claimed[id] != "":
			a.problem("%s: %s login %q is already %s's; ignored", label, id.Source, id.Login, claimed[id])
			continue
		}
		claimed[id] = label
		pl.ids = append(pl.ids, id)
	}
	if len(pl.ids) == 0 {
		a.problem("%s: has no login, so no activity can be theirs; skipped", label)
		return nil, nil
	}

	// Explicit spans, in the order given; one overlapping an earlier one is skipped.
	var explicit []domain.Affiliation
	for j, s := range p.Affiliations {
		slabel := fmt.Sprintf("%s, affiliation %d (%s)", label, j+1, s.Member)
		from, to, ok := a.dates(slabel, s.From, s.To, true)
		if !ok {
			continue
		}
		id, err := a.member(ctx, strings.TrimSpace(s.Member))
		if err != nil {
			return nil, err
		}
		if id == 0 {
			a.problem("%s: unknown member %q", slabel, s.Member)
			continue
		}
		if k := slices.IndexFunc(explicit, func(e domain.Affiliation) bool { return overlaps(e.From, e.To, from, to) }); k >= 0 {
			a.problem("%s: overlaps the affiliation with %s from %s; skipped", slabel, pl.members[explicit[k].MemberID], day(explicit[k].From))
			continue
		}
		pl.members[id] = strings.TrimSpace(s.Member)
		explicit = append(explicit, domain.Affiliation{MemberID: id, From: from, To: to})
	}
	pl.affs = append(pl.affs, explicit...)

	// Domain rules fill the days the explicit spans leave.
	if _, host, ok := strings.Cut(email, "@"); ok {
		for _, r := range rules {
			if r.domain != host {
				continue
			}
			for _, piece := range subtract(r.from, r.to, explicit) {
				pl.members[r.member] = r.slug
				pl.affs = append(pl.affs, domain.Affiliation{MemberID: r.member, From: piece[0], To: piece[1]})
			}
		}
	}
	slices.SortFunc(pl.affs, func(x, y domain.Affiliation) int { return x.From.Compare(y.From) })
	return pl, nil
}

func end(t time.Time) time.Time {
	if t.IsZero() {
		return forever
	}
	return t
}

// overlaps reports whether [f1, t1) and [f2, t2) share a day (zero t: open).
func overlaps(f1, t1, f2, t2 time.Time) bool {
	return f1.Before(end(t2)) && f2.Before(end(t1))
}

// subtract returns the parts of [from, to) that no span covers.
func subtract(from, to time.Time, spans []domain.Affiliation) [][2]time.Time {
	sorted := slices.Clone(spans)
	slices.SortFunc(sorted, func(x, y domain.Affiliation) int { return x.From.Compare(y.From) })
	var out [][2]time.Time
	cur := from
	for _, s := range sorted {
		if !cur.Before(end(to)) {
			break
		}
		if !s.From.After(cur) {
			if end(s.To).After(cur) {
				cur = end(s.To)
			}
			continue
		}
		if s.From.Before(end(to)) {
			out = append(out, [2]time.Time{cur, s.From})
			cur = end(s.To)
		}
	}
	if cur.Before(end(to)) {
		out = append(out, [2]time.Time{cur, to})
	}
	for i := range out {
		if out[i][1].Equal(forever) {
			out[i][1] = time.Time{}
		}
	}
	return out
}

func day(t time.Time) string {
	if t.IsZero() {
		return "(open)"
	}
	return t.Format(domain.DateLayout)
}

// Unaffiliated lists the actors with activity in [from, to) that no member
// counts (bots aside), busiest first: people to affiliate, so that they do
// not stay invisible.
func Unaffiliated(ctx context.Context, db *data.DB, from, to time.Time) ([]Actor, error) {
	if !to.After(from) {
		return nil, domain.Errorf(domain.EINVALID, "the range %s .. %s is empty", day(from), day(to))
	}
	return unaffiliated(ctx, db, from, to)
}
