package views

import (
	"testing"

	"github.com/ecopulse/ecopulse/data"
)

// TestHealthBandsFollowTheConfiguration: with thresholds moved, a page
// colours a value as the scoring configuration names its status.
func TestHealthBandsFollowTheConfiguration(t *testing.T) {
	defer SetHealthBands(70, 40)
	if got, want := healthBand(75), data.StatusHealthy; got != want {
		t.Errorf("default bands: healthBand(75) = %q, want %q", got, want)
	}
	SetHealthBands(80, 50)
	for _, tc := range []struct {
		health float64
		want   string
	}{{80, data.StatusHealthy}, {75, data.StatusWatch}, {50, data.StatusWatch}, {49.9, data.StatusAtRisk}} {
		if got := healthBand(tc.health); got != tc.want {
			t.Errorf("bands 80/50: healthBand(%v) = %q, want %q", tc.health, got, tc.want)
		}
	}
	if got, want := bandColor(75), colorWatch; got != want {
		t.Errorf("bands 80/50: bandColor(75) = %q, want the watch colour %q", got, want)
	}
}
