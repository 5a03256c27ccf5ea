package domain

import (
	"math"
	"slices"
	"testing"
)

func TestMedian(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		xs   []float64
		want float64
	}{
		{"empty", nil, 0},
		{"one", []float64{7}, 7},
		{"odd, unsorted", []float64{5, 1, 3}, 3},
		{"even: mean of the middle two", []float64{4, 1, 3, 2}, 2.5},
		{"repeated values", []float64{2, 2, 9, 2}, 2},
		{"negative and infinite", []float64{math.Inf(-1), -1, math.Inf(1)}, -1},
		// NaNs sort first, so one NaN in four moves the middle up by half a place.
		{"NaN sorts first", []float64{3, nan, 1, 2}, 1.5},
		{"NaN in the middle", []float64{nan, 1}, nan},
	} {
		got := Median(slices.Clone(tc.xs))
		if math.Float64bits(got) != math.Float64bits(tc.want) && !(math.IsNaN(got) && math.IsNaN(tc.want)) {
			t.Errorf("%s: Median(%v) = %v, want %v", tc.name, tc.xs, got, tc.want)
		}
	}
}

// TestMedianSortsInPlace pins the contract the callers rely on: the
// argument comes back sorted (callers that need their order pass a copy).
func TestMedianSortsInPlace(t *testing.T) {
	xs := []float64{3, 1, 2}
	Median(xs)
	if !slices.Equal(xs, []float64{1, 2, 3}) {
		t.Errorf("after Median, xs = %v, want it sorted", xs)
	}
}

// TestMedianOfStackBuffer keeps the scoring model's use free of allocation:
// it builds its weekly values in a fixed array and asks for their median.
func TestMedianOfStackBuffer(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		var buf [MaxWeeks]float64
		xs := buf[:0]
		for i := range MaxWeeks {
			xs = append(xs, float64((i*5)%MaxWeeks))
		}
		if Median(xs) != 3.5 {
			t.Fatal("wrong median")
		}
	})
	if allocs != 0 {
		t.Errorf("Median of a stack buffer allocates %v times, want 0", allocs)
	}
}
