package metrics

import (
	"fmt"
	"math"
	"math/big"
	"testing"

	"github.com/ecopulse/ecopulse/domain"
)

func TestLargestRemainderHandExamples(t *testing.T) {
	cases := []struct {
		name   string
		total  int64
		claims []Claim
		want   []int64
	}{
		// 10/3 = 3⅓ each: one unit left, equal remainders → the smallest key.
		{"equal thirds", 10, []Claim{{"a", 1}, {"b", 1}, {"c", 1}}, []int64{4, 3, 3}},
		{"equal thirds, keys reversed", 10, []Claim{{"c", 1}, {"b", 1}, {"a", 1}}, []int64{3, 3, 4}},
		// quotas 5.5, 3.3, 1.2 → floors 5, 3, 1; one left: .5 is the largest remainder.
		{"largest remainder wins", 10, []Claim{{"z", 55}, {"y", 33}, {"x", 12}}, []int64{6, 3, 1}},
		// one unit over two equal claims and a larger one: quotas ½, ¼, ¼.
		{"one unit", 1, []Claim{{"m", 2}, {"a", 1}, {"b", 1}}, []int64{1, 0, 0}},
		// zero, negative, NaN and infinite weights get nothing.
		{"non-positive weights", 7, []Claim{{"a", 0}, {"b", -3}, {"c", math.NaN()}, {"d", math.Inf(1)}, {"e", 2}}, []int64{0, 0, 0, 0, 7}},
	}
	for _, c := range cases {
		got, ok := LargestRemainder(c.total, c.claims)
		if !ok || fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: LargestRemainder(%d) = %v, %v; want %v", c.name, c.total, got, ok, c.want)
		}
	}
	if got, ok := LargestRemainder(5, []Claim{{"a", 0}, {"b", -1}}); ok || got[0] != 0 || got[1] != 0 {
		t.Errorf("no positive weight: got %v, %v; want zeros and false", got, ok)
	}
}

// TestLargestRemainderProperties checks, over random inputs, that amounts
// sum exactly to the total, each is its exact quota rounded down or up, and
// a larger weight never gets less.
func TestLargestRemainderProperties(t *testing.T) {
	for _, seed := range seeds {
		r := newRand(seed)
		for round := 0; round < 50; round++ {
			n := 1 + r.IntN(30)
			claims := make([]Claim, n)
			for i := range claims {
				w := r.Float64() * math.Pow(10, float64(r.IntN(12)-6))
				if r.IntN(8) == 0 {
					w = 0
				}
				claims[i] = Claim{Key: fmt.Sprintf("k%02d", r.IntN(40)), Weight: w}
			}
			claims[r.IntN(n)].Weight = 1 + r.Float64() // at least one positive
			total := r.Int64N(MaxPoolMinor) + 1
			if r.IntN(2) == 0 {
				total = r.Int64N(100) + 1
			}
			got, ok := LargestRemainder(total, claims)
			if !ok {
				t.Fatalf("seed %d: no allocation", seed)
			}
			sumW := new(big.Rat)
			for _, c := range claims {
				sumW.Add(sumW, new(big.Rat).SetFloat64(c.Weight))
			}
			var sum int64
			for i, c := range claims {
				sum += got[i]
				q := new(big.Rat).Mul(new(big.Rat).SetInt64(total), new(big.Rat).SetFloat64(c.Weight))
				q.Quo(q, sumW)
				lo := new(big.Rat).SetInt64(got[i] - 1)
				hi := new(big.Rat).SetInt64(got[i] + 1)
				if q.Cmp(lo) <= 0 || q.Cmp(hi) >= 0 {
					t.Fatalf("seed %d: claim %d gets %d, quota %s", seed, i, got[i], q.FloatString(3))
				}
				for j, d := range claims {
					if c.Weight > d.Weight && got[i] < got[j] {
						t.Fatalf("seed %d: weight %g got %d < weight %g got %d", seed, c.Weight, got[i], d.Weight, got[j])
					}
				}
			}
			if sum != total {
				t.Fatalf("seed %d: amounts sum to %d, want %d", seed, sum, total)
			}
		}
	}
}

