package metrics

import (
	"cmp"
	"math"
	"math/big"
	"slices"
	"strings"

	"github.com/ecopulse/ecopulse/domain"
)

// Benefit allocation (docs/allocation.md): a pool of money, in a currency's
// minor units (int64: cents, yen), is split over members in proportion to a
// weight — Σφ over a period (rule shapley), ΣC (contribution), 1 per party
// of an agreement (equal), or the agreement's weights (weights) — by the
// largest-remainder method, so the amounts add up exactly to the pool. Each
// member's amount is then split the same way over its parts (the ties whose
// terms K_ij(C_i + C_j)/2 sum to φ_i), so the parts add up to the amount.

// Allocation rules.
const (
	RuleShapley      = "shapley"
	RuleContribution = "contribution"
	RuleEqual        = "equal"
	RuleWeights      = "weights"
)

// MaxPoolMinor bounds a pool: 10^15 minor units (10^12 units of a currency
// with 3 decimals, 10^13 with 2). Quotas stay exact (big.Rat) at any size;
// the bound keeps amounts far from int64's limit and from float64's exact
// integers (2^53 ≈ 9·10^15), which JSON readers use.
const MaxPoolMinor int64 = 1_000_000_000_000_000

// CurrencyDigits returns the number of decimals of a currency's minor unit
// (ISO 4217), or EINVALID when code is not three capital letters. A code
// not in the small table below has 2, as most currencies do.
func CurrencyDigits(code string) (int, error) {
	if len(code) != 3 || strings.IndexFunc(code, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return 0, domain.Errorf(domain.EINVALID, "invalid currency %q: want an ISO 4217 code of three capital letters, e.g. CNY", code)
	}
	switch code {
	case "JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF", "PYG", "RWF":
		return 0, nil
	case "BHD", "KWD", "OMR", "JOD", "IQD", "LYD", "TND":
		return 3, nil
	}
	return 2, nil // CNY, USD, EUR, GBP, … and any other code
}

// ParseAmount reads a non-negative decimal amount ("100000", "1250.50") of
// a currency with digits decimals into minor units. More decimals than the
// currency has, anything but digits and one point, a pool of zero or over
// MaxPoolMinor are EINVALID.
func ParseAmount(s string, digits int) (int64, error) {
	whole, frac, dot := strings.Cut(s, ".")
	bad := whole == "" || (dot && frac == "") || len(s) > 32 ||
		strings.IndexFunc(whole+frac, func(r rune) bool { return r < '0' || r > '9' }) >= 0
	if bad {
		return 0, domain.Errorf(domain.EINVALID, "invalid pool %q: want a positive amount such as 100000 or 1250.50", s)
	}
	if len(frac) > digits {
		return 0, domain.Errorf(domain.EINVALID, "pool %q has more decimals than the currency's minor unit (%d)", s, digits)
	}
	frac += strings.Repeat("0", digits-len(frac))
	n, _ := new(big.Int).SetString("0"+whole+frac, 10) // only digits: cannot fail
	if n.Sign() == 0 || n.Cmp(big.NewInt(MaxPoolMinor)) > 0 {
		return 0, domain.Errorf(domain.EINVALID, "pool %q must be more than 0 and at most %s", s, FormatMinor(MaxPoolMinor, digits))
	}
	return n.Int64(), nil
}

// FormatMinor writes minor units as a decimal amount with digits decimals.
func FormatMinor(minor int64, digits int) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	s := big.NewInt(minor).String()
	if digits == 0 {
		return sign + s
	}
	if len(s) <= digits {
		s = strings.Repeat("0", digits-len(s)+1) + s
	}
	return sign + s[:len(s)-digits] + "." + s[len(s)-digits:]
}

// Claim is one share of a split: a key (a member's slug, a partner's) and
// its weight. A weight that is not a positive finite number gets nothing.
type Claim struct {
	Key    string
	Weight float64
}

// LargestRemainder splits total (≥ 0) over claims in proportion to their
// weights: each gets the floor of its exact quota total·w/Σw, and the units
// left over go one each to the largest remainders, equal remainders to the
// smaller key (then the earlier claim), so the result is deterministic and
// sums exactly to total. It returns false when no claim has a positive
// weight (then every amount is 0). Quotas are exact rationals: a float
// quota could floor one unit wrong and break the sum.
func LargestRemainder(total int64, claims []Claim) ([]int64, bool) {
	out := make([]int64, len(claims))
	sum := new(big.Rat)
	w := make([]*big.Rat, len(claims))
	for i, c := range claims {
		if c.Weight > 0 && !math.IsInf(c.Weight, 0) {
			w[i] = new(big.Rat).SetFloat64(c.Weight)
			sum.Add(sum, w[i])
		}
	}
	if sum.Sign() == 0 || total <= 0 {
		return out, sum.Sign() > 0
	}
	type rem struct {
		i   int
		rem *big.Rat
	}
	rems := make([]rem, 0, len(claims))
	left := total
	t := new(big.Rat).SetInt64(total)
	for i := range claims {
		if w[i] == nil {
			continue
		}
		q := new(big.Rat).Mul(t, w[i])
		q.Quo(q, sum)
		fl := new(big.Int).Quo(q.Num(), q.Denom()) // q ≥ 0: truncation is the floor
		out[i] = fl.Int64()
		left -= out[i]
		rems = append(rems, rem{i, q.Sub(q, new(big.Rat).SetInt(fl))})
	}
	slices.SortStableFunc(rems, func(a, b rem) int {
		return cmp.Or(b.rem.Cmp(a.rem), strings.Compare(claims[a.i].Key, claims[b.i].Key), cmp.Compare(a.i, b.i))
	})
	for k := 0; left > 0; k++ { // left < len(rems): each remainder is < 1
		out[rems[k].i]++
		left--
	}
	return out, true
}

