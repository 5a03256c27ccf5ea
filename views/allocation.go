package views

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/metrics"
)

// Benefit allocation statements (docs/allocation.md): /allocation, its JSON
// twin /api/v1/allocation, its downloads and `ecopulse allocate` all come
// from BuildAllocation.

// DefaultCurrency is the currency of a pool that names none.
const DefaultCurrency = "CNY"

// AllocationQuery is what a statement is asked for; the text as given.
type AllocationQuery struct {
	Period    string // 2026-W48, 2026-11 or 2026-Q4
	Pool      string // a decimal amount; "" takes the agreement's pool
	Currency  string // ISO 4217; "" is the agreement's, else DefaultCurrency
	Rule      string // shapley (""), contribution, equal or weights
	Agreement string // an agreement's slug: needed by equal and weights
}

// Allocation is a period's statement. Amounts are decimal strings in the
// currency's minor unit (exact) and, as *_minor, integers of minor units.
type Allocation struct {
	Period      string             `json:"period"`
	PeriodKind  string             `json:"period_kind"`
	From        string             `json:"from"`
	To          string             `json:"to"`
	Pool        string             `json:"pool"`
	PoolMinor   int64              `json:"pool_minor"`
	Currency    string             `json:"currency"`
	MinorDigits int                `json:"minor_digits"`
	Rule        string             `json:"rule"`
	Agreement   string             `json:"agreement,omitempty"`
	Closed      bool               `json:"closed"` // from frozen snapshots only: never changes
	Basis       string             `json:"basis"`  // in words: what the amounts are computed from
	Weeks       []AllocationWeek   `json:"weeks"`
	Missing     []string           `json:"missing_weeks"`
	Members     []AllocationMember `json:"members"`
}

// AllocationWeek is one sample of the period.
type AllocationWeek struct {
	Week   string `json:"week"`
	Day    string `json:"day"`
	Frozen bool   `json:"frozen"`
}

// AllocationMember is a member's statement: ΣC and Σφ over the period,
// the basis the rule weighs it by, its share of all bases, its amount and
// the parts the amount is made of (they add up to it).
type AllocationMember struct {
	Slug        string           `json:"slug"`
	Name        string           `json:"name"`
	C           *float64         `json:"C"`   // null: no score in any week of the period
	Phi         *float64         `json:"phi"` // null likewise
	Basis       float64          `json:"basis"`
	Share       float64          `json:"share"`
	Amount      string           `json:"amount"`
	AmountMinor int64            `json:"amount_minor"`
	Note        string           `json:"note,omitempty"`
	Parts       []AllocationPart `json:"parts"`
}

// AllocationPart is one line of a statement: a tie's term with its partner
// named, or the one line of the rules that have no ties.
type AllocationPart struct {
	Kind        string  `json:"kind"`
	Partner     string  `json:"partner,omitempty"`
	PartnerName string  `json:"partner_name,omitempty"`
	Value       float64 `json:"value"`
	Amount      string  `json:"amount"`
	AmountMinor int64   `json:"amount_minor"`
}

// BuildAllocation computes a statement in one read of the store. Bad
// input is EINVALID with what is wrong; an unknown agreement ENOTFOUND.
func BuildAllocation(ctx context.Context, db *data.DB, q AllocationQuery) (*Allocation, error) {
	p, err := domain.ParsePeriod(q.Period)
	if err != nil {
		return nil, err
	}
	if q.Rule == "" {
		q.Rule = metrics.RuleShapley
	}
	switch q.Rule {
	case metrics.RuleShapley, metrics.RuleContribution:
	case metrics.RuleEqual, metrics.RuleWeights:
		if q.Agreement == "" {
			return nil, domain.ErrorKey(domain.EINVALID, "errors.query.rule_needs_agreement", domain.Facts{"Rule": q.Rule}, "rule %s splits among an agreement's parties: name it with agreement=SLUG", q.Rule)
		}
	default:
		return nil, domain.ErrorKey(domain.EINVALID, "errors.query.rule", domain.Facts{"Value": fmt.Sprintf("%q", truncateText(q.Rule, 40))}, "unknown rule %q: want shapley, contribution, equal or weights", truncateText(q.Rule, 40))
	}
	if q.Agreement != "" && !domain.ValidSlug(q.Agreement) {
		return nil, domain.ErrorKey(domain.EINVALID, "errors.query.agreement", domain.Facts{"Value": fmt.Sprintf("%q", truncateText(q.Agreement, 40))}, "invalid agreement %q: want an agreement's slug", truncateText(q.Agreement, 40))
	}
	return oneRead(ctx, db, func(ctx context.Context) (*Allocation, error) { return readAllocation(ctx, db, p, q) })
}

