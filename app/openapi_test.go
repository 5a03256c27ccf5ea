package app

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/data/datatest"
)

// openAPIDocument is the part of the document the tests read.
type openAPIDocument struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]openAPISchema `json:"schemas"`
	} `json:"components"`
}

type openAPISchema struct {
	Required   []string                 `json:"required"`
	Properties map[string]openAPISchema `json:"properties"`
	Items      *openAPISchema           `json:"items"`
	Ref        string                   `json:"$ref"`
}

func loadOpenAPI(tb testing.TB) openAPIDocument {
	tb.Helper()
	var doc openAPIDocument
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		tb.Fatalf("app/openapi.json is not valid JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		tb.Fatalf("openapi = %q, want a 3.x document", doc.OpenAPI)
	}
	return doc
}

var fiberParamRE = regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)`)

// openAPIPath writes a Fiber route path as an OpenAPI path: :slug → {slug}.
func openAPIPath(p string) string { return fiberParamRE.ReplaceAllString(p, "{$1}") }

// operationalRoutes are the routes outside /api/v1 that app/openapi.json
// describes.
var operationalRoutes = map[string]bool{"/readyz": true, "/metrics": true}

// TestOpenAPIDescribesTheRouteTable fails when an /api/v1 route of the
// route table (app/routes.go) is not described in app/openapi.json with
// the same method and the table's summary, or the document describes a
// route the table does not have.
func TestOpenAPIDescribesTheRouteTable(t *testing.T) {
	doc := loadOpenAPI(t)
	a := newTestApp(t, datatest.MustOpenDB(t))
	inTable := map[string]bool{}
	for _, r := range a.routes() {
		if !strings.HasPrefix(r.pattern, "/api/v1/") {
			if r.api != "" {
				t.Errorf("%s %s is a page, with an API summary %q", r.method, r.pattern, r.api)
			}
			// The probes a load balancer and Prometheus call on each
			// replica are described too (their answers are a contract).
			if operationalRoutes[r.pattern] {
				p, m := r.pattern, strings.ToLower(r.method)
				inTable[m+" "+p] = true
				if _, ok := doc.Paths[p][m]; !ok {
					t.Errorf("route %s %s is not described in app/openapi.json", r.method, r.pattern)
				}
			}
			continue
		}
		p, m := openAPIPath(r.pattern), strings.ToLower(r.method)
		inTable[m+" "+p] = true
		raw, ok := doc.Paths[p][m]
		if !ok {
			t.Errorf("route %s %s is not described in app/openapi.json (paths[%q].%s)", r.method, r.pattern, p, m)
			continue
		}
		var op struct {
			Summary string `json:"summary"`
		}
		if err := json.Unmarshal(raw, &op); err != nil {
			t.Errorf("paths[%q].%s: %v", p, m, err)
		}
		if r.api == "" || op.Summary != r.api {
			t.Errorf("route %s %s: the table says %q, app/openapi.json %q", r.method, r.pattern, r.api, op.Summary)
		}
	}
	if len(inTable) < 10 {
		t.Fatalf("only %d /api/v1 routes in the table: the table changed shape", len(inTable))
	}
	var extra []string
	for p, ops := range doc.Paths {
		for m := range ops {
			if m == "parameters" || m == "summary" || m == "description" {
				continue
			}
			if !inTable[m+" "+p] {
				extra = append(extra, strings.ToUpper(m)+" "+p)
			}
		}
	}
	sort.Strings(extra)
	for _, e := range extra {
		t.Errorf("app/openapi.json describes %s, which is not in the route table", e)
	}
}

// TestOpenAPIScoresSchemaIsTheContract checks the scores schema against the
// fields the model defines and against a real /api/v1/scores answer: every
// field the API sends is described, and every required field is sent.
func TestOpenAPIScoresSchemaIsTheContract(t *testing.T) {
	doc := loadOpenAPI(t)
	s := doc.Components.Schemas
	for _, c := range []struct {
		schema string
		want   []string
	}{
		{"Scores", []string{"at", "ecosystem", "members", "edges"}},
		{"ScoreRow", []string{"slug", "T", "I", "M", "C", "K", "phi", "health", "status"}},
		{"ScoreEdge", []string{"a", "b", "k"}},
	} {
		for _, f := range c.want {
			if !slices.Contains(s[c.schema].Required, f) {
				t.Errorf("schema %s does not require %q", c.schema, f)
			}
		}
	}
	if got := s["Scores"].Properties["ecosystem"].Required; !slices.Contains(got, "R") || !slices.Contains(got, "health") {
		t.Errorf("Scores.ecosystem requires %v, want R and health", got)
	}

	a := newTestApp(t, seededDB(t))
	status, body, _ := get(t, a.Fiber(), "/api/v1/scores?at=2026-06-30")
	if status != http.StatusOK {
		t.Fatalf("/api/v1/scores = %d %s", status, body)
	}
	var got struct {
		Top     map[string]json.RawMessage
		Members []map[string]json.RawMessage `json:"members"`
		Edges   []map[string]json.RawMessage `json:"edges"`
	}
	if err := json.Unmarshal([]byte(body), &got.Top); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Members) == 0 || len(got.Edges) == 0 {
		t.Fatalf("the seeded scores have %d members and %d edges", len(got.Members), len(got.Edges))
	}
	same := func(what string, schema openAPISchema, obj map[string]json.RawMessage) {
		for k := range obj {
			if _, ok := schema.Properties[k]; !ok {
				t.Errorf("%s: the API sends %q, which the schema does not describe", what, k)
			}
		}
		for _, k := range schema.Required {
			if _, ok := obj[k]; !ok {
				t.Errorf("%s: the schema requires %q, which the API does not send", what, k)
			}
		}
	}
	same("Scores", s["Scores"], got.Top)
	same("ScoreRow", s["ScoreRow"], got.Members[0])
	same("ScoreEdge", s["ScoreEdge"], got.Edges[0])
}

func TestOpenAPIIsServedToViewers(t *testing.T) {
	a := newTestApp(t, datatest.MustOpenDB(t))
	status, body, hdr := get(t, a.Fiber(), "/api/v1/openapi.json")
	if status != http.StatusOK {
		t.Fatalf("GET /api/v1/openapi.json = %d", status)
	}
	if ct := http.Header(hdr).Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	if body != string(OpenAPI()) {
		t.Error("the served document differs from the embedded one")
	}
	resp, err := a.Fiber().Test(httptest.NewRequest("GET", "/api/v1/openapi.json", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, want := resp.StatusCode, http.StatusUnauthorized; got != want {
		t.Errorf("anonymous GET /api/v1/openapi.json = %d, want %d", got, want)
	}
}
