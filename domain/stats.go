package domain

import "slices"

// Median is the middle value of xs, or the mean of the two middle values
// when len(xs) is even; 0 when xs is empty. It sorts xs in place (NaNs
// first, as slices.Sort orders them) so that callers building a slice for it,
// often in a stack buffer, pay for no copy; a caller that needs xs in its
// order passes a copy.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