// readAllocation is BuildAllocation inside its read.
func readAllocation(ctx context.Context, db *data.DB, p domain.Period, q AllocationQuery) (*Allocation, error) {
	var parties *agreementParties
	if q.Agreement != "" {
		ag, err := db.AgreementBySlug(ctx, q.Agreement)
		if err != nil {
			return nil, err
		}
		if parties, err = partiesOf(ag); err != nil {
			return nil, err
		}
		if q.Rule == metrics.RuleWeights && parties.weights == nil {
			return nil, domain.ErrorKey(domain.EINVALID, "errors.query.no_weights", domain.Facts{"Agreement": fmt.Sprintf("%q", q.Agreement)}, "agreement %q has no weights: add a line \"weights: slug=2, other=1\" to its terms", q.Agreement)
		}
		if q.Pool == "" {
			q.Pool, q.Currency = parties.pool, cmp.Or(q.Currency, parties.currency)
		}
	}
	if q.Pool == "" {
		return nil, domain.ErrorKey(domain.EINVALID, "errors.query.pool_required", nil, "pool is required: an amount such as pool=100000 (or an agreement whose terms name one)")
	}
	q.Currency = cmp.Or(q.Currency, DefaultCurrency)
	digits, err := metrics.CurrencyDigits(q.Currency)
	if err != nil {
		return nil, err
	}
	pool, err := metrics.ParseAmount(q.Pool, digits)
	if err != nil {
		return nil, err
	}
	basis, err := db.AllocationBasis(ctx, p)
	if err != nil {
		return nil, err
	}
	a := &Allocation{Period: p.Name, PeriodKind: p.Kind, From: p.Start.Format(domain.DateLayout), To: p.End.Format(domain.DateLayout),
		Pool: metrics.FormatMinor(pool, digits), PoolMinor: pool, Currency: q.Currency, MinorDigits: digits, Rule: q.Rule,
		Agreement: q.Agreement, Closed: basis.Closed, Missing: basis.Missing, Weeks: make([]AllocationWeek, len(basis.Samples))}
	for i, s := range basis.Samples {
		a.Weeks[i] = AllocationWeek{Week: s.Week, Day: s.Day.Format(domain.DateLayout), Frozen: s.Frozen}
	}
	a.Basis = basisWords(a, p)
	sums := sumSamples(basis.Samples)
	members := allocMembers(sums, parties)
	shares, err := metrics.Allocate(pool, q.Rule, members)
	if err != nil {
		return nil, err
	}
	a.Members = statementRows(sums, members, shares, digits, q.Rule)
	return a, nil
}

// periodSums are a period's samples summed per member.
type periodSums struct {
	names map[string]string
	c     map[string]float64
	phi   map[string]float64
	ties  map[string]map[string]float64 // slug → partner → Σ K_ij(C_i + C_j)/2
	order []string                      // every slug seen, sorted
}