func TestCurrencyAndAmounts(t *testing.T) {
	for code, want := range map[string]int{"CNY": 2, "USD": 2, "EUR": 2, "JPY": 0, "KWD": 3, "XYZ": 2} {
		if got, err := CurrencyDigits(code); err != nil || got != want {
			t.Errorf("CurrencyDigits(%q) = %d, %v; want %d", code, got, err, want)
		}
	}
	for _, bad := range []string{"", "cny", "CN", "CNYX", "C1Y", "=1+"} {
		if _, err := CurrencyDigits(bad); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("CurrencyDigits(%q): %v, want EINVALID", bad, err)
		}
	}
	ok := []struct {
		s      string
		digits int
		want   int64
	}{{"100000", 2, 10_000_000}, {"1250.5", 2, 125_050}, {"0.01", 2, 1}, {"007", 0, 7}, {"1.234", 3, 1234}, {"10000000000000", 2, MaxPoolMinor}}
	for _, c := range ok {
		if got, err := ParseAmount(c.s, c.digits); err != nil || got != c.want {
			t.Errorf("ParseAmount(%q, %d) = %d, %v; want %d", c.s, c.digits, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "0", "0.00", "-5", "+5", "1e5", ".5", "5.", "1.234", "1,5", "10000000000000.01", "99999999999999999999999999"} {
		if _, err := ParseAmount(bad, 2); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("ParseAmount(%q, 2): %v, want EINVALID", bad, err)
		}
	}
	for _, c := range []struct {
		minor  int64
		digits int
		want   string
	}{{125_050, 2, "1250.50"}, {5, 2, "0.05"}, {5, 0, "5"}, {1234, 3, "1.234"}, {0, 2, "0.00"}, {-5, 2, "-0.05"}} {
		if got := FormatMinor(c.minor, c.digits); got != c.want {
			t.Errorf("FormatMinor(%d, %d) = %q, want %q", c.minor, c.digits, got, c.want)
		}
	}
}

// workedExample is docs/allocation.md's: C = (0.6, 0.3, 0.1), K_ab = 0.5,
// K_ac = 0.2, K_bc = 0, so the ties' terms are ab 0.5·0.9/2 = 0.225 and
// ac 0.2·0.7/2 = 0.07, and φ = (0.295, 0.225, 0.07), Σφ = R = 0.59.
func workedExample() []AllocMember {
	ab, ac := 0.5*(0.6+0.3)/2, 0.2*(0.6+0.1)/2
	return []AllocMember{
		{Slug: "a", C: 0.6, Phi: ab + ac, Ties: []AllocTie{{"b", ab}, {"c", ac}}},
		{Slug: "b", C: 0.3, Phi: ab, Ties: []AllocTie{{"a", ab}}},
		{Slug: "c", C: 0.1, Phi: ac, Ties: []AllocTie{{"a", ac}}},
		{Slug: "d", C: 0.2, Phi: 0}, // active, but no tie: φ = 0
	}
}

func TestAllocateWorkedExample(t *testing.T) {
	// 1,000.00 CNY = 100,000 fen. Quotas: a 100000·0.295/0.59 = 50000,
	// b 38135.59…, c 11864.40…: floors sum to 99,999, the unit left goes to
	// b (remainder .59 > .40). a's 50,000 over its ties 0.225 : 0.07 is
	// 38135.59… and 11864.40…: the unit left goes to the tie with b.
	got, err := Allocate(100_000, RuleShapley, workedExample())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a": "50000 [tie b 38136 tie c 11864]",
		"b": "38136 [tie a 38136]",
		"c": "11864 [tie a 11864]",
		"d": "0 []",
	}
	for _, s := range got {
		line := fmt.Sprint(s.Amount, " [")
		for i, p := range s.Parts {
			if i > 0 {
				line += " "
			}
			line += fmt.Sprint(p.Kind, " ", p.Partner, " ", p.Amount)
		}
		if line += "]"; line != want[s.Slug] {
			t.Errorf("%s: %s, want %s", s.Slug, line, want[s.Slug])
		}
	}
	if d := got[3]; d.Share != 0 || d.Basis != 0 {
		t.Errorf("d has φ = 0, got share %g basis %g", d.Share, d.Basis)
	}
	if math.Abs(got[0].Share-0.5) > 1e-12 {
		t.Errorf("a's share = %g, want 0.295/0.59 = 0.5", got[0].Share)
	}
}

