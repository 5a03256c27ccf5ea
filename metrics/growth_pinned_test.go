package metrics

import (
	"testing"
	"time"
)

// TestCallsFallingToZeroKeepTheGrowthComponent: a member whose calls fell
// from 999 to 0 has had the activity in one of the two windows, so its
// influence keeps a call-growth component, near 0 (it lost everything),
// rather than none (which would leave M as if it had never called).
//
// Default weights: consumers 1, engaged 1, call growth 0.5, contribution
// growth 0.5. Member 1 has consumers and engaged people, so both reach
// components exist for everyone; member 2 has none of either (0 each).
// Member 2's call growth: r = (0+1)/(999+1) = 0.001, r² = 1e-6,
// g = r²/(1+r²) = 1e-6/1.000001 = 9.99999000001e-7. No contributions in
// either window: no contribution-growth component.
// M_2 = (1·0 + 1·0 + 0.5·g) / (1 + 1 + 0.5) = 0.2·g = 1.999998000002e-7.
// Without the component M_2 would be exactly 0.
func TestCallsFallingToZeroKeepTheGrowthComponent(t *testing.T) {
	in := Input{
		Day: time.Date(2026, 3, 28, 0, 0, 0, 0, time.UTC),
		Members: []MemberInput{
			{ID: 1, Calls: 100, PrevCalls: 100, Consumers: 2, Engaged: 3},
			{ID: 2, Calls: 0, PrevCalls: 999},
		},
	}
	res := Score(in, DefaultConfig())
	m := res.Members[1]
	if m.MemberID != 2 {
		t.Fatalf("second result is member %d", m.MemberID)
	}
	if want := 1.999998000002e-7; !approxEqual(m.M, want, 1e-12) {
		t.Errorf("M = %.15g, want %.15g (0.2·g with g ≈ 1e-6)", m.M, want)
	}
	// The other way: calls from 0 to 999 score near 1 (g = 1/(1+1e-6)),
	// M = 0.5·g / 2.5 = 0.2·0.999999000001 = 0.1999998000002 for a member
	// with no reach.
	in.Members[1] = MemberInput{ID: 2, Calls: 999, PrevCalls: 0}
	in.Members[0].Calls = 1000 // keeps member 1 the top of calls; reach as before
	res = Score(in, DefaultConfig())
	if want := 0.1999998000002; !approxEqual(res.Members[1].M, want, 1e-12) {
		t.Errorf("M after growing from zero = %.15g, want %.15g", res.Members[1].M, want)
	}
}
