package app

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
)

type readiness struct {
	Status            string `json:"status"`
	Replica           string `json:"replica"`
	MigrationsApplied bool   `json:"migrations_applied"`
	Ready             bool   `json:"ready"`
}

func readyzOf(t *testing.T, a *App) (int, readiness) {
	t.Helper()
	status, body, _ := get(t, a.Fiber(), "/readyz")
	var r readiness
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("GET /readyz = %d %s: %v", status, body, err)
	}
	return status, r
}

// TestReadyzWaitsForTheMigrations: a server on a store that lacks this
// build's migrations says it is not ready, and is ready once they are
// applied — on either backend; each answer names the replica.
func TestReadyzWaitsForTheMigrations(t *testing.T) {
	ctx := context.Background()
	db, err := data.OpenNoMigrate(datatest.UnmigratedTarget(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t.Setenv("ECOPULSE_REPLICA", "replica-7")
	a, err := New(config.Default(), db, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	if status, r := readyzOf(t, a); status != 503 || r != (readiness{"starting", "replica-7", false, false}) {
		t.Errorf("GET /readyz before serving on an unmigrated store = %d %+v", status, r)
	}
	a.ready.Store(true)
	if status, r := readyzOf(t, a); status != 503 || r != (readiness{"schema not migrated", "replica-7", false, false}) {
		t.Errorf("GET /readyz on an unmigrated store = %d %+v, want 503", status, r)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if status, r := readyzOf(t, a); status != 200 || r != (readiness{"ready", "replica-7", true, true}) {
		t.Errorf("GET /readyz once migrated = %d %+v, want 200", status, r)
	}
	a.ready.Store(false) // shutting down
	if status, r := readyzOf(t, a); status != 503 || r != (readiness{"starting", "replica-7", true, false}) {
		t.Errorf("GET /readyz while not serving = %d %+v, want 503", status, r)
	}
}

// TestReadyzAndIngestAnswersAreTheirSchemas: /readyz and a push answer send
// exactly what app/openapi.json's Readiness and IngestAccepted describe.
func TestReadyzAndIngestAnswersAreTheirSchemas(t *testing.T) {
	s := loadOpenAPI(t).Components.Schemas
	a := newTestApp(t, datatest.MustOpenDB(t))
	_, ready, _ := get(t, a.Fiber(), "/readyz")
	_, accepted := post(t, a, newToken(t, a.db, "gateway", ""), ndjson(3, time.Now().Add(-time.Hour)), nil)
	for _, c := range []struct{ schema, body string }{{"Readiness", ready}, {"IngestAccepted", accepted}} {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(c.body), &obj); err != nil {
			t.Fatalf("%s: %s: %v", c.schema, c.body, err)
		}
		schema := s[c.schema]
		for k := range obj {
			if _, ok := schema.Properties[k]; !ok {
				t.Errorf("%s: the answer has %q, which the schema does not describe", c.schema, k)
			}
		}
		for _, k := range schema.Required {
			if _, ok := obj[k]; !ok {
				t.Errorf("%s: the schema requires %q, which the answer lacks", c.schema, k)
			}
		}
	}
}
