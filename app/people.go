package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// People are mapped to members where people work, one code path behind the
// community page (app/people_pages.go), the JSON API below and the
// `ecopulse person` commands (app/cli_people.go): each turns its input
// into an AssignInput or a DomainRuleInput and calls the functions here,
// which validate, store and audit. Rules in app/routes.go: managers write.
//
//	GET    /api/v1/people/unaffiliated[?from=&to=&limit=&offset=]  who counts for no member (login, source, activities, first and last seen), a page at a time
//	POST   /api/v1/people/assign                    {"source","login","member","from","to"} (or "person": ID) → 200
//	GET    /api/v1/affiliation/domains              the stored e-mail-domain rules
//	POST   /api/v1/affiliation/domains              {"domain","member","from","to"} → 201
//	DELETE /api/v1/affiliation/domains/:id          → 200 with the rule deleted
//
// An assignment or a rule applies to stored activity at once: it is
// attributed again and the days it touches are scored again. The
// configuration's `affiliation:` people and rules are applied at start as
// before; they are explicit affiliations and win over the stored rules,
// which fill only the days explicit ones leave (data/affiliation_rules.go).
// A person the configuration lists gets its configured spans back at the
// next start: assign by hand the people it does not list.

// AssignInput is an assignment as people give it: JSON, a form, a command.
type AssignInput struct {
	Source string `json:"source"`
	Login  string `json:"login"`
	Person int64  `json:"person"` // instead of source and login
	Member string `json:"member"`
	From   string `json:"from"` // YYYY-MM-DD; "" since always
	To     string `json:"to"`   // YYYY-MM-DD, the first day no longer affiliated; "" open
}

func (in AssignInput) who() string {
	if in.Person != 0 {
		return "person " + strconv.FormatInt(in.Person, 10)
	}
	return strings.ToLower(strings.TrimSpace(in.Source)) + ":" + strings.ToLower(strings.TrimSpace(in.Login))
}

// span parses from and to, naming the field that does not parse.
func span(from, to string) (time.Time, time.Time, error) {
	f, err := views.ParseQueryDay("from", from)
	if err != nil {
		return f, f, err
	}
	t, err := views.ParseQueryDay("to", to)
	return f, t, err
}

// DomainRuleInput is an e-mail-domain rule as people give it.
type DomainRuleInput struct {
	Domain string `json:"domain"`
	Member string `json:"member"`
	From   string `json:"from"` // "" since always
	To     string `json:"to"`   // "" open
}

// DomainRuleRecord is a stored rule as the API and the commands give it.
type DomainRuleRecord struct {
	ID     int64  `json:"id"`
	Domain string `json:"domain"`
	Member string `json:"member"`
	From   string `json:"from"`
	To     string `json:"to,omitempty"` // "" open
}

func domainRecord(r data.DomainRule) DomainRuleRecord {
	rec := DomainRuleRecord{ID: r.ID, Domain: r.Domain, Member: r.Member, From: r.From.Format(domain.DateLayout)}
	if !r.To.IsZero() {
		rec.To = r.To.Format(domain.DateLayout)
	}
	return rec
}

// spanText says a span for the audit log and the commands.
func spanText(from, to string) string {
	if to == "" {
		to = "(open)"
	}
	return "from " + from + " to " + to
}

func personAssign(ctx context.Context, db *data.DB, actor string, in AssignInput) (*data.AssignResult, error) {
	from, to, err := span(in.From, in.To)
	var res *data.AssignResult
	if err == nil {
		res, err = db.AssignPerson(ctx, data.Assignment{Source: in.Source, Login: in.Login, PersonID: in.Person, Member: in.Member, From: from, To: to})
	}
	detail := ""
	if res != nil {
		detail = fmt.Sprintf("to %s %s: %d activities re-attributed", res.Member, spanText(res.From, res.To), res.Activities)
	}
	auditChange(ctx, db, actor, "person.assign", in.who(), detail, err)
	return res, err
}

// DomainRuleResult is a rule added or deleted and what it re-attributed.
type DomainRuleResult struct {
	Rule DomainRuleRecord `json:"rule"`
	data.Reattribution
}

func domainRuleAdd(ctx context.Context, db *data.DB, actor string, in DomainRuleInput) (*DomainRuleResult, error) {
	from, to, err := span(in.From, in.To)
	r := &data.DomainRule{Domain: in.Domain, Member: strings.TrimSpace(in.Member), From: from, To: to}
	var re *data.Reattribution
	if err == nil {
		re, err = db.AddDomainRule(ctx, r)
	}
	var out *DomainRuleResult
	detail := ""
	if err == nil {
		out = &DomainRuleResult{Rule: domainRecord(*r), Reattribution: *re}
		detail = fmt.Sprintf("rule %d to %s %s: %d activities re-attributed", r.ID, r.Member, spanText(out.Rule.From, out.Rule.To), re.Activities)
	}
	auditChange(ctx, db, actor, "affiliation.domain.add", strings.TrimSpace(in.Domain), detail, err)
	return out, err
}

func domainRuleDelete(ctx context.Context, db *data.DB, actor string, id int64) (*DomainRuleResult, error) {
	r, re, err := db.DeleteDomainRule(ctx, id)
	target := "rule " + strconv.FormatInt(id, 10)
	var out *DomainRuleResult
	detail := ""
	if err == nil {
		out = &DomainRuleResult{Rule: domainRecord(*r), Reattribution: *re}
		target += " (" + r.Domain + ")"
		detail = fmt.Sprintf("was to %s %s: %d activities re-attributed", r.Member, spanText(out.Rule.From, out.Rule.To), re.Activities)
	}
	auditChange(ctx, db, actor, "affiliation.domain.delete", target, detail, err)
	return out, err
}

func domainRules(ctx context.Context, db *data.DB) ([]DomainRuleRecord, error) {
	rules, err := db.DomainRules(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]DomainRuleRecord, len(rules))
	for i, r := range rules {
		out[i] = domainRecord(r)
	}
	return out, nil
}

// --- JSON ---

func (a *App) unaffiliatedJSON(c *fiber.Ctx) error {
	p, err := views.ParseRange(ecoQuery(c))
	if err != nil {
		return err
	}
	limit, offset, err := queryPage(c)
	if err != nil {
		return err
	}
	u, err := views.BuildUnaffiliated(c.UserContext(), a.db, p, limit, offset)
	if err != nil {
		return err
	}
	return c.JSON(u)
}

func (a *App) personAssignJSON(c *fiber.Ctx) error {
	var in AssignInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	res, err := personAssign(c.UserContext(), a.db, viewerOf(c).Name, in)
	if err != nil {
		return err
	}
	a.rescoreSoon()
	return c.JSON(res)
}

func (a *App) domainRulesJSON(c *fiber.Ctx) error {
	rules, err := domainRules(c.UserContext(), a.db)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"rules": rules})
}

func (a *App) domainRuleAddJSON(c *fiber.Ctx) error {
	var in DomainRuleInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	res, err := domainRuleAdd(c.UserContext(), a.db, viewerOf(c).Name, in)
	if err != nil {
		return err
	}
	a.rescoreSoon()
	return c.Status(fiber.StatusCreated).JSON(res)
}

func (a *App) domainRuleDeleteJSON(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return domain.Errorf(domain.EINVALID, "id: want a rule's number, not %q", c.Params("id"))
	}
	res, err := domainRuleDelete(c.UserContext(), a.db, viewerOf(c).Name, id)
	if err != nil {
		return err
	}
	a.rescoreSoon()
	return c.JSON(res)
}
