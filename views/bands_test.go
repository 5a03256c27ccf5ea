package views

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/domain"
)

// TestHealthBandsFollowTheConfiguration: with thresholds moved, a page
// colours a value as the scoring configuration names its status.
func TestHealthBandsFollowTheConfiguration(t *testing.T) {
	defer SetHealthBands(70, 40)
	if got, want := healthBand(75), domain.StatusHealthy; got != want {
		t.Errorf("default bands: healthBand(75) = %q, want %q", got, want)
	}
	SetHealthBands(80, 50)
	for _, tc := range []struct {
		health float64
		want   string
	}{{80, domain.StatusHealthy}, {75, domain.StatusWatch}, {50, domain.StatusWatch}, {49.9, domain.StatusAtRisk}} {
		if got := healthBand(tc.health); got != tc.want {
			t.Errorf("bands 80/50: healthBand(%v) = %q, want %q", tc.health, got, tc.want)
		}
	}
	if got, want := bandColor(75), colorWatch; got != want {
		t.Errorf("bands 80/50: bandColor(75) = %q, want the watch colour %q", got, want)
	}
}

// TestBandLegendFollowsTheConfiguration: the legend under the network says
// the configured bounds, not the defaults.
func TestBandLegendFollowsTheConfiguration(t *testing.T) {
	defer SetHealthBands(70, 40)
	SetHealthBands(80, 55.5)
	var buf bytes.Buffer
	if err := newTestRenderer(t).NetworkPage(&buf, Network{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"healthy ≥ 80 ", "watch 55.5–80 ", "at risk &lt; 55.5 "} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("network legend lacks %q", want)
		}
	}
}
