package app

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/views"
)

// TestDevelopersCommandPrintsTheAPIsJSON: `ecopulse developers --json`
// prints what GET /api/v1/developers answers, and the table lists every
// cohort of it.
func TestDevelopersCommandPrintsTheAPIsJSON(t *testing.T) {
	ctx := context.Background()
	db := seededDB(t)
	cfg := config.Default()
	cfg.DB = db.Path()
	var out bytes.Buffer
	env := &Env{Config: cfg, Log: quietLogger(), Out: &out, Now: time.Now}
	if err := Developers(ctx, env, views.RangeParams{}, true); err != nil {
		t.Fatal(err)
	}
	var cli, api any
	if err := json.Unmarshal(out.Bytes(), &cli); err != nil {
		t.Fatal(err)
	}
	status, body, _ := get(t, newTestApp(t, db).Fiber(), "/api/v1/developers")
	if err := json.Unmarshal([]byte(body), &api); status != 200 || err != nil {
		t.Fatalf("%d %v", status, err)
	}
	if !reflect.DeepEqual(cli, api) {
		t.Errorf("the command's JSON differs from the API's:\n%s\n%s", out.String(), body)
	}
	d := decode[views.Developers](t, body)
	if d.Consumers == 0 || len(d.Cohorts) < 10 {
		t.Fatalf("the demo's funnel: %d consumers, %d cohorts", d.Consumers, len(d.Cohorts))
	}
	out.Reset()
	if err := Developers(ctx, env, views.RangeParams{}, false); err != nil {
		t.Fatal(err)
	}
	for _, c := range d.Cohorts {
		if !strings.Contains(out.String(), "\n"+c.Week+" ") {
			t.Errorf("the table lacks cohort %s:\n%s", c.Week, out.String())
		}
	}
}