func TestAllocateOtherRules(t *testing.T) {
	ms := workedExample()
	// contribution: C = 0.6, 0.3, 0.1, 0.2 of 1.2 → 12 units: 6, 3, 1, 2.
	got, err := Allocate(12, RuleContribution, ms)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int64{6, 3, 1, 2} {
		if got[i].Amount != want || len(got[i].Parts) != 1 || got[i].Parts[0].Kind != PartContribution || got[i].Parts[0].Amount != want {
			t.Errorf("contribution %s: %+v, want %d in one contribution part", got[i].Slug, got[i], want)
		}
	}
	// equal: 10 over four parties → 3, 3, 2, 2 (a and b: the smaller keys).
	got, err = Allocate(10, RuleEqual, ms)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int64{3, 3, 2, 2} {
		if got[i].Amount != want {
			t.Errorf("equal %s: %d, want %d", got[i].Slug, got[i].Amount, want)
		}
	}
	// weights: 3 : 1 : 0 : 0.
	ms[0].Weight, ms[1].Weight = 3, 1
	got, err = Allocate(100, RuleWeights, ms)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int64{75, 25, 0, 0} {
		if got[i].Amount != want {
			t.Errorf("weights %s: %d, want %d", got[i].Slug, got[i].Amount, want)
		}
	}
	if _, err := Allocate(100, "lottery", ms); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("unknown rule: %v, want EINVALID", err)
	}
	if _, err := Allocate(100, RuleShapley, []AllocMember{{Slug: "x"}}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("no positive φ: %v, want EINVALID", err)
	}
	if _, err := Allocate(0, RuleEqual, ms); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("pool 0: %v, want EINVALID", err)
	}
}

// A member whose φ has more than its listed ties explain (a week frozen
// before ties were) shows the rest as one unattributed part; parts still
// sum to the amount.
func TestAllocateUnattributedPart(t *testing.T) {
	ms := []AllocMember{{Slug: "a", Phi: 1, Ties: []AllocTie{{"b", 0.25}}}, {Slug: "b", Phi: 0.25, Ties: []AllocTie{{"a", 0.25}}}}
	got, err := Allocate(1000, RuleShapley, ms)
	if err != nil {
		t.Fatal(err)
	}
	a := got[0]
	if a.Amount != 800 || len(a.Parts) != 2 || a.Parts[0].Kind != PartTie || a.Parts[0].Amount != 200 ||
		a.Parts[1].Kind != PartUnattributed || a.Parts[1].Amount != 600 {
		t.Errorf("a: %+v; want 800 = tie b 200 + unattributed 600", a)
	}
}

// TestAllocatePropertiesRandom: over random ecosystems, for every rule,
// amounts sum to the pool, parts sum to each amount, and Shapley amounts
// are within one unit of pool·φ_i/Σφ.
func TestAllocatePropertiesRandom(t *testing.T) {
	for _, seed := range seeds {
		r := newRand(seed)
		n := 2 + r.IntN(25)
		ms := make([]AllocMember, n)
		for i := range ms {
			ms[i] = AllocMember{Slug: fmt.Sprintf("m%02d", i), C: r.Float64(), Weight: float64(r.IntN(4))}
		}
		for i := range ms {
			for j := i + 1; j < n; j++ {
				if r.IntN(3) != 0 {
					continue
				}
				term := r.Float64() * (ms[i].C + ms[j].C) / 2
				ms[i].Ties = append(ms[i].Ties, AllocTie{ms[j].Slug, term})
				ms[j].Ties = append(ms[j].Ties, AllocTie{ms[i].Slug, term})
				ms[i].Phi += term
				ms[j].Phi += term
			}
		}
		ms[0].Weight = 1
		pool := 1 + r.Int64N(10_000_000)
		for _, rule := range []string{RuleShapley, RuleContribution, RuleEqual, RuleWeights} {
			got, err := Allocate(pool, rule, ms)
			if rule == RuleShapley && err != nil {
				continue // no tie drawn: nothing to allocate by φ
			}
			if err != nil {
				t.Fatalf("seed %d %s: %v", seed, rule, err)
			}
			var sum int64
			sumPhi := 0.0
			for _, m := range ms {
				sumPhi += m.Phi
			}
			for i, s := range got {
				sum += s.Amount
				var parts int64
				for _, p := range s.Parts {
					parts += p.Amount
				}
				if parts != s.Amount {
					t.Fatalf("seed %d %s %s: parts sum to %d, amount %d", seed, rule, s.Slug, parts, s.Amount)
				}
				if rule == RuleShapley {
					if q := float64(pool) * ms[i].Phi / sumPhi; math.Abs(float64(s.Amount)-q) >= 1+1e-6 {
						t.Fatalf("seed %d %s: amount %d, pool·φ/Σφ = %f", seed, s.Slug, s.Amount, q)
					}
				}
			}
			if sum != pool {
				t.Fatalf("seed %d %s: amounts sum to %d, pool %d", seed, rule, sum, pool)
			}
		}
	}
}
