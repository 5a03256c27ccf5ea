package views

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/ecopulse/ecopulse/domain"
)

// TestHealthBandsFollowTheConfiguration: with thresholds moved, a page
// colours a value as the scoring configuration names its status.
func TestHealthBandsFollowTheConfiguration(t *testing.T) {
	if got, want := DefaultBands().band(75), domain.StatusHealthy; got != want {
		t.Errorf("default bands: band(75) = %q, want %q", got, want)
	}
	b := Bands{HealthyMin: 80, WatchMin: 50}
	for _, tc := range []struct {
		health float64
		want   string
	}{{80, domain.StatusHealthy}, {75, domain.StatusWatch}, {50, domain.StatusWatch}, {49.9, domain.StatusAtRisk}} {
		if got := b.band(tc.health); got != tc.want {
			t.Errorf("bands 80/50: band(%v) = %q, want %q", tc.health, got, tc.want)
		}
	}
	if got, want := b.color(75), colorWatch; got != want {
		t.Errorf("bands 80/50: color(75) = %q, want the watch colour %q", got, want)
	}
}

// TestBandLegendFollowsTheConfiguration: the legend under the network says
// the configured bounds, not the defaults.
func TestBandLegendFollowsTheConfiguration(t *testing.T) {
	var buf bytes.Buffer
	if err := newBandsRenderer(t, Bands{HealthyMin: 80, WatchMin: 55.5}).NetworkPage(&buf, Network{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"healthy ≥ 80 ", "watch 55.5–80 ", "at risk &lt; 55.5 "} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("network legend lacks %q", want)
		}
	}
}

// TestRenderersKeepTheirOwnBands: two Renderers of different bands in one
// process, rendering at the same time, each colour and name a health of 75
// by their own bands — the template functions and the Go-built charts.
func TestRenderersKeepTheirOwnBands(t *testing.T) {
	o := pageSampleOverview()
	o.Health, o.Status = 75, "" // the page classes it by the bands
	for _, tc := range []struct {
		bands  Bands
		colour string // the gauge pointer's colour for 75
		term   string // the status term's words
		legend string // the network legend's healthy bound
	}{
		{DefaultBands(), colorHealthy, "Healthy at 70 or more, watch from 40 to 70", "healthy ≥ 70 "},
		{Bands{HealthyMin: 80, WatchMin: 50}, colorWatch, "Healthy at 80 or more, watch from 50 to 80", "healthy ≥ 80 "},
		{Bands{HealthyMin: 90, WatchMin: 80}, colorAtRisk, "Healthy at 90 or more, watch from 80 to 90", "healthy ≥ 90 "},
	} {
		r := newBandsRenderer(t, tc.bands)
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				html := renderOverviewWith(t, r, o)
				if !strings.Contains(html, tc.term) {
					t.Errorf("bands %v: the overview's status help lacks %q", tc.bands, tc.term)
				}
				gauge := firstSeries(t, specOf(t, html, "chart-health-gauge"))
				pointer, _ := gauge["pointer"].(map[string]any)
				if style, _ := pointer["itemStyle"].(map[string]any); style["color"] != tc.colour {
					t.Errorf("bands %v: gauge pointer colour = %v, want %s", tc.bands, style["color"], tc.colour)
				}
				var buf bytes.Buffer
				if err := r.NetworkPage(&buf, Network{}); err != nil {
					t.Error(err)
				} else if !strings.Contains(buf.String(), tc.legend) {
					t.Errorf("bands %v: network legend lacks %q", tc.bands, tc.legend)
				}
			}()
		}
		wg.Wait()
	}
}