// sumSamples adds up each member's C, φ and ties' terms over the samples,
// in the samples' order (weeks, then slugs): the same data gives the same
// floating-point sums, so a closed period's statement is byte-identical.
func sumSamples(samples []data.AllocationSample) *periodSums {
	s := &periodSums{names: map[string]string{}, c: map[string]float64{}, phi: map[string]float64{}, ties: map[string]map[string]float64{}}
	for _, smp := range samples {
		cs := make(map[string]float64, len(smp.Members))
		for _, m := range smp.Members {
			if _, seen := s.names[m.Slug]; !seen {
				s.order = append(s.order, m.Slug)
			}
			s.names[m.Slug] = m.Name // the latest week's name
			s.c[m.Slug] += m.C
			s.phi[m.Slug] += m.Phi
			cs[m.Slug] = m.C
		}
		for _, t := range smp.Ties {
			term := t.K * (cs[t.A] + cs[t.B]) / 2
			s.addTie(t.A, t.B, term)
			s.addTie(t.B, t.A, term)
		}
	}
	slices.Sort(s.order)
	return s
}

func (s *periodSums) addTie(a, b string, term float64) {
	if s.ties[a] == nil {
		s.ties[a] = map[string]float64{}
	}
	s.ties[a][b] += term
}

// allocMembers are the members the pool is split over: every member of the
// period's samples, or an agreement's parties (scored or not).
func allocMembers(s *periodSums, parties *agreementParties) []metrics.AllocMember {
	slugs := s.order
	if parties != nil {
		slugs = parties.slugs
	}
	out := make([]metrics.AllocMember, len(slugs))
	for i, slug := range slugs {
		m := metrics.AllocMember{Slug: slug, C: s.c[slug], Phi: s.phi[slug]}
		partners := make([]string, 0, len(s.ties[slug]))
		for p := range s.ties[slug] {
			partners = append(partners, p)
		}
		slices.Sort(partners)
		for _, p := range partners {
			m.Ties = append(m.Ties, metrics.AllocTie{Partner: p, Value: s.ties[slug][p]})
		}
		if parties != nil {
			m.Weight = parties.weights[slug]
			if _, ok := s.names[slug]; !ok {
				s.names[slug] = parties.names[slug]
			}
		}
		out[i] = m
	}
	return out
}

// statementRows turns shares into the statement's rows, the largest
// amount first (then by slug).
func statementRows(s *periodSums, members []metrics.AllocMember, shares []metrics.AllocShare, digits int, rule string) []AllocationMember {
	out := make([]AllocationMember, len(shares))
	for i, sh := range shares {
		m := members[i]
		row := AllocationMember{Slug: sh.Slug, Name: s.names[sh.Slug], Basis: sh.Basis, Share: sh.Share,
			Amount: metrics.FormatMinor(sh.Amount, digits), AmountMinor: sh.Amount, Parts: make([]AllocationPart, len(sh.Parts))}
		if _, scored := s.c[sh.Slug]; scored { // an agreement's party may have no score in the period
			c, phi := m.C, m.Phi
			row.C, row.Phi = &c, &phi
		}
		if sh.Basis <= 0 {
			row.Note = "no share: its " + ruleBasisWords(rule) + " in the period is not positive"
		}
		for j, p := range sh.Parts {
			row.Parts[j] = AllocationPart{Kind: p.Kind, Partner: p.Partner, PartnerName: s.names[p.Partner], Value: p.Value,
				Amount: metrics.FormatMinor(p.Amount, digits), AmountMinor: p.Amount}
		}
		out[i] = row
	}
	slices.SortStableFunc(out, func(a, b AllocationMember) int {
		return cmp.Or(cmp.Compare(b.AmountMinor, a.AmountMinor), strings.Compare(a.Slug, b.Slug))
	})
	return out
}

func ruleBasisWords(rule string) string {
	switch rule {
	case metrics.RuleShapley:
		return "Σφ"
	case metrics.RuleContribution:
		return "ΣC"
	}
	return "weight"
}

// basisWords says what a statement is computed from.
func basisWords(a *Allocation, p domain.Period) string {
	weeks := p.Weeks()
	if a.Closed {
		return "Closed: computed from the weekly snapshots of " + a.Period + " only (frozen scores and ties); it never changes."
	}
	last := ""
	if len(weeks) > 0 {
		last = weeks[len(weeks)-1]
	}
	return "Provisional: " + a.Period + " is open (" + last + " has no snapshot yet); weeks without a snapshot use their latest scored day, which may be scored again."
}

func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