// Part kinds of a statement.
const (
	PartTie          = "tie"          // K_ij(C_i + C_j)/2 with a partner, summed over the period
	PartUnattributed = "unattributed" // φ not explained by frozen ties (snapshots taken before ties were frozen)
	PartContribution = "contribution" // rule contribution: the member's ΣC
	PartEqual        = "equal"        // rule equal: one share per party
	PartWeight       = "weight"       // rule weights: the agreement's weight
)

// AllocMember is what a member brings to a period: its contribution and
// Shapley value summed over the period's samples, its ties' terms summed
// the same way (one per partner), and, for rule weights, its weight (equal
// ignores it: one each).
type AllocMember struct {
	Slug   string
	C      float64
	Phi    float64
	Ties   []AllocTie
	Weight float64
}

// AllocTie is a member's summed term K_ij(C_i + C_j)/2 with one partner.
type AllocTie struct {
	Partner string
	Value   float64
}

// AllocShare is a member's part of the pool: the basis it was weighted by
// (Σφ, ΣC, 1 or its weight), its fraction of all bases, its amount in minor
// units and the parts that amount is split into (they sum to Amount).
type AllocShare struct {
	Slug   string
	Basis  float64
	Share  float64
	Amount int64
	Parts  []AllocPart
}

// AllocPart is one line of a member's statement.
type AllocPart struct {
	Kind    string
	Partner string // the tie's partner; "" for the other kinds
	Value   float64
	Amount  int64
}

// Allocate splits pool minor units over members by rule. Members whose
// basis is not positive get 0 (and no parts); EINVALID when no member has a
// positive basis, or for an unknown rule. Shares are in members' order.
func Allocate(pool int64, rule string, members []AllocMember) ([]AllocShare, error) {
	if pool <= 0 || pool > MaxPoolMinor {
		return nil, domain.Errorf(domain.EINVALID, "pool of %d minor units is not in 1..%d", pool, MaxPoolMinor)
	}
	claims := make([]Claim, len(members))
	for i, m := range members {
		b, err := basisOf(rule, m)
		if err != nil {
			return nil, err
		}
		claims[i] = Claim{Key: m.Slug, Weight: b}
	}
	amounts, ok := LargestRemainder(pool, claims)
	if !ok {
		return nil, domain.Errorf(domain.EINVALID, "nothing to allocate by %s: no member has a positive %s in the period", rule, basisName(rule))
	}
	total := 0.0
	for _, c := range claims {
		if positive(c.Weight) {
			total += c.Weight
		}
	}
	out := make([]AllocShare, len(members))
	for i, m := range members {
		s := AllocShare{Slug: m.Slug, Basis: claims[i].Weight, Amount: amounts[i], Parts: []AllocPart{}}
		if positive(s.Basis) {
			s.Share = s.Basis / total
			s.Parts = splitParts(s.Amount, partsOf(rule, m, s.Basis))
		}
		out[i] = s
	}
	return out, nil
}

func positive(x float64) bool { return x > 0 && !math.IsInf(x, 0) }

// basisOf is what a member is weighted by under rule.
func basisOf(rule string, m AllocMember) (float64, error) {
	switch rule {
	case RuleShapley:
		return m.Phi, nil
	case RuleContribution:
		return m.C, nil
	case RuleEqual:
		return 1, nil
	case RuleWeights:
		return m.Weight, nil
	}
	return 0, domain.Errorf(domain.EINVALID, "unknown rule %q: want shapley, contribution, equal or weights", rule)
}

func basisName(rule string) string {
	switch rule {
	case RuleShapley:
		return "Shapley value φ"
	case RuleContribution:
		return "contribution C"
	}
	return "weight"
}

// partsOf lists the lines a member's amount is split over. Under shapley
// they are its ties' terms, which sum to φ_i, plus what φ has beyond them
// (a week frozen before its ties were) as one unattributed line.
func partsOf(rule string, m AllocMember, basis float64) []AllocPart {
	switch rule {
	case RuleContribution:
		return []AllocPart{{Kind: PartContribution, Value: basis}}
	case RuleEqual:
		return []AllocPart{{Kind: PartEqual, Value: basis}}
	case RuleWeights:
		return []AllocPart{{Kind: PartWeight, Value: basis}}
	}
	parts := make([]AllocPart, 0, len(m.Ties)+1)
	sum := 0.0
	for _, t := range m.Ties {
		if positive(t.Value) {
			parts = append(parts, AllocPart{Kind: PartTie, Partner: t.Partner, Value: t.Value})
			sum += t.Value
		}
	}
	slices.SortFunc(parts, func(a, b AllocPart) int {
		return cmp.Or(cmp.Compare(b.Value, a.Value), strings.Compare(a.Partner, b.Partner))
	})
	// Σ terms equals φ up to rounding (1e-9 relative); more is a gap.
	if rest := basis - sum; rest > 1e-9*basis {
		parts = append(parts, AllocPart{Kind: PartUnattributed, Value: rest})
	}
	return parts
}

// splitParts gives each part its amount, by largest remainder over the
// parts' values (ties by partner), so they sum to amount.
func splitParts(amount int64, parts []AllocPart) []AllocPart {
	claims := make([]Claim, len(parts))
	for i, p := range parts {
		claims[i] = Claim{Key: p.Kind + ":" + p.Partner, Weight: p.Value}
	}
	amounts, _ := LargestRemainder(amount, claims)
	for i := range parts {
		parts[i].Amount = amounts[i]
	}
	return parts
}
