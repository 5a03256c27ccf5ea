package app

import (
	"html"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data/datatest"
)

// TestAppsKeepTheirOwnBands: two Apps of different health bands in one
// process each describe and colour health by their own configuration.
func TestAppsKeepTheirOwnBands(t *testing.T) {
	strict := config.Default()
	strict.Scoring.Health.HealthyMin, strict.Scoring.Health.WatchMin = 85, 60
	apps := map[string]*App{}
	for name, cfg := range map[string]config.Config{"default": config.Default(), "strict": strict} {
		a, err := New(cfg, datatest.MustOpenDB(t), quietLogger())
		if err != nil {
			t.Fatal(err)
		}
		a.ready.Store(true)
		withTestAccounts(t, a)
		apps[name] = a
	}
	for name, want := range map[string]string{
		"default": "Healthy at 70 or more, watch from 40 to 70, at risk below 40.",
		"strict":  "Healthy at 85 or more, watch from 60 to 85, at risk below 60.",
	} {
		status, page, _ := get(t, apps[name].Fiber(), "/how-scores-work")
		if status != 200 {
			t.Fatalf("%s: /how-scores-work = %d", name, status)
		}
		if !strings.Contains(html.UnescapeString(page), want) {
			t.Errorf("%s: /how-scores-work does not say %q", name, want)
		}
	}
}
